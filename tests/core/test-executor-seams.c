/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-core.h"
#include "test-executor-common.h"

/* The executor's seams: a step added by one file's worth of code and one
 * registration, and item sources and sinks that carry a tag per input
 * item and hear when each input item is done. */

/* ------------------------------------------------------------ a test step */

/* <use tool="tag-later">: waits a little on the run's timers, then sets
 * the item's "tagged" field to its "with" parameter. */
#define TEST_TYPE_STEP_TAG (test_step_tag_get_type ())
G_DECLARE_FINAL_TYPE (TestStepTag, test_step_tag, TEST, STEP_TAG, SluiceStep)

struct _TestStepTag
{
  SluiceStep  parent_instance;
  char       *with;
};

G_DEFINE_FINAL_TYPE (TestStepTag, test_step_tag, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo tag_params[] = {
  { "with", "The value", TRUE },
  { NULL, NULL, FALSE },
};

static const SluiceToolInfo tag_info = { "tag-later", "Tag later", "Tags items after a while", tag_params };

static void
test_step_tag_check (SluiceStepClass *klass,
                     SluiceModule    *module,
                     SluiceStepCheck *check)
{
  const char *with = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), "with");

  if (with != NULL && g_str_equal (with, "forbidden"))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, sluice_node_get_line (SLUICE_NODE (module)),
                              "module `%s`: `with` may not be forbidden",
                              sluice_node_get_id (SLUICE_NODE (module)));
}

static gboolean
test_step_tag_prepare (SluiceStep         *step,
                       SluiceModule       *module,
                       SluiceStepContext  *context,
                       GError            **error)
{
  TestStepTag *self = TEST_STEP_TAG (step);

  self->with = sluice_params_substitute (sluice_execution_lookup_tool_param (SLUICE_EXECUTION (module), "with"),
                                         context->params, FALSE, error);
  return self->with != NULL;
}

static void
tag_done_cb (gpointer data)
{
  SluiceStepCall *call = data;
  TestStepTag *self = TEST_STEP_TAG (call->step_data);
  json_t *item = json_deep_copy (call->item);

  call->step_data = NULL;
  json_object_set_new (item, "tagged", json_string (self->with));
  sluice_step_call_emit (call, item);
  sluice_step_call_finish (call);
}

static void
test_step_tag_process (SluiceStep     *step,
                       SluiceStepCall *call)
{
  call->step_data = step;
  sluice_step_context_add_timer (sluice_step_get_context (step),
                                 g_get_monotonic_time () + 1000, tag_done_cb, call);
}

static void
test_step_tag_finalize (GObject *object)
{
  g_free (TEST_STEP_TAG (object)->with);
  G_OBJECT_CLASS (test_step_tag_parent_class)->finalize (object);
}

static void
test_step_tag_class_init (TestStepTagClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_step_tag_finalize;
  step_class->info = &tag_info;
  step_class->check = test_step_tag_check;
  step_class->prepare = test_step_tag_prepare;
  step_class->process = test_step_tag_process;
}

static void
test_step_tag_init (TestStepTag *self)
{
}

static const char *tag_body =
  "<parameters><parameter name=\"v\" default=\"x\"/></parameters>"
  "<controller id=\"c\" mode=\"no-order\" workers=\"4\"><phase id=\"p\">"
  "<execution id=\"tagger\"><use tool=\"tag-later\"><param name=\"with\">${v}-y</param></use></execution>"
  "</phase></controller>";

static void
test_registered_step_runs (void)
{
  g_autofree char *input = test_items (50);
  TestRun *run = test_run_body (tag_body, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 50);
  for (guint i = 0; i < run->outputs->len; i++)
    {
      json_t *item = test_output (run, i);

      g_assert_cmpstr (json_string_value (json_object_get (item, "tagged")), ==, "x-y");
      json_decref (item);
    }
  test_run_free (run);
}

static void
test_registered_step_validates (void)
{
  g_autoptr(SluicePipeline) good = test_load_body (tag_body);
  g_autoptr(GString) bad_body = g_string_new (tag_body);
  g_autoptr(SluicePipeline) bad = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean found = FALSE;

  /* The tool is known by its registration, and its own check runs. */
  sluice_validate (good, "good.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_test_message ("%s", sluice_problem_get_message (g_ptr_array_index (problems, i)));
      g_assert_cmpint (sluice_problem_get_severity (g_ptr_array_index (problems, i)), !=, SLUICE_SEVERITY_ERROR);
    }

  g_string_replace (bad_body, "${v}-y", "forbidden", 1);
  bad = test_load_body (bad_body->str);
  g_ptr_array_set_size (problems, 0);
  sluice_validate (bad, "bad.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    found |= strstr (sluice_problem_get_message (g_ptr_array_index (problems, i)), "may not be forbidden") != NULL;
  g_assert_true (found);
}

/* A time-out reaches a step that never answers by itself: the executor
 * cancels it, and the item fails with the time-out. */
static void
test_registered_step_timeout (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"slow\" timeout=\"20ms\"><use tool=\"delay\">"
                                "<param name=\"duration\">10s</param></use></execution>"
                                "</phase></controller>", NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "timed out after 20 ms"));
  test_run_free (run);
}

