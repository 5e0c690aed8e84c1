/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "test-executor-common.h"

/* A run rebuilt from its events (what the designer does with a daemon's
 * run): the events written as JSON, read back, and tallied give each
 * module the executor's own counters, in every mode and with retries,
 * drops, fan-out and first-wins. */

static void
compare_with_executor (TestRun *run)
{
  g_autoptr(SluiceEventTally) tally = sluice_event_tally_new ();

  for (guint i = 0; i < run->events->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SluiceEvent) event = sluice_event_new_from_json (g_ptr_array_index (run->events, i), &error);
      g_autofree char *again = NULL;

      g_assert_no_error (error);
      /* The round trip is exact. */
      again = sluice_event_to_json (event);
      g_assert_cmpstr (again, ==, g_ptr_array_index (run->events, i));
      sluice_event_tally_apply (tally, event);
    }
  g_assert_cmpuint (sluice_event_tally_get_n_events (tally), ==, run->events->len);
  g_assert_cmpint (sluice_event_tally_get_state (tally), ==, sluice_executor_get_state (run->executor));
  for (guint i = 0; i < sluice_executor_get_n_modules (run->executor); i++)
    {
      const char *id = sluice_executor_get_module_id (run->executor, i);
      SluiceModuleStats want, got;

      sluice_executor_get_module_stats_at (run->executor, i, &want);
      sluice_event_tally_get_module_stats (tally, id, &got);
      g_test_message ("%s: in %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                      " failed %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, id, got.items_in, want.items_in,
                      got.items_out, want.items_out, got.failed, want.failed);
      g_assert_cmpuint (got.items_in, ==, want.items_in);
      g_assert_cmpuint (got.failed, ==, want.failed);
      g_assert_cmpuint (got.active, ==, 0);
      g_assert_cmpint (got.state, ==, want.state);
    }
}

static void
run_and_compare (const char *body,
                 guint       n_items,
                 gboolean    check_out)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autofree char *input = test_items (n_items);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);

  test_run_wait (run);
  compare_with_executor (run);
  if (check_out)
    {
      g_autoptr(SluiceEventTally) tally = sluice_event_tally_new ();

      for (guint i = 0; i < run->events->len; i++)
        {
          g_autoptr(SluiceEvent) event = sluice_event_new_from_json (g_ptr_array_index (run->events, i), NULL);

          sluice_event_tally_apply (tally, event);
        }
      for (guint i = 0; i < sluice_executor_get_n_modules (run->executor); i++)
        {
          SluiceModuleStats want, got;

          sluice_executor_get_module_stats_at (run->executor, i, &want);
          sluice_event_tally_get_module_stats (tally, sluice_executor_get_module_id (run->executor, i), &got);
          g_assert_cmpuint (got.items_out, ==, want.items_out);
        }
    }
  test_run_free (run);
}

static void
test_modes (void)
{
  const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *body = g_strdup_printf (
        "<controller id=\"a\" mode=\"%s\" workers=\"4\"><phase id=\"p\">"
        "<execution id=\"dbl\"><lua>item.value = item.value * 2</lua></execution>"
        "<execution id=\"fan\"><lua>if item.id %% 2 == 0 then return {item, item} end</lua></execution>"
        "</phase></controller>"
        "<controller id=\"b\" mode=\"not-parallel\"><phase id=\"q\">"
        "<execution id=\"inc\"><lua>item.value = item.value + 1</lua></execution></phase></controller>",
        modes[m]);

      g_test_message ("mode %s", modes[m]);
      run_and_compare (body, 200, g_strcmp0 (modes[m], "first-wins") != 0);
    }
}

