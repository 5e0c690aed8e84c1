/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-executor-common.h"

static void
test_trigger (void)
{
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"m\"><lua>item.hello = 'world'</lua></execution>"
                                "</phase></controller>", NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"hello\":\"world\"}");
  test_run_free (run);
}

static void
test_not_parallel_order (void)
{
  g_autofree char *input = test_items (300);
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\">"
                                "<phase id=\"p0\"><execution id=\"m\"><lua>item.value = item.value + 1</lua></execution>"
                                "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">2ms</param></use></execution></phase>"
                                "<phase id=\"p1\"><execution id=\"m2\"><lua>item.double = item.value * 2</lua></execution></phase>"
                                "</controller>", input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 300);
  for (guint i = 0; i < 300; i++)
    {
      g_assert_cmpint (test_output_int (run, i, "id"), ==, i);
      g_assert_cmpint (test_output_int (run, i, "value"), ==, i + 1);
      g_assert_cmpint (test_output_int (run, i, "double"), ==, 2 * (i + 1));
    }
  test_run_free (run);
}

static void
test_fan_out_and_drop (void)
{
  g_autofree char *input = test_items (10);
  TestRun *run = test_run_body ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"drop\"><lua>if item.id % 2 == 1 then return false end</lua></execution>"
                                "<execution id=\"fan\"><lua>for k = 1, 3 do emit ({id = item.id, k = k}) end</lua></execution>"
                                "<execution id=\"after\"><lua>item.seen = true</lua></execution>"
                                "</phase></controller>", input);
  SluiceModuleStats stats;

  g_assert_cmpuint (run->outputs->len, ==, 15);
  for (guint i = 0; i < 15; i++)
    {
      json_t *json = test_output (run, i);
      g_assert_cmpint (json_integer_value (json_object_get (json, "id")), ==, (i / 3) * 2);
      g_assert_cmpint (json_integer_value (json_object_get (json, "k")), ==, i % 3 + 1);
      g_assert_true (json_is_true (json_object_get (json, "seen")));
      json_decref (json);
    }
  g_assert_true (sluice_executor_get_module_stats (run->executor, "drop", &stats));
  g_assert_cmpuint (stats.items_in, ==, 10);
  g_assert_cmpuint (stats.dropped, ==, 5);
  g_assert_cmpuint (stats.items_out, ==, 5);
  g_assert_cmpint (stats.state, ==, SLUICE_MODULE_DONE);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "fan", &stats));
  g_assert_cmpuint (stats.items_out, ==, 15);
  test_run_free (run);
}

static void
test_controllers_chain (void)
{
  g_autofree char *input = test_items (50);
  TestRun *run = test_run_body ("<controller id=\"a\" mode=\"not-parallel\"><phase id=\"p\">"
                                "<execution id=\"m1\"><lua>item.value = item.value * 10</lua></execution>"
                                "</phase></controller>"
                                "<controller id=\"b\" mode=\"order-by-sequence\" workers=\"4\"><phase id=\"q\">"
                                "<execution id=\"m2\"><lua>item.value = item.value + 1</lua></execution>"
                                "</phase></controller>", input);

  g_assert_cmpuint (run->outputs->len, ==, 50);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpint (test_output_int (run, i, "value"), ==, i * 10 + 1);
  test_run_free (run);
}

#define DELAY_BODY \
  "<controller id=\"c\" mode=\"%s\" workers=\"%u\"><phase id=\"p\">" \
  "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">3ms</param></use></execution>" \
  "<execution id=\"fan\"><lua>emit ({id = item.id, k = 1}); emit ({id = item.id, k = 2})</lua></execution>" \
  "<execution id=\"d2\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">2ms</param></use></execution>" \
  "</phase></controller>"

