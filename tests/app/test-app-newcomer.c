/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-inspector.h"
#include "sluice-palette.h"
#include "sluice-run-stages.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* What a newcomer looks for in the window: a gate in the palette (found
 * by the words they know), how many nodes a search found, and what
 * several selected nodes are. Under a display (xvfb-run). */

static SluiceApplication *app;
static char *tmp_dir;

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

static SluiceNode *
find_node (SluiceWindow *window,
           const char   *id)
{
  return sluice_pipeline_find_node (pipeline_of (window), id);
}

static gboolean
run_over (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The palette finds a gate by the words a newcomer uses, says so when
 * nothing matches, and the gate it adds fails the run when its check is
 * false. */
static void
test_palette_gate (void)
{
  static const char *words[] = { "gate", "threshold", "check", "Gate" };
  SluiceWindow *window = sluice_window_new (app);
  SluicePalette *palette;
  GtkWidget *row, *no_results;
  SluiceNode *gate;
  const SluiceGateCheck *check;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (100);
  palette = SLUICE_PALETTE (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_PALETTE));
  no_results = find_named (GTK_WIDGET (palette), "palette-no-results");
  g_assert_nonnull (no_results);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      sluice_palette_set_search (palette, words[i]);
      row = sluice_palette_get_first_visible (palette);
      g_assert_nonnull (row);
      g_assert_cmpstr (g_object_get_data (G_OBJECT (row), "kind"), ==, "gate");
    }
  test_app_spin (50);
  g_assert_false (gtk_widget_get_mapped (no_results));

  sluice_palette_set_search (palette, "zzzz-nothing");
  g_assert_cmpuint (sluice_palette_count_visible (palette), ==, 0);
  test_app_spin (50);
  g_assert_true (gtk_widget_get_mapped (no_results));

  /* Double-click (activate) it after the module of the new window. */
  sluice_palette_set_search (palette, "threshold");
  sluice_canvas_select (sluice_window_get_canvas (window), find_node (window, "module-1"), FALSE);
  g_signal_emit_by_name (sluice_palette_get_first_visible (palette), "activate");
  test_app_spin (50);
  gate = sluice_canvas_get_focus_node (sluice_window_get_canvas (window));
  g_assert_true (SLUICE_IS_GATE (gate));
  g_assert_cmpstr (sluice_node_get_name (gate), ==, "Gate");
  /* One check to start from, which validates. */
  g_assert_cmpuint (sluice_gate_get_n_checks (SLUICE_GATE (gate)), ==, 1);
  check = sluice_gate_get_check (SLUICE_GATE (gate), 0);
  g_assert_cmpstr (check->value, ==, "item.score");
  g_assert_cmpstr (check->op, ==, ">=");
  g_assert_cmpuint (g_list_model_get_n_items (sluice_document_get_problems (sluice_window_get_document (window))), ==, 0);
  close_window (window);
}

/* Find says which match it shows and how many there are. */
static void
test_find_count (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  GtkWidget *bar = test_app_find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_BAR);
  GtkWidget *entry = test_app_find_widget (bar, GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *count = gtk_widget_get_next_sibling (entry);

  g_action_group_activate_action (G_ACTION_GROUP (window), "find", NULL);
  g_assert_true (GTK_IS_LABEL (count));
  /* The four gates of the example. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "gate-");
  test_app_spin (300);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "1 of 4");
  /* Every match is highlighted, not only the selected one. */
  g_assert_cmpuint (sluice_canvas_get_highlights (sluice_window_get_canvas (window))->len, ==, 4);
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "2 of 4");
  gtk_editable_set_text (GTK_EDITABLE (entry), "no such node");
  test_app_spin (300);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (count)), ==, "No matches");
  g_assert_cmpuint (sluice_canvas_get_highlights (sluice_window_get_canvas (window))->len, ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "gate-");
  test_app_spin (300);
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (bar), FALSE);
  g_assert_cmpuint (sluice_canvas_get_highlights (sluice_window_get_canvas (window))->len, ==, 0);
  close_window (window);
}

