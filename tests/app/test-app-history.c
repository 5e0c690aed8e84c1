/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* Run history in the designer (issue 13), under Xvfb: a run in the
 * designer and one of `sluice-run --journal` are both in the pipeline's
 * Runs page; opening the designer's run shows its final state on the
 * canvas; scrubbing to the middle of it draws each node as the recorded
 * events up to there say (and again after scrubbing back and forth);
 * two runs compared; a corrupt journal listed as unreadable with its
 * path; the gate's card shows its thresholds resolved. */

#include <glib/gstdio.h>
#include <sys/wait.h>
#include <string.h>

#include "test-app-common.h"
#include "sluice-history-keeper.h"
#include "sluice-trust.h"
#include "sluice-window-history.h"
#include "sluice-run-compare-window.h"
#include "sluice-canvas-private.h"
#include "sluice-window-run.h"
#include "sluice-run-panel.h"
#include "sluice-run-stages.h"
#include "sluice-server-settings.h"
#include "sluice-server-window.h"
#include "../runner/run-api-common.h"

static SluiceApplication *app;
static char *tmp_dir;


static gboolean
run_over (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

/* A copy of the strategy example in our own folder: its runs are ours. */
static char *
copy_strategy (const char *name)
{
  g_autofree char *source = test_app_example_path ("strategy.xml");
  g_autofree char *text = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
run_in_designer (SluiceWindow *window,
                 const char   *sharpe)
{
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));

  g_assert_true (sluice_trust_remember (hash, NULL));
  g_hash_table_insert (choice->defines, g_strdup ("hist_min_sharpe"), g_strdup (sharpe));
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_over, window, 30000));
  /* The final event is committed right after the final state. */
  test_app_spin (200);
}

static void
run_with_runner (const char *state_dir,
                 const char *pipeline,
                 const char *sharpe)
{
  g_autofree char *runner = g_build_filename (g_getenv ("SLUICE_BUILD_ROOT"), "src", "runner", "sluice-run", NULL);
  g_autofree char *define = g_strdup_printf ("hist_min_sharpe=%s", sharpe);
  g_autofree char *output = g_build_filename (tmp_dir, "runner-output.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  int status = -1;
  const char *argv[] = { runner, "--journal", "--state-dir", state_dir, "-q", "-D", define, "-o", output,
                         pipeline, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL) || WEXITSTATUS (status) == 1);
}

/* The state each module should show after the first @position events,
 * from the events alone: running while an item is in it; waiting once it
 * took items (failed if one failed there) until the run is over; then
 * done, failed (the module the run failed in) or skipped. A designer
 * run is recorded as sluice-run --journal records one: its modules'
 * counters sampled ("module-progress", which sets them) rather than one
 * event per item start and end. */
static const char *
expected_label (GPtrArray  *events,
                guint       position,
                const char *module)
{
  guint64 started = 0, finished = 0, failed = 0;
  const char *run = "pending", *failed_module = NULL;

  for (guint i = 0; i < position; i++)
    {
      json_t *event = g_ptr_array_index (events, i);
      const char *type = json_string_value (json_object_get (event, "event"));

      if (g_str_equal (type, "run-state"))
        {
          run = json_string_value (json_object_get (event, "state"));
          failed_module = json_string_value (json_object_get (event, "module"));
        }
      if (g_strcmp0 (json_string_value (json_object_get (event, "module")), module) != 0)
        continue;
      if (g_str_equal (type, "module-progress"))
        {
          started = json_integer_value (json_object_get (event, "items_in"));
          failed = json_integer_value (json_object_get (event, "failed"));
          finished = started - MIN (started, failed + json_integer_value (json_object_get (event, "active")));
          continue;
        }
      started += g_str_equal (type, "module-started");
      finished += g_str_equal (type, "module-finished");
      failed += g_str_equal (type, "module-failed");
    }
  if (g_str_equal (run, "failed") || g_str_equal (run, "completed"))
    {
      if (g_str_equal (run, "failed") && g_strcmp0 (failed_module, module) == 0)
        return "failed";
      return started > 0 ? "done" : "skipped";
    }
  if (started > finished + failed)
    return "running";
  if (started == 0)
    return "idle";
  return failed > 0 ? "failed" : "waiting";
}

static gboolean
collect_modules_cb (SluiceNode *node,
                    gpointer    user_data)
{
  if (SLUICE_IS_MODULE (node))
    g_ptr_array_add (user_data, node);
  return TRUE;
}

/* Every module node's drawn badge against the recorded events. */
static void
assert_nodes_match (SluiceWindow *window,
                    GPtrArray    *events,
                    guint         position)
{
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  g_autoptr(GPtrArray) modules = g_ptr_array_new ();
  guint checked = 0;

  sluice_pipeline_foreach_node (pipeline_of (window), collect_modules_cb, modules);
  for (guint i = 0; i < modules->len; i++)
    {
      SluiceNode *node = g_ptr_array_index (modules, i);
      g_autofree char *drawn = sluice_canvas_run_overlay_dup_label (overlay, node);
      const char *expected = expected_label (events, position, sluice_node_get_id (node));

      if (g_strcmp0 (drawn, expected) != 0)
        g_error ("at event %u of %u, module %s is drawn “%s”, the events say “%s”", position, events->len,
                 sluice_node_get_id (node), drawn, expected);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 8);
}