static void
test_no_order (void)
{
  g_autofree char *input = test_items (2000);
  g_autofree char *body = g_strdup_printf (DELAY_BODY, "no-order", 64);
  g_autofree guint8 *seen = g_new0 (guint8, 2000);
  gboolean out_of_order = FALSE;
  gint64 last = -1;
  TestRun *run = test_run_body (body, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 4000);
  for (guint i = 0; i < run->outputs->len; i++)
    {
      gint64 id = test_output_int (run, i, "id");
      gint64 k = test_output_int (run, i, "k");

      g_assert_cmpint (id, >=, 0);
      g_assert_cmpint (id, <, 2000);
      g_assert_false (seen[id] & k);
      seen[id] |= k;
      if (id < last)
        out_of_order = TRUE;
      last = id;
    }
  /* Really concurrent: with random delays, outputs overtake each other. */
  g_assert_true (out_of_order);
  /* 2000 × ≥1.5 ms on average would be ≥3 s sequentially. */
  g_assert_cmpint (sluice_executor_get_elapsed (run->executor), <, 2 * G_USEC_PER_SEC);
  test_run_free (run);
}

static void
test_order_by_sequence (void)
{
  g_autofree char *input = test_items (3000);
  g_autofree char *body = g_strdup_printf (DELAY_BODY, "order-by-sequence", 64);
  TestRun *run = test_run_body (body, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 6000);
  /* All outputs of item i before any of item i+1; an item's two outputs
   * (delayed randomly after the fan-out) in the order they finished. */
  for (guint i = 0; i < run->outputs->len; i++)
    g_assert_cmpint (test_output_int (run, i, "id"), ==, i / 2);
  for (guint i = 0; i < run->outputs->len; i += 2)
    g_assert_cmpint (test_output_int (run, i, "k") + test_output_int (run, i + 1, "k"), ==, 3);
  g_assert_cmpint (sluice_executor_get_elapsed (run->executor), <, 3 * G_USEC_PER_SEC);
  test_run_free (run);
}

static void
test_first_wins (void)
{
  g_autofree char *input = test_items (3000);
  g_autofree char *body = g_strdup_printf (DELAY_BODY, "first-wins", 32);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);
  SluiceModuleStats stats;
  gint64 last = -1;
  guint superseded_events = 0, superseded_outputs = 0;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < run->outputs->len; i += 2)
    {
      gint64 id = test_output_int (run, i, "id");

      /* Each item's outputs stay together, ids only increase. */
      g_assert_cmpint (test_output_int (run, i + 1, "id"), ==, id);
      g_assert_cmpint (id, >, last);
      last = id;
    }
  for (guint i = 0; i < run->events->len; i++)
    {
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, NULL);

      if (g_str_equal (json_string_value (json_object_get (event, "event")), "item-superseded"))
        {
          superseded_events++;
          superseded_outputs += json_integer_value (json_object_get (event, "outputs"));
          g_assert_nonnull (json_object_get (event, "item"));
        }
      json_decref (event);
    }
  g_assert_true (sluice_executor_get_module_stats (run->executor, "d2", &stats));
  g_assert_cmpuint (stats.superseded, >, 0);
  g_assert_cmpuint (stats.superseded, ==, superseded_outputs);
  g_assert_cmpuint (superseded_events * 2, ==, superseded_outputs);
  g_assert_cmpuint (run->outputs->len + stats.superseded, ==, 6000);
  test_run_free (run);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/executor/trigger", test_trigger);
  g_test_add_func ("/sluice/executor/not-parallel-order", test_not_parallel_order);
  g_test_add_func ("/sluice/executor/fan-out-and-drop", test_fan_out_and_drop);
  g_test_add_func ("/sluice/executor/controllers-chain", test_controllers_chain);
  g_test_add_func ("/sluice/executor/no-order", test_no_order);
  g_test_add_func ("/sluice/executor/order-by-sequence", test_order_by_sequence);
  g_test_add_func ("/sluice/executor/first-wins", test_first_wins);

  return g_test_run ();
}
