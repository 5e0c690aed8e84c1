/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>

#include "test-executor-common.h"
#include "sluice-preview.h"

/* The executor's additions for viewers: the data preview (last items in
 * and out of each module), module stats by index and the held-back count
 * of order-by-sequence controllers. */

static TestRun *
run_with_preview (const char *body,
                  const char *input,
                  guint       depth)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);

  sluice_executor_set_preview (run->executor, depth);
  return run;
}

static void
test_preview_lua_and_command (void)
{
  g_autofree char *input = test_items (3);
  TestRun *run = run_with_preview (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='double'><lua>item.value = item.value * 2</lua></execution>"
    "<execution id='fan'><lua>emit ({n = item.value}); emit ({n = item.value + 1})</lua></execution>"
    "<execution id='cat'><command>cat</command></execution>"
    "<execution id='drop'><lua>return false</lua></execution>"
    "</phase></controller>", input, 2);
  g_auto(GStrv) in = NULL;
  g_auto(GStrv) out = NULL;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);

  /* Newest first, at most the depth. */
  in = sluice_executor_dup_preview (run->executor, "double", FALSE);
  out = sluice_executor_dup_preview (run->executor, "double", TRUE);
  g_assert_cmpuint (g_strv_length (in), ==, 2);
  g_assert_nonnull (strstr (in[0], "\"id\":2"));
  g_assert_nonnull (strstr (in[0], "\"value\":2"));
  g_assert_nonnull (strstr (out[0], "\"value\":4"));
  g_assert_nonnull (strstr (in[1], "\"id\":1"));
  g_clear_pointer (&in, g_strfreev);
  g_clear_pointer (&out, g_strfreev);

  /* Emitted items are outputs in the order they were produced. */
  out = sluice_executor_dup_preview (run->executor, "fan", TRUE);
  g_assert_cmpuint (g_strv_length (out), ==, 2);
  g_assert_cmpstr (out[0], ==, "{\"n\":5}");
  g_assert_cmpstr (out[1], ==, "{\"n\":4}");
  g_clear_pointer (&out, g_strfreev);

  /* A command's input and output. */
  in = sluice_executor_dup_preview (run->executor, "cat", FALSE);
  out = sluice_executor_dup_preview (run->executor, "cat", TRUE);
  g_assert_cmpuint (g_strv_length (in), ==, 2);
  /* The two outputs of one item run their commands side by side. */
  g_assert_cmpuint (g_strv_length (in), ==, 2);
  g_assert_cmpuint (g_strv_length (out), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) in, "{\"n\":5}"));
  g_assert_true (g_strv_contains ((const char * const *) in, "{\"n\":4}"));
  g_assert_true (g_strv_contains ((const char * const *) out, "{\"n\":5}"));
  g_assert_true (g_strv_contains ((const char * const *) out, "{\"n\":4}"));
  g_clear_pointer (&in, g_strfreev);
  g_clear_pointer (&out, g_strfreev);

  /* A dropping module has inputs and no outputs. */
  in = sluice_executor_dup_preview (run->executor, "drop", FALSE);
  out = sluice_executor_dup_preview (run->executor, "drop", TRUE);
  g_assert_cmpuint (g_strv_length (in), ==, 2);
  g_assert_cmpuint (g_strv_length (out), ==, 0);
  g_clear_pointer (&in, g_strfreev);
  g_clear_pointer (&out, g_strfreev);

  /* Unknown ids give an empty list, not NULL. */
  in = sluice_executor_dup_preview (run->executor, "nope", FALSE);
  g_assert_nonnull (in);
  g_assert_cmpuint (g_strv_length (in), ==, 0);

  test_run_free (run);
}

static void
test_preview_off (void)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='a'><lua>item.x = 1</lua></execution>"
    "</phase></controller>");
  g_autofree char *input = test_items (50);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  g_auto(GStrv) in = NULL;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  in = sluice_executor_dup_preview (run->executor, "a", FALSE);
  g_assert_cmpuint (g_strv_length (in), ==, 0);
  test_run_free (run);
}

