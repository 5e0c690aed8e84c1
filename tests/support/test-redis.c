/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>

#include "test-redis.h"

struct _SluiceTestRedis
{
  GSubprocess *process;
  char        *binary;
  char        *dir;
  char        *url;
  guint16      port;
  gboolean     appendonly;
};

static char *
find_binary (void)
{
  const char *env = g_getenv ("SLUICE_REDIS_SERVER");
  char *found;

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  found = g_find_program_in_path ("redis-server");
  if (found != NULL)
    return found;
  return g_strdup ("/usr/bin/redis-server");
}

/* A port nobody listens on now (the kernel's choice for port 0). */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
child_setup_cb (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
answers_ping (SluiceTestRedis *redis)
{
  struct timeval timeout = { 1, 0 };
  redisContext *context = redisConnectWithTimeout ("127.0.0.1", redis->port, timeout);
  redisReply *reply;
  gboolean ok;

  if (context == NULL || context->err)
    {
      if (context != NULL)
        redisFree (context);
      return FALSE;
    }
  reply = redisCommand (context, "PING");
  ok = reply != NULL && reply->type == REDIS_REPLY_STATUS && g_str_equal (reply->str, "PONG");
  if (reply != NULL)
    freeReplyObject (reply);
  redisFree (context);
  return ok;
}

/* Starts the binary; FALSE (with the reason in @error) when it exits or
 * does not answer PING within 10 s. */
static gboolean
launch (SluiceTestRedis  *redis,
        GError          **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *port = g_strdup_printf ("%u", redis->port);
  g_autofree char *log = g_build_filename (redis->dir, "redis.log", NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  const char *argv[] = {
    redis->binary, "--port", port, "--bind", "127.0.0.1", "--dir", redis->dir,
    "--save", "", "--appendonly", redis->appendonly ? "yes" : "no",
    "--logfile", log, "--daemonize", "no", "--protected-mode", "yes", NULL
  };

  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  redis->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (redis->process == NULL)
    return FALSE;

  while (g_get_monotonic_time () < deadline)
    {
      if (answers_ping (redis))
        return TRUE;
      if (g_subprocess_get_identifier (redis->process) == NULL)
        break;
      g_usleep (20 * 1000);
    }
  {
    g_autofree char *text = NULL;

    g_file_get_contents (log, &text, NULL, NULL);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s on port %u did not answer PING; its log:\n%s",
                 redis->binary, redis->port, text ? text : "(none)");
  }
  g_subprocess_force_exit (redis->process);
  g_subprocess_wait (redis->process, NULL, NULL);
  g_clear_object (&redis->process);
  return FALSE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

SluiceTestRedis *
sluice_test_redis_start (gboolean appendonly)
{
  g_autoptr(GError) error = NULL;
  SluiceTestRedis *redis = g_new0 (SluiceTestRedis, 1);

  redis->binary = find_binary ();
  redis->appendonly = appendonly;
  if (!g_file_test (redis->binary, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("redis-server not found (%s): install the redis-server package "
                          "(build-aux/install-deps.sh) or set SLUICE_REDIS_SERVER", redis->binary);
      sluice_test_redis_free (redis);
      return NULL;
    }
  redis->dir = g_dir_make_tmp ("sluice-redis-XXXXXX", &error);
  g_assert_no_error (error);

  /* Someone may take the free port between our look and Redis' bind. */
  for (int attempt = 0; attempt < 5; attempt++)
    {
      g_clear_error (&error);
      redis->port = free_port ();
      if (launch (redis, &error))
        {
          redis->url = g_strdup_printf ("redis://127.0.0.1:%u", redis->port);
          return redis;
        }
    }
  g_test_fail_printf ("cannot start redis-server: %s", error->message);
  sluice_test_redis_free (redis);
  return NULL;
}

const char *
sluice_test_redis_get_url (SluiceTestRedis *redis)
{
  return redis->url;
}

guint16
sluice_test_redis_get_port (SluiceTestRedis *redis)
{
  return redis->port;
}

void
sluice_test_redis_stop (SluiceTestRedis *redis)
{
  if (redis->process == NULL)
    return;
  g_subprocess_send_signal (redis->process, SIGTERM);
  g_subprocess_wait (redis->process, NULL, NULL);
  g_clear_object (&redis->process);
}

gboolean
sluice_test_redis_restart (SluiceTestRedis *redis)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (redis->process);
  if (!launch (redis, &error))
    {
      g_test_fail_printf ("cannot restart redis-server: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

void
sluice_test_redis_free (SluiceTestRedis *redis)
{
  if (redis == NULL)
    return;
  if (redis->process != NULL)
    {
      g_subprocess_force_exit (redis->process);
      g_subprocess_wait (redis->process, NULL, NULL);
      g_clear_object (&redis->process);
    }
  if (redis->dir != NULL)
    remove_tree (redis->dir);
  g_free (redis->dir);
  g_free (redis->binary);
  g_free (redis->url);
  g_free (redis);
}

static redisReply *
command_va (SluiceTestRedis *redis,
            const char      *format,
            va_list          args)
{
  struct timeval timeout = { 5, 0 };
  redisContext *context = redisConnectWithTimeout ("127.0.0.1", redis->port, timeout);
  redisReply *reply;

  g_assert_nonnull (context);
  g_assert_cmpint (context->err, ==, 0);
  redisSetTimeout (context, timeout);
  reply = redisvCommand (context, format, args);
  redisFree (context);
  return reply;
}

redisReply *
sluice_test_redis_command (SluiceTestRedis *redis,
                           const char      *format,
                           ...)
{
  va_list args;
  redisReply *reply;

  va_start (args, format);
  reply = command_va (redis, format, args);
  va_end (args);
  return reply;
}

long long
sluice_test_redis_integer (SluiceTestRedis *redis,
                           const char      *format,
                           ...)
{
  va_list args;
  redisReply *reply;
  long long value;

  va_start (args, format);
  reply = command_va (redis, format, args);
  va_end (args);
  value = reply != NULL && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
  if (reply != NULL)
    freeReplyObject (reply);
  return value;
}
