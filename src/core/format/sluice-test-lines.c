/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-loader.h"
#include "sluice-saver.h"
#include "sluice-test-case.h"
#include "sluice-test-lines.h"

void
sluice_test_lines_update (SluicePipeline *pipeline)
{
  GListModel *tests;
  GListModel *saved_tests;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(SluicePipeline) saved = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  guint n;

  g_return_if_fail (SLUICE_IS_PIPELINE (pipeline));

  tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  n = g_list_model_get_n_items (tests);
  if (n == 0)
    return;

  data = sluice_save_to_data (pipeline, &length);
  problems = g_ptr_array_new_with_free_func (g_object_unref);
  saved = sluice_load_data (data, length, "saved", problems);
  /* A pipeline that does not load again has its problems reported
   * elsewhere; the lines stay as they were. */
  if (saved == NULL)
    return;
  saved_tests = G_LIST_MODEL (sluice_pipeline_get_tests (saved));
  if (g_list_model_get_n_items (saved_tests) != n)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);
      g_autoptr(SluiceTestCase) twin = g_list_model_get_item (saved_tests, i);

      sluice_test_case_take_lines (test, twin);
    }
}
