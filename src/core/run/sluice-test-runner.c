/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-array-source.h"
#include "sluice-clock.h"
#include "sluice-controller.h"
#include "sluice-executor.h"
#include "sluice-loader.h"
#include "sluice-phase.h"
#include "sluice-saver.h"
#include "sluice-step-stub.h"
#include "sluice-test-assert.h"
#include "sluice-test-compare.h"
#include "sluice-test-runner.h"

/* Running one test case: the pipeline to run (all of it, one controller
 * or one module), its input, the stubs, a fake clock, then the checks of
 * the case's expectations in order: the run's outcome, the items, the
 * count, the assertions. */

typedef struct
{
  SluiceTestCase     *test;       /* borrowed */
  SluiceStubRecorder *recorder;   /* borrowed */
  GPtrArray          *outputs;    /* json_t*, owned */
  GMainContext       *context;
  gboolean            timed_out;
  SluiceTestRunFlags  flags;
} CaseRun;

void
sluice_test_result_free (SluiceTestResult *result)
{
  if (result == NULL)
    return;
  g_free (result->name);
  g_free (result->message);
  g_free (result->module);
  g_free (result);
}

/* The pipeline a targeted case runs: a copy (saved and loaded again, so
 * the caller's model is never touched) with only the target controller,
 * or a single controller holding only the target module. */
static SluicePipeline *
pipeline_for_target (SluicePipeline  *pipeline,
                     const char      *target,
                     char           **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) copy = NULL;
  g_autoptr(SluiceNode) node = NULL;
  g_autofree char *data = NULL;
  GListModel *controllers;
  GListModel *list = NULL;
  guint position = 0;
  gsize length = 0;

  if (target == NULL)
    return g_object_ref (pipeline);

  data = sluice_save_to_data (pipeline, &length);
  copy = sluice_load_data (data, length, "copy", problems);
  if (copy == NULL)
    {
      *error = g_strdup ("the pipeline could not be copied for the target");
      return NULL;
    }

  node = sluice_pipeline_find_node (copy, target);
  if (node == NULL || !(SLUICE_IS_CONTROLLER (node) || SLUICE_IS_MODULE (node)))
    {
      *error = g_strdup_printf ("the target “%s” is no controller or module of the pipeline", target);
      return NULL;
    }
  g_object_ref (node);

  controllers = sluice_pipeline_get_controllers (copy);
  if (SLUICE_IS_CONTROLLER (node))
    {
      for (guint i = g_list_model_get_n_items (controllers); i > 0; i--)
        {
          g_autoptr(SluiceNode) other = g_list_model_get_item (controllers, i - 1);

          if (other != node)
            sluice_node_list_remove (controllers, i - 1);
        }
      return g_steal_pointer (&copy);
    }

  /* A module, wherever it is (in a branch, in a group): alone in a
   * controller of the mode of the one it was in. */
  {
    SluiceNode *ancestor = node;
    g_autoptr(SluiceController) controller = NULL;
    g_autoptr(SluicePhase) phase = sluice_phase_new ("test-target-phase");
    SluiceMode mode = SLUICE_MODE_NOT_PARALLEL;
    guint workers = 0;

    while (ancestor != NULL && !SLUICE_IS_CONTROLLER (ancestor))
      ancestor = sluice_node_get_parent (ancestor);
    if (ancestor != NULL)
      {
        mode = sluice_controller_get_mode (SLUICE_CONTROLLER (ancestor));
        workers = sluice_controller_get_workers (SLUICE_CONTROLLER (ancestor));
      }

    if (sluice_node_get_container (node, NULL, &list, &position))
      sluice_node_list_remove (list, position);
    while (g_list_model_get_n_items (controllers) > 0)
      sluice_node_list_remove (controllers, 0);

    controller = sluice_controller_new ("test-target", mode);
    sluice_controller_set_workers (controller, workers);
    sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), node);
    sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller),
                             SLUICE_NODE (phase));
    sluice_node_list_append (SLUICE_NODE (copy), controllers, SLUICE_NODE (controller));
  }

  return g_steal_pointer (&copy);
}

