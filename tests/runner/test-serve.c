/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "sluice-core.h"

/* `sluice-run serve` and `sluice-run balance` through the real program,
 * on 127.0.0.1 and free ports, with pipelines in a temporary directory;
 * every process started here is killed at the end of its test. */

static char *tmpdir;

typedef struct
{
  GSubprocess *process;
  char        *url;
} Proc;

static void
proc_free (Proc *proc)
{
  if (proc->process != NULL)
    {
      g_subprocess_force_exit (proc->process);
      g_subprocess_wait (proc->process, NULL, NULL);
      g_object_unref (proc->process);
    }
  g_free (proc->url);
  g_free (proc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proc, proc_free)

static char *
write_pipeline (const char *name,
                const char *body)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"%.*s\">\n%s\n</pipeline>\n",
                                          (int) (strchr (name, '.') - name), name, body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, xml, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
child_setup_cb (gpointer user_data)
{
  /* Never outlives a test that aborts. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts sluice-run with @args and waits for its "listening on URL". */
static Proc *
start (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *line = NULL;
  Proc *proc = g_new0 (Proc, 1);

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  /* Under AddressSanitizer, freed memory is kept in a quarantine of
   * 256 MB: a small one keeps peak memory about what the program holds. */
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *options = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":quarantine_size_mb=1", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }
  proc->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:") ||
                 g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  proc->url = g_strdup (line + strlen ("listening on "));
  return proc;
}

static Proc *
start_serve (const char *pipeline,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, "serve");
  g_ptr_array_add (args, (char *) pipeline);
  g_ptr_array_add (args, "--listen");
  g_ptr_array_add (args, "127.0.0.1:0");
  va_start (ap, pipeline);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return start ((const char * const *) args->pdata);
}

typedef struct
{
  guint   status;
  char   *body;
  json_t *json;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_free (answer->body);
  json_decref (answer->json);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static Answer
http (SoupSession *session,
      const char  *method,
      const char  *url,
      const char  *body,
      const char  *token)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Answer answer = { 0 };

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              g_bytes_new_static (body, strlen (body)));
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  answer.status = soup_message_get_status (msg);
  answer.body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  answer.json = json_loads (answer.body, JSON_DECODE_ANY, NULL);
  return answer;
}

static char *
url_for (Proc       *proc,
         const char *path)
{
  return g_strconcat (proc->url, path, NULL);
}

static const char *DOUBLE =
  "<controller id=\"c\" mode=\"no-order\" workers=\"4\"><phase id=\"p\">"
  "<execution id=\"dbl\"><lua>if item.fail then error('asked to fail') end\n"
  "item.value = (item.value or 0) * 2</lua></execution>"
  "</phase></controller>";

static void
test_serve_answers (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(Proc) serve = start_serve (path, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *status_url = url_for (serve, "status");
  g_autofree char *items_url = url_for (serve, "items");

  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{\"value\": 21, \"x\": 0.07}", NULL);
    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "[{\"value\":42,\"x\":0.07}]");
  }
  {
    g_auto(Answer) a = http (session, "POST", items_url, "{\"value\": 1}", NULL);
    g_assert_cmpuint (a.status, ==, 200);
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{\"fail\": true}", NULL);
    g_assert_cmpuint (a.status, ==, 422);
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "module")), ==, "dbl");
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "asked to fail"));
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{\"value\": ", NULL);
    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "not JSON"));
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "[1, 2]", NULL);
    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "element 0 of the batch is not a JSON object"));
  }
  {
    g_auto(Answer) a = http (session, "GET", serve->url, NULL, NULL);
    g_assert_cmpuint (a.status, ==, 405);
  }
  {
    g_auto(Answer) a = http (session, "GET", status_url, NULL, NULL);
    const char *keys[] = { "healthy", "in_flight", "queue_depth", "capacity", "items_per_second",
                           "latency_ms", "pipeline", "file_hash", "uptime_s", "served" };

    g_assert_cmpuint (a.status, ==, 200);
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      g_assert_nonnull (json_object_get (a.json, keys[i]));
    g_assert_cmpstr (json_string_value (json_object_get (a.json, "pipeline")), ==, "double");
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "served")), ==, 3);
    g_assert_cmpuint (strlen (json_string_value (json_object_get (a.json, "file_hash"))), ==, 64);
  }
}