static void
test_preview_parallel (void)
{
  g_autofree char *input = test_items (2000);
  TestRun *run = run_with_preview (
    "<controller id='c' mode='no-order' workers='4'><phase id='p'>"
    "<execution id='a'><lua>item.x = item.value + 1</lua></execution>"
    "</phase></controller>", input, 5);
  g_auto(GStrv) in = NULL;
  g_auto(GStrv) out = NULL;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2000);
  in = sluice_executor_dup_preview (run->executor, "a", FALSE);
  out = sluice_executor_dup_preview (run->executor, "a", TRUE);
  g_assert_cmpuint (g_strv_length (in), ==, 5);
  g_assert_cmpuint (g_strv_length (out), ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_nonnull (strstr (out[i], "\"x\":"));
  test_run_free (run);
}

/* x of a previewed item text, -1 when it has none. */
static json_int_t
preview_x (const char *text)
{
  json_t *item = json_loads (text, 0, NULL);
  json_t *x;
  json_int_t value;

  g_assert_nonnull (item);
  x = json_object_get (item, "x");
  value = x != NULL ? json_integer_value (x) : -1;
  json_decref (item);
  return value;
}

/* A module's output and the next module's input are one text when no Lua
 * ran in between (written once); a condition's Lua between two modules
 * and a module that changes the item make new ones. */
static void
test_preview_shared_text (void)
{
  g_autofree char *input = test_items (3);
  TestRun *run = run_with_preview (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='a'><lua>item.x = 1</lua></execution>"
    "<execution id='b'><lua>item.x = item.x + 1</lua></execution>"
    "<condition id='when'><when>item.x == 2</when><then>"
    "<execution id='c'><lua>item.x = item.x * 10</lua></execution>"
    "</then></condition>"
    "</phase></controller>", input, 3);
  g_auto(GStrv) a_in = NULL, a_out = NULL, b_in = NULL, b_out = NULL, c_in = NULL, c_out = NULL;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  a_in = sluice_executor_dup_preview (run->executor, "a", FALSE);
  a_out = sluice_executor_dup_preview (run->executor, "a", TRUE);
  b_in = sluice_executor_dup_preview (run->executor, "b", FALSE);
  b_out = sluice_executor_dup_preview (run->executor, "b", TRUE);
  c_in = sluice_executor_dup_preview (run->executor, "c", FALSE);
  c_out = sluice_executor_dup_preview (run->executor, "c", TRUE);
  g_assert_cmpuint (g_strv_length (a_in), ==, 3);
  g_assert_cmpuint (g_strv_length (c_out), ==, 3);
  g_assert_cmpstr (a_in[0], ==, "{\"id\":2,\"tag\":\"a\",\"value\":2}");
  g_assert_cmpstr (a_out[0], ==, "{\"id\":2,\"tag\":\"a\",\"value\":2,\"x\":1}");
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (b_in[i], ==, a_out[i]);
      g_assert_cmpstr (c_in[i], ==, b_out[i]);
      g_assert_cmpint (preview_x (a_out[i]), ==, 1);
      g_assert_cmpint (preview_x (b_out[i]), ==, 2);
      g_assert_cmpint (preview_x (c_out[i]), ==, 20);
    }
  g_assert_cmpuint (run->outputs->len, ==, 3);
  test_run_free (run);
}

/* Thousands of items through forty modules: a module whose preview is
 * not due runs in a chain with its neighbours, so the samples are of
 * different items, but each is what that module saw or made. */
#define N_CHAINED 40
static void
test_preview_sampled_chain (void)
{
  g_autofree char *input = test_items (5000);
  GString *body = g_string_new ("<controller id='c' mode='not-parallel'><phase id='p'>");
  TestRun *run;

  for (guint m = 0; m < N_CHAINED; m++)
    g_string_append_printf (body, "<execution id='m%u'><lua>item.x = (item.x or 0) + 1</lua></execution>", m);
  g_string_append (body, "</phase></controller>");
  run = run_with_preview (body->str, input, 5);
  g_string_free (body, TRUE);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 5000);
  for (guint i = 0; i < 5000; i++)
    {
      json_t *item = test_output (run, i);

      g_assert_cmpint (json_integer_value (json_object_get (item, "x")), ==, N_CHAINED);
      json_decref (item);
    }
  for (guint m = 0; m < N_CHAINED; m++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", m);
      g_auto(GStrv) in = sluice_executor_dup_preview (run->executor, id, FALSE);
      g_auto(GStrv) out = sluice_executor_dup_preview (run->executor, id, TRUE);

      g_assert_cmpuint (g_strv_length (in), ==, 5);
      g_assert_cmpuint (g_strv_length (out), ==, 5);
      for (guint i = 0; i < 5; i++)
        {
          g_assert_cmpint (preview_x (in[i]), ==, m == 0 ? -1 : (json_int_t) m);
          g_assert_cmpint (preview_x (out[i]), ==, m + 1);
        }
    }
  test_run_free (run);
}

