/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "test-clickhouse.h"

#define CLICKHOUSE_SERVER "/usr/sbin/clickhouse-server"
#define CLICKHOUSE_CONFIG "/etc/clickhouse-server/config.xml"
#define START_TIMEOUT_US (60 * G_USEC_PER_SEC)

struct _TestClickhouse
{
  GSubprocess *process;   /* owned; NULL once it ended */
  char        *dir;       /* the data folder, removed at the end */
  guint16      http_port;
  guint16      tcp_port;
  guint16      interserver_port;
  char        *url;
  SoupSession *session;   /* owned: for test_clickhouse_query */
};

/* A TCP socket on a free port of 127.0.0.1; @port its port. */
static GSocket *
bind_loopback (guint16 *port)
{
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

static guint16
free_port (void)
{
  guint16 port;
  g_autoptr(GSocket) socket = bind_loopback (&port);

  g_socket_close (socket, NULL);
  return port;
}

/* In the child, before exec: die with the test. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
log_tail (TestClickhouse *self)
{
  g_autofree char *path = g_build_filename (self->dir, "server.err.log", NULL);
  g_autofree char *out_path = g_build_filename (self->dir, "server.out", NULL);
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  gsize length = 0, out_length = 0;

  g_file_get_contents (path, &text, &length, NULL);
  g_file_get_contents (out_path, &out, &out_length, NULL);
  return g_strdup_printf ("%s\n%s",
                          out != NULL ? out + (out_length > 2000 ? out_length - 2000 : 0) : "",
                          text != NULL ? text + (length > 2000 ? length - 2000 : 0) : "");
}

static gboolean
ping (TestClickhouse *self)
{
  g_autofree char *url = g_strdup_printf ("%sping", self->url);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = soup_session_send_and_read (self->session, msg, NULL, NULL);

  return body != NULL && soup_message_get_status (msg) == 200;
}

static gboolean
launch (TestClickhouse *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (self->dir, "server.out", NULL);
  g_autofree char *path = g_strdup_printf ("--path=%s/", self->dir);
  g_autofree char *tmp = g_strdup_printf ("--tmp_path=%s/tmp/", self->dir);
  g_autofree char *user_files = g_strdup_printf ("--user_files_path=%s/user_files/", self->dir);
  g_autofree char *schemas = g_strdup_printf ("--format_schema_path=%s/format_schemas/", self->dir);
  g_autofree char *log = g_strdup_printf ("--logger.log=%s/server.log", self->dir);
  g_autofree char *errlog = g_strdup_printf ("--logger.errorlog=%s/server.err.log", self->dir);
  g_autofree char *http = g_strdup_printf ("--http_port=%u", self->http_port);
  g_autofree char *tcp = g_strdup_printf ("--tcp_port=%u", self->tcp_port);
  g_autofree char *interserver = g_strdup_printf ("--interserver_http_port=%u", self->interserver_port);
  gint64 deadline;

  if (!g_file_test (CLICKHOUSE_SERVER, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_message ("%s is missing: install the clickhouse-server package (build-aux/install-deps.sh)", CLICKHOUSE_SERVER);
      g_test_fail ();
      return FALSE;
    }

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, out);
  g_subprocess_launcher_take_stderr_fd (launcher, -1);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDERR_MERGE);
  self->process = g_subprocess_launcher_spawn (launcher, &error,
                                               CLICKHOUSE_SERVER, "--config-file=" CLICKHOUSE_CONFIG, "--",
                                               path, tmp, user_files, schemas, log, errlog,
                                               "--logger.console=0", http, tcp, interserver,
                                               "--listen_host=127.0.0.1", NULL);
  if (self->process == NULL)
    {
      g_test_message ("cannot start %s: %s", CLICKHOUSE_SERVER, error->message);
      g_test_fail ();
      return FALSE;
    }

  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  while (!ping (self))
    {
      /* The identifier goes when the process has ended. */
      if (g_subprocess_get_identifier (self->process) == NULL || g_get_monotonic_time () > deadline)
        {
          g_autofree char *tail = log_tail (self);

          g_test_message ("clickhouse-server did not answer /ping on port %u: %s", self->http_port, tail);
          g_test_fail ();
          return FALSE;
        }
      g_usleep (50000);
    }
  return TRUE;
}

