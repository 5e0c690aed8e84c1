/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "test-executor-common.h"
#include "sluice-tool-writes.h"

SluicePipeline *
test_load (const char *xml)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *pipeline = sluice_load_data (xml, strlen (xml), "test.xml", problems);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", text);
    }
  g_assert_nonnull (pipeline);
  return pipeline;
}

SluicePipeline *
test_load_body (const char *body)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                                          "<pipeline format=\"1\" id=\"t\">\n%s\n</pipeline>\n",
                                          body);
  return test_load (xml);
}

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  TestRun *run = user_data;

  g_ptr_array_add (run->outputs, g_strndup (line, length));
}

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          TestRun        *run)
{
  g_ptr_array_add (run->events, sluice_event_to_json (event));
}

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          TestRun    *run)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (run->executor)))
    g_main_loop_quit (run->loop);
}

TestRun *
test_run_new (SluicePipeline     *pipeline,
              const char         *input,
              const char * const *defines,
              gboolean            with_events)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  TestRun *run = g_new0 (TestRun, 1);

  for (guint i = 0; defines != NULL && defines[i] != NULL; i++)
    {
      const char *eq = strchr (defines[i], '=');
      g_hash_table_insert (table, g_strndup (defines[i], eq - defines[i]), g_strdup (eq + 1));
    }

  run->outputs = g_ptr_array_new_with_free_func (g_free);
  run->events = g_ptr_array_new_with_free_func (g_free);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->executor = sluice_executor_new (pipeline, table, &error);
  g_assert_no_error (error);
  sluice_executor_set_output_func (run->executor, output_cb, run, NULL);
  if (with_events)
    g_signal_connect (run->executor, "event", G_CALLBACK (event_cb), run);
  g_signal_connect (run->executor, "notify::state", G_CALLBACK (state_cb), run);
  if (input != NULL)
    {
      g_autoptr(GInputStream) stream =
        g_memory_input_stream_new_from_data (g_strdup (input), strlen (input), g_free);
      sluice_executor_set_input_stream (run->executor, stream);
    }

  return run;
}

static gboolean
timeout_cb (gpointer user_data)
{
  TestRun *run = user_data;

  run->timeout_id = 0;
  g_test_message ("run did not finish in time");
  g_test_fail ();
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

SluiceRunState
test_run_wait (TestRun *run)
{
  if (sluice_executor_get_state (run->executor) == SLUICE_RUN_PENDING)
    sluice_executor_start (run->executor);
  if (!sluice_run_state_is_final (sluice_executor_get_state (run->executor)))
    {
      run->timeout_id = g_timeout_add_seconds (60, timeout_cb, run);
      g_main_loop_run (run->loop);
      g_clear_handle_id (&run->timeout_id, g_source_remove);
    }
  if (sluice_executor_get_error (run->executor) != NULL)
    g_test_message ("run error: %s", sluice_executor_get_error (run->executor));
  return sluice_executor_get_state (run->executor);
}

void
test_run_free (TestRun *run)
{
  g_clear_object (&run->executor);
  sluice_tool_batch_wait_for_writes ();
  g_ptr_array_unref (run->outputs);
  g_ptr_array_unref (run->events);
  g_main_loop_unref (run->loop);
  g_free (run);
}

TestRun *
test_run_body (const char *body,
               const char *input)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);

  test_run_wait (run);
  return run;
}

char *
test_items (guint n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\": %u, \"value\": %u, \"tag\": \"%s\"}\n",
                            i, i, i % 2 ? "b" : "a");
  return g_string_free (s, FALSE);
}

json_t *
test_output (TestRun *run,
             guint    i)
{
  json_error_t jerror;
  json_t *json;

  g_assert_cmpuint (i, <, run->outputs->len);
  json = json_loads (g_ptr_array_index (run->outputs, i), 0, &jerror);
  g_assert_nonnull (json);
  return json;
}

gint64
test_output_int (TestRun    *run,
                 guint       i,
                 const char *key)
{
  json_t *json = test_output (run, i);
  gint64 value;

  g_assert_true (json_is_integer (json_object_get (json, key)));
  value = json_integer_value (json_object_get (json, key));
  json_decref (json);
  return value;
}