/* Several selected: the inspector says how many and offers what can be
 * done to them together, not the last one's properties. */
static void
test_multi_select (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceInspector *inspector = SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
  GtkWidget *group;

  sluice_canvas_select (canvas, find_node (window, "run-optimiser"), FALSE);
  sluice_canvas_select (canvas, find_node (window, "run-backtest"), TRUE);
  sluice_canvas_select (canvas, find_node (window, "recommend"), TRUE);
  test_app_spin (50);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, 3);
  group = find_named (GTK_WIDGET (inspector), "multi-selection");
  g_assert_nonnull (group);
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)), ==, "3 selected");
  g_assert_null (sluice_inspector_get_row (inspector, "id"));

  /* Its Duplicate duplicates all three. */
  {
    GtkWidget *duplicate = NULL;
    guint before = 0, after = 0;
    GQueue queue = G_QUEUE_INIT;

    g_queue_push_tail (&queue, group);
    while (!g_queue_is_empty (&queue))
      {
        GtkWidget *w = g_queue_pop_head (&queue);

        if (GTK_IS_ACTIONABLE (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), "win.duplicate") == 0)
          duplicate = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_queue_push_tail (&queue, c);
      }
    g_assert_nonnull (duplicate);
    for (guint i = 0; i < 3; i++)
      before += sluice_pipeline_find_node (pipeline_of (window), (const char *[]) { "run-optimiser-2", "run-backtest-2", "recommend-2" }[i]) != NULL;
    g_signal_emit_by_name (duplicate, "activate");
    test_app_spin (50);
    for (guint i = 0; i < 3; i++)
      after += sluice_pipeline_find_node (pipeline_of (window), (const char *[]) { "run-optimiser-2", "run-backtest-2", "recommend-2" }[i]) != NULL;
    g_assert_cmpuint (before, ==, 0);
    g_assert_cmpuint (after, ==, 3);
  }

  /* One again: its properties. */
  sluice_canvas_select (canvas, find_node (window, "recommend"), FALSE);
  test_app_spin (50);
  g_assert_null (find_named (GTK_WIDGET (inspector), "multi-selection"));
  g_assert_nonnull (sluice_inspector_get_row (inspector, "id"));
  close_window (window);
}

/* Two stages, each with a condition that fails the run in its else
 * branch (how gates were drawn before <gate>). */
static char *
write_condition_pipeline (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"branches\" name=\"Branches\">\n"
    "  <parameters><parameter name=\"min\" default=\"1\"/></parameters>\n"
    "  <controller id=\"first\" name=\"First\"><phase id=\"first-phase\">\n"
    "    <execution id=\"score\"><lua>item.score = 2</lua></execution>\n"
    "    <condition id=\"gate-first\"><when>item.score >= 1</when>\n"
    "      <else><fail id=\"fail-first\">first: score below 1</fail></else></condition>\n"
    "  </phase></controller>\n"
    "  <controller id=\"second\" name=\"Second\"><phase id=\"second-phase\">\n"
    "    <condition id=\"gate-second\"><when>item.score >= tonumber (params.min)</when>\n"
    "      <else><fail id=\"fail-second\">second: score below min</fail></else></condition>\n"
    "  </phase></controller>\n"
    "</pipeline>\n";
  char *path = g_build_filename (tmp_dir, "branches.xml", NULL);

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  return path;
}

/* `When` is edited as Lua code, on several lines. */
static void
test_when_as_code (void)
{
  g_autofree char *example = write_condition_pipeline ();
  SluiceWindow *window = test_app_open_window (app, example);
  SluiceInspector *inspector = SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
  SluiceNode *gate = find_node (window, "gate-second");
  GtkWidget *row;
  GtkTextBuffer *buffer;
  const char *longer = "item.score >= tonumber (params.min)\n"
                       "  and item.score < 100";

  sluice_canvas_select (sluice_window_get_canvas (window), gate, FALSE);
  row = sluice_inspector_get_row (inspector, "expression");
  g_assert_true (GTK_SOURCE_IS_VIEW (row));
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (row));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer))), ==, "lua");
  gtk_text_buffer_set_text (buffer, longer, -1);
  g_assert_cmpstr (sluice_condition_get_expression (SLUICE_CONDITION (gate)), ==, longer);
  g_action_group_activate_action (G_ACTION_GROUP (window), "undo", NULL);
  g_assert_cmpstr (sluice_condition_get_expression (SLUICE_CONDITION (gate)), !=, longer);
  close_window (window);
}

