/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <jansson.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sluice-application.h"
#include "sluice-canvas-geometry.h"
#include "sluice-run-panel.h"
#include "sluice-run-services.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* Live runs in the designer, under a display (xvfb-run in the suite):
 * driven through the window's actions, checked against the executor and
 * against sluice-run. */

static SluiceApplication *app;
static char *tmp_dir;

static char *
write_tmp (const char *name,
           const char *contents)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static SluiceWindow *
open_window (const char *path)
{
  return test_app_open_window (app, path);
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

static void
activate (SluiceWindow *window,
          const char   *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), name);

  g_assert_nonnull (action);
  g_assert_true (g_action_get_enabled (action));
  g_action_activate (action, NULL);
}

static gboolean
action_enabled (SluiceWindow *window,
                const char   *name)
{
  return g_action_get_enabled (g_action_map_lookup_action (G_ACTION_MAP (window), name));
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static SluiceRunState
wait_final (SluiceWindow *window)
{
  if (!test_app_wait_for (run_final, window, 60000))
    {
      SluiceRunSession *session = sluice_window_get_run_session (window);
      SluiceExecutor *executor = session ? sluice_run_session_get_executor (session) : NULL;

      g_test_message ("run not finished: %s, last message %s, executor state %s, in %" G_GUINT64_FORMAT
                      ", out %" G_GUINT64_FORMAT ", at %s",
                      sluice_window_get_run_status (window), sluice_window_get_last_message (window),
                      executor ? sluice_run_state_to_string (sluice_executor_get_state (executor)) : "-",
                      executor ? sluice_executor_get_items_in (executor) : 0,
                      executor ? sluice_executor_get_items_out (executor) : 0,
                      executor ? sluice_executor_get_current_controller (executor) : "-");
      if (executor != NULL)
        for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
          {
            SluiceModuleStats stats;

            sluice_executor_get_module_stats_at (executor, i, &stats);
            g_test_message ("  %s: in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT " active %u failed %"
                            G_GUINT64_FORMAT, sluice_executor_get_module_id (executor, i),
                            stats.items_in, stats.items_out, stats.active, stats.failed);
          }
      g_assert_not_reached ();
    }
  test_app_spin (30);
  return sluice_run_session_get_state (sluice_window_get_run_session (window));
}

static SluiceModuleLive
live_of (SluiceWindow *window,
         const char   *id)
{
  SluiceModuleLive live;
  SluiceNode *node = sluice_pipeline_find_node (pipeline_of (window), id);

  g_assert_nonnull (node);
  /* Updates are paced by the cost of frames: ask for the state now. */
  sluice_run_session_poll (sluice_window_get_run_session (window));
  g_assert_true (sluice_run_session_get_module_live (sluice_window_get_run_session (window), node, &live));
  return live;
}

typedef struct
{
  SluiceWindow *window;
  GPtrArray    *events;
} CheckData;

static gboolean
check_module_cb (SluiceNode *node,
                 gpointer    user_data)
{
  CheckData *data = user_data;
  SluiceExecutor *executor = sluice_run_session_get_executor (sluice_window_get_run_session (data->window));
  SluiceModuleStats stats;
  SluiceModuleLive live;

  if (!SLUICE_IS_MODULE (node))
    return TRUE;
  g_assert_true (sluice_executor_get_module_stats (executor, sluice_node_get_id (node), &stats));
  live = live_of (data->window, sluice_node_get_id (node));
  g_assert_cmpuint (live.stats.items_in, ==, stats.items_in);
  g_assert_cmpuint (live.stats.items_out, ==, stats.items_out);
  g_assert_cmpuint (live.stats.dropped, ==, stats.dropped);
  g_assert_cmpuint (live.stats.failed, ==, stats.failed);
  g_assert_cmpuint (live.stats.superseded, ==, stats.superseded);
  if (stats.state == SLUICE_MODULE_DONE)
    g_assert_cmpint (live.state, ==, SLUICE_LIVE_DONE);
  else if (stats.state == SLUICE_MODULE_SKIPPED)
    g_assert_cmpint (live.state, ==, SLUICE_LIVE_SKIPPED);
  else if (stats.state == SLUICE_MODULE_FAILED)
    g_assert_cmpint (live.state, ==, SLUICE_LIVE_FAILED);
  else
    g_assert_not_reached ();
  return TRUE;
}

static void
check_against_executor (SluiceWindow *window)
{
  CheckData data = { window, NULL };

  sluice_pipeline_foreach_node (pipeline_of (window), check_module_cb, &data);
}

static void
test_strategy (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceRunSession *session;
  SluiceControllerLive clive;
  SluiceRunLog *log;

  test_app_trust (window);
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Not run yet");
  g_assert_false (action_enabled (window, "cancel"));
  g_assert_false (action_enabled (window, "pause"));
  activate (window, "run");
  session = sluice_window_get_run_session (window);
  g_assert_nonnull (session);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Completed");

  /* Every module as the executor says. */
  check_against_executor (window);
  g_assert_cmpint (live_of (window, "run-optimiser").state, ==, SLUICE_LIVE_DONE);
  g_assert_cmpuint (live_of (window, "run-optimiser").stats.items_in, ==, 1);
  g_assert_cmpuint (live_of (window, "run-optimiser").stats.items_out, ==, 1);
  g_assert_cmpint (live_of (window, "gate-historical").state, ==, SLUICE_LIVE_DONE);
  g_assert_true (sluice_run_session_get_controller_live (session, sluice_pipeline_find_node (pipeline_of (window), "historical"), &clive));
  g_assert_cmpint (clive.state, ==, SLUICE_LIVE_DONE);
  g_assert_cmpint (clive.queue_depth, ==, 0);
  g_assert_cmpint (clive.in_flight, ==, 0);
  g_assert_cmpint (sluice_run_session_get_node_state (session, sluice_pipeline_find_node (pipeline_of (window), "historical-run")),
                   ==, SLUICE_LIVE_DONE);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 1);

  /* The log holds the run's events; the run is over, so editing is back. */
  log = sluice_run_session_get_log (session);
  g_assert_cmpuint (sluice_run_log_get_n_events (log), >, 10);
  g_assert_false (sluice_window_get_run_locked (window));
  g_assert_true (action_enabled (window, "run"));
  g_assert_false (action_enabled (window, "cancel"));
  g_assert_false (sluice_canvas_run_overlay_get_ticking (sluice_window_get_run_overlay (window)));

  /* The run panel's summary and the data preview of a module. */
  {
    SluiceRunPanel *panel = sluice_window_get_run_panel (window);
    g_autofree char *summary = sluice_run_panel_dup_summary (panel);
    g_autofree char *preview = NULL;

    g_assert_nonnull (strstr (summary, "Historical back-test"));
    g_assert_nonnull (strstr (summary, "passed"));
    sluice_canvas_select (sluice_window_get_canvas (window),
                          sluice_pipeline_find_node (pipeline_of (window), "run-backtest"), FALSE);
    preview = sluice_run_panel_dup_preview (panel);
    g_assert_nonnull (strstr (preview, "\"historical\""));
    g_assert_nonnull (strstr (preview, "\"optimise\""));

    /* Filters: errors only leaves nothing; one module leaves its events. */
    sluice_run_panel_set_filter (panel, NULL, SLUICE_RUN_LEVEL_ERROR);
    g_assert_cmpuint (g_list_model_get_n_items (sluice_run_panel_get_log_model (panel)), ==, 0);
    sluice_run_panel_set_filter (panel, "run-backtest", SLUICE_RUN_LEVEL_DEBUG);
    g_assert_cmpuint (g_list_model_get_n_items (sluice_run_panel_get_log_model (panel)), ==, 2);
    sluice_run_panel_set_filter (panel, NULL, SLUICE_RUN_LEVEL_DEBUG);
    g_assert_cmpuint (g_list_model_get_n_items (sluice_run_panel_get_log_model (panel)), ==,
                      sluice_run_log_get_n_events (log));
  }
  close_window (window);
}

