/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE  /* pipe2, posix_spawn_file_actions_addclosefrom_np and addchdir_np */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>

#include "sluice-shell-spawn.h"

/* posix_spawn instead of GSubprocess: GLib forks (a child-setup function,
 * needed for setpgid, rules its posix_spawn path out), and a fork of a
 * process with threads and a heap costs more than the command itself for
 * short commands. glibc's posix_spawn does a vfork-like clone;
 * POSIX_SPAWN_SETPGROUP does the setpgid. The child also gets default
 * signal handling and an empty signal mask (the runner ignores SIGPIPE,
 * which a filter like `yes | head` needs), and no descriptor but its
 * three pipes (closefrom 3: nothing of the run leaks into what a command
 * leaves running). */

static void
close_pair (int fds[2])
{
  for (guint i = 0; i < 2; i++)
    if (fds[i] >= 0)
      {
        close (fds[i]);
        fds[i] = -1;
      }
}

static gboolean
make_pipes (int        pipes[3][2],
            GError   **error)
{
  for (guint i = 0; i < 3; i++)
    if (pipe2 (pipes[i], O_CLOEXEC) != 0)
      {
        int saved = errno;

        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "cannot make a pipe: %s", g_strerror (saved));
        return FALSE;
      }
  return TRUE;
}

gboolean
sluice_shell_spawn (const char          *command_line,
                    const char          *cwd,
                    const char * const  *env,
                    SluiceShellChild    *child,
                    GError             **error)
{
  int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t signals;
  g_auto(GStrv) envp = g_get_environ ();
  const char *argv[] = { "/bin/sh", "-c", command_line, NULL };
  pid_t pid = 0;
  int status;

  g_return_val_if_fail (command_line != NULL, FALSE);
  g_return_val_if_fail (child != NULL, FALSE);

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (env[i], eq - env[i]) : g_strdup (env[i]);

      envp = g_environ_setenv (envp, name, eq != NULL ? eq + 1 : "", TRUE);
    }

  if (!make_pipes (pipes, error))
    {
      for (guint i = 0; i < 3; i++)
        close_pair (pipes[i]);
      return FALSE;
    }

  posix_spawn_file_actions_init (&actions);
  /* pipes[0] is stdin: the child reads end 0; stdout and stderr: end 1. */
  posix_spawn_file_actions_adddup2 (&actions, pipes[0][0], 0);
  posix_spawn_file_actions_adddup2 (&actions, pipes[1][1], 1);
  posix_spawn_file_actions_adddup2 (&actions, pipes[2][1], 2);
  posix_spawn_file_actions_addclosefrom_np (&actions, 3);
  if (cwd != NULL)
    posix_spawn_file_actions_addchdir_np (&actions, cwd);

  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                   POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup (&attr, 0);
  sigemptyset (&signals);
  posix_spawnattr_setsigmask (&attr, &signals);
  sigemptyset (&signals);
  sigaddset (&signals, SIGPIPE);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGHUP);
  sigaddset (&signals, SIGQUIT);
  sigaddset (&signals, SIGUSR1);
  sigaddset (&signals, SIGUSR2);
  posix_spawnattr_setsigdefault (&attr, &signals);

  status = posix_spawn (&pid, argv[0], &actions, &attr, (char * const *) argv, envp);
  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);

  /* The child's ends are the child's now. */
  close (pipes[0][0]);
  close (pipes[1][1]);
  close (pipes[2][1]);
  if (status != 0)
    {
      close (pipes[0][1]);
      close (pipes[1][0]);
      close (pipes[2][0]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (status),
                   "cannot run /bin/sh: %s", g_strerror (status));
      return FALSE;
    }

  /* Never block the main thread on a pipe: all I/O is asynchronous. */
  g_unix_set_fd_nonblocking (pipes[0][1], TRUE, NULL);
  child->pid = pid;
  child->stdin_pipe = g_unix_output_stream_new (pipes[0][1], TRUE);
  child->stdout_pipe = g_unix_input_stream_new (pipes[1][0], TRUE);
  child->stderr_pipe = g_unix_input_stream_new (pipes[2][0], TRUE);
  return TRUE;
}
