/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sluice-canvas-run-overlay.h"
#include "sluice-server-settings.h"
#include "sluice-server-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"
#include "../runner/run-api-common.h"

/* The Server view against a real `sluice-run daemon`, started by each
 * test on a free loopback port with a temporary state directory: connect
 * (a wrong token, nothing listening, another kind of server), the runs
 * with pause, resume and cancel from the window, watching a run on the
 * canvas from its events, and the daemon dying mid-watch. */

static SluiceApplication *app;
static char *tmp_dir;

#define TOKEN "s3cret-token"

/* 20 ms an item, one at a time: 300 items keep it going for seconds. */
static const char *SLOW =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"slow\">\n"
  "<controller id=\"intake\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"nap\"><command>sleep 0.02; cat</command></execution></phase></controller>\n"
  "<controller id=\"finish\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"q\">"
  "<execution id=\"mark\"><lua>item.done = true</lua></execution></phase></controller>\n"
  "</pipeline>\n";

typedef struct
{
  char               *root;
  char               *state_dir;
  char               *token_file;
  Daemon             *daemon;
  SoupSession        *session;
  SluiceServerWindow *window;
} Fixture;

static void
fixture_setup (Fixture *f,
               gboolean with_token)
{
  g_autofree char *base = g_build_filename (tmp_dir, "XXXXXX", NULL);
  const char *extra[] = { "--token-file", NULL, NULL };

  f->root = g_mkdtemp (g_steal_pointer (&base));
  g_assert_nonnull (f->root);
  f->state_dir = g_build_filename (f->root, "state", NULL);
  g_free (write_file (f->root, "slow.xml", SLOW));
  f->token_file = write_file (f->root, "token", TOKEN "\n");
  extra[1] = f->token_file;
  f->daemon = daemon_start (f->state_dir, f->root, with_token ? extra : NULL);
  f->session = soup_session_new_with_options ("timeout", 60, NULL);
  f->window = sluice_server_window_new (app);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  test_app_spin (50);
  g_clear_object (&f->session);
  g_clear_pointer (&f->daemon, daemon_free);
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->state_dir);
  g_free (f->token_file);
}

static char *
slow_run (Fixture *f,
          guint    n,
          gboolean start)
{
  GString *body = g_string_new (NULL);
  g_autofree char *text = NULL;

  g_string_append_printf (body, "{\"pipeline\": \"slow.xml\", \"start\": %s, \"input\": {\"items\": [",
                          start ? "true" : "false");
  for (guint i = 1; i <= n; i++)
    g_string_append_printf (body, "%s{\"value\": %u}", i > 1 ? "," : "", i);
  g_string_append (body, "]}}");
  text = g_string_free (body, FALSE);
  return api_create (f->session, f->daemon, text, TOKEN);
}

static char *
server_state (Fixture    *f,
              const char *id)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s", id);
  g_auto(Answer) answer = api_call (f->session, f->daemon, "GET", path, NULL, TOKEN);

  g_assert_cmpuint (answer.status, ==, 200);
  return g_strdup (json_string_value (json_object_get (answer.json, "state")));
}

typedef struct
{
  Fixture    *f;
  const char *id;
  const char *state;
  const char *text;
} Wait;

/* Polls the server (a blocking call) every 100 ms while the window's
 * main loop runs: the window's own requests are asynchronous. */
static void
wait_server_state (Fixture    *f,
                   const char *id,
                   const char *state)
{
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  g_autofree char *now = NULL;

  for (;;)
    {
      g_free (now);
      now = server_state (f, id);
      if (g_strcmp0 (now, state) == 0)
        return;
      if (g_get_monotonic_time () > end)
        g_error ("run %s is still %s on the server after 120 s, waiting for %s", id, now, state);
      test_app_spin (100);
    }
}

static gboolean
status_contains (gpointer data)
{
  Wait *w = data;

  return strstr (sluice_server_window_get_status (w->f->window), w->text) != NULL;
}

static gboolean
row_in_state (gpointer data)
{
  Wait *w = data;

  return g_strcmp0 (sluice_server_window_get_run_state (w->f->window, w->id), w->state) == 0;
}

static void
wait_status (Fixture    *f,
             const char *text)
{
  Wait w = { f, NULL, NULL, text };

  if (!test_app_wait_for (status_contains, &w, 30000))
    g_error ("the Server view never said “%s”; it says “%s”", text, sluice_server_window_get_status (f->window));
}

