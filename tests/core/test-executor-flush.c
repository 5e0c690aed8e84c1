/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-core.h"
#include "test-executor-common.h"

/* End of stream: a step that buffers every item and hands them all on in
 * its flush, which the executor calls once per run when nothing more can
 * reach the module, in every controller mode, inside a group, and with
 * failures at flush (retries resend, on-error decides). */

#define TEST_TYPE_STEP_BUFFER (test_step_buffer_get_type ())
G_DECLARE_FINAL_TYPE (TestStepBuffer, test_step_buffer, TEST, STEP_BUFFER, SluiceStep)

struct _TestStepBuffer
{
  SluiceStep  parent_instance;
  GPtrArray  *held;         /* json_t*, owned */
  guint       fail_times;   /* flushes to refuse before one succeeds */
  guint       flushes;      /* flush calls so far */
  char       *mark;         /* set on the items it emits */
};

G_DEFINE_FINAL_TYPE (TestStepBuffer, test_step_buffer, SLUICE_TYPE_STEP)

/* What flushed, in order ("id:held-count" each), for all runs of a test. */
static GString *flush_log;

static const SluiceToolParamInfo buffer_params[] = {
  { "fail-times", "Flushes to refuse first", FALSE, SLUICE_TOOL_PARAM_INT, "0", NULL },
  { "mark", "Field set on emitted items", FALSE, SLUICE_TOOL_PARAM_STRING, "flushed", NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo buffer_info = { "test-buffer", "Buffer", "Holds every item until the end", buffer_params };

static gboolean
test_step_buffer_prepare (SluiceStep         *step,
                          SluiceModule       *module,
                          SluiceStepContext  *context,
                          GError            **error)
{
  TestStepBuffer *self = TEST_STEP_BUFFER (step);
  const char *fail_times = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), "fail-times");
  const char *mark = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), "mark");

  self->fail_times = fail_times != NULL ? atoi (fail_times) : 0;
  self->mark = g_strdup (mark != NULL ? mark : "flushed");
  return TRUE;
}

static void
test_step_buffer_process (SluiceStep     *step,
                          SluiceStepCall *call)
{
  TestStepBuffer *self = TEST_STEP_BUFFER (step);

  g_assert_nonnull (call->item);
  g_ptr_array_add (self->held, json_incref (call->item));
  sluice_step_call_finish (call);
}

static void
test_step_buffer_flush (SluiceStep     *step,
                        SluiceStepCall *call)
{
  TestStepBuffer *self = TEST_STEP_BUFFER (step);

  g_assert_null (call->item);
  self->flushes++;
  g_string_append_printf (flush_log, "%s:%u ", sluice_step_get_id (step), self->held->len);
  if (self->flushes <= self->fail_times)
    {
      /* Half of it goes out before the failure: none of it may count. */
      for (guint i = 0; i < self->held->len / 2; i++)
        sluice_step_call_emit (call, json_deep_copy (g_ptr_array_index (self->held, i)));
      sluice_step_call_fail (call, "the batch was refused", NULL);
      return;
    }

  for (guint i = 0; i < self->held->len; i++)
    {
      json_t *item = json_deep_copy (g_ptr_array_index (self->held, i));

      json_object_set_new (item, self->mark, json_true ());
      sluice_step_call_emit (call, item);
    }
  g_ptr_array_set_size (self->held, 0);
  sluice_step_call_finish (call);
}

static void
test_step_buffer_finalize (GObject *object)
{
  TestStepBuffer *self = TEST_STEP_BUFFER (object);

  g_ptr_array_unref (self->held);
  g_free (self->mark);
  G_OBJECT_CLASS (test_step_buffer_parent_class)->finalize (object);
}

static void
test_step_buffer_class_init (TestStepBufferClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_step_buffer_finalize;
  step_class->info = &buffer_info;
  step_class->prepare = test_step_buffer_prepare;
  step_class->process = test_step_buffer_process;
  step_class->flush = test_step_buffer_flush;
}

static void
test_step_buffer_init (TestStepBuffer *self)
{
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
}

/* ------------------------------------------------------------ helpers */

static TestRun *
run_logged (const char *body,
            guint       n_items)
{
  g_autofree char *input = test_items (n_items);

  g_string_truncate (flush_log, 0);
  return test_run_body (body, input);
}

