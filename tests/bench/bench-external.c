/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* F_SETPIPE_SZ */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

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
 * BENCH_ONLY=pick only the choice, BENCH_PICK=0 all but the choice.
 *
 * Then open loop (BENCH_OPEN=0 leaves it out): items arrive at a fixed
 * rate, half of the best closed-loop rate of that row, whatever the
 * answers do, and each item's latency counts from the moment it was due
 * (not from when it could be sent), so a stall shows as the latency of
 * every item that arrived during it (no coordinated omission). The
 * target is p99 under 10 ms at half the rate. BENCH_RATE=N uses N
 * items/s instead of half the measured maximum; BENCH_SECONDS the
 * length of each open-loop run (default 5). */

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
  gboolean   open_loop;  /* latencies from each output's "due" field */
  gint64     start;      /* open loop: when item 0 was due */
  double     worst[64];  /* open loop: the worst latency of the items due in each second */
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
  Bench *bench = user_data;
  const char *due;

  bench->outputs++;
  /* Open loop: from the moment the item was due to arrive (the clock is
   * CLOCK_MONOTONIC, as g_get_monotonic_time). */
  if (bench->open_loop && (due = g_strstr_len (line, length, "\"due\":")) != NULL)
    {
      gint64 due_us = g_ascii_strtoll (due + strlen ("\"due\":"), NULL, 10);
      double ms = (g_get_monotonic_time () - due_us) / 1000.0;
      guint second = MIN ((guint) MAX (due_us - bench->start, 0) / G_USEC_PER_SEC, G_N_ELEMENTS (bench->worst) - 1);

      g_array_append_val (bench->latencies, ms);
      bench->worst[second] = MAX (bench->worst[second], ms);
    }
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

static char *
caller_xml (char  **urls,
            guint   n_urls,
            guint   concurrency)
{
  GString *xml = g_string_new ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"caller\"><services><service name=\"s\">");

  for (guint i = 0; i < n_urls; i++)
    g_string_append_printf (xml, "<endpoint url=\"%s\"/>", urls[i]);
  if (concurrency == 1)
    g_string_append (xml, "</service></services><controller id=\"c\" mode=\"not-parallel\">");
  else
    g_string_append_printf (xml, "</service></services><controller id=\"c\" mode=\"no-order\" workers=\"%u\">", concurrency);
  g_string_append (xml, "<phase id=\"p\"><external id=\"ext\" service=\"s\" timeout=\"10s\"/></phase></controller></pipeline>");
  return g_string_free (xml, FALSE);
}

static gint64
serves_cpu_us (GSubprocess **serves,
               guint         n)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += process_cpu_us (serves[i]);
  return sum;
}

/* ---- open loop */

typedef struct
{
  int    fd;        /* the pipe's write end, closed at the end */
  double rate;      /* items/s */
  guint  n_items;
  gint64 start;     /* monotonic µs of item 0 */
  guint  late;      /* items written more than 1 ms after they were due */
  gint64 latest;    /* µs: the most the feeder itself was late */
} Feeder;

/* Writes item i at start + i / rate, each with the time it was due; when
 * behind, at once (the due time stays what it was). */