static void run_calling (const char *service_xml, guint n, Proc *victim, guint kill_after);

static void
test_serve_token (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autofree char *token_path = g_build_filename (tmpdir, "token", NULL);
  g_autoptr(Proc) serve = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();

  g_assert_true (g_file_set_contents (token_path, "s3cret\n", -1, NULL));
  serve = start_serve (path, "--token-file", token_path, NULL);
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{}", NULL);
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{}", "wrong");
    g_assert_cmpuint (a.status, ==, 401);
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "{}", "s3cret");
    g_assert_cmpuint (a.status, ==, 200);
  }
  /* An external module sends the token its service's token-file holds. */
  {
    g_autofree char *service = g_strdup_printf ("<service name=\"s\" token-file=\"%s\"><endpoint url=\"%s\"/></service>",
                                                token_path, serve->url);

    run_calling (service, 100, NULL, 0);
  }
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  /* Ours, self-signed: only the missing authority may be wrong. */
  return errors == G_TLS_CERTIFICATE_UNKNOWN_CA;
}

/* --tls-cert/--tls-key: the same answers over https. */
static void
test_serve_tls (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autofree char *cert = g_build_filename (tmpdir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (tmpdir, "key.pem", NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autoptr(Proc) serve = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (openssl == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("needs openssl and a TLS backend (glib-networking)");
      return;
    }
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  serve = start_serve (path, "--tls-cert", cert, "--tls-key", key, NULL);
  g_assert_true (g_str_has_prefix (serve->url, "https://"));
  msg = soup_message_new ("POST", serve->url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", g_bytes_new_static ("{\"value\": 4}", 12));
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), "[{\"value\":8}]", 13);
}

static guint64
peak_rss_kib (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *contents = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  line = strstr (contents, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + 6, NULL, 10);
}

/* 100 MB is refused by the body limit, and never held in memory. */
static void
test_serve_too_large (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(Proc) serve = start_serve (path, "--max-body", "1M", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", serve->url);
  gsize size = 100 * 1024 * 1024;
  char *data = g_malloc (size);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  memset (data, ' ', size);
  data[0] = '{';
  data[size - 1] = '}';
  body = g_bytes_new_take (data, size);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  g_test_message ("peak memory of serve after a 100 MB request: %" G_GUINT64_FORMAT " KiB",
                  peak_rss_kib (serve->process));
  g_assert_cmpuint (peak_rss_kib (serve->process), <, 60 * 1024);
}

typedef struct
{
  guint  pending;
  guint  ok;
  guint  busy;
  guint  other;
  guint  reset;   /* connections reset before any answer */
  GMainLoop *loop;
} Storm;

static void
storm_count (Storm      *storm,
             guint       status,
             gboolean    retry_after,
             const char *error)
{
  if (status == 200)
    storm->ok++;
  else if (status == 503 && retry_after)
    storm->busy++;
  else if (status == 0 && error != NULL && strstr (error, "reset by peer") != NULL)
    storm->reset++;
  else if (storm->other++ < 3)
    g_test_message ("storm: status %u: %s", status, error != NULL ? error : "");
  if (--storm->pending == 0)
    g_main_loop_quit (storm->loop);
}

/* One raw request on a connection of its own: libsoup's client queues
 * its own requests, and the point here is that they all arrive at once. */
typedef struct
{
  Storm             *storm;
  GSocketConnection *connection;
  char              *request;
  char               answer[512];
  gsize              length;
} Raw;

static void
raw_done (Raw        *raw,
          const char *error)
{
  guint status = 0;

  raw->answer[MIN (raw->length, sizeof raw->answer - 1)] = '\0';
  if (error == NULL)
    sscanf (raw->answer, "HTTP/1.1 %u", &status);
  storm_count (raw->storm, status, strstr (raw->answer, "Retry-After:") != NULL, error);
  g_clear_object (&raw->connection);
  g_free (raw->request);
  g_free (raw);
}

static void
raw_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Raw *raw = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      raw_done (raw, error->message);
      return;
    }
  raw->length += n;
  /* The status line and headers are all we look at. */
  if (n == 0 || raw->length >= sizeof raw->answer - 1 || g_strstr_len (raw->answer, raw->length, "\r\n\r\n") != NULL)
    {
      raw_done (raw, NULL);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), raw->answer + raw->length,
                             sizeof raw->answer - 1 - raw->length, G_PRIORITY_DEFAULT, NULL, raw_read_cb, raw);
}