static void
test_failures (void)
{
  /* Retried failures are one item in; dropped items end in the module. */
  run_and_compare ("<controller id=\"a\" mode=\"no-order\" workers=\"3\"><phase id=\"p\">"
                   "<execution id=\"flaky\" retries=\"2\" backoff=\"1\" on-error=\"drop\">"
                   "<lua>if item.id % 3 == 0 then error ('no') end</lua></execution>"
                   "<execution id=\"cont\" on-error=\"continue\"><lua>if item.id % 5 == 0 then error ('no') end</lua></execution>"
                   "<execution id=\"after\"><lua>item.ok = true</lua></execution>"
                   "</phase></controller>", 60, FALSE);
}

static void
test_run_fails (void)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id=\"a\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"ok\"><lua>item.x = 1</lua></execution>"
    "<execution id=\"boom\"><lua>if item.id == 4 then error ('item four') end</lua></execution>"
    "</phase></controller>");
  g_autofree char *input = test_items (10);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);
  g_autoptr(SluiceEventTally) tally = sluice_event_tally_new ();
  SluiceModuleStats stats;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  for (guint i = 0; i < run->events->len; i++)
    {
      g_autoptr(SluiceEvent) event = sluice_event_new_from_json (g_ptr_array_index (run->events, i), NULL);

      sluice_event_tally_apply (tally, event);
    }
  g_assert_cmpint (sluice_event_tally_get_state (tally), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_event_tally_get_failed_module (tally), ==, "boom");
  g_assert_nonnull (strstr (sluice_event_tally_get_error (tally), "item four"));
  sluice_event_tally_get_module_stats (tally, "boom", &stats);
  g_assert_cmpint (stats.state, ==, SLUICE_MODULE_FAILED);
  sluice_event_tally_get_module_stats (tally, "never-named", &stats);
  g_assert_cmpuint (stats.items_in, ==, 0);
  g_assert_cmpint (stats.state, ==, SLUICE_MODULE_SKIPPED);
  test_run_free (run);
}

/* What a server could send that is not an event. */
static void
test_bad_events (void)
{
  const char *bad[] = {
    "", "null", "[]", "{}", "{\"event\": 3}", "{\"event\": \"no-such-event\"}",
    "{\"event\": \"run-state\", \"state\": \"sleeping\"}", "{\"event\": \"run-state\"}",
    "{\"event\": \"module-started\"", "\xff\xfe",
  };
  g_autoptr(SluiceEventTally) tally = sluice_event_tally_new ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      SluiceEvent *event = sluice_event_new_from_json (bad[i], &error);

      g_assert_null (event);
      g_assert_nonnull (error);
    }
  /* Events naming no module, or with odd numbers, change nothing bad. */
  {
    const char *odd[] = {
      "{\"event\": \"module-finished\", \"seq\": -5, \"outputs\": -1, \"duration_ms\": -3}",
      "{\"event\": \"module-finished\", \"module\": \"m\", \"seq\": 2, \"outputs\": 1, \"duration_ms\": 1e300}",
      "{\"event\": \"module-failed\", \"module\": \"m\", \"attempt\": 99999999999}",
      "{\"event\": \"item-superseded\", \"module\": \"m\"}",
      "{\"event\": \"gate-failed\", \"module\": \"g\", \"checks\": \"not a list\"}",
    };
    SluiceModuleStats stats;

    for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
      {
        g_autoptr(SluiceEvent) event = sluice_event_new_from_json (odd[i], NULL);

        g_assert_nonnull (event);
        sluice_event_tally_apply (tally, event);
      }
    sluice_event_tally_get_module_stats (tally, "m", &stats);
    g_assert_cmpuint (stats.active, ==, 0);
    g_assert_cmpuint (stats.superseded, ==, 1);
    g_assert_null (sluice_event_tally_dup_gate_results (tally, "g"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sluice/event-tally/modes", test_modes);
  g_test_add_func ("/sluice/event-tally/failures", test_failures);
  g_test_add_func ("/sluice/event-tally/run-fails", test_run_fails);
  g_test_add_func ("/sluice/event-tally/bad-events", test_bad_events);
  return g_test_run ();
}