/* Every id 0..n-1 exactly once, with @field true. */
static void
assert_all_once (TestRun    *run,
                 guint       n,
                 const char *field)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n);

  g_assert_cmpuint (run->outputs->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      json_t *item = test_output (run, i);
      gint64 id = json_integer_value (json_object_get (item, "id"));

      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, n);
      g_assert_false (seen[id]);
      seen[id] = TRUE;
      if (field != NULL)
        g_assert_true (json_is_true (json_object_get (item, field)));
      json_decref (item);
    }
}

/* ------------------------------------------------------------ the tests */

static void
test_flush_in_mode (gconstpointer data)
{
  const char *mode = data;
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"%s\" workers=\"4\"><phase id=\"p\">"
                     "<execution id=\"b\"><use tool=\"test-buffer\"/></execution>"
                     "<execution id=\"after\"><lua>item.after = true</lua></execution>"
                     "</phase></controller>", mode);
  TestRun *run = run_logged (body, 40);
  SluiceModuleStats stats;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_all_once (run, 40, "flushed");
  assert_all_once (run, 40, "after");
  /* Once, with every item in. */
  g_assert_cmpstr (flush_log->str, ==, "b:40 ");
  g_assert_true (sluice_executor_get_module_stats (run->executor, "b", &stats));
  g_assert_cmpuint (stats.items_in, ==, 40);
  g_assert_cmpuint (stats.items_out, ==, 40);
  /* One job's outputs keep their order only where Lua runs on one thread. */
  if (g_str_equal (mode, "not-parallel"))
    for (guint i = 0; i < 40; i++)
      g_assert_cmpint (test_output_int (run, i, "id"), ==, i);
  test_run_free (run);
}

/* The second buffer flushes after what the first one flushed has reached
 * it; a controller after them starts only once both have flushed. */
static void
test_flush_in_order (void)
{
  TestRun *run = run_logged ("<controller id=\"c\" mode=\"no-order\" workers=\"3\"><phase id=\"p\">"
                             "<execution id=\"one\"><use tool=\"test-buffer\"><param name=\"mark\">one</param></use></execution>"
                             "<execution id=\"two\"><use tool=\"test-buffer\"><param name=\"mark\">two</param></use></execution>"
                             "</phase></controller>"
                             "<controller id=\"d\" mode=\"not-parallel\"><phase id=\"q\">"
                             "<execution id=\"three\"><use tool=\"test-buffer\"><param name=\"mark\">three</param></use></execution>"
                             "</phase></controller>", 25);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (flush_log->str, ==, "one:25 two:25 three:25 ");
  assert_all_once (run, 25, "one");
  assert_all_once (run, 25, "two");
  assert_all_once (run, 25, "three");
  test_run_free (run);
}

/* Inside a group: the flush's items go on through the rest of the group
 * and what follows it. */
static void
test_flush_in_group (void)
{
  TestRun *run = run_logged ("<controller id=\"c\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"p\">"
                             "<combination id=\"g\">"
                             "<execution id=\"b\"><use tool=\"test-buffer\"/></execution>"
                             "<execution id=\"in\"><lua>item.inside = true</lua></execution>"
                             "</combination>"
                             "<execution id=\"out\"><lua>item.outside = true</lua></execution>"
                             "</phase></controller>", 30);
  SluiceModuleStats stats;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (flush_log->str, ==, "b:30 ");
  assert_all_once (run, 30, "inside");
  assert_all_once (run, 30, "outside");
  g_assert_true (sluice_executor_get_module_stats (run->executor, "g", &stats));
  g_assert_cmpuint (stats.active, ==, 0);
  test_run_free (run);
}

/* No input item at all: the step still flushes once (with nothing). */
static void
test_flush_empty_input (void)
{
  TestRun *run;

  g_string_truncate (flush_log, 0);
  run = test_run_body ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                       "<execution id=\"b\"><use tool=\"test-buffer\"/></execution>"
                       "</phase></controller>", "");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (flush_log->str, ==, "b:0 ");
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

/* A failed flush fails the run with the step's message; what it emitted
 * before failing does not count. */
static void
test_flush_fail (void)
{
  TestRun *run = run_logged ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                             "<execution id=\"b\"><use tool=\"test-buffer\"><param name=\"fail-times\">9</param></use></execution>"
                             "</phase></controller>", 10);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "the batch was refused"));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "“b”"));
  g_assert_cmpuint (run->outputs->len, ==, 0);
  g_assert_cmpstr (flush_log->str, ==, "b:10 ");
  test_run_free (run);
}