static guint64
controller_out (SluiceWindow *window,
                const char   *id)
{
  SluiceControllerLive live;

  g_assert_true (sluice_run_session_get_controller_live (sluice_window_get_run_session (window),
                                                         sluice_pipeline_find_node (pipeline_of (window), id), &live));
  return live.items_out;
}

static guint64
controller_failed (SluiceWindow *window,
                   const char   *id)
{
  SluiceControllerLive live;

  g_assert_true (sluice_run_session_get_controller_live (sluice_window_get_run_session (window),
                                                         sluice_pipeline_find_node (pipeline_of (window), id), &live));
  return live.items_failed;
}

static void
test_failing_gate (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceLayout *layout;
  const SluiceLayoutBox *box;
  g_autofree char *tooltip = NULL;
  g_autofree char *summary = NULL;
  double wx, wy;

  test_app_trust (window);
  g_hash_table_insert (choice->defines, g_strdup ("hist_min_sharpe"), g_strdup ("2.5"));
  sluice_window_run_with_choice (window, choice);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Failed");
  g_assert_cmpstr (sluice_run_session_get_failed_module (sluice_window_get_run_session (window)), ==, "gate-historical");
  check_against_executor (window);
  g_assert_cmpint (live_of (window, "gate-historical").state, ==, SLUICE_LIVE_FAILED);
  g_assert_cmpint (live_of (window, "gate-improvement").state, ==, SLUICE_LIVE_DONE);
  g_assert_cmpint (live_of (window, "run-backtest").state, ==, SLUICE_LIVE_DONE);
  g_assert_cmpint (live_of (window, "run-replay").state, ==, SLUICE_LIVE_SKIPPED);
  g_assert_cmpint (live_of (window, "gate-replay").state, !=, SLUICE_LIVE_FAILED);
  /* The stage before passed its item on (counted at its last module,
   * the gate, not at a fail in a branch); the failed one did not. */
  g_assert_cmpuint (controller_out (window, "optimise"), ==, 1);
  g_assert_cmpuint (controller_out (window, "historical"), ==, 0);
  /* As the executor counted them: the item the gate failed. */
  g_assert_cmpuint (controller_failed (window, "optimise"), ==, 0);
  g_assert_cmpuint (controller_failed (window, "historical"), ==, 1);

  /* The failed gate carries its reason as the tooltip: the check and by
   * how much it missed. */
  sluice_canvas_reveal (canvas, sluice_pipeline_find_node (pipeline_of (window), "gate-historical"));
  test_app_spin (50);
  layout = sluice_canvas_get_layout (canvas);
  box = sluice_layout_get_box (layout, sluice_layout_find_node (layout, sluice_pipeline_find_node (pipeline_of (window), "gate-historical")));
  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), box->x + box->width / 2, box->y + box->height / 2, &wx, &wy);
  tooltip = sluice_canvas_run_overlay_dup_tooltip (overlay, wx, wy);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "“Sharpe”: 1.8069, must be ≥ 2.5: missed by 0.6931"));

  summary = sluice_run_panel_dup_summary (sluice_window_get_run_panel (window));
  g_assert_nonnull (strstr (summary, "gate failed"));
  g_assert_false (sluice_window_get_run_locked (window));
  close_window (window);
}