static GPtrArray *
load_items (const SluiceTestItems  *items,
            const char             *directory,
            char                  **error)
{
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  g_autoptr(GError) local = NULL;
  g_autofree char *contents = NULL;
  const char *text = items->text;
  guint first_line = items->line;

  if (items->file != NULL)
    {
      g_autofree char *path = g_path_is_absolute (items->file)
                              ? g_strdup (items->file)
                              : g_build_filename (directory, items->file, NULL);

      if (!g_file_get_contents (path, &contents, NULL, &local))
        {
          *error = g_strdup_printf ("cannot read %s: %s", items->file, local->message);
          return NULL;
        }
      text = contents;
      first_line = 1;
    }

  if (!sluice_test_parse_items (text, first_line, parsed, NULL, &local))
    {
      *error = items->file != NULL ? g_strdup_printf ("%s: %s", items->file, local->message)
                                   : g_strdup (local->message);
      return NULL;
    }
  return g_steal_pointer (&parsed);
}

static SluiceStep *
replace_step_cb (SluiceModule *module,
                 SluiceStep   *step,
                 gpointer      user_data)
{
  CaseRun *run = user_data;
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  SluiceTestStub *stub = sluice_test_case_find_stub (run->test, id);
  g_autofree char *reason = NULL;

  if (stub != NULL && stub->real && (run->flags & SLUICE_TEST_RUN_NO_REAL_STEPS))
    {
      /* The executor names the module before the reason. */
      reason = g_strdup ("it would run for real (real=\"true\"), which needs a trusted file: "
                         "run the pipeline once and trust it, or use sluice-run test");
      return sluice_step_stub_new_refusing (reason);
    }
  if (stub != NULL && !stub->real)
    sluice_stub_recorder_declare (run->recorder, id);
  if (stub != NULL)
    return stub->real ? NULL : sluice_step_stub_new (run->recorder, stub);
  if (step != NULL && !sluice_step_has_side_effects (step))
    return NULL;

  /* A test never touches the world unless it says so. */
  reason = g_strdup_printf ("it has side effects: the test must stub it "
                            "(<stub module=\"%s\"/>) or let it run (<stub module=\"%s\" real=\"true\"/>)",
                            id, id);
  return sluice_step_stub_new_refusing (reason);
}

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  CaseRun *run = user_data;
  json_t *item = json_loadb (line, length, 0, NULL);

  if (item != NULL)
    g_ptr_array_add (run->outputs, item);
}

static gboolean
wall_timeout_cb (gpointer user_data)
{
  SluiceExecutor *executor = user_data;

  g_object_set_data (G_OBJECT (executor), "sluice-test-timed-out", GINT_TO_POINTER (1));
  sluice_executor_cancel (executor);
  return G_SOURCE_REMOVE;
}

static gboolean
order_is_strict (SluicePipeline  *pipeline,
                 SluiceTestOrder  order)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);

  if (order != SLUICE_TEST_ORDER_AUTO)
    return order == SLUICE_TEST_ORDER_STRICT;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      SluiceMode mode = sluice_controller_get_mode (controller);

      if (mode == SLUICE_MODE_NO_ORDER || mode == SLUICE_MODE_FIRST_WINS)
        return FALSE;
    }
  return TRUE;
}

static void
fail (SluiceTestResult *result,
      const char       *module,
      const char       *format,
      ...) G_GNUC_PRINTF (3, 4);

static void
fail (SluiceTestResult *result,
      const char       *module,
      const char       *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (result->message == NULL)
    result->message = g_steal_pointer (&text);
  else
    {
      char *joined = g_strconcat (result->message, "\n", text, NULL);
      g_free (result->message);
      result->message = joined;
    }
  if (result->module == NULL)
    result->module = g_strdup (module);
  result->passed = FALSE;
}

/* Runs the executor to its end on a main context of our own. */
static void
run_executor (SluiceExecutor *executor,
              GMainContext   *context,
              gint64          timeout_ms)
{
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, wall_timeout_cb, executor, NULL);
  g_source_attach (timeout, context);

  sluice_executor_start (executor);
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_context_iteration (context, TRUE);

  g_source_destroy (timeout);
  g_source_unref (timeout);
}

