/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-canvas-run-overlay.h"
#include "sluice-commands.h"
#include "sluice-inspector.h"
#include "sluice-run-panel.h"
#include "sluice-run-report-view.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* A gate in the designer: its checks as a table in the inspector (every
 * edit undoable, typing one step), problems named as the user types, and
 * each check's result drawn on the gate after a run. Under a display. */

static SluiceApplication *app;
static char *tmp_dir;

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

static SluiceGate *
gate_of (SluiceWindow *window,
         const char   *id)
{
  SluiceNode *node = sluice_pipeline_find_node (pipeline_of (window), id);

  g_assert_true (SLUICE_IS_GATE (node));
  return SLUICE_GATE (node);
}

static SluiceInspector *
inspector_of (SluiceWindow *window)
{
  return SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
}

static GtkWidget *
cell (SluiceWindow *window,
      const char   *key)
{
  GtkWidget *widget = sluice_inspector_get_row (inspector_of (window), key);

  if (widget == NULL)
    g_error ("no cell %s in the inspector", key);
  return widget;
}

static void
type_into (SluiceWindow *window,
           const char   *key,
           const char   *text)
{
  gtk_editable_set_text (GTK_EDITABLE (cell (window, key)), text);
  test_app_spin (20);
}

static void
action (SluiceWindow *window,
        const char   *name)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), name, NULL);
  test_app_spin (50);
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

static guint
problems_about (SluiceWindow *window,
                const char   *fragment)
{
  GListModel *problems = sluice_document_get_problems (sluice_window_get_document (window));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) problem = g_list_model_get_item (problems, i);

      if (strstr (sluice_problem_get_message (problem), fragment) != NULL)
        n++;
    }
  return n;
}

static gboolean
problems_settled (gpointer data)
{
  return problems_about (data, "is not a number") > 0;
}

/* The inspector's table: edit, add, remove, change an op; every step
 * undoes and redoes. */
static void
test_inspector_table (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  SluiceGate *gate = gate_of (window, "gate-historical");
  const SluiceGateCheck *check;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  sluice_canvas_select (sluice_window_get_canvas (window), SLUICE_NODE (gate), FALSE);
  test_app_spin (100);

  /* The table shows what the file says. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-0-name"))), ==, "Sharpe");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-0-threshold"))), ==, "${hist_min_sharpe}");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-0-value"))), ==, "item.historical.sharpe");
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (cell (window, "check-1-op"))), ==, 2);   /* <= */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-2-name"))), ==, "Win rate");
  g_assert_null (sluice_inspector_get_row (inspector_of (window), "check-3-name"));
  test_app_save_screenshot (window, tmp_dir, "gate-inspector.png");

  /* Typing a threshold, character by character, is one step. */
  type_into (window, "check-0-threshold", "1");
  type_into (window, "check-0-threshold", "1.");
  type_into (window, "check-0-threshold", "1.5");
  g_assert_cmpstr (sluice_gate_get_check (gate, 0)->threshold, ==, "1.5");
  action (window, "undo");
  g_assert_cmpstr (sluice_gate_get_check (gate, 0)->threshold, ==, "${hist_min_sharpe}");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-0-threshold"))), ==, "${hist_min_sharpe}");
  action (window, "redo");
  g_assert_cmpstr (sluice_gate_get_check (gate, 0)->threshold, ==, "1.5");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-0-threshold"))), ==, "1.5");

  /* A threshold that is no number is a problem at once, named. */
  type_into (window, "check-0-threshold", "abc");
  g_assert_true (test_app_wait_for (problems_settled, window, 5000));
  g_assert_cmpuint (problems_about (window, "check “Sharpe”: threshold “abc” is not a number"), ==, 1);
  action (window, "undo");
  test_app_spin (300);
  g_assert_cmpuint (problems_about (window, "is not a number"), ==, 0);

  /* Add a check: a fourth row, its name focused to be typed. */
  g_signal_emit_by_name (cell (window, "check-add"), "clicked");
  test_app_spin (50);
  g_assert_cmpuint (sluice_gate_get_n_checks (gate), ==, 4);
  g_assert_true (gtk_widget_has_focus (cell (window, "check-3-name")) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), cell (window, "check-3-name")));
  type_into (window, "check-3-name", "Trades");
  type_into (window, "check-3-value", "item.historical.trades");
  type_into (window, "check-3-threshold", "100");
  check = sluice_gate_get_check (gate, 3);
  g_assert_cmpstr (check->name, ==, "Trades");
  g_assert_cmpstr (check->value, ==, "item.historical.trades");
  g_assert_cmpstr (check->threshold, ==, "100");
  action (window, "undo");    /* the threshold */
  action (window, "undo");    /* the value */
  action (window, "undo");    /* the name */
  action (window, "undo");    /* the check */
  g_assert_cmpuint (sluice_gate_get_n_checks (gate), ==, 3);

  /* Remove the middle one; undo puts it back where it was. */
  g_signal_emit_by_name (cell (window, "check-1-remove"), "clicked");
  test_app_spin (50);
  g_assert_cmpuint (sluice_gate_get_n_checks (gate), ==, 2);
  g_assert_cmpstr (sluice_gate_get_check (gate, 1)->name, ==, "Win rate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cell (window, "check-1-name"))), ==, "Win rate");
  action (window, "undo");
  g_assert_cmpuint (sluice_gate_get_n_checks (gate), ==, 3);
  g_assert_cmpstr (sluice_gate_get_check (gate, 1)->name, ==, "Drawdown");

  /* "between" takes min and max: the threshold becomes the min. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (cell (window, "check-1-op")), 6);
  test_app_spin (50);
  check = sluice_gate_get_check (gate, 1);
  g_assert_cmpstr (check->op, ==, "between");
  g_assert_cmpstr (check->min, ==, "${hist_max_drawdown}");
  g_assert_null (check->threshold);
  type_into (window, "check-1-max", "0.5");
  g_assert_cmpstr (sluice_gate_get_check (gate, 1)->max, ==, "0.5");
  type_into (window, "check-1-min", "0");
  g_assert_cmpstr (sluice_gate_get_check (gate, 1)->min, ==, "0");
  test_app_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (sluice_document_get_problems (sluice_window_get_document (window))), ==, 0);
  action (window, "undo");
  action (window, "undo");
  action (window, "undo");
  check = sluice_gate_get_check (gate, 1);
  g_assert_cmpstr (check->op, ==, "<=");
  g_assert_cmpstr (check->threshold, ==, "${hist_max_drawdown}");
  g_assert_null (check->min);
  g_assert_null (check->max);

  /* Edits are saved: a relative check, written and read back. */
  type_into (window, "check-2-relative-to", "item.optimise.improvement");
  {
    g_autofree char *path = g_build_filename (tmp_dir, "edited.xml", NULL);
    g_autofree char *text = NULL;

    g_action_group_activate_action (G_ACTION_GROUP (window), "save-to", g_variant_new_string (path));
    test_app_spin (100);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "<check name=\"Win rate\" value=\"item.historical.win_rate\" "
                                    "relative-to=\"item.optimise.improvement\" op=\"&gt;=\" "
                                    "threshold=\"${hist_min_win_rate}\"/>"));
    g_assert_nonnull (strstr (text, "<check name=\"Sharpe\" value=\"item.historical.sharpe\" op=\"&gt;=\" threshold=\"1.5\"/>"));
  }
  close_window (window);
}