/* The first module of @controller in document order, and the last
 * module of its last phase (what leaves the stage). */
static void
stage_ends (SluicePipeline *pipeline,
            SluiceNode     *controller,
            const char    **first,
            const char    **last)
{
  GListModel *phases = sluice_controller_get_phases (SLUICE_CONTROLLER (controller));
  g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, g_list_model_get_n_items (phases) - 1);
  GListModel *modules = sluice_phase_get_modules (phase);
  g_autoptr(SluiceNode) module = g_list_model_get_item (modules, g_list_model_get_n_items (modules) - 1);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  sluice_pipeline_foreach_node (pipeline, collect_modules_cb, all);
  *first = NULL;
  for (guint i = 0; i < all->len && *first == NULL; i++)
    for (SluiceNode *up = g_ptr_array_index (all, i); up != NULL; up = sluice_node_get_parent (up))
      if (up == controller)
        {
          *first = sluice_node_get_id (g_ptr_array_index (all, i));
          break;
        }
  g_assert_nonnull (*first);
  *last = sluice_node_get_id (module);
}

/* The run panel during a replay at @position: its log holds the first
 * @position recorded events, the newest on top; its stages table counts
 * each stage's items in (its first module's starts) and out (its last
 * module's outputs) from those events. */
static void
assert_panel_matches (SluiceWindow *window,
                      GPtrArray    *events,
                      guint         position)
{
  SluiceRunPanel *panel = sluice_window_get_run_panel (window);
  SluiceRunSession *replay = sluice_runs_view_get_replay_session (sluice_window_get_runs_view (window));
  SluiceRunLog *log = sluice_run_session_get_log (replay);
  GListModel *stages = sluice_run_panel_get_stages (panel);
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
  GListModel *shown = sluice_run_panel_get_log_model (panel);
  guint visible = 0;

  g_assert_true (gtk_no_selection_get_model (GTK_NO_SELECTION (shown)) == G_LIST_MODEL (log));
  if (sluice_run_log_get_n_events (log) != position)
    g_error ("at event %u the log holds %u events", position, sluice_run_log_get_n_events (log));
  for (guint i = 0; i < position; i++)
    visible += g_strcmp0 (json_string_value (json_object_get (g_ptr_array_index (events, i), "event")),
                          "module-started") != 0;
  /* The panel shows info and above: every event but the starts. */
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, visible);
  if (position > 0)
    {
      g_autofree char *newest = sluice_run_log_dup_json (log, position - 1);
      json_t *logged = json_loads (newest, 0, NULL);
      json_t *recorded = g_ptr_array_index (events, position - 1);

      const char *type = json_string_value (json_object_get (recorded, "event"));

      /* A module's sampled counters are a line of its log. */
      g_assert_cmpstr (json_string_value (json_object_get (logged, "event")), ==,
                       g_str_equal (type, "module-progress") ? "log" : type);
      /* The log keeps no sequence numbers: its module and stage say it. */
      g_assert_cmpstr (json_string_value (json_object_get (logged, "module")), ==,
                       json_string_value (json_object_get (recorded, "module")));
      g_assert_cmpstr (json_string_value (json_object_get (logged, "controller")), ==,
                       json_string_value (json_object_get (recorded, "controller")));
      json_decref (logged);
    }

  g_assert_cmpuint (g_list_model_get_n_items (stages), ==, g_list_model_get_n_items (controllers));
  for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
    {
      g_autoptr(SluiceNode) controller = g_list_model_get_item (controllers, c);
      const char *first, *last;
      guint64 want_in = 0, want_out = 0, shown_in = G_MAXUINT64, shown_out = G_MAXUINT64;
      gboolean found = FALSE;

      stage_ends (pipeline_of (window), controller, &first, &last);
      for (guint i = 0; i < position; i++)
        {
          json_t *event = g_ptr_array_index (events, i);
          const char *type = json_string_value (json_object_get (event, "event"));
          const char *module = json_string_value (json_object_get (event, "module"));

          if (g_str_equal (type, "module-started") && g_strcmp0 (module, first) == 0)
            want_in++;
          if (g_str_equal (type, "module-finished") && g_strcmp0 (module, last) == 0)
            want_out += json_integer_value (json_object_get (event, "outputs"));
          /* A sample sets the counters. */
          if (g_str_equal (type, "module-progress") && g_strcmp0 (module, first) == 0)
            want_in = json_integer_value (json_object_get (event, "items_in"));
          if (g_str_equal (type, "module-progress") && g_strcmp0 (module, last) == 0)
            want_out = json_integer_value (json_object_get (event, "items_out"));
        }
      for (guint r = 0; r < g_list_model_get_n_items (stages) && !found; r++)
        {
          g_autoptr(SluiceStageRow) row = g_list_model_get_item (stages, r);

          if (g_strcmp0 (sluice_stage_row_get_label (row), sluice_node_get_label (controller)) != 0)
            continue;
          g_object_get (row, "items-in", &shown_in, "items-out", &shown_out, NULL);
          found = TRUE;
        }
      g_assert_true (found);
      if (shown_in != want_in || shown_out != want_out)
        g_error ("at event %u, stage %s shows in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT
                 ", the events say in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT, position,
                 sluice_node_get_id (controller), shown_in, shown_out, want_in, want_out);
    }
}