static void
test_stats_by_index (void)
{
  g_autofree char *input = test_items (4);
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='a'><lua>item.x = 1</lua></execution>"
    "<execution id='b'><lua>return false</lua></execution>"
    "<execution id='never'><lua>item.y = 1</lua></execution>"
    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  SluiceModuleStats by_id, at, all[3];

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (sluice_executor_get_n_modules (run->executor), ==, 3);
  /* All at once, as a live view copies them, gives the same. */
  sluice_executor_copy_module_stats (run->executor, all, 3);
  for (guint i = 0; i < 3; i++)
    {
      const char *id = sluice_executor_get_module_id (run->executor, i);

      g_assert_true (sluice_executor_get_module_stats (run->executor, id, &by_id));
      sluice_executor_get_module_stats_at (run->executor, i, &at);
      g_assert_cmpmem (&by_id, sizeof by_id, &at, sizeof at);
      g_assert_cmpmem (&all[i], sizeof all[i], &at, sizeof at);
    }
  g_assert_cmpstr (sluice_executor_get_module_id (run->executor, 1), ==, "b");
  sluice_executor_get_module_stats_at (run->executor, 1, &at);
  g_assert_cmpuint (at.items_in, ==, 4);
  g_assert_cmpuint (at.dropped, ==, 4);
  sluice_executor_get_module_stats_at (run->executor, 2, &at);
  g_assert_cmpint (at.state, ==, SLUICE_MODULE_SKIPPED);
  test_run_free (run);
}

typedef struct
{
  SluiceExecutor *executor;
  gint            max_held;
} HeldWatch;

static gboolean
watch_held_cb (gpointer data)
{
  HeldWatch *watch = data;

  watch->max_held = MAX (watch->max_held, sluice_executor_get_held_back (watch->executor, "c"));
  return G_SOURCE_CONTINUE;
}

static void
test_held_back (void)
{
  /* Item 1 is slow, items 2–4 are fast: they wait for it. */
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='order-by-sequence' workers='4'><phase id='p'>"
    "<execution id='s'><command>read l; case \"$l\" in *'\"id\": 0'*|*'\"id\":0'*) sleep 0.6;; esac; echo \"$l\"</command></execution>"
    "</phase></controller>");
  g_autofree char *input = test_items (4);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  HeldWatch watch = { run->executor, 0 };
  guint id = g_timeout_add (10, watch_held_cb, &watch);

  g_assert_cmpint (sluice_executor_get_held_back (run->executor, "c"), ==, 0);
  g_assert_cmpint (sluice_executor_get_held_back (run->executor, "nope"), ==, -1);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_source_remove (id);
  g_assert_cmpint (watch.max_held, ==, 3);
  g_assert_cmpint (sluice_executor_get_held_back (run->executor, "c"), ==, 0);
  g_assert_cmpuint (run->outputs->len, ==, 4);
  test_run_free (run);
}

/* The preview's limits, at times the test chooses: each module's first
 * items always; beyond them its own rate, and a budget all modules of
 * the run share, so that five thousand modules cost no more than a few. */