/* ------------------------------------------------------------ sources and sinks */

/* Hands out the items of an array, tagged "tag-N", one per next() call,
 * answering WAIT every other time to exercise "ready". */
#define TEST_TYPE_ARRAY_SOURCE (test_array_source_get_type ())
G_DECLARE_FINAL_TYPE (TestArraySource, test_array_source, TEST, ARRAY_SOURCE, GObject)

struct _TestArraySource
{
  GObject  parent_instance;
  json_t  *items;
  guint    next;
  gboolean waited;
};

static void test_array_source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestArraySource, test_array_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE, test_array_source_iface_init))

static gboolean
ready_cb (gpointer data)
{
  sluice_item_source_ready (data);
  return G_SOURCE_REMOVE;
}

static SluiceSourceStatus
test_array_source_next (SluiceItemSource  *source,
                        json_t           **item,
                        gpointer          *tag,
                        GError           **error)
{
  TestArraySource *self = TEST_ARRAY_SOURCE (source);

  if (self->next == json_array_size (self->items))
    return SLUICE_SOURCE_END;
  if (!self->waited)
    {
      self->waited = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT, ready_cb, g_object_ref (self), g_object_unref);
      return SLUICE_SOURCE_WAIT;
    }
  self->waited = FALSE;
  *tag = g_strdup_printf ("tag-%u", self->next);
  *item = json_incref (json_array_get (self->items, self->next++));
  return SLUICE_SOURCE_ITEM;
}

static void
test_array_source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = test_array_source_next;
}

static void
test_array_source_finalize (GObject *object)
{
  json_decref (TEST_ARRAY_SOURCE (object)->items);
  G_OBJECT_CLASS (test_array_source_parent_class)->finalize (object);
}

static void
test_array_source_class_init (TestArraySourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_array_source_finalize;
}

static void
test_array_source_init (TestArraySource *self)
{
}

/* Records outputs and done notifications by tag (tags are strings it frees). */
#define TEST_TYPE_TAG_SINK (test_tag_sink_get_type ())
G_DECLARE_FINAL_TYPE (TestTagSink, test_tag_sink, TEST, TAG_SINK, GObject)

struct _TestTagSink
{
  GObject     parent_instance;
  GHashTable *outputs;   /* tag → count of outputs */
  GHashTable *done;      /* tag → error or "" */
};

static void test_tag_sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTagSink, test_tag_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK, test_tag_sink_iface_init))

static gboolean
test_tag_sink_write (SluiceItemSink  *sink,
                     json_t          *item,
                     gpointer         tag,
                     GError         **error)
{
  TestTagSink *self = TEST_TAG_SINK (sink);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->outputs, tag));

  g_assert_nonnull (tag);
  g_assert_false (g_hash_table_contains (self->done, tag));
  g_hash_table_insert (self->outputs, g_strdup (tag), GUINT_TO_POINTER (n + 1));
  return TRUE;
}

static void
test_tag_sink_done (SluiceItemSink *sink,
                    gpointer        tag,
                    const char     *error)
{
  TestTagSink *self = TEST_TAG_SINK (sink);

  g_assert_false (g_hash_table_contains (self->done, tag));
  g_hash_table_insert (self->done, tag, g_strdup (error != NULL ? error : ""));
}

static void
test_tag_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = test_tag_sink_write;
  iface->done = test_tag_sink_done;
}

static void
test_tag_sink_finalize (GObject *object)
{
  TestTagSink *self = TEST_TAG_SINK (object);

  g_hash_table_unref (self->outputs);
  g_hash_table_unref (self->done);
  G_OBJECT_CLASS (test_tag_sink_parent_class)->finalize (object);
}

static void
test_tag_sink_class_init (TestTagSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_tag_sink_finalize;
}

