/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-postgres.h"

struct _TestPostgres
{
  char  *bin;
  char  *dir;
  char  *data;
  char  *uri;
  guint  port;
  pid_t  watcher;
  int    watch_fd;   /* closing it (or dying) tells the watcher to stop the server */
};

static guint
free_port (void)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port;

  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  port = ntohs (address.sin_port);
  close (fd);
  return port;
}

/* argv run as the server's user: nobody when we are root. */
static GPtrArray *
as_server_user (void)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (geteuid () == 0)
    {
      g_ptr_array_add (argv, g_strdup ("setpriv"));
      g_ptr_array_add (argv, g_strdup ("--reuid=nobody"));
      g_ptr_array_add (argv, g_strdup ("--regid=nogroup"));
      g_ptr_array_add (argv, g_strdup ("--clear-groups"));
    }
  return argv;
}

static gboolean
run_argv (GPtrArray  *argv,
          char      **output,
          GError    **error)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync ("/", (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata);

      g_set_error (error, G_SPAWN_EXIT_ERROR, 1, "%s failed: %s%s", command, err, out);
      return FALSE;
    }
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
pg_ctl (TestPostgres  *self,
        const char    *action,
        GError       **error)
{
  g_autoptr(GPtrArray) argv = as_server_user ();
  g_autofree char *log = g_build_filename (self->dir, "server.log", NULL);
  g_autofree char *options = g_strdup_printf ("-p %u -k %s -c listen_addresses=127.0.0.1 -F", self->port, self->dir);

  g_ptr_array_add (argv, g_build_filename (self->bin, "pg_ctl", NULL));
  g_ptr_array_add (argv, g_strdup (action));
  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (self->data));
  g_ptr_array_add (argv, g_strdup ("-w"));
  if (g_str_equal (action, "start"))
    {
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup (options));
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (log));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup ("-m"));
      g_ptr_array_add (argv, g_strdup ("immediate"));
    }
  return run_argv (argv, NULL, error);
}

static void
remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* The watcher: a child that waits for its pipe to close (the test
 * process ended, however), then stops the server and removes its folder. */
static void
start_watcher (TestPostgres *self)
{
  int fds[2];
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char byte;

      close (fds[1]);
      signal (SIGINT, SIG_IGN);
      while (read (fds[0], &byte, 1) != 0 && errno == EINTR)
        ;
      pg_ctl (self, "stop", NULL);
      remove_tree (self->dir);
      _exit (0);
    }
  close (fds[0]);
  self->watcher = pid;
  self->watch_fd = fds[1];
}

TestPostgres *
test_postgres_start (GError **error)
{
  TestPostgres *self = g_new0 (TestPostgres, 1);
  g_autoptr(GPtrArray) initdb = NULL;
  g_autofree char *initdb_path = NULL;

  self->bin = g_strdup (g_getenv ("SLUICE_PG_BIN") != NULL ? g_getenv ("SLUICE_PG_BIN") : "/usr/lib/postgresql/15/bin");
  initdb_path = g_build_filename (self->bin, "initdb", NULL);
  if (!g_file_test (initdb_path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "PostgreSQL 15 is not installed: %s is missing (apt install postgresql-15)", initdb_path);
      g_free (self->bin);
      g_free (self);
      return NULL;
    }

  self->dir = g_dir_make_tmp ("sluice-pg-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  self->data = g_build_filename (self->dir, "data", NULL);
  self->port = free_port ();
  if (geteuid () == 0)
    {
      struct passwd *nobody = getpwnam ("nobody");
      struct group *nogroup = getgrnam ("nogroup");

      g_assert_nonnull (nobody);
      g_assert_true (chown (self->dir, nobody->pw_uid, nogroup != NULL ? nogroup->gr_gid : nobody->pw_gid) == 0);
    }
  start_watcher (self);

  initdb = as_server_user ();
  g_ptr_array_add (initdb, g_strdup (initdb_path));
  g_ptr_array_add (initdb, g_strdup ("-D"));
  g_ptr_array_add (initdb, g_strdup (self->data));
  g_ptr_array_add (initdb, g_strdup ("-U"));
  g_ptr_array_add (initdb, g_strdup ("sluice"));
  g_ptr_array_add (initdb, g_strdup ("--auth=trust"));
  g_ptr_array_add (initdb, g_strdup ("-E"));
  g_ptr_array_add (initdb, g_strdup ("UTF8"));
  g_ptr_array_add (initdb, g_strdup ("--no-sync"));
  g_ptr_array_add (initdb, g_strdup ("--no-instructions"));
  if (!run_argv (initdb, NULL, error) || !pg_ctl (self, "start", error))
    {
      test_postgres_stop (self);
      return NULL;
    }

  self->uri = g_strdup_printf ("postgresql://sluice@127.0.0.1:%u/postgres", self->port);
  return self;
}

const char *
test_postgres_get_uri (TestPostgres *self)
{
  return self->uri;
}

guint
test_postgres_get_port (TestPostgres *self)
{
  return self->port;
}

gboolean
test_postgres_exec (TestPostgres  *self,
                    const char    *sql,
                    char         **output,
                    GError       **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_build_filename (self->bin, "psql", NULL));
  g_ptr_array_add (argv, g_strdup ("-X"));
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, g_strdup ("-A"));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup ("-v"));
  g_ptr_array_add (argv, g_strdup ("ON_ERROR_STOP=1"));
  g_ptr_array_add (argv, g_strdup ("-d"));
  g_ptr_array_add (argv, g_strdup (self->uri));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (sql));
  return run_argv (argv, output, error);
}

void
test_postgres_stop (TestPostgres *self)
{
  if (self == NULL)
    return;

  /* The watcher stops the server and removes the folder. */
  if (self->watch_fd > 0)
    close (self->watch_fd);
  if (self->watcher > 0)
    waitpid (self->watcher, NULL, 0);
  g_free (self->bin);
  g_free (self->dir);
  g_free (self->data);
  g_free (self->uri);
  g_free (self);
}