#define N_PREVIEWS 2000
static void
test_preview_run_budget (void)
{
  g_autoptr(SluicePreviewBudget) budget = sluice_preview_budget_new ();
  SluicePreview *previews[N_PREVIEWS];
  const gint64 t0 = 1000 * G_USEC_PER_SEC;
  guint due = 0;

  for (guint i = 0; i < N_PREVIEWS; i++)
    previews[i] = sluice_preview_new (3, budget);
  /* The first three inputs and outputs of every module, whatever the budget. */
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < N_PREVIEWS; i++)
      {
        g_assert_true (sluice_preview_wanted (previews[i], t0));
        g_assert_true (sluice_preview_due (previews[i], FALSE, t0));
        g_assert_true (sluice_preview_due (previews[i], TRUE, t0));
      }
  /* Then the run's burst of a thousand, shared, though each module's
   * own burst would allow 16 × 2 × 2,000. */
  for (guint round = 0; round < 16; round++)
    for (guint i = 0; i < N_PREVIEWS; i++)
      for (guint dir = 0; dir < 2; dir++)
        due += sluice_preview_due (previews[i], dir, t0);
  g_assert_cmpuint (due, ==, 1000);
  g_assert_false (sluice_preview_wanted (previews[N_PREVIEWS - 1], t0));
  /* A thousand a second: one more each millisecond, for whoever asks. */
  g_assert_true (sluice_preview_wanted (previews[N_PREVIEWS - 1], t0 + 1000));
  g_assert_true (sluice_preview_due (previews[N_PREVIEWS - 1], FALSE, t0 + 1000));
  g_assert_false (sluice_preview_due (previews[0], FALSE, t0 + 1000));
  for (guint i = 0; i < N_PREVIEWS; i++)
    sluice_preview_free (previews[i]);
}

/* A module's own rate still holds when the run's budget has room:
 * twenty a second after its burst of 16; and a module that dropped
 * every input it took is not wanted for the outputs it never made. */
static void
test_preview_module_rate (void)
{
  g_autoptr(SluicePreviewBudget) budget = sluice_preview_budget_new ();
  SluicePreview *preview = sluice_preview_new (3, budget);
  const gint64 t0 = 1000 * G_USEC_PER_SEC;
  guint due = 0;

  for (guint i = 0; i < 100; i++)
    due += sluice_preview_due (preview, FALSE, t0);
  g_assert_cmpuint (due, ==, 3 + 16);
  g_assert_false (sluice_preview_due (preview, FALSE, t0 + G_USEC_PER_SEC / 20 - 1));
  /* No output was ever taken, yet the module is not wanted until its
   * inputs' turn comes. */
  g_assert_false (sluice_preview_wanted (preview, t0 + G_USEC_PER_SEC / 20 - 1));
  g_assert_true (sluice_preview_wanted (preview, t0 + G_USEC_PER_SEC / 20));
  g_assert_true (sluice_preview_due (preview, FALSE, t0 + G_USEC_PER_SEC / 20));
  sluice_preview_free (preview);
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The CPU the Lua workers spend on a run's items is counted (a viewer
 * tells it from what its own drawing costs): dear Lua in a no-order
 * controller goes to the workers, and its time shows there. */
static void
test_workers_cpu (void)
{
  g_autofree char *input = test_items (40);
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='burn'><lua>local x = 0 for i = 1, 2000000 do x = x + i end</lua></execution>"
    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  gint64 own0 = thread_cpu_us ();
  gint64 workers;

  g_assert_cmpint (sluice_executor_get_workers_cpu_time (run->executor), ==, 0);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 40);
  workers = sluice_executor_get_workers_cpu_time (run->executor);
  g_test_message ("workers' CPU: %" G_GINT64_FORMAT " us for 40 items, this thread's %" G_GINT64_FORMAT " us",
                  workers, thread_cpu_us () - own0);
  /* Most of the Lua ran on the workers and is counted there, not on the
   * run's own thread (the first few items may run on it while it learns
   * that the module is dear). */
  g_assert_cmpint (workers, >, 2 * (thread_cpu_us () - own0));
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sluice/executor/preview/lua-and-command", test_preview_lua_and_command);
  g_test_add_func ("/sluice/executor/preview/off", test_preview_off);
  g_test_add_func ("/sluice/executor/preview/parallel", test_preview_parallel);
  g_test_add_func ("/sluice/executor/preview/shared-text", test_preview_shared_text);
  g_test_add_func ("/sluice/executor/preview/sampled-chain", test_preview_sampled_chain);
  g_test_add_func ("/sluice/executor/preview/run-budget", test_preview_run_budget);
  g_test_add_func ("/sluice/executor/preview/module-rate", test_preview_module_rate);
  g_test_add_func ("/sluice/executor/preview/workers-cpu", test_workers_cpu);
  g_test_add_func ("/sluice/executor/preview/stats-by-index", test_stats_by_index);
  g_test_add_func ("/sluice/executor/preview/held-back", test_held_back);
  return g_test_run ();
}