static void
raw_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Raw *raw = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      raw_done (raw, error->message);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (raw->connection)),
                             raw->answer, sizeof raw->answer - 1, G_PRIORITY_DEFAULT, NULL, raw_read_cb, raw);
}

static void
raw_connected_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Raw *raw = user_data;
  g_autoptr(GError) error = NULL;

  raw->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (raw->connection == NULL)
    {
      raw_done (raw, error->message);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (raw->connection)),
                                   raw->request, strlen (raw->request), G_PRIORITY_DEFAULT, NULL,
                                   raw_written_cb, raw);
}

static void
send_raw (Storm          *storm,
          GSocketClient  *client,
          GSocketAddress *address,
          const char     *body)
{
  Raw *raw = g_new0 (Raw, 1);

  raw->storm = storm;
  raw->request = g_strdup_printf ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen (body), body);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, raw_connected_cb, raw);
}

static GSocketAddress *
address_of (Proc *proc)
{
  g_autoptr(GUri) uri = g_uri_parse (proc->url, G_URI_FLAGS_NONE, NULL);

  return g_inet_socket_address_new_from_string ("127.0.0.1", g_uri_get_port (uri));
}

static GSocketClient *
raw_client (void)
{
  GSocketClient *client = g_socket_client_new ();

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 60);
  return client;
}

/* 10,000 requests at once: the queue takes what it can, the rest get 503
 * with Retry-After at once, every request is answered and memory stays
 * bounded. */
static void
test_serve_storm (void)
{
  g_autofree char *path = write_pipeline ("slow.xml",
    "<controller id=\"c\" mode=\"no-order\" workers=\"8\"><phase id=\"p\">"
    "<execution id=\"wait\"><use tool=\"delay\"><param name=\"duration\">50ms</param></use></execution>"
    "</phase></controller>");
  g_autoptr(Proc) serve = start_serve (path, "--workers", "8", "--queue", "200", NULL);
  g_autoptr(GSocketClient) client = raw_client ();
  g_autoptr(GSocketAddress) address = address_of (serve);
  Storm storm = { 0 };
  guint n = g_getenv ("STORM_N") ? atoi (g_getenv ("STORM_N")) : 10000;
  gint64 start_time = g_get_monotonic_time ();

  storm.loop = g_main_loop_new (NULL, FALSE);
  storm.pending = n;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"i\": %u}", i);

      send_raw (&storm, client, address, body);
    }
  g_main_loop_run (storm.loop);
  g_main_loop_unref (storm.loop);

  g_test_message ("%u at once: %u answered 200, %u 503, %u reset, %u other in %.1f s; peak memory of serve %" G_GUINT64_FORMAT " KiB",
                  n, storm.ok, storm.busy, storm.reset, storm.other, (g_get_monotonic_time () - start_time) / 1e6,
                  peak_rss_kib (serve->process));
  /* What is asserted is behaviour, not speed: every request that reached
   * serve was answered, 200 if it got into the run or its queue, 503 with
   * Retry-After beyond, as serve's own counters say too. On a loaded
   * machine (or under AddressSanitizer) serve accepts more slowly than
   * 10,000 connections arrive, and beyond the kernel's accept queue
   * (somaxconn) some are reset before they reach it: those are the
   * kernel's answer, not ours, and they are the only other outcome. */
  g_assert_cmpuint (storm.other, ==, 0);
  g_assert_cmpuint (storm.ok + storm.busy + storm.reset, ==, n);
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *status_url = url_for (serve, "status");
    g_auto(Answer) status = http (session, "GET", status_url, NULL, NULL);

    g_assert_cmpint (json_integer_value (json_object_get (status.json, "served")), ==, storm.ok);
    g_assert_cmpint (json_integer_value (json_object_get (status.json, "rejected")), ==, storm.busy);
  }
  /* A burst fills the run and its queue (8 + 200) before 503s start, and
   * everything admitted is answered 200. */
  g_assert_cmpuint (storm.busy, >, 0);
  g_assert_cmpuint (storm.ok, >=, 208);
  g_assert_cmpuint (peak_rss_kib (serve->process), <, 200 * 1024);
}