static gpointer
feed_thread (gpointer user_data)
{
  Feeder *feeder = user_data;
  char line[128];

  for (guint i = 0; i < feeder->n_items; i++)
    {
      gint64 due = feeder->start + (gint64) (i * (G_USEC_PER_SEC / feeder->rate));
      gint64 now = g_get_monotonic_time ();
      int length;

      if (due > now)
        {
          struct timespec ts = { .tv_sec = due / G_USEC_PER_SEC, .tv_nsec = (due % G_USEC_PER_SEC) * 1000 };

          clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
      else if (now - due > 1000)
        feeder->late++;
      /* The feeder does nothing but sleep and write: how late it wakes
       * is how long this machine kept a runnable thread waiting. */
      feeder->latest = MAX (feeder->latest, g_get_monotonic_time () - due);
      length = g_snprintf (line, sizeof line, "{\"due\":%" G_GINT64_FORMAT ",\"id\":%u,\"value\":%u}\n", due, i, i);
      if (write (feeder->fd, line, length) != length)
        g_error ("cannot feed the run: %s", g_strerror (errno));
    }
  close (feeder->fd);
  return NULL;
}

/* Items at @rate for @n_items: p50, p99 and max from when each was due. */
static void
run_open (GSubprocess **serves,
          char        **urls,
          guint         n_urls,
          double        rate,
          guint         n_items)
{
  g_autofree char *xml = caller_xml (urls, n_urls, 64);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Bench bench = { .open_loop = TRUE };
  Feeder feeder = { .rate = rate, .n_items = n_items };
  gint64 client_cpu, server_cpu, start;
  GThread *thread;
  double seconds;
  int fds[2];

  pipeline = sluice_load_data (xml, strlen (xml), "caller.xml", problems);
  g_assert (pipeline != NULL);
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("pipe: %s", error->message);
  /* Big enough that the feeder never waits for the run: a run that
   * falls behind shows as latency, not as a slower feeder. */
  fcntl (fds[1], F_SETPIPE_SZ, 1024 * 1024);
  stream = g_unix_input_stream_new (fds[0], TRUE);
  feeder.fd = fds[1];

  bench.latencies = g_array_sized_new (FALSE, FALSE, sizeof (double), n_items);
  bench.loop = g_main_loop_new (NULL, FALSE);
  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_set_output_func (executor, output_cb, &bench, NULL);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), &bench);

  client_cpu = self_cpu_us ();
  server_cpu = serves_cpu_us (serves, n_urls);
  start = g_get_monotonic_time ();
  feeder.start = start + 20 * 1000;
  bench.start = feeder.start;
  sluice_executor_start (executor);
  thread = g_thread_new ("feeder", feed_thread, &feeder);
  g_main_loop_run (bench.loop);
  g_thread_join (thread);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  client_cpu = self_cpu_us () - client_cpu;
  server_cpu = serves_cpu_us (serves, n_urls) - server_cpu;

  if (sluice_executor_get_state (executor) != SLUICE_RUN_COMPLETED || bench.outputs != n_items)
    g_error ("the run did not complete: %s", sluice_executor_get_error (executor));
  g_array_sort (bench.latencies, compare_double);
  printf ("  %u instance%s, open loop at %5.0f items/s: %6u items in %5.2f s, p50 %.2f ms, p99 %.2f ms, max %.2f ms%s; "
          "CPU per item: caller %.0f µs, serve %.0f µs%s\n",
          n_urls, n_urls > 1 ? "s" : " ", rate, n_items, seconds,
          g_array_index (bench.latencies, double, bench.latencies->len / 2),
          g_array_index (bench.latencies, double, (guint) (bench.latencies->len * 0.99)),
          g_array_index (bench.latencies, double, bench.latencies->len - 1),
          g_array_index (bench.latencies, double, (guint) (bench.latencies->len * 0.99)) < 10 ? " (p99 < 10 ms: met)" : " (p99 < 10 ms: MISSED)",
          (double) client_cpu / n_items, (double) server_cpu / n_items,
          feeder.late > 0 ? "; the feeder was late" : "");
  printf ("    worst latency of the items due in each second:");
  for (guint i = 0; i < G_N_ELEMENTS (bench.worst) && i <= n_items / rate; i++)
    printf (" %.1f", bench.worst[i]);
  printf (" ms\n");
  if (feeder.late > 0)
    printf ("    (%u items were written over 1 ms after they were due, at worst %.1f ms: counted from when they were due;"
            " a thread that only sleeps and writes waited that long for a CPU)\n",
            feeder.late, feeder.latest / 1000.0);
  fflush (stdout);
  g_array_unref (bench.latencies);
  g_main_loop_unref (bench.loop);
}

/* ---- closed loop */

/* Items/s (all items in the input at once, @concurrency at a time). */
static double
run_once (GSubprocess **serves,
          char        **urls,
          guint         n_urls,
          guint         concurrency,
          guint         n_items)
{
  gint64 client_cpu, server_cpu = 0;
  g_autofree char *xml = caller_xml (urls, n_urls, concurrency);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Bench bench = { 0 };
  gint64 start;
  double seconds;

  pipeline = sluice_load_data (xml, strlen (xml), "caller.xml", problems);
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
  return n_items / seconds;
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
  gboolean open_loop = g_strcmp0 (g_getenv ("BENCH_OPEN"), "0") != 0;
  double open_seconds = g_getenv ("BENCH_SECONDS") != NULL ? g_ascii_strtod (g_getenv ("BENCH_SECONDS"), NULL) : 5;

  /* First, without any server running. */
  if (g_strcmp0 (g_getenv ("BENCH_PICK"), "0") != 0)
    {
      printf ("the balancer's choice (target: under 1 µs)\n");
      for (SluiceBalance b = SLUICE_BALANCE_LEAST_LOADED; b <= SLUICE_BALANCE_RANDOM_TWO; b++)
        {
          bench_pick (b, 2);
          bench_pick (b, 16);
          bench_pick (b, 64);
        }
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
        {
          double best = 0;

          if (g_getenv ("BENCH_INSTANCES") != NULL && atoi (g_getenv ("BENCH_INSTANCES")) != (int) n_urls)
            continue;
          for (guint i = 0; i < G_N_ELEMENTS (concurrencies); i++)
            if (g_getenv ("BENCH_CONCURRENCY") == NULL || atoi (g_getenv ("BENCH_CONCURRENCY")) == (int) concurrencies[i])
              {
                double rate = run_once (serves, urls, n_urls, concurrencies[i], concurrencies[i] == 1 ? n_items / 4 : n_items);

                best = MAX (best, rate);
              }
          if (open_loop)
            {
              double rate = g_getenv ("BENCH_RATE") != NULL ? g_ascii_strtod (g_getenv ("BENCH_RATE"), NULL) : best / 2;

              if (rate > 0)
                run_open (serves, urls, n_urls, rate, MAX ((guint) (rate * open_seconds), 100));
            }
        }

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