static gboolean
run_over (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static gboolean
report_shown (gpointer data)
{
  return sluice_run_report_view_get_verdict (data) != NULL;
}

/* After a run the canvas draws each check's result on its gate: the
 * pixels over the gate change, and the labels say pass or fail and by
 * how much. */
static void
test_canvas_results (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  SluiceNode *gate = SLUICE_NODE (gate_of (window, "gate-historical"));
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  g_autofree char *label = NULL;
  SluiceLayout *layout;
  const SluiceLayoutBox *box;
  graphene_point_t origin;
  double x0, y0, x1, y1;

  g_assert_true (sluice_trust_remember (hash, NULL));
  g_hash_table_insert (choice->defines, g_strdup ("hist_min_sharpe"), g_strdup ("2.5"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  test_app_spin (200);
  sluice_canvas_select (canvas, gate, FALSE);
  sluice_canvas_reveal (canvas, gate);
  test_app_spin (600);
  before = test_app_render (window);

  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  sluice_canvas_reveal (canvas, gate);
  test_app_spin (600);
  after = test_app_render (window);

  layout = sluice_canvas_get_layout (canvas);
  box = sluice_layout_get_box (layout, sluice_layout_find_node (layout, gate));
  /* The right end of the check lines, in window coordinates. */
  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas),
                             box->x + box->width - SLUICE_LAYOUT_CHECK_LINE * 4, box->y + SLUICE_LAYOUT_MODULE_HEIGHT - 6,
                             &x0, &y0);
  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas),
                             box->x + box->width, box->y + box->height, &x1, &y1);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (canvas), GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (0, 0), &origin));
  g_assert_true (test_app_textures_differ (before, after,
                                           &GRAPHENE_RECT_INIT (origin.x + x0, origin.y + y0, x1 - x0, y1 - y0)));

  label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 0);
  g_assert_cmpstr (label, ==, "✗ −0.693");
  g_clear_pointer (&label, g_free);
  label = sluice_canvas_run_overlay_dup_check_label (overlay, gate, 1);
  g_assert_cmpstr (label, ==, "✓ +0.0791");
  test_app_save_screenshot (window, tmp_dir, "gate-results.png");

  /* The Report page shows the report sluice-run writes: the verdict, the
   * failed check and by how much; it saves as one HTML page. */
  {
    SluiceRunReportView *view = sluice_run_panel_get_report_view (sluice_window_get_run_panel (window));
    GtkWidget *notebook = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_NOTEBOOK);
    g_autofree char *text = NULL;
    g_autofree char *html_path = g_build_filename (tmp_dir, "from-designer.html", NULL);
    g_autofree char *html = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (test_app_wait_for (report_shown, view, 5000));
    g_assert_cmpstr (sluice_run_report_view_get_verdict (view), ==, "reject");
    text = sluice_run_report_view_dup_text (view);
    g_test_message ("%s", text);
    g_assert_nonnull (strstr (text, "REJECT"));
    g_assert_nonnull (strstr (text, "“Sharpe” 1.8069 must be ≥ 2.5: missed by 0.6931"));
    g_assert_nonnull (strstr (text, "Rule: reject when failed"));
    g_assert_nonnull (strstr (text, "never ran"));
    g_assert_true (sluice_run_report_view_save (view, html_path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
    g_assert_nonnull (strstr (html, "<section class=\"verdict reject\""));
    gtk_notebook_set_current_page (GTK_NOTEBOOK (notebook),
                                   gtk_notebook_page_num (GTK_NOTEBOOK (notebook), GTK_WIDGET (view)));
    test_app_spin (300);
    test_app_save_screenshot (window, tmp_dir, "report-view.png");
  }
  close_window (window);
}