/* Sockets @process holds open (its listening one among them). */
static guint
open_sockets (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (process));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *fd = g_build_filename (path, name, NULL);
      g_autofree char *target = g_file_read_link (fd, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }
  return n;
}

/* Waits, without a fixed sleep, until @process holds @n sockets; FALSE
 * after a minute. */
static gboolean
wait_for_sockets (GSubprocess *process,
                  guint        n)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (open_sockets (process) != n)
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

/* One item POSTed as the external step does (marked safe to resend, so
 * that libsoup reuses its connections); the connection it went on. */
static guint64
post_keep_alive (SoupSession *session,
                 const char  *url)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (msg, "application/json", g_bytes_new_static ("{\"value\": 1}", 12));
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Connection"));
  return soup_message_get_connection_id (msg);
}

/* A JSON array of items is answered with one element per item, in
 * order: its outputs, or the failure of that item alone. */
static void
test_serve_batch (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(Proc) serve = start_serve (path, "--batch", "3", NULL);
  g_autoptr(Proc) single = start_serve (path, "--batch", "0", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *status_url = url_for (serve, "status");
  g_autofree char *single_status_url = url_for (single, "status");

  {
    g_auto(Answer) a = http (session, "POST", serve->url, "[{\"value\": 1}, {\"fail\": true}, {\"value\": 3}]", NULL);

    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpuint (json_array_size (a.json), ==, 3);
    g_assert_cmpint (json_integer_value (json_object_get (json_array_get (json_array_get (a.json, 0), 0), "value")), ==, 2);
    g_assert_cmpstr (json_string_value (json_object_get (json_array_get (a.json, 1), "module")), ==, "dbl");
    g_assert_nonnull (strstr (json_string_value (json_object_get (json_array_get (a.json, 1), "error")), "asked to fail"));
    g_assert_cmpint (json_integer_value (json_object_get (json_array_get (json_array_get (a.json, 2), 0), "value")), ==, 6);
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "[]", NULL);

    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpstr (a.body, ==, "[]");
  }
  {
    g_auto(Answer) a = http (session, "POST", serve->url, "[{}, {}, {}, {}]", NULL);

    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "at most 3 items"));
  }
  {
    g_auto(Answer) a = http (session, "GET", status_url, NULL, NULL);

    g_assert_cmpint (json_integer_value (json_object_get (a.json, "batch_max")), ==, 3);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "batches")), ==, 1);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "served")), ==, 3);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "failed")), ==, 1);
  }
  /* Batches off: an array is refused, and /status says so. */
  {
    g_auto(Answer) a = http (session, "POST", single->url, "[{}]", NULL);

    g_assert_cmpuint (a.status, ==, 400);
    g_assert_nonnull (strstr (json_string_value (json_object_get (a.json, "error")), "one JSON object"));
  }
  {
    g_auto(Answer) a = http (session, "GET", single_status_url, NULL, NULL);

    g_assert_cmpint (json_integer_value (json_object_get (a.json, "batch_max")), ==, 0);
  }
}

static void run_calling (const char *service_xml,
                         guint       n,
                         Proc       *victim,
                         guint       kill_after);

/* An <external> module sends the calls that are ready together in
 * batches once serve says it takes them, and without when it does not;
 * every item comes back once, right. */
