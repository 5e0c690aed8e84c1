/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-test-from-run.h"
#include "sluice-window-private.h"
#include "sluice-window-run.h"
#include "sluice-window-tests.h"

static void
show_case (SluiceWindow   *self,
           SluiceTestCase *test)
{
  const SluiceTestResult *result;

  if (test == NULL)
    return;
  result = sluice_tests_panel_get_result (self->tests_panel, sluice_test_case_get_name (test));
  sluice_inspector_set_test_case (self->inspector, test, result != NULL, result != NULL && result->passed,
                                  result != NULL ? result->message : NULL);
  /* The failure's mark in view. */
  if (result != NULL && !result->passed)
    {
      g_autoptr(GHashTable) failures = sluice_tests_panel_dup_failures (self->tests_panel);
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, failures);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_auto(GStrv) names = g_strsplit (value, ", ", -1);

          if (sluice_test_case_get_name (test) != NULL &&
              g_strv_contains ((const char * const *) names, sluice_test_case_get_name (test)))
            {
              SluiceNode *node = sluice_pipeline_find_node (sluice_document_get_pipeline (sluice_window_get_document (self)),
                                                            key);

              if (node != NULL)
                sluice_canvas_reveal (self->canvas, node);
              break;
            }
        }
    }
}

static void
case_selected_cb (SluiceWindow   *self,
                  SluiceTestCase *test)
{
  show_case (self, test);
}

static void
results_changed_cb (SluiceWindow *self)
{
  g_autoptr(GHashTable) failures = sluice_tests_panel_dup_failures (self->tests_panel);
  SluiceTestCase *shown = sluice_inspector_get_test_case (self->inspector);

  sluice_canvas_set_test_failures (self->canvas, failures);
  /* The case shown gets its new result. */
  if (shown != NULL)
    show_case (self, shown);
}

static void
add_test_from_run_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SluiceWindow *self = user_data;
  SluiceRunSession *session = sluice_window_get_run_session (self);
  GPtrArray *selection = sluice_canvas_get_selection (self->canvas);
  SluiceNode *node = selection->len == 1 ? selection->pdata[0] : NULL;
  g_autofree char *name = NULL;
  g_autoptr(SluiceTestCase) test = NULL;
  g_autoptr(GError) error = NULL;

  if (session == NULL)
    {
      sluice_window_toast (self, _("Run the pipeline first: a test is made from what the run saw"));
      return;
    }
  if (node != NULL && !SLUICE_IS_MODULE (node))
    node = NULL;
  name = sluice_tests_panel_new_case_name (self->tests_panel,
                                           node != NULL ? sluice_node_get_label (node) : _("from the last run"));
  test = sluice_test_from_run (session, node, name, &error);
  if (test == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("No test made: %s"), error->message);

      sluice_window_toast (self, message);
      return;
    }
  sluice_tests_panel_add_case (self->tests_panel, test);
  /* Named, so that the user can give it a better name at once. */
  sluice_inspector_focus_row (self->inspector, "test-name");
}

void
sluice_window_tests_init (SluiceWindow *self)
{
  static const GActionEntry entries[] = {
    { "add-test-from-run", add_test_from_run_cb, NULL, NULL, NULL, { 0 } },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect_object (self->tests_panel, "case-selected", G_CALLBACK (case_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->tests_panel, "results-changed", G_CALLBACK (results_changed_cb),
                           self, G_CONNECT_SWAPPED);
}