TestClickhouse *
test_clickhouse_new (void)
{
  g_autoptr(TestClickhouse) self = g_new0 (TestClickhouse, 1);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  self->dir = g_dir_make_tmp ("sluice-clickhouse-XXXXXX", &error);
  g_assert_no_error (error);
  self->http_port = free_port ();
  self->tcp_port = free_port ();
  self->interserver_port = free_port ();
  self->url = g_strdup_printf ("http://127.0.0.1:%u/", self->http_port);
  self->session = soup_session_new_with_options ("timeout", 60, NULL);

  if (!launch (self))
    return NULL;
  g_test_message ("clickhouse-server answers on %s after %" G_GINT64_FORMAT " ms",
                  self->url, (g_get_monotonic_time () - start) / 1000);
  return g_steal_pointer (&self);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  gboolean *done = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

/* SIGTERM, and SIGKILL when it has not ended within 10 s. */
static void
stop (TestClickhouse *self)
{
  g_autoptr(GMainContext) context = NULL;
  gboolean done = FALSE;
  gint64 deadline;

  if (self->process == NULL)
    return;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait_async (self->process, NULL, waited_cb, &done);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!done && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (context, FALSE);
      g_usleep (10000);
    }
  if (!done)
    g_subprocess_force_exit (self->process);
  while (!done)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_clear_object (&self->process);
}

void
test_clickhouse_free (TestClickhouse *self)
{
  if (self == NULL)
    return;
  stop (self);
  g_clear_object (&self->session);
  if (self->dir != NULL)
    remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->url);
  g_free (self);
}

const char *
test_clickhouse_get_url (TestClickhouse *self)
{
  return self->url;
}

char *
test_clickhouse_query (TestClickhouse  *self,
                       const char      *sql,
                       GError         **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", self->url);
  g_autoptr(GBytes) request = g_bytes_new (sql, strlen (sql));
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  soup_message_set_request_body_from_bytes (msg, "text/plain", request);
  body = soup_session_send_and_read (self->session, msg, NULL, error);
  if (body == NULL)
    return NULL;
  /* An empty answer (DDL) has no data pointer at all. */
  text = g_bytes_get_size (body) > 0 ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)) : g_strdup ("");
  if (soup_message_get_status (msg) != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u: %s", soup_message_get_status (msg), text);
      return NULL;
    }
  return g_steal_pointer (&text);
}

char *
test_clickhouse_query_ok (TestClickhouse *self,
                          const char     *sql)
{
  g_autoptr(GError) error = NULL;
  char *text = test_clickhouse_query (self, sql, &error);

  if (text == NULL)
    g_error ("ClickHouse query “%s” failed: %s", sql, error != NULL ? error->message : "no answer");
  g_strchomp (text);
  return text;
}

void
test_clickhouse_kill (TestClickhouse *self)
{
  if (self->process == NULL)
    return;
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);
  /* Its keep-alive connections died with it. */
  g_clear_object (&self->session);
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
}

gboolean
test_clickhouse_restart (TestClickhouse *self)
{
  test_clickhouse_kill (self);
  return launch (self);
}

guint64
test_clickhouse_count (TestClickhouse *self,
                       const char     *table_sql)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count() FROM %s", table_sql);
  g_autofree char *answer = test_clickhouse_query_ok (self, sql);

  return g_ascii_strtoull (answer, NULL, 10);
}

void
test_clickhouse_create_slow_table (TestClickhouse *self,
                                   const char     *table,
                                   double         seconds_per_row)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE %s (id UInt64, name String, "
                                          "slow UInt8 MATERIALIZED sleepEachRow(%g)) ENGINE = MergeTree ORDER BY id",
                                          table, seconds_per_row);

  g_free (test_clickhouse_query_ok (self, sql));
}

void
test_clickhouse_assert_count_holds (TestClickhouse *self,
                                    const char     *table,
                                    guint64         expected)
{
  guint64 now = test_clickhouse_count (self, table);
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint64 later;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
  later = test_clickhouse_count (self, table);
  g_test_message ("%s: %" G_GUINT64_FORMAT " rows at the end, %" G_GUINT64_FORMAT " 2 s later", table, now, later);
  g_assert_cmpuint (now, ==, expected);
  g_assert_cmpuint (later, ==, expected);
}

GSocket *
test_clickhouse_stalled_new (char **url)
{
  guint16 port;
  GSocket *socket = bind_loopback (&port);

  g_assert_true (g_socket_listen (socket, NULL));
  *url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  return socket;
}