static gboolean
has_outputs (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  return session != NULL && sluice_run_session_get_n_outputs (session) >= 3;
}

static gboolean
is_paused (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  return sluice_run_session_get_state (session) == SLUICE_RUN_PAUSED;
}

static char *
typed_items (guint n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\": %u}\n", i);
  return g_string_free (s, FALSE);
}

/* The controls a user sees in the header bar: buttons, toggle, menu and
 * split buttons, each counted once (not the buttons inside them). */
static guint
count_header_controls (GtkWidget *widget)
{
  guint n = 0;

  /* Minimise, maximise and close are the window's, not ours. */
  if (!gtk_widget_get_visible (widget) || GTK_IS_WINDOW_CONTROLS (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || ADW_IS_SPLIT_BUTTON (widget))
    return 1;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_header_controls (child);
  return n;
}

static GtkWidget *
find_header_bar (GtkWidget *widget)
{
  if (ADW_IS_HEADER_BAR (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_header_bar (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether the header bar shows a button for @action_name. */
static gboolean
header_shows_action (GtkWidget  *widget,
                     const char *action_name)
{
  if (!gtk_widget_get_visible (widget))
    return FALSE;
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (header_shows_action (child, action_name))
      return TRUE;
  return FALSE;
}

static void
test_pause_resume (void)
{
  g_autofree char *path = write_tmp ("slow.xml",
    "<pipeline format='1' id='slow'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='wait'><command>sleep 0.03; cat</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceExecutor *executor;
  guint64 in_at_pause;

  GtkWidget *header = find_header_bar (GTK_WIDGET (window));

  /* Before any run the header bar is short (GNOME HIG; it had 13). */
  g_assert_nonnull (header);
  g_assert_cmpuint (count_header_controls (header), <=, 7);
  g_assert_true (header_shows_action (header, "win.run"));
  g_assert_false (header_shows_action (header, "win.pause"));
  g_assert_false (header_shows_action (header, "win.cancel"));
  g_assert_false (header_shows_action (header, "win.undo"));

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = typed_items (30);
  sluice_window_run_with_choice (window, choice);
  if (!test_app_wait_for (has_outputs, window, 30000))
    wait_final (window);
  g_assert_true (sluice_window_get_run_locked (window));
  /* While it runs, its transport buttons are there. */
  g_assert_true (header_shows_action (header, "win.pause"));
  g_assert_true (header_shows_action (header, "win.cancel"));
  g_assert_false (action_enabled (window, "delete"));
  g_assert_false (action_enabled (window, "undo"));
  g_assert_false (action_enabled (window, "run"));
  g_assert_false (action_enabled (window, "resume"));

  activate (window, "pause");
  g_assert_true (test_app_wait_for (is_paused, window, 10000));
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Paused");
  g_assert_true (header_shows_action (header, "win.resume"));
  g_assert_false (header_shows_action (header, "win.pause"));
  g_assert_true (action_enabled (window, "resume"));
  g_assert_false (action_enabled (window, "pause"));
  executor = sluice_run_session_get_executor (sluice_window_get_run_session (window));
  /* Work in flight finishes; then nothing new starts. */
  test_app_spin (300);
  in_at_pause = live_of (window, "wait").stats.items_in;
  test_app_spin (300);
  /* Paused: nothing new starts. */
  g_assert_cmpuint (live_of (window, "wait").stats.items_in, ==, in_at_pause);
  g_assert_cmpint (live_of (window, "wait").state, ==, SLUICE_LIVE_WAITING);
  g_assert_true (sluice_window_get_run_locked (window));

  activate (window, "resume");
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (sluice_executor_get_items_out (executor), ==, 30);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (sluice_window_get_run_session (window)), ==, 30);
  check_against_executor (window);
  g_assert_false (sluice_window_get_run_locked (window));
  /* Over: back to the short header bar. */
  g_assert_false (header_shows_action (header, "win.pause"));
  g_assert_false (header_shows_action (header, "win.cancel"));
  close_window (window);
}

static gboolean
is_running_command (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  SluiceModuleLive live;

  return session != NULL &&
         sluice_run_session_get_module_live (session, sluice_pipeline_find_node (sluice_run_session_get_pipeline (session), "long"), &live) &&
         live.state == SLUICE_LIVE_RUNNING;
}

/* Whether any process has @marker in its command line. */
static gboolean
process_with (const char *marker)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (gsize i = 0; i + 1 < length; i++)
        if (contents[i] == '\0')
          contents[i] = ' ';
      if (strstr (contents, marker) != NULL && strstr (contents, "test-app-run") == NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_cancel_kills (void)
{
  g_autofree char *marker = g_strdup_printf ("%u.%u", 40 + g_random_int_range (0, 50), g_random_int_range (1000, 9999));
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='long-run'><controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='long'><command>sleep %s; cat</command></execution>"
    "</phase></controller></pipeline>", marker);
  g_autofree char *path = write_tmp ("long.xml", xml);
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = typed_items (2);
  sluice_window_run_with_choice (window, choice);
  if (!test_app_wait_for (is_running_command, window, 10000))
    wait_final (window);
  g_assert_true (process_with (marker));
  g_assert_true (sluice_canvas_run_overlay_get_ticking (sluice_window_get_run_overlay (window)));

  activate (window, "cancel");
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_CANCELLED);
  g_assert_cmpstr (sluice_window_get_run_status (window), ==, "Cancelled");
  test_app_spin (200);
  g_assert_false (process_with (marker));
  g_assert_cmpint (live_of (window, "long").state, ==, SLUICE_LIVE_CANCELLED);
  g_assert_false (sluice_window_get_run_locked (window));
  test_app_spin (400);
  g_assert_false (sluice_canvas_run_overlay_get_ticking (sluice_window_get_run_overlay (window)));
  close_window (window);
}

static gboolean
dialog_shown (gpointer data)
{
  return sluice_trust_get_dialog (data) != NULL;
}

static void
test_trust (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  SluiceWindow *window;
  GtkWidget *dialog;

  g_assert_true (g_file_get_contents (example, &contents, NULL, NULL));
  path = write_tmp ("untrusted.xml", contents);
  window = open_window (path);
  /* Another seed: not trusted by the other tests. */
  sluice_execution_set_lua (SLUICE_EXECUTION (sluice_pipeline_find_node (pipeline_of (window), "recommend")),
                            "item.trusted_test = true");

  activate (window, "run");
  g_assert_true (test_app_wait_for (dialog_shown, window, 5000));
  dialog = sluice_trust_get_dialog (GTK_WINDOW (window));
  g_assert_null (sluice_window_get_run_session (window));
  /* Saying no runs nothing. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  test_app_spin (50);
  g_assert_null (sluice_window_get_run_session (window));
  g_assert_nonnull (strstr (sluice_window_get_last_message (window), "not trusted"));

  /* Saying yes runs it and remembers the hash. */
  activate (window, "run");
  g_assert_true (test_app_wait_for (dialog_shown, window, 5000));
  dialog = sluice_trust_get_dialog (GTK_WINDOW (window));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "trust");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);

  /* Trusted: the next run asks nothing. */
  activate (window, "run");
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (window)));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);

  /* A renamed node does not ask; neither does a command changed in this
   * window (the user wrote it). A command changed on disk asks again. */
  sluice_node_set_name (sluice_pipeline_find_node (pipeline_of (window), "recommend"), "Renamed");
  activate (window, "run");
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (window)));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  sluice_execution_set_lua (SLUICE_EXECUTION (sluice_pipeline_find_node (pipeline_of (window), "recommend")),
                            "item.changed = true");
  activate (window, "run");
  g_assert_null (sluice_trust_get_dialog (GTK_WINDOW (window)));
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  {
    g_autoptr(GRegex) regex = g_regex_new ("\"deploy\"", 0, 0, NULL);
    g_autofree char *changed = g_regex_replace_literal (regex, contents, -1, 0, "\"changed on disk\"", 0, NULL);

    g_assert_cmpstr (changed, !=, contents);
    g_assert_true (g_file_set_contents (path, changed, -1, NULL));
  }
  close_window (window);
  window = open_window (path);
  activate (window, "run");
  g_assert_true (test_app_wait_for (dialog_shown, window, 5000));
  dialog = sluice_trust_get_dialog (GTK_WINDOW (window));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  test_app_spin (20);
  close_window (window);
}

