/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sluice-core.h"

/* External modules against `sluice-run serve` (issue 11), not a test:
 *
 *   meson compile -C BUILD bench-external
 *   SLUICE_RUN=BUILD/src/runner/sluice-run BUILD/tests/bench/bench-external
 *
 * The cost of the balancer's choice (CPU time per choice); then items/s
 * through one <external> module calling one and two serve instances of
 * a one-Lua-step pipeline (every process on this machine), at
 * concurrency 1, 8 and 64, with p50/p99 of the module's time per item
 * and the CPU time per item of the caller and of the serve instances,
 * first one item per request, then with batches. BENCH_INSTANCES,
 * BENCH_CONCURRENCY and BENCH_BATCH (0 or 1) run one of each;
 * BENCH_ONLY=pick only the choice. */

static const char *SERVED =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"double\">"
  "<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
  "<execution id=\"dbl\"><lua>item.value = item.value * 2</lua></execution>"
  "</phase></controller></pipeline>\n";

/* CPU time (user + system) so far, in µs: of this process, and of a
 * serve instance from /proc (the machine is shared, so wall figures
 * alone say little). */
static gint64
self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static gint64
process_cpu_us (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* Fields 14 and 15 (utime, stime) are the 12th and 13th after "(comm)". */
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

static void
child_setup_cb (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
start_serve (const char  *path,
             const char  *batch,
             char       **url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, child_setup_cb, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "serve", path,
                                         "--listen", "127.0.0.1:0", "--batch", batch, "--quiet", NULL);
  if (process == NULL)
    g_error ("cannot start serve: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    g_error ("serve did not start");
  *url = g_strdup (line + strlen ("listening on "));
  return process;
}

typedef struct
{
  GArray    *latencies;  /* double, ms */
  GMainLoop *loop;
  guint      outputs;
} Bench;

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          Bench          *bench)
{
  if (event->type == SLUICE_EVENT_MODULE_FINISHED)
    g_array_append_val (bench->latencies, event->duration_ms);
}

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  ((Bench *) user_data)->outputs++;
}

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          Bench      *bench)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (SLUICE_EXECUTOR (object))))
    g_main_loop_quit (bench->loop);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
run_once (GSubprocess **serves,
          char        **urls,
          guint         n_urls,
          guint         concurrency,
          guint         n_items)
{
  gint64 client_cpu, server_cpu = 0;
  g_autoptr(GString) xml = g_string_new ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"caller\"><services><service name=\"s\">");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Bench bench = { 0 };
  gint64 start;
  double seconds;

  for (guint i = 0; i < n_urls; i++)
    g_string_append_printf (xml, "<endpoint url=\"%s\"/>", urls[i]);
  if (concurrency == 1)
    g_string_append (xml, "</service></services><controller id=\"c\" mode=\"not-parallel\">");
  else
    g_string_append_printf (xml, "</service></services><controller id=\"c\" mode=\"no-order\" workers=\"%u\">", concurrency);
  g_string_append (xml, "<phase id=\"p\"><external id=\"ext\" service=\"s\" timeout=\"10s\"/></phase></controller></pipeline>");
  pipeline = sluice_load_data (xml->str, xml->len, "caller.xml", problems);
  g_assert (pipeline != NULL);

  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (input, "{\"id\": %u, \"value\": %u}\n", i, i);
  stream = g_memory_input_stream_new_from_data (g_strdup (input->str), input->len, g_free);

  bench.latencies = g_array_sized_new (FALSE, FALSE, sizeof (double), n_items);
  bench.loop = g_main_loop_new (NULL, FALSE);
  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_set_output_func (executor, output_cb, &bench, NULL);
  g_signal_connect (executor, "event", G_CALLBACK (event_cb), &bench);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), &bench);

  client_cpu = self_cpu_us ();
  for (guint i = 0; i < n_urls; i++)
    server_cpu -= process_cpu_us (serves[i]);
  start = g_get_monotonic_time ();
  sluice_executor_start (executor);
  g_main_loop_run (bench.loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  client_cpu = self_cpu_us () - client_cpu;
  for (guint i = 0; i < n_urls; i++)
    server_cpu += process_cpu_us (serves[i]);

  if (sluice_executor_get_state (executor) != SLUICE_RUN_COMPLETED || bench.outputs != n_items)
    g_error ("the run did not complete: %s", sluice_executor_get_error (executor));
  g_array_sort (bench.latencies, compare_double);
  printf ("  %u instance%s, concurrency %2u: %6u items in %5.2f s = %7.0f items/s, p50 %.2f ms, p99 %.2f ms; "
          "CPU per item: caller %.0f µs, serve %.0f µs\n",
          n_urls, n_urls > 1 ? "s" : " ", concurrency, n_items, seconds, n_items / seconds,
          g_array_index (bench.latencies, double, bench.latencies->len / 2),
          g_array_index (bench.latencies, double, (guint) (bench.latencies->len * 0.99)),
          (double) client_cpu / n_items, (double) server_cpu / n_items);
  fflush (stdout);
  g_array_unref (bench.latencies);
  g_main_loop_unref (bench.loop);
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The choice alone, in this thread's CPU time: on a shared machine the
 * wall clock counts the time others ran too. */
static void
bench_pick (SluiceBalance balance,
            guint         n_endpoints)
{
  SluiceEndpointSet *set = sluice_endpoint_set_new (balance);
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  guint n = 10 * 1000 * 1000;
  volatile gpointer sink = NULL;
  SluicePickResult result;
  gint64 now = g_get_monotonic_time (), cpu, wall;

  for (guint i = 0; i < n_endpoints; i++)
    g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:%u/", 9000 + i));
  g_ptr_array_add (urls, NULL);
  sluice_endpoint_set_update (set, (const char * const *) urls->pdata);
  for (guint i = 0; i < n_endpoints; i++)
    sluice_endpoint_set_get (set, i)->in_flight = i % 3;

  cpu = thread_cpu_ns ();
  wall = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      SluiceEndpoint *endpoint = sluice_endpoint_set_pick (set, now, NULL, 0, &result);

      /* As a call does: one more in flight, then one less. */
      endpoint->in_flight++;
      sink = endpoint;
      endpoint->in_flight--;
    }
  cpu = thread_cpu_ns () - cpu;
  wall = g_get_monotonic_time () - wall;
  printf ("  %-13s over %2u endpoints: %6.1f ns per choice (CPU; wall %.1f ns)\n", sluice_balance_to_string (balance),
          n_endpoints, (double) cpu / n, wall * 1000.0 / n);
  (void) sink;
  sluice_endpoint_set_free (set);
}

