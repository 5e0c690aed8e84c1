/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-core.h"
#include "sluice-tests-panel.h"
#include "test-app-common.h"

/* The Tests panel under a display: it lists the file's cases, runs them
 * with "tests.run" (off the main thread, with the same runner as
 * `sluice-run test`), shows passes and failures, and follows edits. */

static SluiceApplication *app;
static char *tmp_dir;

static gboolean
not_running (gpointer data)
{
  return !sluice_tests_panel_is_running (data);
}

static guint
count_rows_with_class (GtkWidget  *root,
                       const char *css_class)
{
  guint n = gtk_widget_has_css_class (root, css_class) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows_with_class (child, css_class);
  return n;
}

static void
run_tests (SluiceTestsPanel *panel)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "tests.run", NULL));
  g_assert_true (sluice_tests_panel_is_running (panel));
  g_assert_true (test_app_wait_for (not_running, panel, 60000));
}

static double
middle_in (GtkWidget *widget,
           GtkWidget *row)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, row, &bounds));
  g_assert_cmpfloat (bounds.size.height, >, 0);
  return bounds.origin.y + bounds.size.height / 2;
}

/* Each row's status icon, name and remove button on one line: the name
 * sat at the row's top, 9 pixels above the middle of the others. */
static guint
assert_rows_aligned (GtkWidget  *root,
                     const char *css_class)
{
  guint n = 0;

  if (gtk_widget_has_css_class (root, css_class))
    {
      GtkWidget *icon = gtk_widget_get_first_child (root);
      GtkWidget *texts = gtk_widget_get_next_sibling (icon);
      GtkWidget *name = gtk_widget_get_first_child (texts);
      GtkWidget *remove = gtk_widget_get_last_child (root);

      g_assert_true (GTK_IS_IMAGE (icon));
      g_assert_true (GTK_IS_LABEL (name));
      g_assert_true (GTK_IS_BUTTON (remove));
      g_assert_cmpfloat (fabs (middle_in (texts, root) - middle_in (icon, root)), <=, 1);
      g_assert_cmpfloat (fabs (middle_in (texts, root) - middle_in (remove, root)), <=, 1);
      /* One line: the name is the line. */
      if (gtk_widget_get_next_sibling (name) == NULL)
        g_assert_cmpfloat (fabs (middle_in (name, root) - middle_in (icon, root)), <=, 1);
      return 1;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += assert_rows_aligned (child, css_class);
  return n;
}

static void
test_run_pass_and_fail (void)
{
  g_autofree char *path = test_app_example_path ("etl.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluiceTestsPanel *panel = SLUICE_TESTS_PANEL (test_app_find_widget (GTK_WIDGET (window),
                                                                      SLUICE_TYPE_TESTS_PANEL));
  SluicePipeline *pipeline = sluice_document_get_pipeline (sluice_window_get_document (window));
  guint passed = 0, failed = 0;

  g_assert_nonnull (panel);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_cmpuint (count_rows_with_class (GTK_WIDGET (panel), "test-not-run"), ==, 4);
  g_assert_cmpuint (assert_rows_aligned (GTK_WIDGET (panel), "test-not-run"), ==, 4);

  run_tests (panel);
  sluice_tests_panel_get_counts (panel, &passed, &failed);
  g_assert_cmpuint (passed, ==, 4);
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpuint (count_rows_with_class (GTK_WIDGET (panel), "test-passed"), ==, 4);

  /* An edit that breaks a case: the next run marks it. */
  sluice_test_case_set_expected_count (sluice_pipeline_find_test (pipeline, "normalise alone"), 5, 0);
  run_tests (panel);
  sluice_tests_panel_get_counts (panel, &passed, &failed);
  g_assert_cmpuint (passed, ==, 3);
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (count_rows_with_class (GTK_WIDGET (panel), "test-failed"), ==, 1);
  test_app_spin (100);
  g_assert_cmpuint (assert_rows_aligned (GTK_WIDGET (panel), "test-passed"), ==, 3);
  g_assert_cmpuint (assert_rows_aligned (GTK_WIDGET (panel), "test-failed"), ==, 1);

  test_app_save_screenshot (window, tmp_dir, "tests-panel.png");

  /* A new case appears in the list as not run. */
  {
    g_autoptr(SluiceTestCase) test = sluice_test_case_new ("added");

    g_list_store_append (sluice_pipeline_get_tests (pipeline), test);
    g_assert_cmpuint (count_rows_with_class (GTK_WIDGET (panel), "test-not-run"), ==, 1);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A real="true" stub runs the file's own command: only once the file is
 * trusted, as a run would ask. */
static void
test_real_steps_need_trust (void)
{
  g_autofree char *path = test_app_example_path ("modes.xml");
  SluiceWindow *window = test_app_open_window (app, path);
  SluiceTestsPanel *panel = SLUICE_TESTS_PANEL (test_app_find_widget (GTK_WIDGET (window),
                                                                      SLUICE_TYPE_TESTS_PANEL));
  SluicePipeline *pipeline = sluice_document_get_pipeline (sluice_window_get_document (window));
  g_autofree char *hash = sluice_trust_hash (pipeline);
  g_autoptr(GError) error = NULL;
  guint passed = 0, failed = 0;

  g_assert_false (sluice_trust_is_trusted (hash));
  run_tests (panel);
  sluice_tests_panel_get_counts (panel, &passed, &failed);
  g_assert_cmpuint (passed, ==, 2);
  g_assert_cmpuint (failed, ==, 1);

  g_assert_true (sluice_trust_remember (hash, &error));
  g_assert_no_error (error);
  run_tests (panel);
  sluice_tests_panel_get_counts (panel, &passed, &failed);
  g_assert_cmpuint (passed, ==, 3);
  g_assert_cmpuint (failed, ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}


int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-tests-panel");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-tests-panel/run-pass-and-fail", test_run_pass_and_fail);
  g_test_add_func ("/sluice/app-tests-panel/real-steps-need-trust", test_real_steps_need_trust);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
