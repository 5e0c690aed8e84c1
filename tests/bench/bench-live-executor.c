/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-files.h"
#include "bench-live-pipeline.h"
#include "bench-median.h"
#include "sluice-executor.h"
#include "sluice-json-alloc.h"
#include "sluice-line-sink.h"
#include "sluice-run.h"
#include "sluice-run-thread.h"

/* Where the designer's live run spends more than sluice-run, without a
 * window: bench-live-run's pipeline (5,000 modules) and items run on
 * this thread's main loop, first configured as sluice-run configures
 * its executor, then as the designer's run session does, then with each
 * of the designer's settings alone. It prints the CPU time of each.
 * Last, the run as the designer runs it: on a SluiceRunThread of its
 * own, which this thread takes from once a frame as the window does;
 * the CPU time printed then is the run's thread's.
 *
 *   meson test -C BUILD --benchmark bench-live-executor -v
 *   SLUICE_BENCH_LIVE_ITEMS=20000 BUILD/tests/bench-live-executor
 *   SLUICE_BENCH_LIVE_ONLY=runner,thread SLUICE_BENCH_LIVE_NO_ALLOC=1 BUILD/tests/bench-live-executor
 *   SLUICE_BENCH_LIVE_ONLY=pairs SLUICE_BENCH_LIVE_PAIRS=9 BUILD/tests/bench-live-executor
 */

static guint n_items = 100000;

enum
{
  WITH_OUTPUT_FUNC = 1 << 0,   /* outputs handed to a function (a copy kept), not a line sink */
  WITH_PREVIEW     = 1 << 1,   /* the data preview, 10 deep */
  WITH_LUA_LIMIT   = 1 << 2,   /* Lua's 1 s limit on this thread */
  WITH_RECORDS     = 1 << 3,   /* per-item records to a function (copied) */
  WITH_EVENTS      = 1 << 4,   /* a handler on "event" */
  DESIGNER         = 0x1f,
};

static double
cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double runner_cpu;   /* CPU of the run set up as sluice-run's, the peer */
static guint64 n_outputs;
static guint64 n_records;
static guint64 n_events;
static SluiceItemRecord last_record;
static char *last_output;

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  n_outputs++;
  g_free (last_output);
  last_output = g_strndup (line, length);
}

static void
record_cb (const SluiceItemRecord *records,
           guint                   n,
           gpointer                user_data)
{
  n_records += n;
  last_record = records[n - 1];
}

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          gpointer        user_data)
{
  n_events++;
}

static double
run_once (const char *pipeline,
          const char *input,
          guint       flags,
          const char *what)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluiceRun) run = sluice_run_new_for_file (pipeline, NULL, problems);
  g_autoptr(GFile) file = g_file_new_for_path (input);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(SluiceLineSink) sink = NULL;
  SluiceExecutor *executor;
  double cpu0, thread0, cpu;
  gint64 start;

  if (run == NULL)
    g_error ("bench-live-executor: cannot load %s", pipeline);
  executor = sluice_run_get_executor (run);
  stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  sluice_executor_set_input_stream (executor, stream);
  if (flags & WITH_OUTPUT_FUNC)
    sluice_executor_set_output_func (executor, output_cb, NULL, NULL);
  else
    {
      sink = sluice_line_sink_new (open ("/dev/null", O_WRONLY | O_CLOEXEC), TRUE);
      sluice_line_sink_set_threaded (sink);
      sluice_executor_set_sink (executor, SLUICE_ITEM_SINK (sink));
    }
  if (flags & WITH_PREVIEW)
    sluice_executor_set_preview (executor, 10);
  if (flags & WITH_LUA_LIMIT)
    sluice_executor_set_main_thread_lua_limit (executor, G_USEC_PER_SEC);
  if (flags & WITH_RECORDS)
    sluice_executor_set_item_record_func (executor, record_cb, NULL);
  if (flags & WITH_EVENTS)
    g_signal_connect (executor, "event", G_CALLBACK (event_cb), NULL);

  n_outputs = n_records = n_events = 0;
  cpu0 = cpu_seconds (RUSAGE_SELF);
  thread0 = cpu_seconds (RUSAGE_THREAD);
  start = g_get_monotonic_time ();
  sluice_run_start (run);
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_context_iteration (NULL, TRUE);
  if (sluice_executor_get_state (executor) != SLUICE_RUN_COMPLETED)
    g_error ("bench-live-executor: %s: %s", what, sluice_executor_get_error (executor));
  cpu = cpu_seconds (RUSAGE_SELF) - cpu0;
  if (flags == 0)
    runner_cpu = cpu;
  g_print ("live executor: %-28s wall %.2f s, CPU %.2f s (this thread %.2f s)",
           what, (g_get_monotonic_time () - start) / 1e6, cpu, cpu_seconds (RUSAGE_THREAD) - thread0);
  if (runner_cpu > 0)
    g_print (": %.2fx sluice-run's speed", runner_cpu / cpu);
  g_print ("; %" G_GUINT64_FORMAT " out, %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " events\n",
           sluice_executor_get_items_out (executor), n_records, n_events);
  return cpu_seconds (RUSAGE_THREAD) - thread0;
}