static void
test_tag_sink_init (TestTagSink *self)
{
  self->outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Two controllers, fan-out in the first, order kept in the second; item
 * 3 fails in the second controller. */
static const char *tagged_body =
  "<controller id=\"a\" mode=\"no-order\" workers=\"3\"><phase id=\"pa\">"
  "<execution id=\"split\"><lua>emit(item) emit(item)</lua></execution>"
  "</phase></controller>"
  "<controller id=\"b\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"pb\">"
  "<execution id=\"wait\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">3ms</param></use></execution>"
  "<condition id=\"bad\"><when>item.n == 3</when><then><fail id=\"no-three\">three is out</fail></then></condition>"
  "</phase></controller>";

static guint
run_tagged (gboolean             isolated,
            TestTagSink        **sink_out,
            SluiceRunState      *state)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (tagged_body);
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(TestArraySource) source = g_object_new (TEST_TYPE_ARRAY_SOURCE, NULL);
  g_autoptr(TestTagSink) sink = g_object_new (TEST_TYPE_TAG_SINK, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

  source->items = json_array ();
  for (guint i = 0; i < 8; i++)
    json_array_append_new (source->items, json_pack ("{s:i}", "n", i));

  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  sluice_executor_set_source (executor, SLUICE_ITEM_SOURCE (source));
  sluice_executor_set_sink (executor, SLUICE_ITEM_SINK (sink));
  sluice_executor_set_isolated_items (executor, isolated);
  g_signal_connect_swapped (executor, "notify::state", G_CALLBACK (g_main_loop_quit), loop);
  sluice_executor_start (executor);
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_loop_run (loop);

  *state = sluice_executor_get_state (executor);
  *sink_out = g_steal_pointer (&sink);
  return source->next;
}

/* Every input item is done exactly once, after all its outputs. */
static void
test_sink_hears_done_items (void)
{
  TestTagSink *sink;
  SluiceRunState state;

  g_assert_cmpuint (run_tagged (TRUE, &sink, &state), ==, 8);
  g_assert_cmpint (state, ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (g_hash_table_size (sink->done), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *tag = g_strdup_printf ("tag-%u", i);
      const char *error = g_hash_table_lookup (sink->done, tag);
      guint outputs = GPOINTER_TO_UINT (g_hash_table_lookup (sink->outputs, tag));

      g_assert_nonnull (error);
      if (i == 3)
        {
          /* Isolated: only the failing input fails, and its outputs stop. */
          g_assert_nonnull (strstr (error, "three is out"));
          g_assert_cmpuint (outputs, ==, 0);
        }
      else
        {
          g_assert_cmpstr (error, ==, "");
          g_assert_cmpuint (outputs, ==, 2);
        }
    }
  g_object_unref (sink);
}

/* Without isolation the same failure ends the run, and every input not
 * done yet hears why. */
static void
test_sink_hears_run_failure (void)
{
  TestTagSink *sink;
  SluiceRunState state;
  GHashTableIter iter;
  gpointer key, value;
  guint read;

  read = run_tagged (FALSE, &sink, &state);
  g_assert_cmpint (state, ==, SLUICE_RUN_FAILED);
  g_assert_cmpuint (read, >=, 4);
  g_assert_cmpuint (g_hash_table_size (sink->done), ==, read);
  g_hash_table_iter_init (&iter, sink->done);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (key, "tag-3"))
      g_assert_nonnull (strstr (value, "three is out"));
  g_object_unref (sink);
}

/* Lua's print goes to the run's log ("log" events), in every mode, and
 * never among the items. */
static void
test_print_is_logged (void)
{
  const char *modes[] = { "mode=\"not-parallel\"", "mode=\"no-order\" workers=\"2\"" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *body = g_strdup_printf ("<controller id=\"c\" %s><phase id=\"p\">"
                                               "<execution id=\"talk\"><lua>print ('hello', item.n)</lua></execution>"
                                               "</phase></controller>", modes[m]);
      g_autoptr(SluicePipeline) pipeline = test_load_body (body);
      TestRun *run = test_run_new (pipeline, "{\"n\": 1}\n{\"n\": 2}\n", NULL, TRUE);
      guint logged = 0;

      g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
      for (guint i = 0; i < run->events->len; i++)
        {
          const char *line = g_ptr_array_index (run->events, i);

          if (strstr (line, "\"event\":\"log\"") != NULL)
            {
              g_assert_nonnull (strstr (line, "\"module\":\"talk\""));
              g_assert_nonnull (strstr (line, "\"message\":\"hello\\t"));
              logged++;
            }
        }
      g_assert_cmpuint (logged, ==, 2);
      g_assert_cmpuint (run->outputs->len, ==, 2);
      for (guint i = 0; i < run->outputs->len; i++)
        g_assert_null (strstr (g_ptr_array_index (run->outputs, i), "hello"));
      test_run_free (run);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  sluice_step_registry_register ("tag-later", TEST_TYPE_STEP_TAG, SLUICE_STEP_TOOL);

  g_test_add_func ("/sluice/executor/seams/step/runs", test_registered_step_runs);
  g_test_add_func ("/sluice/executor/seams/step/validates", test_registered_step_validates);
  g_test_add_func ("/sluice/executor/seams/step/timeout", test_registered_step_timeout);
  g_test_add_func ("/sluice/executor/seams/sink/done-items", test_sink_hears_done_items);
  g_test_add_func ("/sluice/executor/seams/sink/run-failure", test_sink_hears_run_failure);
  g_test_add_func ("/sluice/executor/seams/print-is-logged", test_print_is_logged);

  return g_test_run ();
}
