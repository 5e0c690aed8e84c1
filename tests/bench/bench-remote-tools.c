/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>

#include <string.h>

#include <libsoup/soup.h>

#include "sluice-core.h"
#include "sluice-executor.h"
#include "test-clickhouse.h"
#include "test-http-server.h"

/* Benchmarks of the remote tools (issue 14), never part of `meson test`:
 *
 *   meson compile -C BUILD bench-remote-tools && BUILD/tests/bench/bench-remote-tools
 *
 * 1. The clickhouse loader's rows/s at batch sizes 1, 100 and 10,000,
 *    against the peer: the same rows sent as one INSERT … FORMAT
 *    JSONEachRow straight to the server (what the server can take).
 * 2. The http extractor's requests/s against the test HTTP server, with
 *    16 items in flight. */

static void
output_cb (const char *line, gsize length, gpointer data)
{
}

static void
state_cb (GObject *object, GParamSpec *pspec, GMainLoop *loop)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (SLUICE_EXECUTOR (object))))
    g_main_loop_quit (loop);
}

/* CPU seconds (user + system, every thread) of this process so far. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Runs @xml on @input; the wall time in seconds, and the CPU time in
 * @cpu (the server's is not ours to count). */
static double
run_pipeline (const char *xml,
              GBytes     *input,
              double     *cpu)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "bench.xml", problems);
  g_autoptr(GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (input);
  gint64 start;

  g_assert_nonnull (pipeline);
  executor = sluice_executor_new (pipeline, params, &error);
  g_assert_no_error (error);
  sluice_executor_set_output_func (executor, output_cb, NULL, NULL);
  sluice_executor_set_input_stream (executor, stream);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), loop);
  start = g_get_monotonic_time ();
  *cpu = cpu_seconds ();
  sluice_executor_start (executor);
  g_main_loop_run (loop);
  *cpu = cpu_seconds () - *cpu;
  if (sluice_executor_get_state (executor) != SLUICE_RUN_COMPLETED)
    g_error ("the benchmark run failed: %s", sluice_executor_get_error (executor));
  return (g_get_monotonic_time () - start) / 1e6;
}

static GBytes *
make_rows (guint n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (out, "{\"id\": %u, \"name\": \"row %u\", \"amount\": %u.5}\n", i, i, i % 1000);
  return g_string_free_to_bytes (out);
}

static double
direct_insert (TestClickhouse *clickhouse,
               const char     *table,
               GBytes         *rows)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s FORMAT JSONEachRow", table);
  g_autofree char *escaped = g_uri_escape_string (sql, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s?query=%s", test_clickhouse_get_url (clickhouse), escaped);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = NULL;
  gint64 start = g_get_monotonic_time ();

  soup_message_set_request_body_from_bytes (msg, "text/plain", rows);
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The first line of /proc/loadavg: wall figures mean little under load. */
static char *
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("unknown\n");
  return g_steal_pointer (&text);
}

static void
bench_clickhouse (void)
{
  g_autoptr(TestClickhouse) clickhouse = test_clickhouse_new ();
  const guint sizes[] = { 1, 100, 10000 };
  const guint counts[] = { 1000, 50000, 500000 };

  g_assert_nonnull (clickhouse);
  g_print ("clickhouse loader (clickhouse-server 18.16 on loopback); load average %s", load_average ());
  g_print ("  %-8s %8s %12s %14s %12s %8s %10s\n", "batch", "rows", "sluice r/s", "r/CPU-s", "direct r/s", "ratio", "µs CPU/row");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) rows = make_rows (counts[i]);
      g_autofree char *table = g_strdup_printf ("bench_%u", sizes[i]);
      g_autofree char *direct_table = g_strdup_printf ("direct_%u", sizes[i]);
      g_autofree char *create = g_strdup_printf ("CREATE TABLE %s (id UInt64, name String, amount Float64) ENGINE = MergeTree ORDER BY id", direct_table);
      g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?><pipeline format=\"1\" id=\"b\">"
                                              "<controller id=\"c\"><phase id=\"p\"><execution id=\"load\"><use tool=\"clickhouse\">"
                                              "<param name=\"url\">%s</param><param name=\"table\">%s</param>"
                                              "<param name=\"create\">true</param><param name=\"key\">id</param>"
                                              "<param name=\"columns\">id UInt64\nname String\namount Float64</param>"
                                              "<param name=\"batch-size\">%u</param><param name=\"batch-interval\">10m</param>"
                                              "</use></execution></phase></controller></pipeline>",
                                              test_clickhouse_get_url (clickhouse), table, sizes[i]);
      g_autofree char *check = NULL;
      g_autofree char *count_sql = g_strdup_printf ("SELECT count() FROM %s", table);
      double ours, direct, cpu;

      test_clickhouse_query_ok (clickhouse, create);
      ours = run_pipeline (xml, rows, &cpu);
      direct = direct_insert (clickhouse, direct_table, rows);
      check = test_clickhouse_query_ok (clickhouse, count_sql);
      g_assert_cmpuint (g_ascii_strtoull (check, NULL, 10), ==, counts[i]);
      g_print ("  %-8u %8u %12.0f %14.0f %12.0f %7.2fx %10.1f\n", sizes[i], counts[i],
               counts[i] / ours, counts[i] / cpu, counts[i] / direct, direct / ours, cpu * 1e6 / counts[i]);
    }
}

static void
bench_http (void)
{
  g_autoptr(TestHttpServer) server = test_http_server_new ();
  const guint n = 5000;
  GString *input = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *xml = NULL;
  double seconds, cpu;

  for (guint i = 0; i < n; i++)
    g_string_append (input, "{}\n");
  bytes = g_string_free_to_bytes (input);
  xml = g_strdup_printf ("<?xml version=\"1.0\"?><pipeline format=\"1\" id=\"b\">"
                         "<controller id=\"c\" mode=\"no-order\" workers=\"16\"><phase id=\"p\">"
                         "<execution id=\"get\"><use tool=\"http\">"
                         "<param name=\"url\">%s/number?pages=1&amp;per=1</param><param name=\"items\">data.items</param>"
                         "</use></execution></phase></controller></pipeline>",
                         test_http_server_get_url (server));
  seconds = run_pipeline (xml, bytes, &cpu);
  g_assert_cmpuint (test_http_server_get_hits (server, "/number"), ==, n);
  g_print ("http extractor: %u requests in %.2f s: %.0f requests/s, %.0f µs CPU each with the test server's "
           "(16 in flight, keep-alive, test server on loopback)\n",
           n, seconds, n / seconds, cpu * 1e6 / n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  bench_http ();
  bench_clickhouse ();
  return 0;
}