static void
test_calls_in_batches (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(Proc) batching = start_serve (path, NULL);
  g_autoptr(Proc) single = start_serve (path, "--batch", "0", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *batching_status = url_for (batching, "status");
  g_autofree char *single_status = url_for (single, "status");
  g_autofree char *service = NULL;

  service = g_strdup_printf ("<service name=\"s\"><endpoint url=\"%s\"/></service>", batching->url);
  run_calling (service, 2000, NULL, 0);
  {
    g_auto(Answer) a = http (session, "GET", batching_status, NULL, NULL);

    g_test_message ("2000 items in %" JSON_INTEGER_FORMAT " batches", json_integer_value (json_object_get (a.json, "batches")));
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "served")), ==, 2000);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "batches")), >, 0);
  }

  g_free (service);
  service = g_strdup_printf ("<service name=\"s\"><endpoint url=\"%s\"/></service>", single->url);
  run_calling (service, 500, NULL, 0);
  {
    g_auto(Answer) a = http (session, "GET", single_status, NULL, NULL);

    g_assert_cmpint (json_integer_value (json_object_get (a.json, "served")), ==, 500);
    g_assert_cmpint (json_integer_value (json_object_get (a.json, "batches")), ==, 0);
  }
}

/* One item on a raw connection, answered, then the connection reset
 * (SO_LINGER 0) rather than closed. */
static void
reset_after_answer (Proc *serve)
{
  g_autoptr(GSocketClient) client = raw_client ();
  g_autoptr(GSocketAddress) address = address_of (serve);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  const char *request = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Content-Length: 12\r\n\r\n{\"value\": 1}";
  struct linger linger = { 1, 0 };
  char answer[1024];
  gsize length = 0;

  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request, strlen (request),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  /* The whole answer: headers and the body "[{"value":2}]". */
  while (length < sizeof answer - 1 && g_strstr_len (answer, length, "[{\"value\":2}]") == NULL)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                      answer + length, sizeof answer - 1 - length, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      length += n;
    }
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200"));
  setsockopt (g_socket_get_fd (g_socket_connection_get_socket (connection)), SOL_SOCKET, SO_LINGER,
              &linger, sizeof linger);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

/* One item on a raw connection and its answer; then two more sent at once
 * (pipelined) and the client's writing side shut down before they are
 * answered: both are answered (libsoup had read the third request ahead
 * when the end of the stream came), then serve closes the connection. */
static void
pipelined_then_half_closed (Proc *serve)
{
  g_autoptr(GSocketClient) client = raw_client ();
  g_autoptr(GSocketAddress) address = address_of (serve);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  GInputStream *in;
  GOutputStream *out;
  const char *first = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 12\r\n\r\n{\"value\": 1}";
  const char *pair = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 12\r\n\r\n{\"value\": 2}"
                     "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 12\r\n\r\n{\"value\": 3}";
  g_autoptr(GString) answers = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, first, strlen (first), NULL, NULL, &error);
  g_assert_no_error (error);
  while (strstr (answers->str, "[{\"value\":2}]") == NULL)
    {
      n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (answers, buffer, n);
    }
  g_output_stream_write_all (out, pair, strlen (pair), NULL, NULL, &error);
  g_assert_no_error (error);
  g_socket_shutdown (g_socket_connection_get_socket (connection), FALSE, TRUE, &error);
  g_assert_no_error (error);
  g_string_truncate (answers, 0);
  /* To serve's end of the stream: both answers, then the close. */
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (answers, buffer, n);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (answers->str, "[{\"value\":4}]"));
  g_assert_nonnull (strstr (answers->str, "[{\"value\":6}]"));
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

/* Connections stay open between items, and one that its client closes
 * while it waits for the next request is closed by serve too (libsoup
 * 3.2's server kept those in CLOSE-WAIT for ever, which is why serve
 * once closed after every answer). */
static void
test_serve_keep_alive (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(Proc) serve = start_serve (path, NULL);
  guint listening = open_sockets (serve->process);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      guint64 first = post_keep_alive (session, serve->url);

      for (guint i = 0; i < 30; i++)
        g_assert_cmpuint (post_keep_alive (session, serve->url), ==, first);
      g_assert_cmpuint (open_sockets (serve->process), ==, listening + 1);
      soup_session_abort (session);
      g_assert_true (wait_for_sockets (serve->process, listening));
    }

  /* 200 clients that each send one item and go. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();

      post_keep_alive (session, serve->url);
      soup_session_abort (session);
    }
  g_assert_true (wait_for_sockets (serve->process, listening));

  /* 20 that go by a reset instead of a close. */
  for (guint i = 0; i < 20; i++)
    reset_after_answer (serve);
  g_assert_true (wait_for_sockets (serve->process, listening));

  /* 20 that pipeline two requests and half-close before the answers. */
  for (guint i = 0; i < 20; i++)
    pipelined_then_half_closed (serve);
  g_assert_true (wait_for_sockets (serve->process, listening));
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_auto(Answer) a = http (session, "GET", serve->url, NULL, NULL);

    /* Still serving. */
    g_assert_cmpuint (a.status, ==, 405);
  }
}