/* Events without their times, sequence numbers and item ids (the
 * designer's log keeps compact records without them), one a line. */
static char *
strip_times (GPtrArray *lines)
{
  g_autoptr(GRegex) regex = g_regex_new ("\"(time\":\"[^\"]*\"|duration_ms\":[-0-9.e+]*|seq\":[0-9]+|input\":[0-9]+|child\":[0-9]+|parent\":[0-9]+),?", 0, 0, NULL);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      g_autofree char *line = g_regex_replace_literal (regex, g_ptr_array_index (lines, i), -1, 0, "", 0, NULL);
      g_autoptr(GString) tidy = g_string_new (line);

      /* A field removed last leaves its comma behind. */
      g_string_replace (tidy, ",}", "}", 0);
      g_string_append_printf (s, "%s\n", tidy->str);
    }
  return g_string_free (s, FALSE);
}

/* A run report without its timings, as comparable text. */
static char *
report_without_times (json_t *report)
{
  size_t i;
  json_t *module;
  char *text;
  char *copy;

  json_object_del (report, "elapsed_ms");
  json_object_del (report, "timings");
  json_array_foreach (json_object_get (report, "modules"), i, module)
    json_object_del (module, "time_ms");
  /* Stages have times of their own; a slow machine may warn of a slow one. */
  json_array_foreach (json_object_get (report, "stages"), i, module)
    {
      json_object_del (module, "duration_ms");
      json_object_del (module, "started_ms");
    }
  {
    size_t j = 0;
    json_t *warnings = json_object_get (report, "warnings");

    while (j < json_array_size (warnings))
      if (g_strcmp0 (json_string_value (json_object_get (json_array_get (warnings, j), "kind")), "slow-stage") == 0)
        json_array_remove (warnings, j);
      else
        j++;
  }
  text = json_dumps (report, JSON_SORT_KEYS | JSON_INDENT (1));
  copy = g_strdup (text);
  free (text);
  return copy;
}

