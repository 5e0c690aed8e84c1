/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-canvas-run-overlay.h"
#include "sluice-core.h"
#include "sluice-inspector.h"
#include "sluice-run-dialog.h"
#include "sluice-run-session.h"
#include "sluice-tests-panel.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* Test cases in the designer, driven as a user would: rows activated in
 * the Tests panel, modules clicked on the canvas, entries typed into,
 * buttons clicked, Undo and Redo. Running the tests marks the failed
 * case's module on the canvas and shows the diff in the inspector; "Add
 * From Run" turns a run into a case that passes; every edit of a case is
 * one undoable step, saved and validated with its line. The far-out
 * stage states of a failed run are said in words. */

static SluiceApplication *app;
static char *tmp_dir;

static SluiceTestsPanel *
panel_of (SluiceWindow *window)
{
  return SLUICE_TESTS_PANEL (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_TESTS_PANEL));
}

static SluiceInspector *
inspector_of (SluiceWindow *window)
{
  return SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
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
  g_action_group_activate_action (G_ACTION_GROUP (window), name, NULL);
}

static gboolean
not_running (gpointer data)
{
  return !sluice_tests_panel_is_running (data);
}

static void
run_tests (SluiceWindow *window,
           guint         expect_passed,
           guint         expect_failed)
{
  SluiceTestsPanel *panel = panel_of (window);
  guint passed = 0, failed = 0;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "tests.run", NULL));
  g_assert_true (test_app_wait_for (not_running, panel, 60000));
  sluice_tests_panel_get_counts (panel, &passed, &failed);
  g_assert_cmpuint (passed, ==, expect_passed);
  g_assert_cmpuint (failed, ==, expect_failed);
}

/* Activates the panel's row of case @name, as a click does. */
static void
click_case (SluiceWindow *window,
            const char   *name)
{
  GtkListBox *list = GTK_LIST_BOX (test_app_find_widget (GTK_WIDGET (panel_of (window)), GTK_TYPE_LIST_BOX));
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline_of (window)));

  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      if (g_strcmp0 (sluice_test_case_get_name (test), name) == 0)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, (int) i);

          g_assert_nonnull (row);
          gtk_widget_activate (GTK_WIDGET (row));
          g_assert_true (gtk_list_box_get_selected_row (list) == row);
          g_assert_true (sluice_inspector_get_test_case (inspector_of (window)) == test);
          return;
        }
    }
  g_assert_not_reached ();
}

static GtkWidget *
row (SluiceWindow *window,
     const char   *key)
{
  GtkWidget *widget = sluice_inspector_get_row (inspector_of (window), key);

  if (widget == NULL)
    g_error ("the inspector has no row “%s”", key);
  return widget;
}

static void
type_into (SluiceWindow *window,
           const char   *key,
           const char   *text)
{
  GtkWidget *widget = row (window, key);

  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
  test_app_spin (10);
}

static void
click (SluiceWindow *window,
       const char   *key)
{
  g_signal_emit_by_name (row (window, key), "clicked");
  test_app_spin (20);
}

/* Clicks @node on the canvas (its title bar). */
static void
click_node (SluiceWindow *window,
            SluiceNode   *node)
{
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceLayout *layout = sluice_canvas_get_layout (canvas);
  const SluiceLayoutBox *b;
  double x, y;

  sluice_canvas_reveal (canvas, node);
  test_app_spin (300);
  b = sluice_layout_get_box (layout, sluice_layout_find_node (layout, node));
  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), b->x + b->width / 2, b->y + 8, &x, &y);
  g_assert_true (sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y));
  sluice_canvas_pointer_release (canvas, 0, 0, 0);
  g_assert_true (sluice_canvas_get_focus_node (canvas) == node);
}

