/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "runner-common.h"
#include "test-clickhouse.h"

/* sluice-run's end and its ClickHouse loader, against a real
 * clickhouse-server (tests/support/test-clickhouse.c): a run that
 * completes has every row in the table when sluice-run exits 0; a run
 * that fails or is cancelled (SIGTERM) with an INSERT in flight exits
 * once that INSERT is over, and nothing of it lands after the exit; a
 * server that stalls is given up on after the bound, and sluice-run
 * says so. */

static TestClickhouse *clickhouse;
static char *tmp_dir;

/* Rows a batch in flight holds; the table's materialised column makes
 * the server spend 1.5 s on them. */
#define IN_FLIGHT_BATCH 500

/* A pipeline whose items go through "boom" (it fails at @fail_at; 0 =
 * never) then the loader "ch" into @table of @url, in batches of
 * @batch, one item at a time. Returns its path. */
static char *
write_pipeline (const char *url,
                const char *table,
                guint       batch,
                guint       fail_at)
{
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format=\"1\" id=\"load\"><controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
    "<execution id=\"boom\"><lua>if item.id == %u then error('boom at ' .. item.id) end</lua></execution>\n"
    "<execution id=\"ch\"><use tool=\"clickhouse\"><param name=\"url\">%s</param>"
    "<param name=\"table\">%s</param><param name=\"batch-size\">%u</param>"
    "<param name=\"batch-interval\">10m</param></use></execution>\n"
    "</phase></controller></pipeline>\n", fail_at, url, table, batch);
  g_autofree char *name = g_strdup_printf ("%s.xml", table);
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  return path;
}

static char *
items (guint n)
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (text, "{\"id\": %u, \"name\": \"n%u\"}\n", i, i);
  return g_string_free (text, FALSE);
}

/* Exit 0: every row is in the table, none still on its way. */
static void
test_completed_run_all_rows (void)
{
  g_autofree char *pipeline = write_pipeline (test_clickhouse_get_url (clickhouse), "completed", 1000, 0);
  g_autofree char *input = items (20000);
  const char *args[] = { "-q", "-i", "-", "-o", "/dev/null", pipeline, NULL };
  g_auto(RunnerResult) result = { 0 };

  /* 0.1 s a batch on the server: the last one is still being taken
   * when the stream ends. */
  test_clickhouse_create_slow_table (clickhouse, "completed", 0.0001);
  runner_run (&result, args, input);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "completed"), ==, 20000);
  g_unlink (pipeline);
}

/* A later item fails the run while the first batch's INSERT is on the
 * server. */
static void
test_failed_run_exits_after_insert (void)
{
  g_autofree char *pipeline = write_pipeline (test_clickhouse_get_url (clickhouse), "failed", IN_FLIGHT_BATCH,
                                              IN_FLIGHT_BATCH + 1);
  g_autofree char *input = items (3 * IN_FLIGHT_BATCH);
  const char *args[] = { "-q", "-i", "-", "-o", "/dev/null", pipeline, NULL };
  g_auto(RunnerResult) result = { 0 };

  test_clickhouse_create_slow_table (clickhouse, "failed", 1.5 / IN_FLIGHT_BATCH);
  runner_run (&result, args, input);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "boom at 501"));
  test_clickhouse_assert_count_holds (clickhouse, "failed", IN_FLIGHT_BATCH);
  g_unlink (pipeline);
}

/* sluice-run on an input that stays open; SIGTERM once @ready says so
 * (polled every 20 ms, 20 s at most). Returns its standard error. */
