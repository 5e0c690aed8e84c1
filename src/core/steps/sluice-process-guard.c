/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* syscall (SYS_getdents64) */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>

#include "sluice-process-guard.h"

/* The guardian runs between fork() and _exit() in a copy of a
 * multithreaded process: only system calls there, no malloc, no stdio,
 * no GLib. kill_marked() is written that way, and the runner uses the
 * same function. */

#define ENVIRON_MAX (256 * 1024)

static char prefix[64];            /* "SLUICE_GUARD=PID.RANDOM" */
static gint next_command;         /* atomic: designer runs have threads of their own */
static int guardian_pipe = -1;     /* write end; closes when we end */

struct linux_dirent64
{
  guint64        d_ino;
  gint64         d_off;
  unsigned short d_reclen;
  unsigned char  d_type;
  char           d_name[];
};

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return FALSE;
  return TRUE;
}

/* Whether the NUL-separated @environ holds @needle as a whole entry, or
 * as the start of one followed by "." when @as_prefix. */
static gboolean
environ_has (const char *environ,
             gssize      length,
             const char *needle,
             gsize       needle_length,
             gboolean    as_prefix)
{
  gssize start = 0;

  while (start < length)
    {
      gssize end = start;

      while (end < length && environ[end] != '\0')
        end++;
      if ((gsize) (end - start) >= needle_length &&
          memcmp (environ + start, needle, needle_length) == 0 &&
          ((gsize) (end - start) == needle_length ||
           (as_prefix && environ[start + needle_length] == '.')))
        return TRUE;
      start = end + 1;
    }
  return FALSE;
}

/* Async-signal-safe: see the comment at the top. @buffer holds
 * ENVIRON_MAX bytes. */
static guint
kill_marked (const char *needle,
             gboolean    as_prefix,
             char       *buffer)
{
  gsize needle_length = strlen (needle);
  char dents[8192];
  pid_t self = getpid ();
  guint killed = 0;
  int dir;

  dir = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return 0;

  for (;;)
    {
      long n = syscall (SYS_getdents64, dir, dents, sizeof dents);

      if (n <= 0)
        break;
      for (long off = 0; off < n;)
        {
          struct linux_dirent64 *d = (struct linux_dirent64 *) (dents + off);
          char path[64] = "/proc/";
          gssize length = 0;
          int fd;

          off += d->d_reclen;
          if (!all_digits (d->d_name) || strlen (d->d_name) > 20)
            continue;
          strcat (path, d->d_name);
          strcat (path, "/environ");
          fd = open (path, O_RDONLY | O_CLOEXEC);
          if (fd < 0)
            continue;
          for (gssize r; length < ENVIRON_MAX && (r = read (fd, buffer + length, ENVIRON_MAX - length)) != 0;)
            {
              if (r < 0 && errno == EINTR)
                continue;
              if (r < 0)
                break;
              length += r;
            }
          close (fd);
          if (environ_has (buffer, length, needle, needle_length, as_prefix))
            {
              pid_t pid = 0;

              for (const char *p = d->d_name; *p != '\0'; p++)
                pid = pid * 10 + (*p - '0');
              if (pid != self && kill (pid, SIGKILL) == 0)
                killed++;
            }
        }
    }
  close (dir);
  return killed;
}

static G_GNUC_NORETURN void
guardian_main (int read_end)
{
  static char buffer[ENVIRON_MAX];
  struct rlimit limit;
  char byte;

  /* Ctrl+C reaches the whole foreground group: the guardian must live
   * on to clean up after a runner killed some other way. */
  signal (SIGINT, SIG_IGN);
  signal (SIGTERM, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);

  /* Hold nothing open that someone waits on (a pipe to `head`). */
  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur > 65536)
    limit.rlim_cur = 65536;
  for (int fd = 0; fd < (int) limit.rlim_cur; fd++)
    if (fd != read_end)
      close (fd);

  for (;;)
    {
      gssize r = read (read_end, &byte, 1);

      if (r == 0 || (r < 0 && errno != EINTR))
        break;
    }

  /* Twice: a process may have forked while the first sweep ran. */
  kill_marked (prefix, TRUE, buffer);
  kill_marked (prefix, TRUE, buffer);
  _exit (0);
}

static void
start_guardian (void)
{
  int fds[2];
  pid_t pid;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    return;

  pid = fork ();
  if (pid == 0)
    guardian_main (fds[0]);

  close (fds[0]);
  if (pid < 0)
    {
      close (fds[1]);
      return;
    }
  guardian_pipe = fds[1];
}

const char *
sluice_process_guard_prefix (void)
{
  static gsize made = 0;

  /* Once, whichever thread comes first: designer runs have threads of
   * their own. */
  if (g_once_init_enter (&made))
    {
      g_snprintf (prefix, sizeof prefix, SLUICE_PROCESS_GUARD_VARIABLE "=%d.%08x",
                  (int) getpid (), g_random_int ());
      start_guardian ();
      g_once_init_leave (&made, 1);
    }
  return prefix;
}

char *
sluice_process_guard_new_name (void)
{
  const char *p = sluice_process_guard_prefix ();

  /* The value only: "PID.RANDOM.N". */
  return g_strdup_printf ("%s.%u", p + strlen (SLUICE_PROCESS_GUARD_VARIABLE "="),
                          (guint) g_atomic_int_add (&next_command, 1) + 1);
}

guint
sluice_process_guard_kill (const char *name)
{
  g_autofree char *buffer = g_malloc (ENVIRON_MAX);
  g_autofree char *needle = NULL;

  g_return_val_if_fail (name != NULL, 0);

  needle = g_str_has_prefix (name, SLUICE_PROCESS_GUARD_VARIABLE "=")
           ? g_strdup (name) : g_strconcat (SLUICE_PROCESS_GUARD_VARIABLE "=", name, NULL);
  return kill_marked (needle, FALSE, buffer) +
         kill_marked (needle, TRUE, buffer);
}