static void
thread_record_cb (const SluiceItemRecord *record,
                  gpointer                user_data)
{
  n_records++;
  last_record = *record;
}

static void
thread_event_cb (gpointer data,
                 gpointer user_data)
{
  n_events++;
}

typedef struct
{
  SluiceRunThread   *thread;
  SluiceRunSnapshot  snapshot;
  GPtrArray         *outputs;
  guint64            lost;
  guint              takes;
} Window;

/* As the designer's window does, once a frame. */
static gboolean
take_cb (gpointer user_data)
{
  Window *window = user_data;
  guint64 lost;

  n_outputs = sluice_run_thread_take (window->thread, &window->snapshot, thread_record_cb, thread_event_cb,
                                      NULL, window->outputs, 1000, &lost);
  window->lost += lost;
  window->takes++;
  return G_SOURCE_CONTINUE;
}

static double
run_on_thread (const char *path,
               const char *input)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_file (path, problems);
  g_autoptr(GFile) file = g_file_new_for_path (input);
  g_autoptr(GInputStream) stream = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  g_autoptr(GError) error = NULL;
  SluiceRunThreadSetup setup = { 0 };
  Window window = { 0 };
  double cpu0, cpu, thread_cpu;
  gint64 start;
  guint take_id;

  if (pipeline == NULL)
    g_error ("bench-live-executor: cannot load %s", path);
  setup.pipeline = pipeline;
  setup.path = path;
  setup.input = stream;
  setup.preview_depth = 10;
  setup.ring_capacity = 100000;
  window.outputs = g_ptr_array_new_with_free_func (g_free);
  n_outputs = n_records = n_events = 0;
  cpu0 = cpu_seconds (RUSAGE_SELF);
  start = g_get_monotonic_time ();
  window.thread = sluice_run_thread_start (&setup, &error);
  g_assert_no_error (error);
  sluice_run_snapshot_init (&window.snapshot, sluice_executor_get_n_modules (sluice_run_get_executor (
                              sluice_run_thread_get_run (window.thread))), 0, 0);
  take_id = g_timeout_add (16, take_cb, &window);
  while (!sluice_run_thread_get_ended (window.thread))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (take_id);
  sluice_run_thread_join (window.thread);
  take_cb (&window);
  cpu = cpu_seconds (RUSAGE_SELF) - cpu0;
  if (sluice_executor_get_state (sluice_run_get_executor (sluice_run_thread_get_run (window.thread))) != SLUICE_RUN_COMPLETED)
    g_error ("bench-live-executor: the run on its thread did not complete");
  g_print ("live executor: %-28s wall %.2f s, CPU %.2f s (the run's thread %.2f s)",
           "on a run thread", (g_get_monotonic_time () - start) / 1e6, cpu,
           sluice_run_thread_get_cpu_time (window.thread) / 1e6);
  if (runner_cpu > 0)
    g_print (": %.2fx sluice-run's speed", runner_cpu / cpu);
  g_print ("; %" G_GUINT64_FORMAT " out, %" G_GUINT64_FORMAT " records (%" G_GUINT64_FORMAT " lost), "
           "%" G_GUINT64_FORMAT " events, %u takes\n",
           n_outputs, n_records, window.lost, n_events, window.takes);
  thread_cpu = sluice_run_thread_get_cpu_time (window.thread) / 1e6;
  sluice_run_thread_free (window.thread);
  sluice_run_snapshot_clear (&window.snapshot);
  g_ptr_array_unref (window.outputs);
  return thread_cpu;
}