/* Retries call flush again, with the batch still held. */
static void
test_flush_retried (void)
{
  TestRun *run = run_logged ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                             "<execution id=\"b\" retries=\"2\" backoff=\"1\"><use tool=\"test-buffer\"><param name=\"fail-times\">2</param></use></execution>"
                             "</phase></controller>", 10);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (flush_log->str, ==, "b:10 b:10 b:10 ");
  assert_all_once (run, 10, "flushed");
  test_run_free (run);
}

static void
test_flush_fail_drop_and_continue (void)
{
  const char *on_errors[] = { "drop", "continue" };

  for (guint i = 0; i < G_N_ELEMENTS (on_errors); i++)
    {
      g_autofree char *body =
        g_strdup_printf ("<controller id=\"c\" mode=\"first-wins\" workers=\"2\"><phase id=\"p\">"
                         "<execution id=\"b\" on-error=\"%s\"><use tool=\"test-buffer\"><param name=\"fail-times\">1</param></use></execution>"
                         "</phase></controller>", on_errors[i]);
      TestRun *run = run_logged (body, 5);

      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (run->outputs->len, ==, 0);
      g_assert_cmpstr (flush_log->str, ==, "b:5 ");
      test_run_free (run);
    }
}

/* A failed flush inside a group fails the group; its on-error applies. */
static void
test_flush_fail_in_group (void)
{
  TestRun *run = run_logged ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                             "<combination id=\"g\">"
                             "<execution id=\"b\"><use tool=\"test-buffer\"><param name=\"fail-times\">1</param></use></execution>"
                             "</combination>"
                             "</phase></controller>", 5);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "module “g”: module “b”: the batch was refused"));
  test_run_free (run);

  run = run_logged ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                    "<combination id=\"g\" on-error=\"drop\">"
                    "<execution id=\"b\" retries=\"1\" backoff=\"1\"><use tool=\"test-buffer\"><param name=\"fail-times\">1</param></use></execution>"
                    "</combination>"
                    "</phase></controller>", 5);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  /* The module's own retry inside the group resent the batch. */
  g_assert_cmpstr (flush_log->str, ==, "b:5 b:5 ");
  assert_all_once (run, 5, "flushed");
  test_run_free (run);
}

/* Input that breaks fails the run: nothing flushes (a loader would
 * otherwise commit a stream that was cut short). */
static void
test_no_flush_after_bad_input (void)
{
  TestRun *run;

  g_string_truncate (flush_log, 0);
  run = test_run_body ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                       "<execution id=\"b\"><use tool=\"test-buffer\"/></execution>"
                       "</phase></controller>", "{\"id\":1}\nnot json\n");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (flush_log->str, ==, "");
  test_run_free (run);
}

/* Events: the flush is a call like any, started and finished. */
static void
test_flush_events (void)
{
  g_autofree char *input = test_items (3);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                    "<execution id=\"b\"><use tool=\"test-buffer\"/></execution>"
                    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);
  guint finished_with_three = 0;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < run->events->len; i++)
    {
      const char *line = g_ptr_array_index (run->events, i);

      if (strstr (line, "\"module-finished\"") != NULL && strstr (line, "\"outputs\":3") != NULL)
        finished_with_three++;
    }
  g_assert_cmpuint (finished_with_three, ==, 1);
  test_run_free (run);
}

int
main (int argc, char *argv[])
{
  static const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };

  g_test_init (&argc, &argv, NULL);
  flush_log = g_string_new (NULL);
  sluice_step_registry_register ("test-buffer", TEST_TYPE_STEP_BUFFER, SLUICE_STEP_TOOL);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sluice/executor/flush/mode/%s", modes[i]);
      g_test_add_data_func (path, modes[i], test_flush_in_mode);
    }
  g_test_add_func ("/sluice/executor/flush/in-order", test_flush_in_order);
  g_test_add_func ("/sluice/executor/flush/group", test_flush_in_group);
  g_test_add_func ("/sluice/executor/flush/empty-input", test_flush_empty_input);
  g_test_add_func ("/sluice/executor/flush/fail", test_flush_fail);
  g_test_add_func ("/sluice/executor/flush/retried", test_flush_retried);
  g_test_add_func ("/sluice/executor/flush/fail-drop-continue", test_flush_fail_drop_and_continue);
  g_test_add_func ("/sluice/executor/flush/fail-in-group", test_flush_fail_in_group);
  g_test_add_func ("/sluice/executor/flush/events", test_flush_events);
  g_test_add_func ("/sluice/executor/flush/not-after-bad-input", test_no_flush_after_bad_input);

  return g_test_run ();
}