/* What the run was doing when the run panel switched to it, and whether
 * the last run was gone when this one's thread had made its run. */
typedef struct
{
  SluiceWindow *window;
  gboolean      switched;
  gboolean      was_started;
  gpointer      last_executor;   /* weak */
  gboolean      started;
  gboolean      last_gone_at_start;
} PanelSwitch;

static gboolean
started_hook (GSignalInvocationHint *hint,
              guint                  n_values,
              const GValue          *values,
              gpointer               data)
{
  PanelSwitch *seen = data;

  seen->started = TRUE;
  seen->last_gone_at_start = seen->last_executor == NULL;
  return TRUE;
}

static void
panel_switched_cb (GObject     *selection,
                   GParamSpec  *pspec,
                   PanelSwitch *seen)
{
  SluiceRunSession *session = sluice_window_get_run_session (seen->window);

  if (gtk_no_selection_get_model (GTK_NO_SELECTION (selection)) != G_LIST_MODEL (sluice_run_session_get_log (session)))
    return;
  seen->switched = TRUE;
  seen->was_started = sluice_run_session_get_started (session);
}

/* The run panel's module filter: its choices. */
static GListModel *
module_choices (SluiceRunPanel *panel)
{
  GtkWidget *first = test_app_find_widget (GTK_WIDGET (panel), GTK_TYPE_DROP_DOWN);

  for (GtkWidget *w = gtk_widget_get_first_child (gtk_widget_get_parent (first)); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    {
      GListModel *model = GTK_IS_DROP_DOWN (w) ? gtk_drop_down_get_model (GTK_DROP_DOWN (w)) : NULL;

      if (GTK_IS_STRING_LIST (model) && g_list_model_get_n_items (model) > 1 &&
          g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), "All modules") == 0)
        return model;
    }
  g_assert_not_reached ();
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  (*changes)++;
}

/* Run again: the run's thread goes before the run panel sets itself up
 * for this one (a few hundredths of a second with 5,000 modules, that
 * the run used to wait for), and after the last run is gone (its memory
 * freed while the new run's thread allocated slowed every later run). */
static void
test_runs_before_panel (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GListModel *log_model = sluice_run_panel_get_log_model (sluice_window_get_run_panel (window));
  PanelSwitch seen = { window, FALSE, FALSE, NULL, FALSE, FALSE };
  SluiceRunSession *first;
  GListModel *choices;
  guint n_choices, choice_changes = 0;
  guint hook;

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{\"symbol\": \"ETH-USD\"}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  first = sluice_window_get_run_session (window);
  seen.last_executor = sluice_run_session_get_executor (first);
  g_object_add_weak_pointer (seen.last_executor, &seen.last_executor);

  g_signal_connect (log_model, "notify::model", G_CALLBACK (panel_switched_cb), &seen);
  /* The same pipeline again: its modules stay listed, not listed anew. */
  choices = module_choices (sluice_window_get_run_panel (window));
  n_choices = g_list_model_get_n_items (choices);
  g_assert_cmpuint (n_choices, >, 5);
  g_signal_connect (choices, "items-changed", G_CALLBACK (count_changes_cb), &choice_changes);
  hook = g_signal_add_emission_hook (g_signal_lookup ("started", SLUICE_TYPE_RUN_SESSION), 0,
                                     started_hook, &seen, NULL);
  sluice_window_run_with_choice (window, choice);
  g_signal_remove_emission_hook (g_signal_lookup ("started", SLUICE_TYPE_RUN_SESSION), hook);
  g_assert_true (sluice_window_get_run_session (window) != first);
  g_assert_true (seen.switched);
  g_assert_true (seen.was_started);
  g_assert_true (seen.started);
  g_assert_true (seen.last_gone_at_start);
  g_assert_cmpuint (choice_changes, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, n_choices);
  g_signal_handlers_disconnect_by_data (choices, &choice_changes);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  g_signal_handlers_disconnect_by_data (log_model, &seen);
  close_window (window);
}

/* What the run panel's totals said at each update of the run once the
 * run counted an item. */
typedef struct
{
  SluiceRunPanel *panel;
  guint           checked;
  guint           said_none;   /* "in 0 · out 0" while the run had items */
} TotalsWatch;

static void
totals_updated_cb (SluiceRunSession *session,
                   TotalsWatch      *watch)
{
  GtkWidget *label = test_app_find_with_class (GTK_WIDGET (watch->panel), "run-totals");
  guint64 items_in, items_out;
  gint64 elapsed;

  sluice_run_session_get_totals (session, &items_in, &items_out, &elapsed);
  if (items_in == 0)
    return;
  watch->checked++;
  if (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "in 0 "))
    watch->said_none++;
}