/* SLUICE_BENCH_LIVE_ONLY=pairs: sluice-run's set-up and the run's thread
 * in turns, SLUICE_BENCH_LIVE_PAIRS times (7 unless told), and the
 * median of the pairs' ratios of the thread that runs the items: this
 * host's speed drifts by a third from one run to the next. */
static void
run_pairs (const char *pipeline,
           const char *input)
{
  guint n = g_getenv ("SLUICE_BENCH_LIVE_PAIRS") != NULL ? CLAMP (atoi (g_getenv ("SLUICE_BENCH_LIVE_PAIRS")), 1, BENCH_MEDIAN_MAX) : 7;
  double ratios[BENCH_MEDIAN_MAX] = { 0 };

  for (guint i = 0; i < n; i++)
    {
      double runner = 0, thread = 0;

      if (i % 2 == 0)
        runner = run_once (pipeline, input, 0, "as sluice-run");
      thread = run_on_thread (pipeline, input);
      if (i % 2 == 1)
        runner = run_once (pipeline, input, 0, "as sluice-run");
      ratios[i] = runner / thread;
      g_print ("live executor: pair %u: sluice-run's thread %.2f s, the run's thread %.2f s: %.2fx\n",
               i + 1, runner, thread, ratios[i]);
    }
  g_print ("live executor: the run's thread runs at %.2fx sluice-run's (median of %u pairs)\n",
           bench_median (ratios, n), n);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-bench-live-exec-XXXXXX", NULL);
  g_autofree char *pipeline = g_build_filename (dir, "live.xml", NULL);
  g_autofree char *input = g_build_filename (dir, "items.jsonl", NULL);
  g_autofree char *xml = bench_live_pipeline_generate ();
  GString *items = g_string_new (NULL);
  const char *only = g_getenv ("SLUICE_BENCH_LIVE_ONLY");

  /* As sluice-run and the designer both do at start (unless told not
   * to, to measure what it saves). */
  if (g_getenv ("SLUICE_BENCH_LIVE_NO_ALLOC") == NULL)
    sluice_json_alloc_install ();
  if (g_getenv ("SLUICE_BENCH_LIVE_ITEMS") != NULL)
    n_items = MAX (1, atoi (g_getenv ("SLUICE_BENCH_LIVE_ITEMS")));
  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (items, "{\"id\": %u, \"name\": \"item %u\"}\n", i, i);
  g_file_set_contents (pipeline, xml, -1, NULL);
  g_file_set_contents (input, items->str, items->len, NULL);
  g_string_free (items, TRUE);

  g_print ("live executor: %u modules, %u items\n", N_CONTROLLERS * (N_BRANCH + 1), n_items);
  if (only == NULL || strstr (only, "runner"))
    run_once (pipeline, input, 0, "as sluice-run");
  if (only == NULL || strstr (only, "designer"))
    run_once (pipeline, input, DESIGNER, "as the designer");
  if (only == NULL || strstr (only, "output"))
    run_once (pipeline, input, WITH_OUTPUT_FUNC, "output func only");
  if (only == NULL || strstr (only, "preview"))
    run_once (pipeline, input, WITH_PREVIEW, "preview only");
  if (only == NULL || strstr (only, "limit"))
    run_once (pipeline, input, WITH_LUA_LIMIT, "Lua limit only");
  if (only == NULL || strstr (only, "records"))
    run_once (pipeline, input, WITH_RECORDS, "records only");
  if (only == NULL || strstr (only, "events"))
    run_once (pipeline, input, WITH_EVENTS, "event handler only");
  if (only == NULL || strstr (only, "thread"))
    run_on_thread (pipeline, input);
  if (only != NULL && strstr (only, "pairs"))
    run_pairs (pipeline, input);
  g_print ("live executor: load %s", "");
  {
    g_autofree char *load = NULL;

    if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
      g_print ("%s", load);
  }
  g_free (last_output);
  bench_remove_tree (dir);
  return 0;
}