/* A gate from the palette, run as it comes: its one check reads a key
 * the item does not have, and the run says which. */
static void
test_missing_value (void)
{
  SluiceWindow *window = sluice_window_new (app);
  SluiceNode *module;
  g_autoptr(SluiceGateCheck) check = sluice_gate_check_new ("Score", "item.score", ">=", "1");
  g_autoptr(SluiceGate) gate = sluice_gate_new ("gate");
  g_autofree char *label = NULL;
  g_autofree char *hash = NULL;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (100);
  module = sluice_pipeline_find_node (pipeline_of (window), "module-1");
  g_assert_nonnull (module);
  sluice_gate_add_check (gate, check);
  sluice_document_push (sluice_window_get_document (window),
                        sluice_insert_command_new (sluice_node_get_parent (module),
                                                   sluice_phase_get_modules (SLUICE_PHASE (sluice_node_get_parent (module))),
                                                   1, SLUICE_NODE (gate)));
  hash = sluice_trust_hash (pipeline_of (window));
  g_assert_true (sluice_trust_remember (hash, NULL));
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_run_session_get_failed_module (sluice_window_get_run_session (window)), ==, "gate");
  label = sluice_canvas_run_overlay_dup_check_label (sluice_window_get_run_overlay (window), SLUICE_NODE (gate), 0);
  g_assert_cmpstr (label, ==, "✗ no value");
  close_window (window);
}

/* A report with thousands of warnings (every module of a big pipeline
 * that one item never reached) lists the first hundred and says how
 * many more the saved report holds, instead of a label each. */
static void
test_report_many_warnings (void)
{
  GtkWidget *view = g_object_ref_sink (sluice_run_report_view_new ());
  json_t *report = json_pack ("{s:s, s:[], s:{}, s:[]}", "verdict", "review", "stages", "consistency", "warnings");
  json_t *warnings = json_object_get (report, "warnings");
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "many-warnings.json", NULL);
  g_autofree char *saved = NULL;
  g_autoptr(GError) error = NULL;
  guint shown = 0;

  for (guint i = 0; i < 5000; i++)
    {
      char message[64];

      g_snprintf (message, sizeof message, "module “m%u” never ran", i);
      json_array_append_new (warnings, json_pack ("{s:s, s:s}", "kind", "never-ran", "message", message));
    }
  sluice_run_report_view_set_report (SLUICE_RUN_REPORT_VIEW (view), report);
  text = sluice_run_report_view_dup_text (SLUICE_RUN_REPORT_VIEW (view));
  for (const char *p = text; (p = strstr (p, "never ran")) != NULL; p++)
    shown++;
  g_assert_cmpuint (shown, ==, 100);
  g_assert_nonnull (strstr (text, "module “m99” never ran"));
  g_assert_null (strstr (text, "module “m100” never ran"));
  g_assert_nonnull (strstr (text, "… and 4900 more warnings"));
  /* The saved report has every one. */
  g_assert_true (sluice_run_report_view_save (SLUICE_RUN_REPORT_VIEW (view), path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "module “m4999” never ran"));
  json_decref (report);
  g_object_unref (view);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-gates");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-gates/inspector-table", test_inspector_table);
  g_test_add_func ("/sluice/app-gates/canvas-results", test_canvas_results);
  g_test_add_func ("/sluice/app-gates/missing-value", test_missing_value);
  g_test_add_func ("/sluice/app-gates/report-many-warnings", test_report_many_warnings);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