/* Zoomed out to fit a large pipeline, every controller in view is still
 * named on the canvas; at a readable zoom the scene names them itself. */
static void
test_overview_labels (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceViewport far = { 0.2, -20, -20 };
  SluiceViewport near = { 1.0, 0, 0 };
  g_autoptr(GdkTexture) with = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  test_app_spin (100);
  sluice_canvas_set_viewport (canvas, &far);
  with = test_app_render (window);
  g_assert_cmpuint (sluice_canvas_get_overview_labels (canvas), ==,
                    g_list_model_get_n_items (sluice_pipeline_get_controllers (pipeline_of (window))));
  sluice_canvas_set_viewport (canvas, &near);
  g_clear_object (&with);
  with = test_app_render (window);
  g_assert_cmpuint (sluice_canvas_get_overview_labels (canvas), ==, 0);
  close_window (window);
}

static gboolean
panel_tall (gpointer data)
{
  return gtk_widget_get_height (GTK_WIDGET (sluice_window_get_run_panel (data))) >= 200;
}

/* In a run, each branch of a condition says how many items took it. */
static void
test_branch_taken (void)
{
  g_autofree char *example = write_condition_pipeline ();
  SluiceWindow *window = test_app_open_window (app, example);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  g_autofree char *passed = NULL;
  g_autofree char *passed_else = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *failed_then = NULL;

  g_assert_true (sluice_trust_remember (hash, NULL));
  g_hash_table_insert (choice->defines, g_strdup ("min"), g_strdup ("3"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  test_app_spin (200);
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_FAILED);

  /* The first stage's condition let the item through; the second's did not. */
  passed = sluice_canvas_run_overlay_dup_branch_label (overlay, find_node (window, "gate-first"), FALSE);
  passed_else = sluice_canvas_run_overlay_dup_branch_label (overlay, find_node (window, "gate-first"), TRUE);
  failed = sluice_canvas_run_overlay_dup_branch_label (overlay, find_node (window, "gate-second"), TRUE);
  failed_then = sluice_canvas_run_overlay_dup_branch_label (overlay, find_node (window, "gate-second"), FALSE);
  g_assert_cmpstr (passed, ==, "true · 1");
  g_assert_cmpstr (passed_else, ==, "false · 0");
  g_assert_cmpstr (failed, ==, "false · 1");
  g_assert_cmpstr (failed_then, ==, "true · 0");
  /* The stages are a table, in their order until sorted otherwise. */
  {
    GListModel *stages = sluice_run_panel_get_stages (sluice_window_get_run_panel (window));
    g_autoptr(SluiceStageRow) first = NULL;
    g_autoptr(SluiceStageRow) second = NULL;

    g_assert_nonnull (stages);
    g_assert_cmpuint (g_list_model_get_n_items (stages), ==, 2);
    first = g_list_model_get_item (stages, 0);
    second = g_list_model_get_item (stages, 1);
    g_assert_cmpstr (sluice_stage_row_get_label (first), ==, "First");
    g_assert_cmpstr (sluice_stage_row_get_gate (first), ==, "passed");
    g_assert_cmpstr (sluice_stage_row_get_label (second), ==, "Second");
    g_assert_cmpstr (sluice_stage_row_get_gate (second), ==, "gate failed");
  }
  /* The run panel opened tall enough to read (once laid out). */
  g_assert_true (test_app_wait_for (panel_tall, window, 5000));
  close_window (window);
}

/* After a run, each check of each gate shows its result on the canvas:
 * passed or failed, and by how much; the stages table says which gate
 * failed. */
static void
test_gate_results (void)
{
  g_autofree char *example = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, example);
  g_autofree char *hash = sluice_trust_hash (pipeline_of (window));
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  g_autofree char *improvement = NULL;
  g_autofree char *sharpe = NULL;
  g_autofree char *drawdown = NULL;
  g_autofree char *win_rate = NULL;
  g_autofree char *not_run = NULL;

  g_assert_true (sluice_trust_remember (hash, NULL));
  g_hash_table_insert (choice->defines, g_strdup ("hist_min_sharpe"), g_strdup ("2.5"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  test_app_spin (200);
  g_assert_null (sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-historical"), 0));
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_run_session_get_failed_module (sluice_window_get_run_session (window)), ==, "gate-historical");

  improvement = sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-improvement"), 0);
  sharpe = sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-historical"), 0);
  drawdown = sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-historical"), 1);
  win_rate = sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-historical"), 2);
  not_run = sluice_canvas_run_overlay_dup_check_label (overlay, find_node (window, "gate-replay"), 0);
  g_assert_cmpstr (improvement, ==, "✓ +0.115");
  g_assert_cmpstr (sharpe, ==, "✗ −0.693");
  g_assert_cmpstr (drawdown, ==, "✓ +0.0791");
  g_assert_cmpstr (win_rate, ==, "✓ +0.0949");
  g_assert_null (not_run);
  {
    GListModel *stages = sluice_run_panel_get_stages (sluice_window_get_run_panel (window));
    g_autoptr(SluiceStageRow) second = g_list_model_get_item (stages, 1);

    g_assert_cmpstr (sluice_stage_row_get_gate (second), ==, "gate failed");
  }

  /* What a failed gate looks like. */
  sluice_canvas_select (sluice_window_get_canvas (window), find_node (window, "gate-historical"), FALSE);
  sluice_canvas_reveal (sluice_window_get_canvas (window), find_node (window, "gate-historical"));
  test_app_spin (600);
  test_app_save_screenshot (window, tmp_dir, "failed-gate.png");
  close_window (window);
}

/* One thing a user does: a click, a double-click, a key, or typing into
 * one field. */
static guint actions;

static void
user_activate (SluiceWindow *window,
               const char   *name,
               GVariant     *param)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (window), name);

  g_assert_nonnull (action);
  g_assert_true (g_action_get_enabled (action));
  g_action_activate (action, param);
  actions++;
  test_app_spin (20);
}

