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

static guint64
count (const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count() FROM %s", table);
  g_autofree char *answer = test_clickhouse_query_ok (clickhouse, sql);

  return g_ascii_strtoull (answer, NULL, 10);
}

static void
create_table (const char *table,
              double      seconds_per_row)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE %s (id UInt64, name String, "
                                          "slow UInt8 MATERIALIZED sleepEachRow(%g)) ENGINE = MergeTree ORDER BY id",
                                          table, seconds_per_row);

  g_free (test_clickhouse_query_ok (clickhouse, sql));
}

/* The table holds the batch that was in flight when sluice-run exited,
 * and still only that 2 s later. */
static void
check_nothing_lands_after_exit (const char *table)
{
  guint64 at_exit = count (table);
  guint64 later;

  g_usleep (2 * G_USEC_PER_SEC);
  later = count (table);
  g_test_message ("%s: %" G_GUINT64_FORMAT " rows when sluice-run exited, %" G_GUINT64_FORMAT " 2 s later",
                  table, at_exit, later);
  g_assert_cmpuint (at_exit, ==, IN_FLIGHT_BATCH);
  g_assert_cmpuint (later, ==, IN_FLIGHT_BATCH);
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
  create_table ("completed", 0.0001);
  runner_run (&result, args, input);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpuint (count ("completed"), ==, 20000);
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

  create_table ("failed", 1.5 / IN_FLIGHT_BATCH);
  runner_run (&result, args, input);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "boom at 501"));
  check_nothing_lands_after_exit ("failed");
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

  create_table ("terminated", 1.5 / IN_FLIGHT_BATCH);
  err = run_and_terminate (pipeline, input, inserting, (gpointer) "terminated", &status);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 128 + SIGTERM);
  check_nothing_lands_after_exit ("terminated");
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
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  gint64 start;
  int status;

  g_assert_true (g_socket_bind (listener, any_port, FALSE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
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
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_unlink (file);
    }
  g_rmdir (path);
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
  remove_dir (tmp_dir);
  g_free (tmp_dir);
  return status;
}