static gboolean
can (SluiceWindow *window,
     gboolean      redo)
{
  SluiceCommandStack *history = sluice_document_get_history (sluice_window_get_document (window));

  return redo ? sluice_command_stack_get_can_redo (history) : sluice_command_stack_get_can_undo (history);
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

/* Run, fail, mark: a case broken in the inspector fails; its module is
 * marked on the canvas; the case shows the diff; undo and redo. */
static void
test_fail_and_mark (void)
{
  g_autofree char *path = test_app_example_path ("etl.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluicePipeline *pipeline = pipeline_of (window);
  SluiceTestCase *test = sluice_pipeline_find_test (pipeline, "normalise alone");
  SluiceNode *normalise = sluice_pipeline_find_node (pipeline, "normalise");
  GtkWidget *diff;
  const char *text;

  run_tests (window, 4, 0);
  g_assert_null (sluice_canvas_get_test_failure (canvas, normalise));

  click_case (window, "normalise alone");
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, -1);
  type_into (window, "test-count", "3");
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, 3);
  g_assert_true (sluice_document_get_modified (sluice_window_get_document (window)));

  /* One edit, one step. */
  activate (window, "undo");
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, -1);
  g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
  activate (window, "redo");
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, 3);

  run_tests (window, 3, 1);
  g_assert_cmpstr (sluice_canvas_get_test_failure (canvas, normalise), ==, "normalise alone");
  /* The inspector, showing the case, shows its diff. */
  test_app_spin (50);
  diff = row (window, "test-result");
  text = gtk_label_get_text (GTK_LABEL (diff));
  g_assert_nonnull (strstr (text, "expected 3 output(s), got 1"));

  /* An expectation on items: the diff says - expected and + actual. */
  type_into (window, "test-count", "");
  type_into (window, "test-expected", "{\"order\":\"B-1\",\"customer\":\"Eve\",\"amount\":10,\"amount_eur\":11.7,\"currency\":\"GBP\"}");
  run_tests (window, 3, 1);
  test_app_spin (50);
  text = gtk_label_get_text (GTK_LABEL (row (window, "test-result")));
  g_assert_nonnull (strstr (text, "- "));
  g_assert_nonnull (strstr (text, "\"Eve\""));
  g_assert_nonnull (strstr (text, "+ "));
  g_assert_nonnull (strstr (text, "\"Dave\""));

  {
    g_autofree char *name = g_strdup_printf ("test-failed-on-canvas%s.png",
                                             adw_style_manager_get_dark (adw_style_manager_get_default ())
                                             ? "-dark" : "");

    sluice_canvas_reveal (canvas, normalise);
    test_app_spin (400);
    test_app_save_screenshot (window, tmp_dir, name);
  }

  /* Fixed again: the mark goes with the next run. */
  while (sluice_document_get_modified (sluice_window_get_document (window)) && can (window, FALSE))
    activate (window, "undo");
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, -1);
  run_tests (window, 4, 0);
  g_assert_null (sluice_canvas_get_test_failure (canvas, normalise));
  close_window (window);
}

/* Cases are edited like the rest of the pipeline: added, renamed, their
 * items, stubs and assertions edited, removed; every step undone and
 * redone; saved; a bad item is a problem with its line in the file. */