static gboolean
totals_checked (gpointer data)
{
  return ((TotalsWatch *) data)->checked >= 3;
}

/* The run panel counts the first items as the canvas does, at once: it
 * updates its labels a few times a second, and said "in 0" for a
 * quarter of a second beside modules that had counted items. */
static void
test_first_items_counted (void)
{
  const char *xml =
    "<pipeline format='1' id='first'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='mark'><lua>item.seen = true</lua></execution>"
    "<execution id='wait'><command>sleep 5; cat</command></execution>"
    "</phase></controller></pipeline>";
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "first.xml", xml);
  TotalsWatch watch = { sluice_window_get_run_panel (window), 0, 0 };
  SluiceRunSession *session;

  test_app_run_ids (window, 3);
  session = sluice_window_get_run_session (window);
  /* After the panel's own handler: what it shows once it heard. */
  g_signal_connect (session, "updated", G_CALLBACK (totals_updated_cb), &watch);
  g_assert_true (test_app_wait_for (totals_checked, &watch, 20000));
  g_assert_cmpuint (watch.said_none, ==, 0);
  g_signal_handlers_disconnect_by_data (session, &watch);
  activate (window, "cancel");
  wait_final (window);
  close_window (window);
}

static void
test_same_as_runner (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(GPtrArray) runner_events = NULL;
  g_autofree char *command = NULL;
  g_autofree char *full = NULL;
  g_autofree char *events_path = g_build_filename (tmp_dir, "events.jsonl", NULL);
  g_autofree char *report_path = g_build_filename (tmp_dir, "report.json", NULL);
  g_autofree char *our_report = NULL;
  g_autofree char *their_report = NULL;
  g_autofree char *out_path = g_build_filename (tmp_dir, "out.jsonl", NULL);
  g_autofree char *runner_out = NULL;
  g_autofree char *runner_events_text = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_auto(GStrv) lines = NULL;
  GString *our_out = g_string_new (NULL);
  SluiceRunSession *session;
  const char *sluice_run = g_getenv ("SLUICE_RUN");
  int status;

  if (sluice_run == NULL)
    {
      g_test_skip ("SLUICE_RUN is not set");
      close_window (window);
      return;
    }
  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{\"symbol\": \"ETH-USD\"}\n{\"symbol\": \"SOL-USD\"}\n{}\n");
  g_hash_table_insert (choice->defines, g_strdup ("seed"), g_strdup ("7"));
  g_hash_table_insert (choice->defines, g_strdup ("paper_min_return"), g_strdup ("-1"));

  sluice_window_run_with_choice (window, choice);
  session = sluice_window_get_run_session (window);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < sluice_run_session_get_outputs (session)->len; i++)
    g_string_append_printf (our_out, "%s\n", (char *) g_ptr_array_index (sluice_run_session_get_outputs (session), i));

  /* The log's own copy of the events, without times. */
  {
    SluiceRunLog *log = sluice_run_session_get_log (session);
    g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < sluice_run_log_get_n_events (log); i++)
      g_ptr_array_add (logged, sluice_run_log_dup_json (log, i));
    ours = strip_times (logged);
  }

  /* The exported command, run by the shell, with the real runner. */
  command = sluice_run_choice_command_line (choice, path);
  g_assert_nonnull (strstr (command, "sluice-run -D 'paper_min_return=-1' -D 'seed=7' -i -"));
  {
    g_autofree char *quoted = g_shell_quote (sluice_run);
    g_autofree char *extra = g_strdup_printf ("%s --events %s --report %s -o %s --quiet",
                                              quoted, events_path, report_path, out_path);
    g_autoptr(GRegex) regex = g_regex_new ("\\| sluice-run ", 0, 0, NULL);
    g_autofree char *replacement = g_strdup_printf ("| %s ", extra);

    full = g_regex_replace_literal (regex, command, -1, 0, replacement, 0, NULL);
  }
  {
    const char *argv[] = { "/bin/sh", "-c", full, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL));
  }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_get_contents (out_path, &runner_out, NULL, NULL));
  g_assert_cmpstr (our_out->str, ==, runner_out);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 3);

  g_assert_true (g_file_get_contents (events_path, &runner_events_text, NULL, NULL));
  lines = g_strsplit (runner_events_text, "\n", -1);
  runner_events = g_ptr_array_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_ptr_array_add (runner_events, lines[i]);
  theirs = strip_times (runner_events);
  g_assert_cmpstr (ours, ==, theirs);

  /* The same run object builds both reports. */
  {
    json_t *report = sluice_run_build_report (sluice_run_session_get_run (session));
    json_t *runner_report = json_load_file (report_path, 0, NULL);

    g_assert_nonnull (runner_report);
    our_report = report_without_times (report);
    their_report = report_without_times (runner_report);
    json_decref (report);
    json_decref (runner_report);
  }
  g_assert_cmpstr (our_report, ==, their_report);
  g_string_free (our_out, TRUE);
  close_window (window);
}

/* Defect 6: the data preview and the outputs show what the runner
 * writes, numbers in their shortest exact form. */
