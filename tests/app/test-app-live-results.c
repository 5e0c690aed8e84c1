/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <jansson.h>
#include <adwaita.h>
#include <string.h>

#include "sluice-canvas-run-overlay.h"
#include "sluice-run-panel.h"
#include "sluice-run-services.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* What a designer run shows while it still goes, its executor on a
 * thread of its own (sluice-run-thread.h): the gates' results on the
 * canvas as soon as a gate evaluated an item, also when a later stage's
 * Lua holds the run's thread, and the Services table of a run calling a
 * real `sluice-run serve`. Each case reads while the run's thread is not
 * joined (sluice_run_session_get_settled() is FALSE), then cancels. */

static SluiceApplication *app;
static char *tmp_dir;

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

/* Cancels the run that still goes, waits for its end, closes. */
static void
cancel_and_close (SluiceWindow *window)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);

  g_assert_false (sluice_run_session_get_settled (session));
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (window), "cancel"), NULL);
  g_assert_true (test_app_wait_for (run_final, window, 30000));
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_CANCELLED);
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

typedef struct
{
  SluiceWindow *window;
  const char   *gate;
  json_int_t    more_than;   /* evaluated items the results must exceed */
} GateWait;

/* The gate's results say it evaluated more than @more_than items, read
 * from the session while the run's thread still goes. */
static gboolean
gate_evaluated (gpointer data)
{
  GateWait *wait = data;
  SluiceRunSession *session = sluice_window_get_run_session (wait->window);
  json_t *results;
  gboolean enough;

  if (session == NULL || sluice_run_session_get_settled (session))
    return FALSE;
  results = sluice_run_session_dup_gate_results (session, wait->gate);
  enough = results != NULL && json_integer_value (json_object_get (results, "evaluated")) > wait->more_than;
  json_decref (results);
  return enough;
}

/* What went wrong, when a wait failed. */
static gboolean
say_why (SluiceWindow *window)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);

  g_test_message ("status %s, last message %s, state %s, error %s", sluice_window_get_run_status (window),
                  sluice_window_get_last_message (window),
                  session != NULL ? sluice_run_state_to_string (sluice_run_session_get_state (session)) : "-",
                  session != NULL ? sluice_run_session_get_error (session) : "-");
  return FALSE;
}

static json_int_t
gate_count (SluiceWindow *window,
            const char   *gate,
            const char   *key)
{
  json_t *results = sluice_run_session_dup_gate_results (sluice_window_get_run_session (window), gate);
  json_int_t value;

  g_assert_nonnull (results);
  value = json_integer_value (json_object_get (results, key));
  json_decref (results);
  return value;
}

/* Stage "first" ends with a gate; stage "held" then spins in Lua on the
 * run's thread (a not-parallel controller's Lua runs there) and never
 * ends. The gate's results are there at once, on the canvas too: the
 * run's thread published them when the item entered "held". */
static void
test_gate_before_held_stage (void)
{
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "gated.xml",
    "<pipeline format='1' id='gated'>"
    "<controller id='first' mode='not-parallel'><phase id='p1'>"
    "<execution id='score'><lua>item.score = item.id + 1</lua></execution>"
    "<gate id='gate' name='Score gate'>"
    "<check name='Score' value='item.score' op='&gt;=' threshold='1'/>"
    "<check name='Small' value='item.score' op='&lt;=' threshold='10'/>"
    "</gate></phase></controller>"
    "<controller id='held' mode='not-parallel'><phase id='p2'>"
    "<execution id='spin'><lua>while true do end</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  SluiceNode *gate = sluice_pipeline_find_node (sluice_document_get_pipeline (sluice_window_get_document (window)),
                                                "gate");
  GateWait wait = { window, "gate", 0 };
  g_autofree char *label = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  test_app_spin (200);
  test_app_run_ids (window, 1);
  g_assert_true (test_app_wait_for (gate_evaluated, &wait, 30000) || say_why (window));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_RUNNING);
  g_assert_cmpint (gate_count (window, "gate", "evaluated"), ==, 1);
  g_assert_cmpint (gate_count (window, "gate", "passed"), ==, 1);
  g_assert_cmpint (gate_count (window, "gate", "failed"), ==, 0);
  /* A gate that is not in the file has no results. */
  g_assert_null (sluice_run_session_dup_gate_results (sluice_window_get_run_session (window), "spin"));

  /* The pills the canvas draws on the gate, while "held" spins. */
  label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 0);
  g_assert_cmpstr (label, ==, "✓ +1");
  g_clear_pointer (&label, g_free);
  label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 1);
  g_assert_cmpstr (label, ==, "✓ +8");
  sluice_canvas_reveal (sluice_window_get_canvas (window), gate);
  test_app_spin (300);
  test_app_save_screenshot (window, tmp_dir, "gate-results-mid-run.png");
  g_assert_false (sluice_run_session_get_settled (sluice_window_get_run_session (window)));

  cancel_and_close (window);
}