static void
wait_row_state (Fixture    *f,
                const char *id,
                const char *state)
{
  Wait w = { f, id, state, NULL };

  if (!test_app_wait_for (row_in_state, &w, 30000))
    g_error ("run %s never showed as %s in the Server view (it shows %s)", id, state,
             sluice_server_window_get_run_state (f->window, id));
}

static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Connects and waits until the lists are there. */
static void
connect_ok (Fixture *f)
{
  sluice_server_window_connect (f->window, f->daemon->url, TOKEN);
  wait_status (f, "Connected to");
  g_assert_true (sluice_server_window_get_connected (f->window));
}

static void
test_wrong_token (void)
{
  Fixture f = { 0 };
  g_autofree char *expected = NULL;
  g_autofree char *kept = NULL;

  fixture_setup (&f, TRUE);
  sluice_server_window_connect (f.window, f.daemon->url, "not-the-token");
  expected = g_strdup_printf ("%s refused the token (401)", f.daemon->url);
  wait_status (&f, expected);
  g_assert_false (sluice_server_window_get_connected (f.window));
  g_assert_cmpuint (sluice_server_window_get_n_runs (f.window), ==, 0);
  /* No token at all is the same refusal. */
  sluice_server_window_connect (f.window, f.daemon->url, NULL);
  wait_status (&f, expected);

  /* The right one connects, and both are remembered: the URL in the
   * settings, the token in a file only the user can read. */
  connect_ok (&f);
  {
    GSettings *settings = sluice_application_get_settings (app);
    g_autofree char *url = sluice_server_settings_get_url (settings);
    g_autofree char *path = sluice_server_token_file ();
    GStatBuf st;

    g_assert_cmpstr (url, ==, f.daemon->url);
    kept = sluice_server_token_lookup (f.daemon->url);
    g_assert_cmpstr (kept, ==, TOKEN);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  fixture_teardown (&f);
}

/* An HTTP server that is not a daemon: a page for every path. */
static void
web_page_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  static const char page[] = "<html><body>It works!</body></html>";

  soup_server_message_set_status (msg, GPOINTER_TO_UINT (user_data), NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, page, strlen (page));
}

static char *
start_web_server (SoupServer *server,
                  guint       status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  soup_server_add_handler (server, NULL, web_page_cb, GUINT_TO_POINTER (status), NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  return g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
}

/* A server that lies: run ids that would lead out of the cache folder. */
static void
lying_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  static const char runs[] =
    "{\"runs\": [{\"id\": \"../../../.bashrc\", \"state\": \"running\"},"
    " {\"id\": \"r-a/b\", \"state\": \"running\"}, {\"id\": 7},"
    " {\"id\": \"r-20261127T000000-0000abcd\", \"state\": \"completed\", \"items_in\": \"x\"}]}";

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, runs, strlen (runs));
}

static gboolean
one_run_listed (gpointer data)
{
  return sluice_server_window_get_n_runs (data) == 1;
}