/* SIGTERM: what is in flight is answered, then exit 0. */
static void
test_serve_drain (void)
{
  g_autofree char *path = write_pipeline ("slow.xml",
    "<controller id=\"c\" mode=\"no-order\" workers=\"8\"><phase id=\"p\">"
    "<execution id=\"wait\"><use tool=\"delay\"><param name=\"duration\">300ms</param></use></execution>"
    "</phase></controller>");
  g_autoptr(Proc) serve = start_serve (path, NULL);
  g_autoptr(GSocketClient) client = raw_client ();
  g_autoptr(GSocketAddress) address = address_of (serve);
  Storm storm = { 0 };
  g_autoptr(GError) error = NULL;

  storm.loop = g_main_loop_new (NULL, FALSE);
  storm.pending = 5;
  for (guint i = 0; i < 5; i++)
    send_raw (&storm, client, address, "{}");
  /* Once all five are in, ask it to stop. */
  {
    g_autoptr(SoupSession) poll = soup_session_new ();
    g_autofree char *status_url = url_for (serve, "status");
    json_int_t in = 0;

    for (guint i = 0; i < 300 && in < 5; i++)
      {
        g_auto(Answer) a = { 0 };

        while (g_main_context_iteration (NULL, FALSE))
          ;
        g_usleep (10 * 1000);
        a = http (poll, "GET", status_url, NULL, NULL);
        in = json_integer_value (json_object_get (a.json, "in_flight")) +
             json_integer_value (json_object_get (a.json, "queue_depth"));
      }
    g_assert_cmpint (in, ==, 5);
  }
  g_subprocess_send_signal (serve->process, SIGTERM);
  g_main_loop_run (storm.loop);
  g_main_loop_unref (storm.loop);

  g_assert_cmpuint (storm.ok, ==, 5);
  g_subprocess_wait (serve->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (serve->process));
  g_assert_cmpint (g_subprocess_get_exit_status (serve->process), ==, 0);
}

/* ---- a pipeline with <external> calling serve instances */

typedef struct
{
  GPtrArray  *outputs;
  GMainLoop  *loop;
  Proc       *victim;     /* killed with SIGKILL after @kill_after outputs */
  guint       kill_after;
  gboolean    killed;
} Calling;

static void
calling_output_cb (const char *line,
                   gsize       length,
                   gpointer    user_data)
{
  Calling *calling = user_data;

  g_ptr_array_add (calling->outputs, g_strndup (line, length));
  if (calling->victim != NULL && !calling->killed && calling->outputs->len >= calling->kill_after)
    {
      calling->killed = TRUE;
      g_subprocess_send_signal (calling->victim->process, SIGKILL);
    }
}

static void
calling_state_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  Calling *calling = user_data;

  if (sluice_run_state_is_final (sluice_executor_get_state (SLUICE_EXECUTOR (object))))
    g_main_loop_quit (calling->loop);
}

/* Runs @n items through <external> on @service_xml; each output must be
 * its item with the value doubled, each item exactly once. */