/* One stage, no transition after the gate: its results follow the items
 * through it, published about once a frame while the run goes. */
static void
test_gate_results_follow_items (void)
{
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "follow.xml",
    "<pipeline format='1' id='follow'>"
    "<controller id='only' mode='not-parallel'><phase id='p'>"
    "<execution id='work'><lua>local n = 0 for i = 1, 20000 do n = n + i end item.score = item.id % 5</lua></execution>"
    "<gate id='gate' name='Score gate' on-error='continue'>"
    "<check name='Score' value='item.score' op='&gt;=' threshold='1'/>"
    "</gate></phase></controller></pipeline>");
  GateWait wait = { window, "gate", 0 };
  json_int_t first;

  test_app_run_ids (window, 200000);
  g_assert_true (test_app_wait_for (gate_evaluated, &wait, 30000) || say_why (window));
  first = gate_count (window, "gate", "evaluated");
  g_test_message ("first results seen with %" JSON_INTEGER_FORMAT " items evaluated", first);
  /* More, still before the end. */
  wait.more_than = first;
  g_assert_true (test_app_wait_for (gate_evaluated, &wait, 30000) || say_why (window));
  g_assert_cmpint (gate_count (window, "gate", "evaluated"), ==,
                   gate_count (window, "gate", "passed") + gate_count (window, "gate", "failed"));
  g_assert_cmpint (gate_count (window, "gate", "failed"), >, 0);
  cancel_and_close (window);
}

typedef struct
{
  SluiceWindow *window;
  const char   *url;
  guint64       more_than;   /* calls served there the row must exceed */
} RowWait;

/* The Services table's row of @url, or NULL. */
static SluiceEndpointRow *
find_row (SluiceWindow *window,
          const char   *url)
{
  GListModel *rows = sluice_run_panel_get_services (sluice_window_get_run_panel (window));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(SluiceEndpointRow) row = g_list_model_get_item (rows, i);

      if (g_str_equal (sluice_endpoint_row_get_url (row), url))
        return row;   /* the store holds it */
    }
  return NULL;
}

static gboolean
row_served (gpointer data)
{
  RowWait *wait = data;
  SluiceRunSession *session = sluice_window_get_run_session (wait->window);
  SluiceEndpointRow *row;

  if (session == NULL || sluice_run_session_get_settled (session))
    return FALSE;
  row = find_row (wait->window, wait->url);
  return row != NULL && sluice_endpoint_row_get_served (row) > wait->more_than;
}

/* The Services table follows a run against a live `sluice-run serve` and
 * a dead endpoint while it goes: served grows, the dead one is down. */
static void
test_services_live (void)
{
  g_autofree char *served_path = g_build_filename (tmp_dir, "served.xml", NULL);
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *url = NULL;
  const char *dead = "http://127.0.0.1:1/";
  g_autofree char *xml = NULL;
  SluiceWindow *window;
  RowWait wait = { NULL, NULL, 0 };
  guint64 first;

  g_assert_true (g_file_set_contents (served_path,
    "<pipeline format='1' id='double'><controller id='c' mode='no-order'><phase id='p'>"
    "<execution id='twice'><lua>item.x = (item.id or 0) * 2</lua></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  url = test_app_start_serve (served_path, &server);
  xml = g_strdup_printf (
    "<pipeline format='1' id='caller'><services><service name='double'>"
    "<endpoint url='%s'/><endpoint url='%s'/></service></services>"
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<external id='call' service='double' timeout='5s' retries='1'/>"
    "</phase></controller></pipeline>", url, dead);
  window = test_app_open_trusted (app, tmp_dir, "caller.xml", xml);
  wait.window = window;
  wait.url = url;

  test_app_run_ids (window, 1000000);
  g_assert_true (test_app_wait_for (row_served, &wait, 60000) || say_why (window));
  first = sluice_endpoint_row_get_served (find_row (window, url));
  g_test_message ("first row seen with %" G_GUINT64_FORMAT " calls served", first);
  g_assert_cmpstr (sluice_endpoint_row_get_health (find_row (window, url)), ==, "up");
  g_assert_nonnull (find_row (window, dead));
  g_assert_cmpstr (sluice_endpoint_row_get_health (find_row (window, dead)), ==, "down");
  wait.more_than = first;
  g_assert_true (test_app_wait_for (row_served, &wait, 60000) || say_why (window));
  g_assert_true (sluice_run_panel_show_page (sluice_window_get_run_panel (window), "Services"));
  test_app_save_screenshot (window, tmp_dir, "services-mid-run.png");
  cancel_and_close (window);

  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-live-results");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-live-results/gate-before-held-stage", test_gate_before_held_stage);
  g_test_add_func ("/sluice/app-live-results/gate-results-follow-items", test_gate_results_follow_items);
  g_test_add_func ("/sluice/app-live-results/services", test_services_live);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