static void
test_lying_server (void)
{
  SluiceServerWindow *window = sluice_server_window_new (app);
  Fixture f = { .window = window };
  g_autoptr(SoupServer) liar = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;

  soup_server_add_handler (liar, NULL, lying_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (liar, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (liar);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  gtk_window_present (GTK_WINDOW (window));
  sluice_server_window_connect (window, url, NULL);
  wait_status (&f, "Connected to");
  g_assert_true (test_app_wait_for (one_run_listed, window, 10000));
  g_assert_null (sluice_server_window_get_run_state (window, "../../../.bashrc"));
  g_assert_cmpstr (sluice_server_window_get_run_state (window, "r-20261127T000000-0000abcd"), ==, "completed");
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (50);
}

static void
test_refused (void)
{
  SluiceServerWindow *window = sluice_server_window_new (app);
  Fixture f = { .window = window };
  g_autoptr(SoupServer) web = soup_server_new (NULL, NULL);
  g_autoptr(SoupServer) web404 = soup_server_new (NULL, NULL);
  g_autofree char *web_url = start_web_server (web, 200);
  g_autofree char *web404_url = start_web_server (web404, 404);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *closed_url = NULL;
  g_autofree char *expected = NULL;
  guint16 port;

  gtk_window_present (GTK_WINDOW (window));
  /* A port nothing listens on: taken, then let go. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, NULL);
  g_socket_listener_close (listener);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  sluice_server_window_connect (window, closed_url, NULL);
  expected = g_strdup_printf ("Could not reach the server — %s:", closed_url);
  wait_status (&f, expected);
  g_assert_false (sluice_server_window_get_connected (window));

  /* A web server answering pages, and one answering 404s. */
  g_free (expected);
  expected = g_strdup_printf ("%s does not answer like sluice-run daemon", web_url);
  sluice_server_window_connect (window, web_url, NULL);
  wait_status (&f, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s does not answer like sluice-run daemon: GET /runs: 404", web404_url);
  sluice_server_window_connect (window, web404_url, NULL);
  wait_status (&f, expected);
  g_assert_false (sluice_server_window_get_connected (window));

  /* Not a URL of ours. */
  sluice_server_window_connect (window, "ftp://127.0.0.1/", NULL);
  wait_status (&f, "“ftp://127.0.0.1/” is not an http:// or https:// URL");
  sluice_server_window_connect (window, "127.0.0.1:8095", NULL);
  wait_status (&f, "is not an http:// or https:// URL");

  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (50);
}

static void
test_steer_runs (void)
{
  Fixture f = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *row = NULL;
  g_autofree char *state = NULL;

  fixture_setup (&f, TRUE);
  id = slow_run (&f, 3000, TRUE);
  pending = slow_run (&f, 3, FALSE);
  connect_ok (&f);
  wait_row_state (&f, id, "running");
  wait_row_state (&f, pending, "pending");
  row = sluice_server_window_dup_run_row (f.window, id);
  g_assert_nonnull (strstr (row, "slow"));
  g_assert_nonnull (strstr (row, id));
  /* A pending run can only be cancelled. */
  g_assert_false (gtk_widget_get_sensitive (sluice_server_window_get_run_button (f.window, pending, "pause")));

  /* A daemon without a folder lists no pipelines, and says why. */
  {
    g_autofree char *expected = g_strdup_printf ("%s serves no pipeline folder", f.daemon->url);
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (strstr (sluice_server_window_get_pipelines_problem (f.window), expected) == NULL &&
           g_get_monotonic_time () < end)
      test_app_spin (50);
    g_assert_nonnull (strstr (sluice_server_window_get_pipelines_problem (f.window), expected));
    g_assert_cmpuint (sluice_server_window_get_n_pipelines (f.window), ==, 0);
  }

  click (sluice_server_window_get_run_button (f.window, id, "pause"));
  wait_row_state (&f, id, "paused");
  state = server_state (&f, id);
  g_assert_cmpstr (state, ==, "paused");
  g_assert_false (gtk_widget_get_sensitive (sluice_server_window_get_run_button (f.window, id, "pause")));
  click (sluice_server_window_get_run_button (f.window, id, "resume"));
  wait_row_state (&f, id, "running");
  click (sluice_server_window_get_run_button (f.window, id, "cancel"));
  wait_row_state (&f, id, "cancelled");
  g_free (state);
  state = server_state (&f, id);
  g_assert_cmpstr (state, ==, "cancelled");
  click (sluice_server_window_get_run_button (f.window, pending, "cancel"));
  wait_row_state (&f, pending, "cancelled");
  g_assert_false (gtk_widget_get_sensitive (sluice_server_window_get_run_button (f.window, id, "cancel")));
  fixture_teardown (&f);
}

typedef struct
{
  Fixture  *f;
  guint64   min_in;
} WatchWait;

static gboolean
watch_window_open (gpointer data)
{
  WatchWait *w = data;
  SluiceWindow *window = sluice_server_window_get_watch_window (w->f->window);

  return window != NULL && sluice_window_get_run_session (window) != NULL &&
         sluice_run_session_get_remote (sluice_window_get_run_session (window));
}

static SluiceNode *
find_node (SluiceWindow *window,
           const char   *id)
{
  return sluice_pipeline_find_node (sluice_document_get_pipeline (sluice_window_get_document (window)), id);
}

static gboolean
module_has_items (gpointer data)
{
  WatchWait *w = data;
  SluiceWindow *window = sluice_server_window_get_watch_window (w->f->window);
  SluiceModuleLive live;

  return sluice_run_session_get_module_live (sluice_window_get_run_session (window), find_node (window, "mark"), &live) &&
         live.stats.items_out >= w->min_in;
}

static gboolean
session_final (gpointer data)
{
  WatchWait *w = data;
  SluiceWindow *window = sluice_server_window_get_watch_window (w->f->window);

  return sluice_run_state_is_final (sluice_run_session_get_state (sluice_window_get_run_session (window)));
}

/* Opens @id with Watch and waits for its window. */
static SluiceWindow *
watch (Fixture    *f,
       const char *id)
{
  WatchWait w = { f, 0 };

  click (sluice_server_window_get_run_button (f->window, id, "watch"));
  if (!test_app_wait_for (watch_window_open, &w, 30000))
    g_error ("Watch never opened a window for run %s (status: %s)", id, sluice_server_window_get_status (f->window));
  return sluice_server_window_get_watch_window (f->window);
}

static void
test_watch_live (void)
{
  Fixture f = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *label = NULL;
  g_autofree char *stage = NULL;
  SluiceWindow *window;
  SluiceRunSession *session;
  SluiceCanvasRunOverlay *overlay;
  WatchWait w = { &f, 5 };

  fixture_setup (&f, TRUE);
  id = slow_run (&f, 5000, TRUE);
  connect_ok (&f);
  wait_row_state (&f, id, "running");
  window = watch (&f, id);
  session = sluice_window_get_run_session (window);
  overlay = sluice_window_get_run_overlay (window);

  /* The same overlay as a local run, fed by the server's events. */
  g_assert_true (test_app_wait_for (module_has_items, &w, 30000));
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_RUNNING);
  g_assert_true (sluice_window_get_run_locked (window));
  label = sluice_canvas_run_overlay_dup_label (overlay, find_node (window, "nap"));
  g_assert_nonnull (label);
  stage = sluice_canvas_run_overlay_dup_label (overlay, find_node (window, "intake"));
  g_assert_nonnull (stage);
  g_test_message ("nap: %s; intake: %s", label, stage);
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Running");
  test_app_save_screenshot (window, tmp_dir, "server-watch.png");

  /* The header's Pause, Resume and Cancel steer the server's run. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "pause"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "pause", NULL);
  wait_server_state (&f, id, "paused");
  wait_row_state (&f, id, "paused");
  {
    gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (sluice_run_session_get_state (session) != SLUICE_RUN_PAUSED && g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
    g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_PAUSED);
  }
  g_action_group_activate_action (G_ACTION_GROUP (window), "resume", NULL);
  wait_server_state (&f, id, "running");
  g_action_group_activate_action (G_ACTION_GROUP (window), "cancel", NULL);
  wait_server_state (&f, id, "cancelled");
  g_assert_true (test_app_wait_for (session_final, &w, 30000));
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_CANCELLED);
  g_assert_false (sluice_window_get_run_locked (window));

  gtk_window_destroy (GTK_WINDOW (window));
  fixture_teardown (&f);
}

/* A finished run watched afterwards shows its whole history: every item
 * counted, as the server counted them. */
static void
test_watch_finished (void)
{
  Fixture f = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *final = NULL;
  SluiceWindow *window;
  SluiceModuleLive live;
  WatchWait w = { &f, 0 };

  fixture_setup (&f, FALSE);
  id = slow_run (&f, 25, TRUE);
  final = api_wait_final (f.session, f.daemon, id, NULL, 60);
  g_assert_cmpstr (final, ==, "completed");
  sluice_server_window_connect (f.window, f.daemon->url, NULL);
  wait_status (&f, "Connected to");
  wait_row_state (&f, id, "completed");
  window = watch (&f, id);
  g_assert_true (test_app_wait_for (session_final, &w, 30000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_COMPLETED);
  g_assert_true (sluice_run_session_get_module_live (sluice_window_get_run_session (window), find_node (window, "nap"), &live));
  g_assert_cmpuint (live.stats.items_in, ==, 25);
  g_assert_cmpuint (live.stats.items_out, ==, 25);
  g_assert_cmpint (live.state, ==, SLUICE_LIVE_DONE);
  g_assert_true (sluice_run_session_get_module_live (sluice_window_get_run_session (window), find_node (window, "mark"), &live));
  g_assert_cmpuint (live.stats.items_out, ==, 25);
  g_assert_false (sluice_window_get_run_locked (window));
  gtk_window_destroy (GTK_WINDOW (window));
  fixture_teardown (&f);
}

/* Lua only: a run of thousands ends at once. */
static const char *FAST =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"fast\">\n"
  "<controller id=\"only\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"twice\"><lua>item.twice = item.value * 2</lua></execution></phase></controller>\n"
  "</pipeline>\n";

typedef struct
{
  SluiceRunPanel *panel;
  const char     *text;
} PanelWait;

static gboolean
report_shows (gpointer data)
{
  PanelWait *p = data;
  g_autofree char *text = sluice_run_report_view_dup_text (sluice_run_panel_get_report_view (p->panel));

  return text != NULL && strstr (text, p->text) != NULL;
}

static gboolean
data_shows (gpointer data)
{
  PanelWait *p = data;
  g_autofree char *text = sluice_run_panel_dup_preview (p->panel);

  return strstr (text, p->text) != NULL;
}

static void
wait_panel (gboolean  (*cond) (gpointer),
            PanelWait  *p,
            const char *page)
{
  if (!test_app_wait_for (cond, p, 30000))
    {
      g_autofree char *report = sluice_run_report_view_dup_text (sluice_run_panel_get_report_view (p->panel));
      g_autofree char *preview = sluice_run_panel_dup_preview (p->panel);

      g_error ("the %s page never showed “%s”; Report: %s; Data: %s", page, p->text, report, preview);
    }
}

/* A watched run's Report and Data pages: filled from GET /runs/ID/report
 * and GET /runs/ID/output?tail=1000 once the run is over (the newest
 * 1,000 of 1,500 outputs, said so), and on demand while it runs ("Fetch
 * from Server"). */
static void
test_watch_results (void)
{
  Fixture f = { 0 };
  g_autofree char *fast = NULL;
  g_autofree char *id = NULL;
  g_autofree char *slow = NULL;
  g_autofree char *final = NULL;
  SluiceWindow *window;
  SluiceRunPanel *panel;
  GString *body = g_string_new ("{\"pipeline\": \"fast.xml\", \"start\": true, \"input\": {\"items\": [");
  WatchWait w = { &f, 0 };

  fixture_setup (&f, FALSE);
  fast = write_file (f.root, "fast.xml", FAST);
  for (guint i = 1; i <= 1500; i++)
    g_string_append_printf (body, "%s{\"value\": %u}", i > 1 ? "," : "", i);
  g_string_append (body, "]}}");
  id = api_create (f.session, f.daemon, body->str, NULL);
  g_string_free (body, TRUE);
  final = api_wait_final (f.session, f.daemon, id, NULL, 60);
  g_assert_cmpstr (final, ==, "completed");

  sluice_server_window_connect (f.window, f.daemon->url, NULL);
  wait_status (&f, "Connected to");
  wait_row_state (&f, id, "completed");
  window = watch (&f, id);
  panel = sluice_window_get_run_panel (window);
  g_assert_true (test_app_wait_for (session_final, &w, 30000));
  g_assert_true (gtk_widget_get_visible (sluice_run_panel_get_fetch_button (panel)));
  {
    PanelWait newest = { panel, "the newest 1000 of 1500 items" };
    PanelWait last = { panel, "\"twice\": 3000" };
    PanelWait in = { panel, "1500" };
    g_autofree char *outputs = NULL;

    wait_panel (data_shows, &newest, "Data");
    /* Newest first: the last output item heads the list. */
    wait_panel (data_shows, &last, "Data");
    wait_panel (report_shows, &in, "Report");
    g_assert_nonnull (sluice_run_report_view_get_verdict (sluice_run_panel_get_report_view (panel)));
    outputs = sluice_run_panel_dup_outputs (panel);
    g_assert_nonnull (strstr (outputs, "1500 output items; the last 1000"));
    /* The page lists the newest hundred of them. */
    g_assert_nonnull (strstr (outputs, "\"value\":1500}"));
    g_assert_nonnull (strstr (outputs, "\"value\":1401}"));
    g_assert_null (strstr (outputs, "\"value\":1400}"));
  }
  g_assert_true (sluice_run_panel_show_page (panel, "Data"));
  test_app_save_screenshot (window, tmp_dir, "server-watch-data.png");
  gtk_window_destroy (GTK_WINDOW (window));

  /* A running one: nothing until asked, then what the server has now. */
  slow = slow_run (&f, 5000, TRUE);
  wait_row_state (&f, slow, "running");
  window = watch (&f, slow);
  panel = sluice_window_get_run_panel (window);
  {
    WatchWait moving = { &f, 5 };
    PanelWait none = { panel, "Fetch from Server" };
    PanelWait some = { panel, "The run’s output on the server" };
    PanelWait report = { panel, "intake" };

    g_assert_true (test_app_wait_for (module_has_items, &moving, 30000));
    wait_panel (data_shows, &none, "Data");
    click (sluice_run_panel_get_fetch_button (panel));
    wait_panel (data_shows, &some, "Data");
    wait_panel (report_shows, &report, "Report");
    g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_RUNNING);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  fixture_teardown (&f);
}

typedef struct
{
  SluiceWindow *window;
  const char   *text;
} MessageWait;

static gboolean
window_said (gpointer data)
{
  MessageWait *m = data;
  const char *last = sluice_window_get_last_message (m->window);

  return last != NULL && strstr (last, m->text) != NULL;
}

static void
test_daemon_dies (void)
{
  Fixture f = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *lost = NULL;
  g_autofree char *listen = NULL;
  const char *url_port;
  SluiceWindow *window;
  WatchWait w = { &f, 3 };
  MessageWait m;
  const char *extra[] = { "--token-file", NULL, "--listen", NULL, NULL };

  fixture_setup (&f, TRUE);
  id = slow_run (&f, 1500, TRUE);
  connect_ok (&f);
  wait_row_state (&f, id, "running");
  window = watch (&f, id);
  g_assert_true (test_app_wait_for (module_has_items, &w, 30000));

  /* kill -9 mid-watch: the window says it lost the server, naming it;
   * the Server view says so too; nothing crashes. */
  url_port = strrchr (f.daemon->url, ':') + 1;
  listen = g_strdup_printf ("127.0.0.1:%s", url_port);
  daemon_kill (f.daemon);
  lost = g_strdup_printf ("Lost the connection to %s", f.daemon->url);
  m = (MessageWait) { window, lost };
  if (!test_app_wait_for (window_said, &m, 30000))
    g_error ("the watching window never said “%s” (it said “%s”)", lost, sluice_window_get_last_message (window));
  wait_status (&f, "Trying again every 2 seconds");
  g_assert_nonnull (strstr (sluice_server_window_get_status (f.window), f.daemon->url));
  g_assert_true (sluice_run_session_get_active (sluice_window_get_run_session (window)));

  /* The daemon comes back on the same port: the watch takes up the
   * events where it left them, and the run ends. */
  extra[1] = f.token_file;
  extra[3] = listen;
  {
    Daemon *again = daemon_start (f.state_dir, f.root, extra);

    g_assert_cmpstr (again->url, ==, f.daemon->url);
    daemon_free (f.daemon);
    f.daemon = again;
    wait_server_state (&f, id, "completed");
  }
  g_assert_true (test_app_wait_for (session_final, &w, 60000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_COMPLETED);
  wait_status (&f, "Connected to");
  gtk_window_destroy (GTK_WINDOW (window));
  fixture_teardown (&f);
}

static const char *HOURLY =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"hourly\">\n"
  "<schedule cron=\"0 * * * *\" timezone=\"Europe/Berlin\" timescope=\"hourly\"/>\n"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"w\"><lua>item.from = \"${window_start}\"</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static gboolean
pipelines_listed (gpointer data)
{
  Fixture *f = data;

  return sluice_server_window_get_n_pipelines (f->window) == 3;
}

static gboolean
triggered (gpointer data)
{
  Fixture *f = data;

  return sluice_server_window_get_last_triggered (f->window) != NULL;
}

static gboolean
pipeline_row_contains (gpointer data)
{
  Wait *w = data;
  g_autofree char *row = sluice_server_window_dup_pipeline_row (w->f->window, w->id);

  return row != NULL && strstr (row, w->text) != NULL;
}

/* A daemon with a folder: its pipelines with schedule, next and last
 * run; Run Now starts one, which shows in both lists; a broken file
 * cannot be run. */
static void
test_pipelines (void)
{
  Fixture f = { 0 };
  g_autofree char *base = g_build_filename (tmp_dir, "XXXXXX", NULL);
  g_autofree char *folder = NULL;
  g_autofree char *hourly = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *slow = NULL;
  const char *run_id;
  Wait w = { &f, "slow", NULL, "last completed" };

  f.root = g_mkdtemp (g_steal_pointer (&base));
  f.state_dir = g_build_filename (f.root, "state", NULL);
  folder = g_build_filename (f.root, "pipelines", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_free (write_file (folder, "slow.xml", SLOW));
  g_free (write_file (folder, "hourly.xml", HOURLY));
  g_free (write_file (folder, "broken.xml", "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"broken\">\n<controller"));
  f.daemon = daemon_start (f.state_dir, f.root, (const char *[]) { folder, NULL });
  f.session = soup_session_new_with_options ("timeout", 60, NULL);
  f.window = sluice_server_window_new (app);
  gtk_window_present (GTK_WINDOW (f.window));
  sluice_server_window_connect (f.window, f.daemon->url, NULL);
  wait_status (&f, "Connected to");
  if (!test_app_wait_for (pipelines_listed, &f, 30000))
    g_error ("the Pipelines page lists %u pipelines, not 3 (it says “%s”)",
             sluice_server_window_get_n_pipelines (f.window), sluice_server_window_get_pipelines_problem (f.window));
  g_assert_cmpstr (sluice_server_window_get_pipelines_problem (f.window), ==, "");

  hourly = sluice_server_window_dup_pipeline_row (f.window, "hourly");
  g_test_message ("hourly: %s", hourly);
  g_assert_nonnull (strstr (hourly, "0 * * * * (Europe/Berlin)"));
  g_assert_null (strstr (hourly, "next —"));
  g_assert_nonnull (strstr (hourly, "never run"));
  slow = sluice_server_window_dup_pipeline_row (f.window, "slow");
  g_assert_nonnull (strstr (slow, "no schedule"));
  g_assert_nonnull (strstr (slow, "next —"));
  broken = sluice_server_window_dup_pipeline_row (f.window, "broken");
  g_test_message ("broken: %s", broken);
  g_assert_false (gtk_widget_get_sensitive (sluice_server_window_get_run_now_button (f.window, "broken")));
  g_assert_true (gtk_widget_get_sensitive (sluice_server_window_get_run_now_button (f.window, "slow")));

  click (sluice_server_window_get_run_now_button (f.window, "slow"));
  g_assert_true (test_app_wait_for (triggered, &f, 30000));
  run_id = sluice_server_window_get_last_triggered (f.window);
  wait_status (&f, run_id);
  wait_server_state (&f, run_id, "completed");
  wait_row_state (&f, run_id, "completed");
  if (!test_app_wait_for (pipeline_row_contains, &w, 30000))
    g_error ("the row of slow never said “last completed”");
  {
    g_autofree char *row = sluice_server_window_dup_pipeline_row (f.window, "slow");

    g_test_message ("slow: %s", row);
  }
  sluice_server_window_set_page (f.window, "pipelines");
  test_app_save_screenshot ((SluiceWindow *) f.window, tmp_dir, "server-pipelines.png");
  fixture_teardown (&f);
}

static void
test_screenshot (void)
{
  Fixture f = { 0 };
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *final = NULL;

  fixture_setup (&f, TRUE);
  a = slow_run (&f, 10, TRUE);
  final = api_wait_final (f.session, f.daemon, a, TOKEN, 60);
  b = slow_run (&f, 5000, TRUE);
  c = slow_run (&f, 5, FALSE);
  connect_ok (&f);
  wait_row_state (&f, b, "running");
  click (sluice_server_window_get_run_button (f.window, b, "pause"));
  wait_row_state (&f, b, "paused");
  test_app_save_screenshot ((SluiceWindow *) f.window, tmp_dir, "server-runs.png");
  fixture_teardown (&f);
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-server");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-server/wrong-token", test_wrong_token);
  g_test_add_func ("/sluice/app-server/refused", test_refused);
  g_test_add_func ("/sluice/app-server/lying-server", test_lying_server);
  g_test_add_func ("/sluice/app-server/steer-runs", test_steer_runs);
  g_test_add_func ("/sluice/app-server/watch-live", test_watch_live);
  g_test_add_func ("/sluice/app-server/watch-finished", test_watch_finished);
  g_test_add_func ("/sluice/app-server/watch-results", test_watch_results);
  g_test_add_func ("/sluice/app-server/daemon-dies", test_daemon_dies);
  g_test_add_func ("/sluice/app-server/pipelines", test_pipelines);
  g_test_add_func ("/sluice/app-server/screenshot", test_screenshot);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