static void
test_edit_cases (void)
{
  g_autofree char *example = test_app_example_path ("double.xml");
  g_autofree char *path = g_build_filename (tmp_dir, "edited.xml", NULL);
  g_autofree char *contents = NULL;
  SluiceWindow *window;
  SluicePipeline *pipeline;
  GListModel *tests;
  SluiceTestCase *added;
  GListModel *problems;
  guint bad_line = 0, problem_line = 0;

  g_assert_true (g_file_get_contents (example, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  window = test_app_open_window (app, path);
  pipeline = pipeline_of (window);
  tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 1);

  /* Add: one step, selected and shown. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel_of (window)), "tests.add", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 2);
  added = sluice_pipeline_find_test (pipeline, "new case");
  g_assert_nonnull (added);
  g_assert_true (sluice_inspector_get_test_case (inspector_of (window)) == added);
  activate (window, "undo");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 1);
  activate (window, "redo");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 2);
  click_case (window, "new case");

  /* Rename, items, an assertion, a stub with an answer. */
  type_into (window, "test-name", "triples");
  g_assert_cmpstr (sluice_test_case_get_name (added), ==, "triples");
  type_into (window, "test-input", "{\"value\": 3}");
  type_into (window, "test-count", "");
  type_into (window, "test-expected", "{\"value\": 6}");
  g_assert_true (sluice_inspector_get_test_case (inspector_of (window)) == added);
  click (window, "test-add-assert");
  g_assert_cmpuint (sluice_test_case_get_asserts (added)->len, ==, 1);
  type_into (window, "test-assert-0", "outputs[1].value == 6");
  click (window, "test-add-stub");
  type_into (window, "test-stub-0-module", "dbl");
  click (window, "test-stub-0-add-answer");
  type_into (window, "test-stub-0-answer-0", "{\"value\": 6}");
  g_assert_cmpuint (sluice_test_case_get_stubs (added)->len, ==, 1);
  g_assert_cmpstr (((SluiceTestStub *) sluice_test_case_get_stubs (added)->pdata[0])->module, ==, "dbl");
  /* Removing the stub and undoing it. */
  click (window, "test-stub-0-remove");
  g_assert_cmpuint (sluice_test_case_get_stubs (added)->len, ==, 0);
  activate (window, "undo");
  g_assert_cmpuint (sluice_test_case_get_stubs (added)->len, ==, 1);
  activate (window, "redo");
  g_assert_cmpuint (sluice_test_case_get_stubs (added)->len, ==, 0);
  run_tests (window, 2, 0);

  /* Undo walks back through every edit of the case, then the rename. */
  for (guint i = 0; i < 20 && sluice_test_case_get_asserts (added)->len > 0; i++)
    activate (window, "undo");
  g_assert_cmpuint (sluice_test_case_get_asserts (added)->len, ==, 0);
  for (guint i = 0; i < 20 && sluice_test_case_get_asserts (added)->len == 0; i++)
    activate (window, "redo");
  g_assert_cmpuint (sluice_test_case_get_asserts (added)->len, ==, 1);
  while (can (window, TRUE))
    activate (window, "redo");
  g_assert_cmpuint (sluice_test_case_get_stubs (added)->len, ==, 0);
  g_assert_cmpstr (((SluiceTestAssert *) sluice_test_case_get_asserts (added)->pdata[0])->code, ==,
                   "outputs[1].value == 6");

  /* Saved and read back. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "save-to", g_variant_new_string (path));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<case name=\"triples\">"));
  g_assert_nonnull (strstr (contents, "<input>{\"value\": 3}</input>"));
  g_assert_nonnull (strstr (contents, "<assert>outputs[1].value == 6</assert>"));
  {
    g_autoptr(GPtrArray) load_problems = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(SluicePipeline) reloaded = sluice_load_file (path, load_problems);
    g_autofree char *again = NULL;

    g_assert_nonnull (reloaded);
    g_assert_nonnull (sluice_pipeline_find_test (reloaded, "triples"));
    again = sluice_save_to_data (reloaded, NULL);
    g_assert_cmpstr (again, ==, contents);
  }

  /* A bad item: a problem at its line as the file is now. */
  click_case (window, "triples");
  type_into (window, "test-input", "{\"value\": 3}\n{\"value\": ");
  sluice_document_validate_now (sluice_window_get_document (window));
  g_action_group_activate_action (G_ACTION_GROUP (window), "save-to", g_variant_new_string (path));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  {
    g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], "{\"value\": </input>"))
        bad_line = i + 1;
  }
  problems = sluice_document_get_problems (sluice_window_get_document (window));
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) problem = g_list_model_get_item (problems, i);

      if (strstr (sluice_problem_get_message (problem), "triples") != NULL)
        problem_line = sluice_problem_get_line (problem);
    }
  g_assert_cmpuint (bad_line, >, 0);
  g_assert_cmpuint (problem_line, ==, bad_line);

  /* Remove a case (its row's button), undo. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel_of (window)), "tests.remove", "s", "triples"));
  g_assert_null (sluice_pipeline_find_test (pipeline, "triples"));
  test_app_spin (50);
  g_assert_null (sluice_inspector_get_test_case (inspector_of (window)));
  activate (window, "undo");
  g_assert_nonnull (sluice_pipeline_find_test (pipeline, "triples"));
  close_window (window);
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

/* Add From Run: a run on typed items becomes a case of the pipeline
 * (its input, its outputs), one of the clicked module (from the data
 * preview), and one of a failed run (its failure); each passes. */