/* A double-click on the palette entry of @kind (found by searching for
 * @words, typed into its search field). */
static SluiceNode *
user_add (SluiceWindow *window,
          const char   *words,
          const char   *kind)
{
  SluicePalette *palette = SLUICE_PALETTE (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_PALETTE));
  GtkWidget *row;

  sluice_palette_set_search (palette, words);
  actions++;
  row = sluice_palette_get_first_visible (palette);
  g_assert_nonnull (row);
  g_assert_cmpstr (g_object_get_data (G_OBJECT (row), "kind"), ==, kind);
  g_signal_emit_by_name (row, "activate");
  actions++;
  test_app_spin (30);
  return sluice_canvas_get_focus_node (sluice_window_get_canvas (window));
}

static void
user_type (SluiceWindow *window,
           const char   *row_key,
           const char   *text)
{
  SluiceInspector *inspector = SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
  GtkWidget *row = sluice_inspector_get_row (inspector, row_key);

  g_assert_nonnull (row);
  if (GTK_IS_TEXT_VIEW (row))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (row)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (row), text);
  actions++;
  test_app_spin (20);
}

/* The pipeline of seed 001 as a newcomer builds it from an empty window,
 * with the palette, the inspector and the keys only: four stages, each a
 * Lua step and a gate that fails the run when its threshold is missed;
 * saved, run, and run again with a gate that fails. */