static void
test_numbers_shortest (void)
{
  g_autofree char *path = write_tmp ("numbers.xml",
    "<pipeline format='1' id='numbers'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='half'><lua>item.half = item.a / 2</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceRunPanel *panel;
  SluiceRunSession *session;
  g_autofree char *preview = NULL;

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{\"a\": 1.4}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  session = sluice_window_get_run_session (window);
  g_assert_cmpstr (g_ptr_array_index (sluice_run_session_get_outputs (session), 0), ==,
                   "{\"a\":1.4,\"half\":0.7}");

  panel = sluice_window_get_run_panel (window);
  sluice_run_panel_set_module (panel, "half");
  preview = sluice_run_panel_dup_preview (panel);
  g_test_message ("%s", preview);
  g_assert_nonnull (strstr (preview, "1.4"));
  g_assert_nonnull (strstr (preview, "0.7"));
  g_assert_null (strstr (preview, "1.39999"));
  g_assert_null (strstr (preview, "0.69999"));
  close_window (window);
}

static void
test_choice_remembered (void)
{
  g_autofree char *path = write_tmp ("remember.xml",
    "<pipeline format='1' id='r'><parameters><parameter name='x' default='1'/></parameters>"
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='a'><lua>item.x = params.x</lua></execution>"
    "</phase></controller></pipeline>");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(SluiceRunChoice) loaded = NULL;
  g_autoptr(SluiceRunChoice) other = NULL;
  g_autoptr(GFile) other_file = g_file_new_for_path ("/nonexistent/other.xml");
  g_autofree char *line = NULL;

  choice->input = SLUICE_RUN_INPUT_FILE;
  choice->input_path = g_strdup ("/tmp/it's here.jsonl");
  g_hash_table_insert (choice->defines, g_strdup ("x"), g_strdup ("a b"));
  sluice_run_choice_save (choice, file);
  loaded = sluice_run_choice_load (file);
  g_assert_cmpint (loaded->input, ==, SLUICE_RUN_INPUT_FILE);
  g_assert_cmpstr (loaded->input_path, ==, "/tmp/it's here.jsonl");
  g_assert_cmpstr (g_hash_table_lookup (loaded->defines, "x"), ==, "a b");
  other = sluice_run_choice_load (other_file);
  g_assert_cmpint (other->input, ==, SLUICE_RUN_INPUT_TRIGGER);
  g_assert_cmpuint (g_hash_table_size (other->defines), ==, 0);

  line = sluice_run_choice_command_line (loaded, "/p/my pipe.xml");
  g_assert_cmpstr (line, ==, "sluice-run -D 'x=a b' -i '/tmp/it'\\''s here.jsonl' '/p/my pipe.xml'");
}

static gboolean
screenshot_ready (gpointer data)
{
  SluiceWindow *window = data;
  SluiceRunSession *session = sluice_window_get_run_session (window);
  SluiceModuleLive slow, check, prepare;

  if (session == NULL)
    return FALSE;
  slow = live_of (window, "slow-score");
  check = live_of (window, "check-price");
  prepare = live_of (window, "prepare");
  return slow.state == SLUICE_LIVE_RUNNING && check.state == SLUICE_LIVE_FAILED && prepare.state == SLUICE_LIVE_DONE;
}

static void
test_screenshot (void)
{
  g_autofree char *path = write_tmp ("screenshot.xml",
    "<pipeline format='1' id='demo' name='Live run'>"
    "<controller id='load' name='Load' mode='not-parallel'><phase id='load-p' name='Prepare'>"
    "<execution id='prepare' name='Prepare items'><lua>item.price = 100 + item.id</lua></execution>"
    "</phase></controller>"
    "<controller id='score' name='Score' mode='no-order' workers='2'><phase id='score-p' name='Check and score'>"
    "<execution id='check-price' name='Check price' on-error='drop'><lua>if item.id == 1 then error ('no quote for item 1') end</lua></execution>"
    "<execution id='slow-score' name='Score (slow)'><command>sleep 300; cat</command></execution>"
    "</phase></controller>"
    "<controller id='report' name='Report' mode='order-by-sequence' workers='2'><phase id='report-p' name='Report'>"
    "<execution id='write' name='Write report'><lua>item.done = true</lua></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GtkLabel *totals;

  test_app_trust (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = typed_items (4);
  sluice_window_run_with_choice (window, choice);
  /* Generous: on a loaded machine the command may start late. */
  g_assert_true (test_app_wait_for (screenshot_ready, window, 30000));
  sluice_canvas_select (sluice_window_get_canvas (window),
                        sluice_pipeline_find_node (pipeline_of (window), "check-price"), FALSE);
  test_app_spin (600);
  /* The panel's counts are not behind the canvas: the update its
   * throttle skipped while items went in is made up for, although the
   * run says nothing more while the slow command sleeps. */
  totals = GTK_LABEL (test_app_find_with_class (GTK_WIDGET (window), "run-totals"));
  g_assert_nonnull (totals);
  g_test_message ("totals: %s", gtk_label_get_text (totals));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (totals), "in 4 "));
  test_app_save_screenshot (window, tmp_dir, "live-run.png");
  /* The same run with the whole pipeline in view. */
  activate (window, "zoom-fit");
  test_app_spin (600);
  test_app_save_screenshot (window, tmp_dir, "live-run-fit.png");
  activate (window, "cancel");
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_CANCELLED);
  close_window (window);
}

static SluiceEndpointRow *
endpoint_row (GListModel *rows,
              const char *url)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(SluiceEndpointRow) row = g_list_model_get_item (rows, i);

      if (g_str_equal (sluice_endpoint_row_get_url (row), url))
        return row;
    }
  g_assert_not_reached ();
}