static void
test_add_from_run (void)
{
  g_autofree char *path = test_app_example_path ("double.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluicePipeline *pipeline = pipeline_of (window);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  SluiceTestCase *test;

  /* Before any run: said, nothing added. */
  activate (window, "add-test-from-run");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 1);
  g_assert_nonnull (strstr (sluice_window_get_last_message (window), "Run the pipeline first"));

  test_app_trust (window);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup ("{\"value\": 4}\n{\"value\": 10}\n{\"other\": true}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_final, window, 60000));

  /* Nothing selected: the whole pipeline. */
  sluice_canvas_unselect_all (sluice_window_get_canvas (window));
  activate (window, "add-test-from-run");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 2);
  test = sluice_pipeline_find_test (pipeline, "from the last run");
  g_assert_nonnull (test);
  g_assert_cmpstr (sluice_test_case_get_input (test)->text, ==,
                   "{\"value\": 4}\n{\"value\": 10}\n{\"other\": true}");
  g_assert_nonnull (sluice_test_case_get_expected (test, NULL, NULL));
  g_assert_nonnull (strstr (sluice_test_case_get_expected (test, NULL, NULL)->text, "\"value\":20"));
  g_assert_true (sluice_inspector_get_test_case (inspector_of (window)) == test);

  /* The module clicked on the canvas: its preview. */
  click_node (window, sluice_pipeline_find_node (pipeline, "dbl"));
  activate (window, "add-test-from-run");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 3);
  test = g_list_model_get_item (tests, 2);
  g_object_unref (test);
  g_assert_cmpstr (sluice_test_case_get_target (test), ==, "dbl");
  g_assert_nonnull (strstr (sluice_test_case_get_expected (test, NULL, NULL)->text, "\"other\""));

  /* One step each. */
  activate (window, "undo");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 2);
  activate (window, "redo");
  g_assert_cmpuint (g_list_model_get_n_items (tests), ==, 3);

  run_tests (window, 3, 0);

  /* A failed run: the case expects the failure. */
  g_free (choice->typed);
  choice->typed = g_strdup ("{\"value\": \"text\"}\n");
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_final, window, 60000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_FAILED);
  sluice_canvas_unselect_all (sluice_window_get_canvas (window));
  activate (window, "add-test-from-run");
  test = sluice_pipeline_find_test (pipeline, "from the last run 2");
  g_assert_nonnull (test);
  {
    const char *module = NULL;

    g_assert_true (sluice_test_case_get_expected_failure (test, &module, NULL, NULL));
    g_assert_cmpstr (module, ==, "dbl");
  }
  run_tests (window, 4, 0);

  /* More outputs than the run panel keeps: the case expects their count. */
  {
    GString *many = g_string_new (NULL);

    for (guint i = 0; i < 1500; i++)
      g_string_append_printf (many, "{\"value\": %u}\n", i);
    g_free (choice->typed);
    choice->typed = g_string_free (many, FALSE);
  }
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_final, window, 180000));
  sluice_canvas_unselect_all (sluice_window_get_canvas (window));
  activate (window, "add-test-from-run");
  test = sluice_pipeline_find_test (pipeline, "from the last run 3");
  g_assert_nonnull (test);
  g_assert_null (sluice_test_case_get_expected (test, NULL, NULL));
  g_assert_cmpint (sluice_test_case_get_expected_count (test, NULL), ==, 1500);
  /* The clicked module saw more than its preview keeps: refused, said. */
  click_node (window, sluice_pipeline_find_node (pipeline, "dbl"));
  activate (window, "add-test-from-run");
  g_assert_null (sluice_pipeline_find_test (pipeline, "Double the value 2"));
  g_assert_nonnull (strstr (sluice_window_get_last_message (window), "saw 1500 items"));

  /* An input file larger than a test should carry: refused, said. */
  {
    g_autofree char *big = g_build_filename (tmp_dir, "big.jsonl", NULL);
    GString *lines = g_string_new (NULL);

    while (lines->len <= 4 * 1024 * 1024)
      g_string_append (lines, "{\"value\": 1, \"padding\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n");
    g_assert_true (g_file_set_contents (big, lines->str, lines->len, NULL));
    g_string_free (lines, TRUE);
    choice->input = SLUICE_RUN_INPUT_FILE;
    choice->input_path = g_strdup (big);
    sluice_window_run_with_choice (window, choice);
    /* Not to its end: what it was fed is what matters here. */
    activate (window, "cancel");
    g_assert_true (test_app_wait_for (run_final, window, 60000));
    sluice_canvas_unselect_all (sluice_window_get_canvas (window));
    activate (window, "add-test-from-run");
    g_assert_null (sluice_pipeline_find_test (pipeline, "from the last run 4"));
    g_assert_nonnull (strstr (sluice_window_get_last_message (window), "larger than 4 MiB"));
  }
  run_tests (window, 5, 0);
  close_window (window);
}

/* Names and texts with every XML special character, a newline and a
 * megabyte of items pasted at once survive the inspector, the save and
 * the load. (The items' text view once grew to its whole text inside the
 * inspector, and a megabyte took more than 15 minutes to lay out and
 * draw; it now scrolls in a view of its own and takes seconds.) */