static void
test_four_gated_stages (void)
{
  g_autofree char *path = NULL;
  SluiceWindow *window;
  SluiceRunSession *session;
  SluiceNode *controller = NULL;

  actions = 0;
  window = sluice_window_new (app);             /* Ctrl+N */
  actions++;
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (300);
  test_app_save_screenshot (window, tmp_dir, "empty-window.png");

  for (guint stage = 1; stage <= 4; stage++)
    {
      g_autofree char *name = g_strdup_printf ("Stage %u", stage);
      g_autofree char *threshold = g_strdup_printf ("%u", stage);
      SluiceNode *gate;

      if (stage == 1)
        {
          /* The new window's first module is the first step. */
          controller = find_node (window, "main");
          sluice_canvas_select (sluice_window_get_canvas (window), controller, FALSE);
          actions++;
          user_type (window, "name", name);
          sluice_canvas_select (sluice_window_get_canvas (window), find_node (window, "module-1"), FALSE);
          actions++;
        }
      else
        {
          controller = user_add (window, "one at a time", "controller:not-parallel");
          g_assert_true (SLUICE_IS_CONTROLLER (controller));
          user_type (window, "name", name);
          g_assert_true (SLUICE_IS_EXECUTION (user_add (window, "lua", "lua")));
        }
      user_type (window, "code", "item.score = (item.score or 0) + 1");
      gate = user_add (window, "threshold", "gate");
      g_assert_true (SLUICE_IS_GATE (gate));
      user_type (window, "check-0-threshold", threshold);
    }
  g_assert_cmpuint (g_list_model_get_n_items (sluice_pipeline_get_controllers (pipeline_of (window))), ==, 4);

  /* Ctrl+S, a name, Save: after the window has caught up with the last
   * edits (a loaded machine may still be laying the canvas out). */
  test_app_spin (500);
  path = g_build_filename (g_get_user_data_dir (), "strategy-by-a-newcomer.xml", NULL);
  /* The folder a user saves to exists (here it is only made on demand,
   * by drafts or the trust store, whichever comes first). */
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  user_activate (window, "save-to", g_variant_new_string (path));
  actions++;
  if (sluice_document_get_modified (sluice_window_get_document (window)))
    g_test_message ("still modified after saving; last message: %s",
                    sluice_window_get_last_message (window) ? sluice_window_get_last_message (window) : "(none)");
  g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
  g_assert_cmpuint (g_list_model_get_n_items (sluice_document_get_problems (sluice_window_get_document (window))), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (window), "zoom-fit", NULL);
  test_app_spin (500);
  test_app_save_screenshot (window, tmp_dir, "built-pipeline.png");

  /* F5: drawn here, it runs without asking; every gate passes. */
  user_activate (window, "run", NULL);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  session = sluice_window_get_run_session (window);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sluice_run_session_get_outputs (session), 0), ==, "{\"score\":4}");

  /* A stricter third gate: the run fails there. */
  sluice_canvas_select (sluice_window_get_canvas (window), find_node (window, "gate-3"), FALSE);
  actions++;
  user_type (window, "check-0-threshold", "10");
  user_activate (window, "run", NULL);
  g_assert_true (test_app_wait_for (run_over, window, 20000));
  session = sluice_window_get_run_session (window);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_run_session_get_failed_module (session), ==, "gate-3");
  g_test_message ("the newcomer's pipeline took %u actions", actions);
  g_assert_cmpuint (actions, <, 60);
  close_window (window);
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-newcomer");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-newcomer/palette-gate", test_palette_gate);
  g_test_add_func ("/sluice/app-newcomer/find-count", test_find_count);
  g_test_add_func ("/sluice/app-newcomer/multi-select", test_multi_select);
  g_test_add_func ("/sluice/app-newcomer/four-gated-stages", test_four_gated_stages);
  g_test_add_func ("/sluice/app-newcomer/when-as-code", test_when_as_code);
  g_test_add_func ("/sluice/app-newcomer/overview-labels", test_overview_labels);
  g_test_add_func ("/sluice/app-newcomer/branch-taken", test_branch_taken);
  g_test_add_func ("/sluice/app-newcomer/gate-results", test_gate_results);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