static guint
index_of_origin (SluiceRunsView *view,
                 const char     *origin)
{
  for (guint i = 0; i < sluice_runs_view_get_n_runs (view); i++)
    if (g_strcmp0 (sluice_runs_view_get_run (view, i)->origin, origin) == 0)
      return i;
  g_assert_not_reached ();
}

static void
save_window_png (GtkWidget  *window,
                 const char *name)
{
  const char *dir = g_getenv ("SLUICE_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : tmp_dir, name, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width, height;

  test_app_spin (300);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static void
test_history (void)
{
  g_autofree char *path = copy_strategy ("strategy.xml");
  g_autofree char *state_dir = g_build_filename (g_get_user_data_dir (), "sluice", "runs", NULL);
  SluiceWindow *window = test_app_open_window (app, path);
  SluiceRunsView *view = sluice_window_get_runs_view (window);
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  SluiceNode *gate = sluice_pipeline_find_node (pipeline_of (window), "gate-historical");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *row = NULL;
  g_autofree char *progression = NULL;
  g_autofree char *label = NULL;
  SluiceRunSession *replay;
  GtkStack *bottom;
  guint designer, n, middle;

  g_assert_nonnull (view);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  test_app_spin (200);

  /* One run from the designer (fails at the historical gate), one from
   * sluice-run --journal (passes), into the same state directory. */
  run_in_designer (window, "3");
  g_assert_nonnull (sluice_history_get_run_directory (sluice_window_get_run_session (window)));
  run_with_runner (state_dir, path, "1.0");

  bottom = GTK_STACK (gtk_widget_get_parent (GTK_WIDGET (view)));
  gtk_stack_set_visible_child_name (bottom, "runs");
  test_app_spin (200);
  g_assert_cmpuint (sluice_runs_view_get_n_runs (view), ==, 2);
  /* Newest first: the runner's. */
  g_assert_cmpstr (sluice_runs_view_get_run (view, 0)->origin, ==, "sluice-run");
  designer = index_of_origin (view, "designer");
  g_assert_cmpuint (designer, ==, 1);
  row = sluice_runs_view_dup_row_text (view, designer);
  g_test_message ("designer run: %s", row);
  g_assert_true (g_str_has_prefix (row, "failed | "));
  g_assert_nonnull (strstr (row, "Historical"));
  g_assert_nonnull (strstr (row, "“Sharpe”: 1.8069, must be ≥ 3: missed by 1.1931"));
  g_clear_pointer (&row, g_free);
  row = sluice_runs_view_dup_row_text (view, 0);
  g_assert_true (g_str_has_prefix (row, "completed | "));
  g_assert_nonnull (strstr (row, "Paper"));
  progression = sluice_runs_view_dup_progression_text (view);
  g_test_message ("%s", progression);
  g_assert_nonnull (strstr (progression, "Progression over 2 runs"));
  g_assert_nonnull (strstr (progression, "Historical back-test 1/2 (50 %)"));

  /* Open the designer's run: the canvas shows its final state. */
  g_assert_true (sluice_runs_view_open (view, designer, &error));
  g_assert_no_error (error);
  replay = sluice_runs_view_get_replay_session (view);
  g_assert_nonnull (replay);
  label = sluice_canvas_run_overlay_dup_label (overlay, gate);
  g_assert_cmpstr (label, ==, "failed");
  g_clear_pointer (&label, g_free);
  label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 0);
  g_assert_cmpstr (label, ==, "✗ −1.19");
  g_clear_pointer (&label, g_free);

  events = sluice_past_run_load_events (sluice_runs_view_get_run (view, designer), 0, NULL, &error);
  g_assert_no_error (error);
  n = events->len;
  assert_nodes_match (window, events, n);
  assert_panel_matches (window, events, n);

  /* The middle, forwards from the end (backwards), then from the start. */
  middle = n / 2;
  sluice_runs_view_seek (view, middle);
  test_app_spin (100);
  assert_nodes_match (window, events, middle);
  assert_panel_matches (window, events, middle);
  sluice_canvas_reveal (sluice_window_get_canvas (window), gate);
  test_app_save_screenshot (window, tmp_dir, "run-history-replay-middle.png");
  sluice_runs_view_seek (view, 0);
  assert_nodes_match (window, events, 0);
  assert_panel_matches (window, events, 0);
  for (guint p = 0; p <= n; p++)
    {
      sluice_runs_view_seek (view, p);
      assert_nodes_match (window, events, p);
      assert_panel_matches (window, events, p);
    }
  /* Back again, in jumps. */
  for (guint p = n + 1; p-- > 0;)
    if (p % 3 == 0 || p == n)
      {
        sluice_runs_view_seek (view, p);
        assert_panel_matches (window, events, p);
      }
  sluice_runs_view_seek (view, middle);
  assert_nodes_match (window, events, middle);
  assert_panel_matches (window, events, middle);

  /* Played at 100×: it ends at the end, the failed gate red again. */
  sluice_runs_view_play (view, 100);
  g_assert_true (sluice_runs_view_get_playing (view));
  for (guint waited = 0; sluice_runs_view_get_playing (view) && waited < 300; waited++)
    test_app_spin (100);
  g_assert_false (sluice_runs_view_get_playing (view));
  g_assert_cmpuint (sluice_run_replay_get_position (sluice_run_session_get_replay (replay)), ==, n);
  label = sluice_canvas_run_overlay_dup_label (overlay, gate);
  g_assert_cmpstr (label, ==, "failed");
  g_clear_pointer (&label, g_free);
  test_app_save_screenshot (window, tmp_dir, "run-history-replay-end.png");

  /* Closing the replay gives the canvas and the panel back to the
   * window's last run. */
  sluice_runs_view_close_replay (view);
  g_assert_null (sluice_runs_view_get_replay_session (view));
  g_assert_true (gtk_no_selection_get_model (GTK_NO_SELECTION (sluice_run_panel_get_log_model (sluice_window_get_run_panel (window)))) ==
                 G_LIST_MODEL (sluice_run_session_get_log (sluice_window_get_run_session (window))));

  /* The runner's run (sluice-run --journal, no --events) replays per
   * module from its samples: every module done at its end, idle at its
   * start, the gate's checks drawn. */
  g_assert_true (sluice_runs_view_open (view, 0, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) modules = g_ptr_array_new ();
    guint total = sluice_run_replay_get_n_events (sluice_run_session_get_replay (sluice_runs_view_get_replay_session (view)));

    sluice_pipeline_foreach_node (pipeline_of (window), collect_modules_cb, modules);
    for (guint pass = 0; pass < 2; pass++)
      {
        sluice_runs_view_seek (view, pass == 0 ? total : 0);
        for (guint i = 0; i < modules->len; i++)
          {
            SluiceNode *node = g_ptr_array_index (modules, i);
            g_autofree char *drawn = sluice_canvas_run_overlay_dup_label (overlay, node);

            if (g_strcmp0 (drawn, pass == 0 ? "done" : "idle") != 0)
              g_error ("the runner's run at event %u: module %s is drawn “%s”", pass == 0 ? total : 0,
                       sluice_node_get_id (node), drawn);
          }
      }
    sluice_runs_view_seek (view, total);
    g_clear_pointer (&label, g_free);
    label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 0);
    g_assert_cmpstr (label, ==, "✓ +0.807");
  }
  sluice_runs_view_close_replay (view);

  /* Compare: the same file, the historical stage passed by one only. */
  {
    GtkWidget *compare = sluice_runs_view_compare (view, 0, 1);
    g_autofree char *text = sluice_run_compare_window_dup_text (compare);

    g_test_message ("%s", text);
    g_assert_nonnull (strstr (text, "Unchanged between the two runs"));
    g_assert_nonnull (strstr (text, "Historical back-test | 1 in → 0 out | 1 in → 1 out"));
    g_assert_nonnull (strstr (text, "Paper trade | not reached | 1 in → 1 out"));
    /* The runner's run (no --events) has its checks from its samples. */
    g_assert_nonnull (strstr (text, "Back-test thresholds: Sharpe | ✗ 1.807 (>= 3) −1.193 | ✓ 1.807 (>= 1) +0.8069"));
    gtk_window_set_default_size (GTK_WINDOW (compare), 900, 640);
    save_window_png (compare, "run-history-compare.png");
    gtk_window_destroy (GTK_WINDOW (compare));
  }

  /* A corrupt journal beside them: listed, unreadable, with its path. */
  {
    g_autofree char *bad = g_build_filename (state_dir, "20990101T000000Z-deadbeef", NULL);
    g_autofree char *journal = g_build_filename (bad, "journal.sqlite", NULL);
    g_autofree char *bad_row = NULL;

    g_assert_cmpint (g_mkdir_with_parents (bad, 0755), ==, 0);
    g_assert_true (g_file_set_contents (journal, "SQLite format 3\0garbage garbage garbage", 40, NULL));
    sluice_runs_view_refresh (view);
    g_assert_cmpuint (sluice_runs_view_get_n_runs (view), ==, 3);
    bad_row = sluice_runs_view_dup_row_text (view, 0);
    g_assert_nonnull (sluice_runs_view_get_run (view, 0)->error);
    g_test_message ("%s", bad_row);
    g_assert_true (g_str_has_prefix (bad_row, "unreadable | "));
    g_assert_nonnull (strstr (bad_row, journal));
    g_assert_false (sluice_runs_view_open (view, 0, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    test_app_save_screenshot (window, tmp_dir, "run-history-list.png");
  }

  /* The file edited by hand, run again: the comparison with the
   * runner's first run says the file changed and shows the line. */
  {
    g_autofree char *text = NULL;
    g_autofree char *shown = NULL;
    g_autoptr(GString) edited = NULL;
    GtkWidget *compare;

    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    edited = g_string_new (text);
    g_assert_cmpuint (g_string_replace (edited, "name=\"hist_min_sharpe\" default=\"1.0\"",
                                        "name=\"hist_min_sharpe\" default=\"1.2\"", 1), ==, 1);
    g_assert_true (g_file_set_contents (path, edited->str, edited->len, NULL));
    run_with_runner (state_dir, path, "1.2");
    sluice_runs_view_refresh (view);
    g_assert_cmpuint (sluice_runs_view_get_n_runs (view), ==, 4);
    /* 0: the new run, 1: the corrupt one, 2: the first runner run. */
    g_assert_cmpstr (sluice_runs_view_get_run (view, 2)->origin, ==, "sluice-run");
    g_assert_null (sluice_runs_view_compare (view, 0, 1));
    compare = sluice_runs_view_compare (view, 0, 2);
    shown = sluice_run_compare_window_dup_text (compare);
    g_test_message ("%s", shown);
    g_assert_nonnull (strstr (shown, "Changed between the two runs"));
    g_assert_nonnull (strstr (shown, "- "));
    g_assert_nonnull (strstr (shown, "default=\"1.0\""));
    g_assert_nonnull (strstr (shown, "default=\"1.2\""));
    save_window_png (compare, "run-history-compare-changed.png");
    gtk_window_destroy (GTK_WINDOW (compare));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (100);
}

/* The server's runs in the Runs page. */

#define TOKEN "history-token"

typedef struct
{
  SluiceRunsView *view;
  guint           n_runs;
  const char     *status;
} ServerWait;

static gboolean
server_listed (gpointer data)
{
  ServerWait *wait = data;
  const char *status = sluice_runs_view_get_server_status (wait->view);

  return !sluice_runs_view_get_server_listing (wait->view) && status != NULL &&
         (wait->status == NULL || strstr (status, wait->status) != NULL) &&
         (wait->n_runs == 0 || sluice_runs_view_get_n_runs (wait->view) == wait->n_runs);
}

static void
wait_server (SluiceRunsView *view,
             guint           n_runs,
             const char     *status)
{
  ServerWait wait = { view, n_runs, status };

  if (!test_app_wait_for (server_listed, &wait, 60000))
    g_error ("the Runs page says “%s” with %u runs; waited for “%s” and %u runs",
             sluice_runs_view_get_server_status (view), sluice_runs_view_get_n_runs (view),
             status != NULL ? status : "", n_runs);
}

static gboolean
server_connected (gpointer data)
{
  return sluice_server_window_get_connected (data);
}

static gboolean
replay_open (gpointer data)
{
  return sluice_runs_view_get_replay_session (data) != NULL;
}

static guint
index_of_run (SluiceRunsView *view,
              const char     *run_id)
{
  for (guint i = 0; i < sluice_runs_view_get_n_runs (view); i++)
    if (g_strcmp0 (sluice_runs_view_get_run (view, i)->run_id, run_id) == 0)
      return i;
  g_error ("run %s is not listed", run_id);
}

/* A server that lies about this pipeline's runs: a run id that would
 * lead out of the path, events that are not JSON, events larger than
 * anything read, a state that is none, and a run of another pipeline. */
static void
liar_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  static const char runs[] =
    "{\"runs\": ["
    "{\"id\": \"../../x\", \"pipeline_id\": \"strategy\", \"state\": \"failed\"},"
    "{\"id\": \"r-badjson\", \"pipeline_id\": \"strategy\", \"state\": \"completed\", \"created\": \"2030-01-01T00:00:01Z\"},"
    "{\"id\": \"r-huge\", \"pipeline_id\": \"strategy\", \"state\": \"completed\", \"created\": \"2030-01-01T00:00:02Z\"},"
    "{\"id\": \"r-exploded\", \"pipeline_id\": \"strategy\", \"state\": \"exploded\"},"
    "{\"id\": \"r-chunked\", \"pipeline_id\": \"strategy\", \"state\": \"completed\", \"created\": \"2030-01-01T00:00:03Z\"},"
    "{\"id\": \"r-other\", \"pipeline_id\": \"other\", \"state\": \"completed\"},"
    "17]}";
  static const char bad[] = "[{\"event\": \"run-state\", \"state\": \"running\"}, {oops";
  const char *text = user_data;

  soup_server_message_set_status (msg, 200, NULL);
  if (g_str_equal (path, "/runs"))
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, runs, strlen (runs));
  else if (g_str_has_suffix (path, "/pipeline"))
    soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY, text, strlen (text));
  else if (g_str_equal (path, "/runs/r-badjson/events"))
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, bad, strlen (bad));
  else if (g_str_equal (path, "/runs/r-huge/events"))
    {
      gsize size = SLUICE_SERVER_RUNS_MAX_EVENT_BYTES + 1024;
      char *huge = g_malloc (size);

      memset (huge, ' ', size);
      huge[0] = '[';
      huge[size - 1] = ']';
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, huge, size);
    }
  else if (g_str_equal (path, "/runs/r-chunked/events"))
    {
      /* No length said: only reading tells how much there is. */
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      char *chunk = g_malloc (1024 * 1024);

      memset (chunk, ' ', 1024 * 1024);
      chunk[0] = '[';
      soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg), SOUP_ENCODING_CHUNKED);
      soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, 1024 * 1024);
      chunk[0] = ' ';
      for (guint i = 1; i < SLUICE_SERVER_RUNS_MAX_EVENT_BYTES / (1024 * 1024) + 2; i++)
        soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, 1024 * 1024);
      soup_message_body_complete (body);
      g_free (chunk);
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static char *
run_on_daemon (SoupSession *session,
               Daemon      *daemon,
               const char  *sharpe)
{
  g_autofree char *body = g_strdup_printf ("{\"pipeline\": \"strategy.xml\", \"start\": true,"
                                           " \"parameters\": {\"hist_min_sharpe\": \"%s\"}}", sharpe);
  char *id = api_create (session, daemon, body, TOKEN);
  g_autofree char *state = api_wait_final (session, daemon, id, TOKEN, 120);

  g_assert_cmpstr (state, ==, g_str_equal (sharpe, "3") ? "failed" : "completed");
  return id;
}