static void
test_hostile_edits (void)
{
  g_autofree char *example = test_app_example_path ("double.xml");
  g_autofree char *path = g_build_filename (tmp_dir, "hostile.xml", NULL);
  g_autofree char *contents = NULL;
  const char *name = "<&\"'> ]]> --\nline two";
  SluiceWindow *window;
  SluiceTestCase *test;
  GString *items = g_string_new (NULL);

  g_assert_true (g_file_get_contents (example, &contents, NULL, NULL));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  window = test_app_open_window (app, path);
  g_assert_true (sluice_tests_panel_select_case (panel_of (window), "doubles every value"));
  type_into (window, "test-name", name);
  while (items->len < 1024 * 1024)
    g_string_append_printf (items, "{\"value\": %u, \"s\": \"]]></input><!-- &amp;\"}\n", (guint) items->len);
  type_into (window, "test-input", items->str);
  type_into (window, "test-expected", "");
  type_into (window, "test-count", "");
  click (window, "test-add-assert");
  type_into (window, "test-assert-0", "#outputs > 1000 and outputs[1].s == ']]></input><!-- &amp;'");
  run_tests (window, 1, 0);
  g_action_group_activate_action (G_ACTION_GROUP (window), "save-to", g_variant_new_string (path));
  {
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(SluicePipeline) reloaded = sluice_load_file (path, problems);

    g_assert_nonnull (reloaded);
    test = sluice_pipeline_find_test (reloaded, name);
    g_assert_nonnull (test);
    g_assert_true (g_str_equal (sluice_test_case_get_input (test)->text, items->str));
  }
  g_string_free (items, TRUE);
  close_window (window);
}

/* Far out, a failed run's stages say their state in words beside their
 * names; the stages table's counts are the executor's. */
static void
test_stage_words_far_out (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluicePipeline *pipeline = pipeline_of (window);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceViewport far = { 0.3, -40, -40 };
  SluiceControllerLive live;
  g_autofree char *words = NULL;
  g_autofree char *done = NULL;

  test_app_trust (window);
  g_hash_table_insert (choice->defines, g_strdup ("hist_min_sharpe"), g_strdup ("2.5"));
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_final, window, 60000));
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==, SLUICE_RUN_FAILED);

  words = sluice_canvas_run_overlay_dup_stage_words (overlay, sluice_pipeline_find_node (pipeline, "historical"));
  g_assert_cmpstr (words, ==, "failed at Back-test thresholds");
  done = sluice_canvas_run_overlay_dup_stage_words (overlay, sluice_pipeline_find_node (pipeline, "optimise"));
  g_assert_cmpstr (done, ==, "done");
  {
    g_autofree char *after = sluice_canvas_run_overlay_dup_stage_words (overlay,
                                                                        sluice_pipeline_find_node (pipeline, "paper-trade"));

    g_assert_cmpstr (after, ==, "skipped");
  }

  g_assert_true (sluice_run_session_get_controller_live (sluice_window_get_run_session (window),
                                                         sluice_pipeline_find_node (pipeline, "historical"), &live));
  g_assert_cmpuint (live.items_in, ==, 1);
  g_assert_cmpuint (live.items_out, ==, 0);
  g_assert_cmpuint (live.items_failed, ==, 1);

  sluice_canvas_set_viewport (canvas, &far);
  test_app_spin (300);
  gtk_widget_queue_draw (GTK_WIDGET (overlay));
  test_app_spin (300);
  g_assert_cmpuint (sluice_canvas_run_overlay_get_stage_words_drawn (overlay), >=, 2);
  test_app_save_screenshot (window, tmp_dir,
                            adw_style_manager_get_dark (adw_style_manager_get_default ())
                            ? "stage-words-far-dark.png" : "stage-words-far.png");
  close_window (window);
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-test-cases");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-test-cases/fail-and-mark", test_fail_and_mark);
  g_test_add_func ("/sluice/app-test-cases/stage-words-far-out", test_stage_words_far_out);
  /* In the dark style (app-test-cases-dark), what is drawn only. */
  if (g_strcmp0 (g_getenv ("ADW_DEBUG_COLOR_SCHEME"), "prefer-dark") != 0)
    {
      g_test_add_func ("/sluice/app-test-cases/edit-cases", test_edit_cases);
      g_test_add_func ("/sluice/app-test-cases/add-from-run", test_add_from_run);
      g_test_add_func ("/sluice/app-test-cases/hostile-edits", test_hostile_edits);
    }

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