/* During a run the Services page shows each endpoint of the services the
 * external modules call: a live `sluice-run serve` is up and served the
 * items, a dead one is down with the calls that failed there. */
static void
test_services (void)
{
  g_autofree char *served_path = write_tmp ("served.xml",
    "<pipeline format='1' id='double'><controller id='c' mode='no-order'><phase id='p'>"
    "<execution id='twice'><lua>item.x = item.x * 2</lua></execution>"
    "</phase></controller></pipeline>");
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *url = test_app_start_serve (served_path, &server);
  const char *dead = "http://127.0.0.1:1/";
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='caller'><services><service name='double'>"
    "<endpoint url='%s'/><endpoint url='%s'/></service></services>"
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<external id='call' service='double' timeout='5s' retries='1'/>"
    "</phase></controller></pipeline>", url, dead);
  g_autofree char *path = write_tmp ("caller.xml", xml);
  SluiceWindow *window = open_window (path);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceRunPanel *panel = sluice_window_get_run_panel (window);
  GListModel *rows;

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{\"x\": 1}\n{\"x\": 2}\n{\"x\": 3}\n{\"x\": 4}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  test_app_spin (300);
  rows = sluice_run_panel_get_services (panel);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2);
  g_assert_cmpstr (sluice_endpoint_row_get_health (endpoint_row (rows, url)), ==, "up");
  g_assert_cmpuint (sluice_endpoint_row_get_served (endpoint_row (rows, url)), ==, 4);
  g_assert_cmpstr (sluice_endpoint_row_get_health (endpoint_row (rows, dead)), ==, "down");
  g_assert_cmpuint (sluice_endpoint_row_get_served (endpoint_row (rows, dead)), ==, 0);
  /* Its page is there to see: show it for the screenshot. */
  g_assert_true (sluice_run_panel_show_page (panel, "Services"));
  test_app_save_screenshot (window, tmp_dir, "services.png");

  /* The counts are the run's: a second run of two items shows 2, not 6
   * (the client, shared in the process, has served 6). */
  g_free (choice->typed);
  choice->typed = g_strdup ("{\"x\": 5}\n{\"x\": 6}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_cmpint (wait_final (window), ==, SLUICE_RUN_COMPLETED);
  test_app_spin (300);
  rows = sluice_run_panel_get_services (panel);
  g_assert_cmpuint (sluice_endpoint_row_get_served (endpoint_row (rows, url)), ==, 2);

  close_window (window);
  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, NULL));
}

/* A trust store that cannot be read is reported, not replaced by a new
 * one holding only the new hash (which would forget every file trusted
 * before). A link to itself cannot be read, even by root. */
static void
test_trust_store_unreadable (void)
{
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "sluice", "trusted", NULL);
  g_autofree char *kept = g_strconcat (store, ".kept", NULL);
  g_autofree char *target = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sluice_trust_remember ("first-hash", NULL));
  g_assert_cmpint (g_rename (store, kept), ==, 0);
  {
    g_autoptr(GFile) link = g_file_new_for_path (store);
    g_assert_true (g_file_make_symbolic_link (link, store, NULL, NULL));
  }

  g_assert_false (sluice_trust_remember ("second-hash", &error));
  g_assert_nonnull (error);
  target = g_file_read_link (store, NULL);
  g_assert_cmpstr (target, ==, store);

  g_assert_cmpint (g_unlink (store), ==, 0);
  g_assert_cmpint (g_rename (kept, store), ==, 0);
  g_assert_true (sluice_trust_is_trusted ("first-hash"));
  g_assert_false (sluice_trust_is_trusted ("second-hash"));
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* The trust store, remembered choices and drafts stay in here. */
  tmp_dir = test_app_setup_environment ("test-app-run");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-run/strategy", test_strategy);
  g_test_add_func ("/sluice/app-run/failing-gate", test_failing_gate);
  g_test_add_func ("/sluice/app-run/pause-resume", test_pause_resume);
  g_test_add_func ("/sluice/app-run/cancel-kills-children", test_cancel_kills);
  g_test_add_func ("/sluice/app-run/trust", test_trust);
  g_test_add_func ("/sluice/app-run/trust-store-unreadable", test_trust_store_unreadable);
  g_test_add_func ("/sluice/app-run/same-as-runner", test_same_as_runner);
  g_test_add_func ("/sluice/app-run/runs-before-panel", test_runs_before_panel);
  g_test_add_func ("/sluice/app-run/first-items-counted", test_first_items_counted);
  g_test_add_func ("/sluice/app-run/numbers-shortest", test_numbers_shortest);
  g_test_add_func ("/sluice/app-run/choice-remembered", test_choice_remembered);
  g_test_add_func ("/sluice/app-run/screenshot", test_screenshot);
  g_test_add_func ("/sluice/app-run/services", test_services);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
