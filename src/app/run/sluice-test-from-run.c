/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sluice-test-from-run.h"

/* A run's input file is copied into the case (a test must not depend on
 * a file elsewhere on this machine), up to this size. */
#define MAX_INPUT_BYTES (4 * 1024 * 1024)

/* The preview keeps the newest first; a case lists them as they came. */
static char *
join_oldest_first (char **newest_first)
{
  GString *text = g_string_new (NULL);
  guint n = newest_first != NULL ? g_strv_length (newest_first) : 0;

  for (guint i = n; i > 0; i--)
    g_string_append_printf (text, "%s%s", newest_first[i - 1], i > 1 ? "\n" : "");
  return g_string_free (text, FALSE);
}

static gboolean
find_module_index (SluiceExecutor *executor,
                   const char     *id,
                   guint          *index)
{
  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    if (g_strcmp0 (sluice_executor_get_module_id (executor, i), id) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
has_side_effects (SluiceExecutor *executor,
                  guint           index)
{
  SluiceStep *step = sluice_executor_get_module_step (executor, index);

  return step != NULL && sluice_step_has_side_effects (step);
}

/* A stub for each module that touches the world. */
static void
add_stubs (SluiceTestCase *test,
           SluiceExecutor *executor)
{
  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    {
      const char *id = sluice_executor_get_module_id (executor, i);
      SluiceModuleStats stats;
      SluiceTestStub *stub;

      if (!has_side_effects (executor, i))
        continue;
      stub = sluice_test_stub_new (id, 0);
      sluice_executor_get_module_stats_at (executor, i, &stats);
      /* An extractor fed the trigger: its answer is what it emitted,
       * when the preview kept all of it. */
      if (stats.items_in == 1 && stats.items_out <= SLUICE_RUN_SESSION_PREVIEW_DEPTH)
        {
          g_auto(GStrv) outputs = sluice_executor_dup_preview (executor, id, TRUE);

          if (g_strv_length (outputs) == stats.items_out)
            {
              g_autofree char *text = join_oldest_first (outputs);

              sluice_test_stub_add_answer (stub, NULL, text, 0);
            }
        }
      sluice_test_case_add_stub (test, stub);
    }
}

static gboolean
set_whole_run (SluiceTestCase   *test,
               SluiceRunSession *session,
               GError          **error)
{
  SluiceExecutor *executor = sluice_run_session_get_executor (session);
  GPtrArray *outputs = sluice_run_session_get_outputs (session);
  guint64 n_outputs = sluice_run_session_get_n_outputs (session);
  const char *file = NULL;
  GHashTable *defines = NULL;
  const char *text = sluice_run_session_get_input_items (session, &file, &defines);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (file != NULL)
    {
      if (!g_file_get_contents (file, &contents, &length, error))
        return FALSE;
      if (length > MAX_INPUT_BYTES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The run's input file %s is larger than 4 MiB: run on a smaller sample to make a test of it"),
                       file);
          return FALSE;
        }
      text = contents;
    }
  if (text != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (text));

      sluice_test_case_set_input (test, trimmed, NULL, 0);
    }
  if (defines != NULL)
    {
      g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (defines), (GCompareFunc) g_strcmp0);

      for (GList *l = names; l != NULL; l = l->next)
        sluice_test_case_add_param (test, l->data, g_hash_table_lookup (defines, l->data));
    }

  if (sluice_executor_get_state (executor) == SLUICE_RUN_FAILED)
    {
      const char *module = sluice_executor_get_failed_module (executor);

      sluice_test_case_set_expected_failure (test, TRUE, module, NULL, 0);
    }
  else if (n_outputs == outputs->len)
    {
      g_autofree char *expected = NULL;

      g_ptr_array_add (outputs, NULL);
      expected = g_strjoinv ("\n", (char **) outputs->pdata);
      g_ptr_array_remove_index (outputs, outputs->len - 1);
      if (outputs->len > 0)
        sluice_test_case_set_expected (test, expected, NULL, 0, SLUICE_TEST_ORDER_AUTO, SLUICE_TEST_COMPARE_EXACT);
      else
        sluice_test_case_set_expected_count (test, 0, 0);
    }
  else
    sluice_test_case_set_expected_count (test, (gint64) n_outputs, 0);
  add_stubs (test, executor);
  return TRUE;
}

static gboolean
set_module (SluiceTestCase   *test,
            SluiceRunSession *session,
            SluiceNode       *module,
            GError          **error)
{
  SluiceExecutor *executor = sluice_run_session_get_executor (session);
  const char *id = sluice_node_get_id (module);
  SluiceModuleStats stats;
  g_auto(GStrv) inputs = NULL;
  g_auto(GStrv) outputs = NULL;
  g_autofree char *input = NULL;
  g_autofree char *expected = NULL;
  guint index;

  if (id == NULL || !find_module_index (executor, id, &index))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The run did not have this module"));
      return FALSE;
    }
  sluice_executor_get_module_stats_at (executor, index, &stats);
  if (stats.items_in == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Module “%s” saw no item in this run"), id);
      return FALSE;
    }
  if (stats.items_in > SLUICE_RUN_SESSION_PREVIEW_DEPTH || stats.items_out > SLUICE_RUN_SESSION_PREVIEW_DEPTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Module “%s” saw %" PRIu64 " items and the data preview keeps the last %u: "
                     "run it on fewer items, or add a test of the whole pipeline (nothing selected)"),
                   id, stats.items_in, SLUICE_RUN_SESSION_PREVIEW_DEPTH);
      return FALSE;
    }
  if (has_side_effects (executor, index))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Module “%s” has side effects: a test stubs it, so a test of it alone would test the stub"), id);
      return FALSE;
    }

  inputs = sluice_executor_dup_preview (executor, id, FALSE);
  outputs = sluice_executor_dup_preview (executor, id, TRUE);
  input = join_oldest_first (inputs);
  expected = join_oldest_first (outputs);
  sluice_test_case_set_target (test, id);
  sluice_test_case_set_input (test, input, NULL, 0);
  if (*expected != '\0')
    sluice_test_case_set_expected (test, expected, NULL, 0, SLUICE_TEST_ORDER_AUTO, SLUICE_TEST_COMPARE_EXACT);
  else
    sluice_test_case_set_expected_count (test, 0, 0);
  return TRUE;
}

SluiceTestCase *
sluice_test_from_run (SluiceRunSession *session,
                      SluiceNode       *node,
                      const char       *name,
                      GError          **error)
{
  g_autoptr(SluiceTestCase) test = NULL;
  SluiceExecutor *executor;

  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (session), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  executor = sluice_run_session_get_executor (session);
  if (executor == NULL || !sluice_run_state_is_final (sluice_executor_get_state (executor)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING, _("Run the pipeline first, and let the run end"));
      return NULL;
    }
  test = sluice_test_case_new (name);
  if (node != NULL && SLUICE_IS_MODULE (node) && !SLUICE_IS_CONDITION (node))
    {
      if (!set_module (test, session, node, error))
        return NULL;
    }
  else if (!set_whole_run (test, session, error))
    return NULL;
  return g_steal_pointer (&test);
}