static void
run_calling (const char *service_xml,
             guint       n,
             Proc       *victim,
             guint       kill_after)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"caller\">"
                                          "<services>%s</services>"
                                          "<controller id=\"c\" mode=\"no-order\" workers=\"16\"><phase id=\"p\">"
                                          "<external id=\"ext\" service=\"s\" timeout=\"5s\" retries=\"3\"/>"
                                          "</phase></controller></pipeline>", service_xml);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "caller.xml", problems);
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autofree gboolean *seen = g_new0 (gboolean, n);
  Calling calling = { 0 };

  g_assert_nonnull (pipeline);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (input, "{\"id\": %u, \"value\": %u}\n", i, i);
  stream = g_memory_input_stream_new_from_data (g_strdup (input->str), input->len, g_free);

  calling.outputs = g_ptr_array_new_with_free_func (g_free);
  calling.loop = g_main_loop_new (NULL, FALSE);
  calling.victim = victim;
  calling.kill_after = kill_after;
  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_set_output_func (executor, calling_output_cb, &calling, NULL);
  g_signal_connect (executor, "notify::state", G_CALLBACK (calling_state_cb), &calling);
  sluice_executor_start (executor);
  g_main_loop_run (calling.loop);

  if (sluice_executor_get_error (executor) != NULL)
    g_test_message ("run error: %s", sluice_executor_get_error (executor));
  g_assert_cmpint (sluice_executor_get_state (executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_true (victim == NULL || calling.killed);
  g_assert_cmpuint (calling.outputs->len, ==, n);
  for (guint i = 0; i < calling.outputs->len; i++)
    {
      json_t *item = json_loads (g_ptr_array_index (calling.outputs, i), 0, NULL);
      json_int_t id = json_integer_value (json_object_get (item, "id"));

      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, n);
      g_assert_false (seen[id]);
      seen[id] = TRUE;
      g_assert_cmpint (json_integer_value (json_object_get (item, "value")), ==, 2 * id);
      json_decref (item);
    }
  g_ptr_array_unref (calling.outputs);
  g_main_loop_unref (calling.loop);
}

static void
kill_one_of (guint n_instances)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autoptr(GPtrArray) serves = g_ptr_array_new_with_free_func ((GDestroyNotify) proc_free);
  g_autoptr(GString) service = g_string_new ("<service name=\"s\">");

  for (guint i = 0; i < n_instances; i++)
    {
      Proc *serve = start_serve (path, NULL);

      g_ptr_array_add (serves, serve);
      g_string_append_printf (service, "<endpoint url=\"%s\"/>", serve->url);
    }
  g_string_append (service, "</service>");
  run_calling (service->str, 3000, g_ptr_array_index (serves, 0), 500);
}

static void
test_kill_one_of_two (void)
{
  kill_one_of (2);
}

static void
test_kill_one_of_three (void)
{
  kill_one_of (3);
}

/* Runs sluice-run with @args to its end: the exit status, stderr in @err. */
static int
run_to_end (const char * const  *args,
            char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* Bad command lines and pipelines are refused with status 2, saying why. */
static void
test_serve_usage (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  g_autofree char *bad = write_pipeline ("bad.xml", "<controller id=\"c\"><phase id=\"p\">"
                                         "<external id=\"e\" service=\"nowhere\"/></phase></controller>");
  struct { const char *args[8]; const char *fragment; } cases[] = {
    { { "serve", NULL }, "no pipeline file" },
    { { "serve", path, "--max-body", "lots", NULL }, "--max-body" },
    { { "serve", path, "--listen", "example.org:80", NULL }, "not an IP address" },
    { { "serve", path, "--token-file", "/nonexistent/token", NULL }, "/nonexistent/token" },
    { { "serve", bad, "--listen", "127.0.0.1:0", NULL }, "undeclared service `nowhere`" },
    { { "balance", "--expire", "soon", NULL }, "--expire" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run_to_end (cases[i].args, &err), ==, 2);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, cases[i].fragment));
    }
}

/* ---- the pipeline balancer */

