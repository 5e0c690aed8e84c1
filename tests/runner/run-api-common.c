/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "run-api-common.h"

static void
child_setup_cb (gpointer user_data)
{
  /* Never outlives a test that aborts. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

Daemon *
daemon_start (const char         *state_dir,
              const char         *root,
              const char * const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *line = NULL;
  const char *program = g_getenv ("SLUICE_RUN");
  Daemon *daemon = g_new0 (Daemon, 1);

  if (program == NULL)
    g_error ("SLUICE_RUN is not set: run the test through meson test");
  g_ptr_array_add (argv, (char *) program);
  g_ptr_array_add (argv, "daemon");
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--state-dir");
  g_ptr_array_add (argv, (char *) state_dir);
  g_ptr_array_add (argv, "--root");
  g_ptr_array_add (argv, (char *) root);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *options = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":quarantine_size_mb=1", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }
  daemon->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  daemon->state_dir = g_strdup (state_dir);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("sluice-run daemon exited before listening (state dir %s)", state_dir);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:") ||
                 g_str_has_prefix (line, "listening on https://127.0.0.1:"));
  daemon->url = g_strdup (line + strlen ("listening on "));
  if (g_str_has_suffix (daemon->url, "/"))
    daemon->url[strlen (daemon->url) - 1] = '\0';
  return daemon;
}

void
daemon_kill (Daemon *daemon)
{
  if (daemon->process == NULL)
    return;
  g_subprocess_send_signal (daemon->process, SIGKILL);
  g_subprocess_wait (daemon->process, NULL, NULL);
  g_clear_object (&daemon->process);
}

void
daemon_free (Daemon *daemon)
{
  daemon_kill (daemon);
  g_free (daemon->url);
  g_free (daemon->state_dir);
  g_free (daemon);
}

void
answer_clear (Answer *answer)
{
  g_free (answer->body);
  json_decref (answer->json);
}

static SoupMessage *
new_message (Daemon     *daemon,
             const char *method,
             const char *path,
             const char *token)
{
  g_autofree char *url = g_strconcat (daemon->url, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  return msg;
}

Answer
api_call (SoupSession *session,
          Daemon      *daemon,
          const char  *method,
          const char  *path,
          const char  *body,
          const char  *token)
{
  g_autoptr(SoupMessage) msg = new_message (daemon, method, path, token);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Answer answer = { 0 };

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json",
                                              g_bytes_new (body, strlen (body)));
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  answer.status = soup_message_get_status (msg);
  answer.body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  answer.json = json_loads (answer.body, JSON_DECODE_ANY, NULL);
  return answer;
}

char *
api_create (SoupSession *session,
            Daemon      *daemon,
            const char  *body,
            const char  *token)
{
  g_auto(Answer) a = api_call (session, daemon, "POST", "/runs", body, token);

  if (a.status != 201)
    g_error ("POST /runs %s: %u %s", body, a.status, a.body);
  return g_strdup (json_string_value (json_object_get (a.json, "id")));
}

static char *
state_of (SoupSession *session,
          Daemon      *daemon,
          const char  *id,
          const char  *token)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s", id);
  g_auto(Answer) a = api_call (session, daemon, "GET", path, NULL, token);

  g_assert_cmpuint (a.status, ==, 200);
  return g_strdup (json_string_value (json_object_get (a.json, "state")));
}

char *
api_wait_final (SoupSession *session,
                Daemon      *daemon,
                const char  *id,
                const char  *token,
                double       seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (;;)
    {
      char *state = state_of (session, daemon, id, token);

      if (g_str_equal (state, "completed") || g_str_equal (state, "failed") || g_str_equal (state, "cancelled"))
        return state;
      if (g_get_monotonic_time () > deadline)
        g_error ("run %s still %s after %.0f s", id, state, seconds);
      g_free (state);
      g_usleep (20000);
    }
}

void
api_wait_state (SoupSession *session,
                Daemon      *daemon,
                const char  *id,
                const char  *wanted,
                const char  *token,
                double       seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  for (;;)
    {
      g_autofree char *state = state_of (session, daemon, id, token);

      if (g_str_equal (state, wanted))
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("run %s still %s after %.0f s, waiting for %s", id, state, seconds, wanted);
      g_usleep (10000);
    }
}

guint64
api_follow_events (SoupSession *session,
                   Daemon      *daemon,
                   const char  *id,
                   guint64      after,
                   const char  *token,
                   SseFunc      func,
                   gpointer     user_data)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s/events", id);
  g_autoptr(SoupMessage) msg = new_message (daemon, "GET", path, token);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *after_text = g_strdup_printf ("%" G_GUINT64_FORMAT, after);
  guint64 seq = after;
  char *line;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "text/event-stream");
  if (after > 0)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Last-Event-ID", after_text);
  stream = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL), ==,
                   "text/event-stream");
  lines = g_data_input_stream_new (stream);
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      gboolean go_on = TRUE;

      if (g_str_has_prefix (line, "id: "))
        seq = g_ascii_strtoull (line + 4, NULL, 10);
      else if (g_str_has_prefix (line, "data: "))
        go_on = func (seq, line + 6, user_data);
      g_free (line);
      if (!go_on)
        {
          g_input_stream_close (stream, NULL, NULL);
          return seq;
        }
    }
  g_assert_no_error (error);
  return seq;
}

char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

char *
json_quote (const char *text)
{
  json_t *string = json_string (text);
  char *dumped = json_dumps (string, JSON_ENCODE_ANY);
  char *copy = g_strdup (dumped);

  free (dumped);
  json_decref (string);
  return copy;
}

/* ---- metrics, read by the Prometheus client library's own parser ---- */

#define PYTHON "/usr/bin/python3"

static const char *PARSE_METRICS =
  "import json, sys\n"
  "from prometheus_client.parser import text_string_to_metric_families\n"
  "out = []\n"
  "for family in text_string_to_metric_families(sys.stdin.read()):\n"
  "    for s in family.samples:\n"
  "        out.append({'family': family.name, 'type': family.type, 'name': s.name, 'labels': s.labels, 'value': s.value})\n"
  "print(json.dumps(out))\n";

/* The value of sample @name whose labels include @l1=@v1 (and @l2=@v2). */
double
api_metrics_sample (json_t     *samples,
        const char *name,
        const char *l1,
        const char *v1,
        const char *l2,
        const char *v2)
{
  size_t i;
  json_t *s;

  json_array_foreach (samples, i, s)
    {
      json_t *labels = json_object_get (s, "labels");

      if (!g_str_equal (json_string_value (json_object_get (s, "name")), name))
        continue;
      if (l1 != NULL && g_strcmp0 (json_string_value (json_object_get (labels, l1)), v1) != 0)
        continue;
      if (l2 != NULL && g_strcmp0 (json_string_value (json_object_get (labels, l2)), v2) != 0)
        continue;
      return json_number_value (json_object_get (s, "value"));
    }
  g_error ("no sample %s{%s=%s,%s=%s}", name, l1, v1, l2, v2);
}

json_t *
api_scrape_metrics (SoupSession *session,
                    Daemon      *daemon)
{
  g_auto(Answer) a = api_call (session, daemon, "GET", "/metrics", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) python = NULL;
  json_t *samples;

  g_assert_cmpuint (a.status, ==, 200);
  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: the metrics test needs Debian's python3 with python3-prometheus-client", PYTHON);
  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, PYTHON, "-c", PARSE_METRICS, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (python, a.body, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (python))
    g_error ("the prometheus_client parser refused /metrics (is python3-prometheus-client installed?):\n%s\n%s", err, a.body);
  samples = json_loads (out, 0, NULL);
  g_assert_true (json_is_array (samples));
  return samples;
}