static void
check_outcome (SluiceTestResult *result,
               SluiceTestCase   *test,
               SluiceExecutor   *executor,
               guint             n_outputs)
{
  SluiceRunState state = sluice_executor_get_state (executor);
  const char *error = sluice_executor_get_error (executor);
  const char *failed = sluice_executor_get_failed_module (executor);
  const char *module = NULL, *message = NULL;

  if (g_object_get_data (G_OBJECT (executor), "sluice-test-timed-out") != NULL)
    {
      gint64 ms = sluice_test_case_get_timeout_ms (test);

      fail (result, NULL, "the case did not finish within %" G_GINT64_FORMAT " ms of wall-clock time "
            "(set <case timeout=\"…\"> for a longer one)", ms > 0 ? ms : SLUICE_TEST_DEFAULT_TIMEOUT_MS);
      return;
    }

  if (!sluice_test_case_get_expected_failure (test, &module, &message, NULL))
    {
      if (state != SLUICE_RUN_COMPLETED)
        {
          const char *tail = sluice_executor_get_stderr_tail (executor);

          fail (result, failed, "the run %s: %s%s%s", sluice_run_state_to_string (state),
                error != NULL ? error : "no reason given",
                tail != NULL ? "\n  standard error: " : "", tail != NULL ? tail : "");
        }
      return;
    }

  if (state != SLUICE_RUN_FAILED)
    {
      fail (result, module, "expected the run to fail%s%s%s%s%s%s, but it %s with %u output(s)",
            module != NULL ? " in module “" : "", module != NULL ? module : "", module != NULL ? "”" : "",
            message != NULL ? " with a message containing “" : "", message != NULL ? message : "",
            message != NULL ? "”" : "",
            sluice_run_state_to_string (state), n_outputs);
      return;
    }

  if (module != NULL && g_strcmp0 (failed, module) != 0)
    {
      g_autofree char *quoted = g_strdup_printf ("“%s”", module);

      /* A module inside a group fails the group: its id is in the message. */
      if (error == NULL || strstr (error, quoted) == NULL)
        fail (result, module, "expected module “%s” to fail, but the run failed in “%s”: %s",
              module, failed != NULL ? failed : "(no module)", error != NULL ? error : "");
    }
  if (message != NULL && (error == NULL || strstr (error, message) == NULL))
    fail (result, failed, "expected a failure message containing “%s”, got: %s",
          message, error != NULL ? error : "(none)");
}

static void
check_expectations (SluiceTestResult *result,
                    SluiceTestCase   *test,
                    SluicePipeline   *run_pipeline,
                    SluiceExecutor   *executor,
                    CaseRun          *run,
                    GHashTable       *params,
                    const char       *directory)
{
  const SluiceTestItems *expected_items;
  SluiceTestOrder order;
  SluiceTestCompare compare;
  GPtrArray *asserts = sluice_test_case_get_asserts (test);
  guint count_line;
  gint64 count = sluice_test_case_get_expected_count (test, &count_line);

  expected_items = sluice_test_case_get_expected (test, &order, &compare);
  if (expected_items != NULL)
    {
      g_autofree char *error = NULL;
      g_autoptr(GPtrArray) expected = load_items (expected_items, directory, &error);
      g_autoptr(GString) diff = g_string_new (NULL);
      gboolean strict = order_is_strict (run_pipeline, order);

      if (expected == NULL)
        fail (result, NULL, "line %u: expected items: %s", expected_items->line, error);
      else if (!sluice_test_compare_items (expected, run->outputs, strict,
                                           compare == SLUICE_TEST_COMPARE_SUBSET, diff))
        fail (result, NULL, "line %u: the outputs differ from <expect-items> (%s, %s; - expected, + actual):\n%s",
              expected_items->line, strict ? "in order" : "in any order",
              compare == SLUICE_TEST_COMPARE_SUBSET ? "fields of each item" : "whole items",
              g_strchomp (diff->str));
    }

  if (count >= 0 && (guint64) count != run->outputs->len)
    fail (result, NULL, "line %u: expected %" G_GINT64_FORMAT " output(s), got %u",
          count_line, count, run->outputs->len);

  if (asserts->len > 0)
    {
      json_t *outputs = json_array ();
      json_t *failure = NULL;

      for (guint i = 0; i < run->outputs->len; i++)
        json_array_append (outputs, g_ptr_array_index (run->outputs, i));
      if (sluice_executor_get_state (executor) == SLUICE_RUN_FAILED)
        failure = json_pack ("{s:s?, s:s?}", "module", sluice_executor_get_failed_module (executor),
                             "message", sluice_executor_get_error (executor));

      for (guint i = 0; i < asserts->len; i++)
        {
          SluiceTestAssert *assertion = g_ptr_array_index (asserts, i);
          g_autofree char *message = NULL;
          g_autofree char *code = g_strstrip (g_strdup (assertion->code));

          if (!sluice_test_assert (assertion->code, assertion->line, outputs,
                                   sluice_stub_recorder_get_items (run->recorder), failure,
                                   params, &message))
            fail (result, NULL, "line %u: %s: %s", assertion->line, message, code);
        }
      json_decref (outputs);
      json_decref (failure);
    }
}