static void
test_server_runs (void)
{
  g_autofree char *root = g_build_filename (tmp_dir, "served", NULL);
  g_autofree char *daemon_state = g_build_filename (tmp_dir, "daemon-state", NULL);
  /* Its own state directory: the first case left a corrupt journal in
   * the default one, listed for every pipeline. */
  g_autofree char *state_dir = g_build_filename (tmp_dir, "server-case-runs", NULL);
  g_autofree char *source = test_app_example_path ("strategy.xml");
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *failed_id = NULL;
  g_autofree char *passed_id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *row = NULL;
  g_autoptr(Daemon) daemon = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const char *extra[] = { "--token-file", NULL, NULL };
  SluiceServerWindow *server_window;
  SluiceWindow *window;
  SluiceRunsView *view;
  SluiceNode *gate;
  const SluicePastRun *run;
  g_autofree char *label = NULL;
  guint failed, local, n;

  /* The daemon serves the very file the designer opens. */
  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  path = write_file (root, "strategy.xml", text);
  token_file = write_file (tmp_dir, "history-token", TOKEN "\n");
  extra[1] = token_file;
  daemon = daemon_start (daemon_state, root, extra);
  failed_id = run_on_daemon (session, daemon, "3");
  passed_id = run_on_daemon (session, daemon, "1.0");
  run_with_runner (state_dir, path, "1.0");

  window = test_app_open_window (app, path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  sluice_window_history_set_state_dir (window, state_dir);
  view = sluice_window_get_runs_view (window);
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_parent (GTK_WIDGET (view))), "runs");
  test_app_spin (200);
  /* Not connected: the journal's run only, nothing about a server. */
  g_assert_cmpuint (sluice_runs_view_get_n_runs (view), ==, 1);
  g_assert_null (sluice_runs_view_get_server_status (view));

  /* Main menu → Server…: connected, the Runs page lists its runs too. */
  server_window = sluice_server_window_new (app);
  gtk_window_present (GTK_WINDOW (server_window));
  sluice_server_window_connect (server_window, daemon->url, TOKEN);
  g_assert_true (test_app_wait_for (server_connected, server_window, 30000));
  expected = g_strdup_printf ("2 runs of this pipeline on %s", daemon->url);
  wait_server (view, 3, expected);
  failed = index_of_run (view, failed_id);
  run = sluice_runs_view_get_run (view, failed);
  g_assert_cmpstr (run->server_url, ==, daemon->url);
  g_assert_true (run->file_matches);
  row = sluice_runs_view_dup_row_text (view, failed);
  g_test_message ("%s", row);
  g_assert_true (g_str_has_prefix (row, "failed | "));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("server %s, same file", daemon->url);
  g_assert_nonnull (strstr (row, expected));
  g_assert_nonnull (strstr (row, "“Sharpe”: 1.8069, must be ≥ 3: missed by 1.1931"));
  local = index_of_origin (view, "sluice-run");
  /* Newest first: the journal's run came last. */
  g_assert_cmpuint (local, ==, 0);

  /* Open the failed server run: fetched, then replayed like a local one. */
  g_assert_true (sluice_runs_view_open (view, failed, &error));
  g_assert_no_error (error);
  g_assert_true (test_app_wait_for (replay_open, view, 60000));
  gate = sluice_pipeline_find_node (pipeline_of (window), "gate-historical");
  label = sluice_canvas_run_overlay_dup_label (sluice_window_get_run_overlay (window), gate);
  g_assert_cmpstr (label, ==, "failed");
  run = sluice_runs_view_get_run (view, index_of_run (view, failed_id));
  events = sluice_past_run_load_events (run, 0, NULL, &error);
  g_assert_no_error (error);
  n = events->len;
  g_assert_cmpuint (n, >=, 10);
  g_assert_cmpstr (run->stage_reached, ==, "historical");
  assert_nodes_match (window, events, n);
  assert_panel_matches (window, events, n);
  for (guint p = 0; p <= n; p += 3)
    {
      sluice_runs_view_seek (view, p);
      assert_nodes_match (window, events, p);
      assert_panel_matches (window, events, p);
    }
  sluice_runs_view_seek (view, n / 2);
  assert_nodes_match (window, events, n / 2);
  test_app_save_screenshot (window, tmp_dir, "run-history-server-replay.png");
  sluice_runs_view_play (view, 100);
  for (guint waited = 0; sluice_runs_view_get_playing (view) && waited < 300; waited++)
    test_app_spin (100);
  g_assert_cmpuint (sluice_run_replay_get_position (sluice_run_session_get_replay (sluice_runs_view_get_replay_session (view))), ==, n);

  /* Compared with the journal's passing run, as two local ones are. */
  {
    GtkWidget *compare = sluice_runs_view_compare (view, index_of_run (view, failed_id), local);
    g_autofree char *shown = NULL;

    g_assert_nonnull (compare);
    shown = sluice_run_compare_window_dup_text (compare);
    g_test_message ("%s", shown);
    g_assert_nonnull (strstr (shown, "Unchanged between the two runs"));
    g_assert_nonnull (strstr (shown, "Historical back-test | 1 in → 0 out | 1 in → 1 out"));
    g_assert_nonnull (strstr (shown, "Back-test thresholds: Sharpe | ✗ 1.807 (>= 3) −1.193 | ✓ 1.807 (>= 1) +0.8069"));
    gtk_window_destroy (GTK_WINDOW (compare));
  }
  /* The passing server run was not opened: not compared yet, and said so. */
  g_assert_null (sluice_runs_view_compare (view, index_of_run (view, passed_id), local));
  g_assert_nonnull (strstr (sluice_runs_view_get_server_status (view), "Open run"));
  sluice_runs_view_close_replay (view);

  /* The file edited: the server's runs ran another version of it. */
  {
    g_autoptr(GString) edited = g_string_new (text);

    g_string_replace (edited, "</pipeline>", "<!-- edited --></pipeline>", 1);
    g_assert_true (g_file_set_contents (path, edited->str, edited->len, NULL));
    sluice_runs_view_refresh (view);
    wait_server (view, 3, "2 runs of this pipeline");
    g_clear_pointer (&row, g_free);
    row = sluice_runs_view_dup_row_text (view, index_of_run (view, passed_id));
    g_assert_nonnull (strstr (row, "another version of the file"));
  }

  /* Nothing listening any more on a port: the local list stays. */
  {
    g_autoptr(SoupServer) gone = soup_server_new (NULL, NULL);
    g_autoptr(GSList) uris = NULL;
    g_autofree char *url = NULL;
    g_autoptr(SluiceRunClient) client = NULL;

    g_assert_true (soup_server_listen_local (gone, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
    uris = soup_server_get_uris (gone);
    url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
    soup_server_disconnect (gone);
    client = sluice_run_client_new (url, NULL, &error);
    sluice_runs_view_set_server (view, client);
    wait_server (view, 1, "not listed");
    g_test_message ("%s", sluice_runs_view_get_server_status (view));
    g_assert_nonnull (strstr (sluice_runs_view_get_server_status (view), url));
    g_assert_cmpstr (sluice_runs_view_get_run (view, 0)->origin, ==, "sluice-run");
  }

  /* A server that lies: every lie said with its URL, the local run
   * still listed and opened. */
  {
    g_autoptr(SoupServer) liar = soup_server_new (NULL, NULL);
    g_autoptr(GSList) uris = NULL;
    g_autofree char *url = NULL;
    g_autoptr(SluiceRunClient) client = NULL;
    const SluicePastRun *bad;
    guint index;

    soup_server_add_handler (liar, NULL, liar_cb, text, NULL);
    g_assert_true (soup_server_listen_local (liar, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
    uris = soup_server_get_uris (liar);
    url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
    client = sluice_run_client_new (url, NULL, &error);
    sluice_runs_view_set_server (view, client);
    /* The local run, "../../x", r-badjson, r-huge, r-exploded, r-chunked;
     * not r-other. */
    wait_server (view, 6, "5 runs of this pipeline");

    index = index_of_run (view, "../../x");
    bad = sluice_runs_view_get_run (view, index);
    g_assert_nonnull (bad->error);
    g_assert_nonnull (strstr (bad->error, url));
    g_clear_pointer (&row, g_free);
    row = sluice_runs_view_dup_row_text (view, index);
    g_assert_true (g_str_has_prefix (row, "unreadable | "));
    g_assert_false (sluice_runs_view_open (view, index, &error));
    g_assert_nonnull (strstr (error->message, url));
    g_clear_error (&error);
    g_assert_nonnull (strstr (sluice_runs_view_get_run (view, index_of_run (view, "r-exploded"))->error, "exploded"));

    g_assert_true (sluice_runs_view_open (view, index_of_run (view, "r-badjson"), &error));
    wait_server (view, 0, "not replayed");
    g_test_message ("%s", sluice_runs_view_get_server_status (view));
    g_clear_pointer (&expected, g_free);
    expected = g_strdup_printf ("%s/runs/r-badjson/events: the events are not JSON", url);
    g_assert_nonnull (strstr (sluice_runs_view_get_server_status (view), expected));
    g_assert_null (sluice_runs_view_get_replay_session (view));

    g_assert_true (sluice_runs_view_open (view, index_of_run (view, "r-huge"), &error));
    wait_server (view, 0, "larger than");
    g_test_message ("%s", sluice_runs_view_get_server_status (view));
    g_clear_pointer (&expected, g_free);
    expected = g_strdup_printf ("%s/runs/r-huge/events: the answer is larger than 64", url);
    g_assert_nonnull (strstr (sluice_runs_view_get_server_status (view), expected));

    g_assert_true (sluice_runs_view_open (view, index_of_run (view, "r-chunked"), &error));
    wait_server (view, 0, "r-chunked not replayed");
    g_clear_pointer (&expected, g_free);
    expected = g_strdup_printf ("%s/runs/r-chunked/events: the answer is larger than 64", url);
    g_assert_nonnull (strstr (sluice_runs_view_get_server_status (view), expected));

    /* The journal's run still opens. */
    g_assert_true (sluice_runs_view_open (view, index_of_origin (view, "sluice-run"), &error));
    g_assert_no_error (error);
    g_assert_nonnull (sluice_runs_view_get_replay_session (view));
    test_app_save_screenshot (window, tmp_dir, "run-history-server-liar.png");
    sluice_runs_view_close_replay (view);
    sluice_runs_view_set_server (view, NULL);
  }

  sluice_server_settings_set_url (sluice_application_get_settings (app), NULL);
  gtk_window_destroy (GTK_WINDOW (server_window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (100);
}

/* The gate's card shows its thresholds resolved, not as written; a
 * reference to an unknown parameter stays as written. */
static void
test_gate_thresholds (void)
{
  g_autofree char *path = copy_strategy ("thresholds.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluiceGate *gate = SLUICE_GATE (sluice_pipeline_find_node (pipeline_of (window), "gate-historical"));
  SluiceGate *replay = SLUICE_GATE (sluice_pipeline_find_node (pipeline_of (window), "gate-replay"));
  g_autofree char *sharpe = sluice_canvas_dup_check_line (gate, 0);
  g_autofree char *drawdown = sluice_canvas_dup_check_line (gate, 1);
  g_autofree char *degradation = sluice_canvas_dup_check_line (replay, 2);
  g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *unknown = sluice_canvas_check_summary (sluice_gate_get_check (gate, 0), none);
  g_autofree char *written = sluice_canvas_check_summary (sluice_gate_get_check (gate, 0), NULL);

  g_assert_cmpstr (sharpe, ==, "Sharpe ≥ 1.0");
  g_assert_cmpstr (drawdown, ==, "Drawdown ≤ 0.25");
  g_assert_cmpstr (degradation, ==, "Degradation drop ≤ 0.20");
  g_assert_cmpstr (unknown, ==, "Sharpe ≥ ${hist_min_sharpe}");
  g_assert_cmpstr (written, ==, "Sharpe ≥ ${hist_min_sharpe}");
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The daemon of the server case is the build's sluice-run. */
  if (g_getenv ("SLUICE_RUN") == NULL && g_getenv ("SLUICE_BUILD_ROOT") != NULL)
    {
      g_autofree char *runner = g_build_filename (g_getenv ("SLUICE_BUILD_ROOT"), "src", "runner", "sluice-run", NULL);

      g_setenv ("SLUICE_RUN", runner, TRUE);
    }
  tmp_dir = test_app_setup_environment ("test-app-history");
  app = test_app_new ();
  g_test_add_func ("/sluice/app-history/runs-replay-compare", test_history);
  g_test_add_func ("/sluice/app-history/gate-thresholds", test_gate_thresholds);
  g_test_add_func ("/sluice/app-history/server-runs", test_server_runs);
  status = g_test_run ();
  g_object_unref (app);
  return status;
}