static char *
run_and_terminate (const char  *pipeline,
                   const char  *input,
                   gboolean   (*ready) (gpointer data),
                   gpointer     data,
                   int         *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                     &error, g_getenv ("SLUICE_RUN"), "-q", "-i", "-", "-o", "/dev/null",
                                                     pipeline, NULL);
  g_autoptr(GOutputStream) err = g_memory_output_stream_new_resizable ();
  gint64 until = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), input, strlen (input),
                                            NULL, NULL, &error));
  g_assert_no_error (error);
  while (!ready (data) && g_get_monotonic_time () < until)
    g_usleep (20 * 1000);
  g_assert_true (ready (data));
  g_subprocess_send_signal (process, SIGTERM);
  /* Its standard input stays open: the signal, not the end of the
   * input, ends the run. */
  g_output_stream_splice (err, g_subprocess_get_stderr_pipe (process), G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
  g_assert_true (g_output_stream_write_all (err, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (err, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (err));
}

/* The server is taking an INSERT into @data (a table name). */
static gboolean
inserting (gpointer data)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count() FROM system.processes WHERE query LIKE 'INSERT INTO `default`.`%s`%%'",
                                          (const char *) data);
  g_autofree char *running = test_clickhouse_query_ok (clickhouse, sql);

  return !g_str_equal (running, "0");
}

static void
test_terminated_run_exits_after_insert (void)
{
  g_autofree char *pipeline = write_pipeline (test_clickhouse_get_url (clickhouse), "terminated", IN_FLIGHT_BATCH, 0);
  g_autofree char *input = items (IN_FLIGHT_BATCH + 100);
  g_autofree char *err = NULL;
  int status;

  test_clickhouse_create_slow_table (clickhouse, "terminated", 1.5 / IN_FLIGHT_BATCH);
  err = run_and_terminate (pipeline, input, inserting, (gpointer) "terminated", &status);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
  test_clickhouse_assert_count_holds (clickhouse, "terminated", IN_FLIGHT_BATCH);
  g_unlink (pipeline);
}

/* A socket that listens and never accepts has taken a connection: the
 * kernel accepted it, and the INSERT is waiting for an answer. */
static gboolean
connected (gpointer data)
{
  GSocket *listener = data;

  return g_socket_condition_check (listener, G_IO_IN) & G_IO_IN;
}

/* A ClickHouse that takes the INSERT and never answers: the cancelled
 * run's end gives up on it after the bound, and sluice-run says which
 * module's write to which server was cancelled. */
static void
test_stalled_server_said (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSocket) listener = test_clickhouse_stalled_new (&url);
  g_autofree char *pipeline = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  gint64 start;
  int status;

  pipeline = write_pipeline (url, "stalled", 1, 0);

  start = g_get_monotonic_time ();
  err = run_and_terminate (pipeline, "{\"id\": 1}\n", connected, listener, &status);
  g_test_message ("exited after %.1f s: %s", (g_get_monotonic_time () - start) / 1e6, err);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
  expected = g_strdup_printf ("run cancelled: module “ch”: its batched write to ClickHouse %s, table “stalled” "
                              "was still going 10 s after the run stopped: it was cancelled", url);
  g_assert_nonnull (strstr (err, expected));
  /* The bound, and room for a loaded machine; not the session's 60 s. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 40 * G_USEC_PER_SEC);
  g_unlink (pipeline);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("SLUICE_RUN") == NULL)
    g_error ("SLUICE_RUN must be set (meson test sets it)");

  g_test_add_func ("/runner-clickhouse/completed-run-all-rows", test_completed_run_all_rows);
  g_test_add_func ("/runner-clickhouse/failed-run-exits-after-insert", test_failed_run_exits_after_insert);
  g_test_add_func ("/runner-clickhouse/terminated-run-exits-after-insert", test_terminated_run_exits_after_insert);
  g_test_add_func ("/runner-clickhouse/stalled-server-said", test_stalled_server_said);

  clickhouse = test_clickhouse_new ();
  if (clickhouse == NULL)
    {
      /* Every test fails, saying why, rather than skipping. */
      g_printerr ("clickhouse-server could not start; see the messages above\n");
      return 1;
    }
  tmp_dir = g_dir_make_tmp ("sluice-runner-clickhouse-XXXXXX", NULL);
  status = g_test_run ();
  test_clickhouse_free (clickhouse);
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