SluiceTestResult *
sluice_test_run_case (SluicePipeline *pipeline,
                      const char     *path,
                      SluiceTestCase *test)
{
  return sluice_test_run_case_full (pipeline, path, test, SLUICE_TEST_RUN_DEFAULT);
}

SluiceTestResult *
sluice_test_run_case_full (SluicePipeline     *pipeline,
                           const char         *path,
                           SluiceTestCase     *test,
                           SluiceTestRunFlags  flags)
{
  g_autoptr(SluiceTestResult) result = g_new0 (SluiceTestResult, 1);
  g_autoptr(GHashTable) defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(SluicePipeline) run_pipeline = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(SluiceStubRecorder) recorder = sluice_stub_recorder_new ();
  g_autoptr(SluiceClock) clock = sluice_clock_new_fake ();
  g_autoptr(GPtrArray) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = path != NULL ? g_path_get_dirname (path) : g_get_current_dir ();
  g_autofree char *problem = NULL;
  GPtrArray *params = sluice_test_case_get_params (test);
  GMainContext *context;
  CaseRun run = { test, recorder, NULL, NULL, FALSE, flags };
  gint64 started = g_get_monotonic_time ();
  gint64 timeout_ms = sluice_test_case_get_timeout_ms (test);

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (SLUICE_IS_TEST_CASE (test), NULL);

  result->name = g_strdup (sluice_test_case_get_name (test));
  result->line = sluice_test_case_get_line (test);
  result->passed = TRUE;

  for (guint i = 0; i < params->len; i++)
    {
      SluiceTestParam *param = g_ptr_array_index (params, i);
      g_hash_table_insert (defines, g_strdup (param->name), g_strdup (param->value));
    }

  run_pipeline = pipeline_for_target (pipeline, sluice_test_case_get_target (test), &problem);
  if (run_pipeline == NULL)
    {
      fail (result, NULL, "%s", problem);
      return g_steal_pointer (&result);
    }

  if (sluice_test_case_get_input (test) != NULL)
    {
      input = load_items (sluice_test_case_get_input (test), directory, &problem);
      if (input == NULL)
        {
          fail (result, NULL, "line %u: input: %s", sluice_test_case_get_input (test)->line, problem);
          return g_steal_pointer (&result);
        }
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  run.outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);

  executor = sluice_executor_new (run_pipeline, defines, &error);
  if (executor == NULL)
    fail (result, NULL, "the run cannot start: %s", error->message);
  else
    {
      sluice_executor_set_base_directory (executor, directory);
      sluice_executor_set_clock (executor, clock);
      if (input != NULL)
        {
          g_autoptr(SluiceArraySource) source = sluice_array_source_new (input);
          sluice_executor_set_source (executor, SLUICE_ITEM_SOURCE (source));
        }
      sluice_executor_set_output_func (executor, output_cb, &run, NULL);

      if (!sluice_executor_replace_steps (executor, replace_step_cb, &run, &error))
        fail (result, NULL, "a stub cannot be prepared: %s", error->message);
      else
        {
          run_executor (executor, context, timeout_ms > 0 ? timeout_ms : SLUICE_TEST_DEFAULT_TIMEOUT_MS);
          result->outputs = run.outputs->len;
          result->skipped_us = sluice_clock_get_skipped (clock);
          check_outcome (result, test, executor, run.outputs->len);
          if (g_object_get_data (G_OBJECT (executor), "sluice-test-timed-out") == NULL)
            check_expectations (result, test, run_pipeline, executor, &run, defines, directory);
        }
    }

  g_clear_object (&executor);
  /* Whatever the run left on the context (a command's end being
   * reported) is dispatched before the context goes. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_ptr_array_unref (run.outputs);

  result->duration_us = g_get_monotonic_time () - started;
  return g_steal_pointer (&result);
}