int
main (int argc, char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "double.xml", NULL);
  char *urls[2];
  GSubprocess *serves[2];
  guint concurrencies[] = { 1, 8, 64 };
  guint n_items = argc > 1 ? atoi (argv[1]) : 20000;

  /* First, without any server running. */
  printf ("the balancer's choice (target: under 1 µs)\n");
  for (SluiceBalance b = SLUICE_BALANCE_LEAST_LOADED; b <= SLUICE_BALANCE_RANDOM_TWO; b++)
    {
      bench_pick (b, 2);
      bench_pick (b, 16);
      bench_pick (b, 64);
    }
  if (g_strcmp0 (g_getenv ("BENCH_ONLY"), "pick") == 0)
    return 0;

  if (g_getenv ("SLUICE_RUN") == NULL)
    g_error ("set SLUICE_RUN to the sluice-run to benchmark");
  g_file_set_contents (path, SERVED, -1, NULL);

  /* Twice: serve taking one item per request, then batches (the caller
   * sends together the calls that are ready together). */
  for (guint batching = 0; batching < 2; batching++)
    {
      if (g_getenv ("BENCH_BATCH") != NULL && atoi (g_getenv ("BENCH_BATCH")) != (int) batching)
        continue;
      for (guint i = 0; i < 2; i++)
        serves[i] = start_serve (path, batching ? "64" : "0", &urls[i]);

      printf ("external → serve (one Lua step), all processes on this machine, %s\n",
              batching ? "batches of up to 64 items (serve --batch 64, the default)" : "one item per request (serve --batch 0)");
      for (guint n_urls = 1; n_urls <= 2; n_urls++)
        if (g_getenv ("BENCH_INSTANCES") == NULL || atoi (g_getenv ("BENCH_INSTANCES")) == (int) n_urls)
          for (guint i = 0; i < G_N_ELEMENTS (concurrencies); i++)
            if (g_getenv ("BENCH_CONCURRENCY") == NULL || atoi (g_getenv ("BENCH_CONCURRENCY")) == (int) concurrencies[i])
              run_once (serves, urls, n_urls, concurrencies[i], concurrencies[i] == 1 ? n_items / 4 : n_items);

      for (guint i = 0; i < 2; i++)
        {
          g_subprocess_force_exit (serves[i]);
          g_subprocess_wait (serves[i], NULL, NULL);
          g_object_unref (serves[i]);
          g_free (urls[i]);
        }
    }
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