static void
test_balancer (void)
{
  g_autofree char *path = write_pipeline ("double.xml", DOUBLE);
  const char * const balance_args[] = { "balance", "--listen", "127.0.0.1:0", "--expire", "1s", NULL };
  g_autoptr(Proc) balancer = start (balance_args);
  g_autoptr(Proc) a = start_serve (path, "--announce", balancer->url, "--announce-interval", "100", NULL);
  g_autoptr(Proc) b = start_serve (path, "--announce", balancer->url, "--announce-interval", "100", NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *pick_url = url_for (balancer, "pick?pipeline=double");
  g_autofree char *unknown_url = url_for (balancer, "pick?pipeline=nope");
  g_autofree char *instances_url = url_for (balancer, "instances");
  g_autofree char *service = NULL;
  guint listed = 0;

  /* Both announce within a beat or two. */
  for (guint i = 0; i < 50 && listed < 2; i++)
    {
      g_auto(Answer) list = http (session, "GET", instances_url, NULL, NULL);

      listed = json_array_size (json_object_get (list.json, "instances"));
      if (listed < 2)
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (listed, ==, 2);
  {
    g_auto(Answer) pick = http (session, "GET", pick_url, NULL, NULL);
    const char *url = json_string_value (json_object_get (pick.json, "url"));

    g_assert_cmpuint (pick.status, ==, 200);
    g_assert_true (g_strcmp0 (url, a->url) == 0 || g_strcmp0 (url, b->url) == 0);
  }
  {
    g_auto(Answer) pick = http (session, "GET", unknown_url, NULL, NULL);
    g_assert_cmpuint (pick.status, ==, 404);
    g_assert_nonnull (strstr (json_string_value (json_object_get (pick.json, "error")), "nope"));
  }

  /* A service that names the balancer; the balancer dies mid-run and the
   * calls go on to the instances it listed. */
  service = g_strdup_printf ("<service name=\"s\" balancer=\"%s\" pipeline=\"double\"/>", balancer->url);
  run_calling (service, 3000, balancer, 300);

  /* A silent instance is forgotten. */
  {
    g_autoptr(Proc) balancer2 = start (balance_args);
    g_autoptr(Proc) c = start_serve (path, "--announce", balancer2->url, "--announce-interval", "100", NULL);
    g_autofree char *instances2 = url_for (balancer2, "instances");

    g_usleep (300 * 1000);
    {
      g_auto(Answer) list = http (session, "GET", instances2, NULL, NULL);
      g_assert_cmpuint (json_array_size (json_object_get (list.json, "instances")), ==, 1);
    }
    g_subprocess_send_signal (c->process, SIGKILL);
    /* Gone after its 1 s of silence; waited for, not slept: on a busy
     * machine the last heartbeat can reach the balancer late. */
    {
      gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      gint64 killed = g_get_monotonic_time ();
      gsize left = 1;

      while (left > 0 && g_get_monotonic_time () < end)
        {
          g_auto(Answer) list = http (session, "GET", instances2, NULL, NULL);

          left = json_array_size (json_object_get (list.json, "instances"));
          if (left > 0)
            g_usleep (100 * 1000);
        }
      g_assert_cmpuint (left, ==, 0);
      /* Not before its time, though. */
      g_assert_cmpint (g_get_monotonic_time () - killed, >=, 900 * 1000);
    }
  }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* GIO's debug lines for 10,000 connections would be the test's
   * bottleneck. */
  g_log_set_debug_enabled (FALSE);
  tmpdir = g_dir_make_tmp ("sluice-serve-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/sluice/serve/usage", test_serve_usage);
  g_test_add_func ("/sluice/serve/answers", test_serve_answers);
  g_test_add_func ("/sluice/serve/token", test_serve_token);
  g_test_add_func ("/sluice/serve/tls", test_serve_tls);
  g_test_add_func ("/sluice/serve/too-large", test_serve_too_large);
  g_test_add_func ("/sluice/serve/keep-alive", test_serve_keep_alive);
  g_test_add_func ("/sluice/serve/batch", test_serve_batch);
  g_test_add_func ("/sluice/serve/storm", test_serve_storm);
  g_test_add_func ("/sluice/serve/drain", test_serve_drain);
  g_test_add_func ("/sluice/serve/kill-one-of-two", test_kill_one_of_two);
  g_test_add_func ("/sluice/serve/kill-one-of-three", test_kill_one_of_three);
  g_test_add_func ("/sluice/serve/balancer", test_balancer);
  g_test_add_func ("/sluice/serve/calls-in-batches", test_calls_in_batches);

  status = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (tmpdir, name, NULL);
        g_unlink (file);
      }
    g_rmdir (tmpdir);
  }
  return status;
}
