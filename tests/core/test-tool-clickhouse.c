/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-clickhouse.h"
#include "sluice-validator.h"
#include "test-clickhouse.h"
#include "test-executor-common.h"

/* The clickhouse tool against a real clickhouse-server (18.16, started
 * by tests/support/test-clickhouse.c on free loopback ports), through
 * the executor as a pipeline runs it. */

static TestClickhouse *clickhouse;

/* One controller with one clickhouse module whose <param>s are
 * @params ("URL" becomes the server's address); @input JSON lines. */
static TestRun *
run_tool (const char *params,
          const char *input,
          const char *attrs)
{
  g_auto(GStrv) parts = g_strsplit (params, "URL", -1);
  g_autofree char *with_url = g_strjoinv (test_clickhouse_get_url (clickhouse), parts);
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\"><phase id=\"p\">\n"
                                           "<execution id=\"ch\" %s><use tool=\"clickhouse\">"
                                           "<param name=\"url\">%s</param>%s</use></execution>\n"
                                           "</phase></controller>",
                                           attrs ? attrs : "", test_clickhouse_get_url (clickhouse), with_url);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);

  test_run_wait (run);
  return run;
}

static const char *
run_error (TestRun *run)
{
  const char *error = sluice_executor_get_error (run->executor);

  return error != NULL ? error : "";
}

static char *
rows (guint       n,
      const char *format)   /* with one %u: the id */
{
  GString *out = g_string_new (NULL);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  for (guint i = 1; i <= n; i++)
    {
      g_string_append_printf (out, format, i, i);
      g_string_append_c (out, '\n');
    }
#pragma GCC diagnostic pop
  return g_string_free (out, FALSE);
}

/* ---- pieces */

static void
test_quoting (void)
{
  g_autofree char *a = sluice_clickhouse_quote_name ("we`ird \"t'able\\");
  SluiceClickhouseServer server = { NULL, (char *) "d`b", NULL, NULL };
  g_autofree char *b = sluice_clickhouse_table_name (&server, "t");

  g_assert_cmpstr (a, ==, "`we\\`ird \"t'able\\\\`");
  g_assert_cmpstr (b, ==, "`d\\`b`.`t`");
  g_assert_true (sluice_clickhouse_type_is_safe ("UInt64"));
  g_assert_true (sluice_clickhouse_type_is_safe ("Nullable(String)"));
  g_assert_true (sluice_clickhouse_type_is_safe ("DateTime('Europe/Paris')"));
  g_assert_true (sluice_clickhouse_type_is_safe ("Decimal(10, 2)"));
  g_assert_false (sluice_clickhouse_type_is_safe ("String) ENGINE = Log; DROP TABLE x; --"));
  g_assert_false (sluice_clickhouse_type_is_safe ("String DEFAULT 'a'')"));
  g_assert_false (sluice_clickhouse_type_is_safe ("String`"));
  g_assert_false (sluice_clickhouse_type_is_safe ("DateTime('a\\')"));
  g_assert_false (sluice_clickhouse_type_is_safe (""));
}

/* ---- loading and extracting */

static void
test_load_and_extract (void)
{
  g_autofree char *input = rows (2500, "{\"id\": %u, \"name\": \"n%u\"}");
  g_autofree char *sum = NULL;
  TestRun *run = run_tool ("<param name=\"table\">items</param>"
                           "<param name=\"create\">true</param>"
                           "<param name=\"columns\">id UInt64\nname String</param>"
                           "<param name=\"key\">id</param>"
                           "<param name=\"batch-size\">1000</param>", input, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "items"), ==, 2500);
  sum = test_clickhouse_query_ok (clickhouse, "SELECT sum(id), uniqExact(name) FROM items");
  g_assert_cmpstr (sum, ==, "3126250\t2500");

  run = run_tool ("<param name=\"query\">SELECT id, name FROM items WHERE id &lt;= 1500 ORDER BY id;</param>", NULL, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1500);
  /* UInt64 comes back as a number, not a quoted string. */
  g_assert_cmpint (test_output_int (run, 1499, "id"), ==, 1500);
  test_run_free (run);
}

/* A result far larger than one read, counted as it streams. */
static void
test_extract_streamed (void)
{
  TestRun *run = run_tool ("<param name=\"query\">SELECT number AS n, toString(number) AS s FROM system.numbers LIMIT 300000</param>",
                           NULL, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 300000);
  g_assert_cmpint (test_output_int (run, 299999, "n"), ==, 299999);
  test_run_free (run);
}

static void
test_extract_errors (void)
{
  TestRun *run = run_tool ("<param name=\"query\">SELEKT 1</param>", NULL, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "Syntax error"));
  g_assert_nonnull (strstr (run_error (run), test_clickhouse_get_url (clickhouse)));
  test_run_free (run);

  /* An error after rows went out: division by zero at row 200,000. */
  run = run_tool ("<param name=\"query\">SELECT number, intDiv(1, number - 200000) AS x FROM system.numbers LIMIT 300000</param>",
                  NULL, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "Division by zero"));
  test_run_free (run);

  /* A server slower than the timeout. */
  run = run_tool ("<param name=\"query\">SELECT sleep(3)</param><param name=\"timeout\">1s</param>", NULL, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("slow server: %s", run_error (run));
  test_run_free (run);
}

/* Upsert through ReplacingMergeTree: a second load with higher versions
 * replaces rows by key. */
static void
test_upsert (void)
{
  g_autofree char *first = rows (100, "{\"id\": %u, \"v\": 1, \"name\": \"old%u\"}");
  g_autofree char *second = rows (50, "{\"id\": %u, \"v\": 2, \"name\": \"new%u\"}");
  const char *params = "<param name=\"table\">up</param>"
                       "<param name=\"create\">yes</param>"
                       "<param name=\"mode\">upsert</param>"
                       "<param name=\"key\">id</param>"
                       "<param name=\"version\">v</param>"
                       "<param name=\"columns\">id UInt64\nv UInt64\nname String</param>"
                       "<param name=\"batch-size\">40</param>";
  g_autofree char *newer = NULL;
  TestRun *run;

  run = run_tool (params, first, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  run = run_tool (params, second, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);

  g_assert_cmpuint (test_clickhouse_count (clickhouse, "up FINAL"), ==, 100);
  newer = test_clickhouse_query_ok (clickhouse, "SELECT countIf(name LIKE 'new%') FROM up FINAL");
  g_assert_cmpstr (newer, ==, "50");

  /* An item without its version is refused before anything is sent. */
  run = run_tool (params, "{\"id\": 7, \"name\": \"no version\"}\n", NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "has no version column “v”"));
  test_run_free (run);
}

/* Table and column names with backticks, quotes and a backslash. */
static void
test_hostile_names (void)
{
  g_autofree char *answer = NULL;
  TestRun *run = run_tool ("<param name=\"table\">we`ird \"t'able\\</param>"
                           "<param name=\"create\">true</param>"
                           "<param name=\"columns\">i`d UInt64\nna'me String</param>",
                           "{\"i`d\": 1, \"na'me\": \"x'); DROP TABLE items; --\"}\n", NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  answer = test_clickhouse_query_ok (clickhouse, "SELECT `na'me` FROM `we\\`ird \"t'able\\\\`");
  g_assert_cmpstr (answer, ==, "x\\'); DROP TABLE items; --");
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "items"), ==, 2500);
}

/* Each item becomes its JSONEachRow line when it comes (the batch
 * helper's encode): tabs, new lines, a backslash, NUL, astral
 * characters, nulls, reals and 64-bit integers at their ends arrive as
 * they were; items of two shapes share one batch. */
static void
test_round_trip (void)
{
  g_autofree char *answer = NULL;
  TestRun *run = run_tool ("<param name=\"table\">exact</param>"
                           "<param name=\"create\">true</param>"
                           "<param name=\"columns\">id UInt8\ns String\nn Nullable(String)\nf Float64\ni Int64</param>"
                           "<param name=\"key\">id</param><param name=\"batch-size\">10</param>",
                           "{\"id\":1,\"s\":\"a\\tb\\nc\\\\d\\u0000e \xf0\x9d\x84\x9e\",\"n\":null,"
                           "\"f\":0.1,\"i\":-9223372036854775808}\n"
                           "{\"i\":9223372036854775807,\"f\":-1.7976931348623157e308,\"id\":2,\"s\":\"\"}\n", NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  answer = test_clickhouse_query_ok (clickhouse, "SELECT id, hex(s), n, f = 0.1 OR f = -1.7976931348623157e308, i "
                                                 "FROM exact ORDER BY id FORMAT TabSeparated");
  g_assert_cmpstr (answer, ==,
                   "1\t6109620A635C64006520F09D849E\t\\N\t1\t-9223372036854775808\n"
                   "2\t\t\\N\t1\t9223372036854775807");
}

/* ClickHouse refuses a batch with a bad row: the run fails with its
 * message, and nothing of the batch is in the table. */
static void
test_bad_rows (void)
{
  g_autofree char *input = rows (500, "{\"id\": %u, \"name\": \"n%u\"}");
  g_autofree char *bad = g_strconcat (input, "{\"id\": \"not a number\", \"name\": \"x\"}\n", NULL);
  const char *params = "<param name=\"table\">strict</param>"
                       "<param name=\"create\">true</param>"
                       "<param name=\"columns\">id UInt64\nname String</param>"
                       "<param name=\"batch-size\">10000</param>";
  TestRun *run = run_tool (params, bad, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("%s", run_error (run));
  g_assert_nonnull (strstr (run_error (run), "table “strict”: HTTP 500: Code: 27"));
  g_assert_nonnull (strstr (run_error (run), "Cannot parse input"));
  g_assert_nonnull (strstr (run_error (run), "(at row 501)"));
  test_run_free (run);
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "strict"), ==, 0);

  /* A field the table does not have is refused too, not dropped. */
  run = run_tool (params, "{\"id\": 1, \"name\": \"a\", \"extra\": 1}\n", NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "Unknown field found while parsing JSONEachRow format: extra"));
  test_run_free (run);
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "strict"), ==, 0);

  /* With on-error="drop" the run goes on, and the log says what was lost. */
  run = run_tool (params, bad, "on-error=\"drop\"");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  {
    g_autofree char *events = NULL;

    g_ptr_array_add (run->events, NULL);
    events = g_strjoinv ("\n", (GStrv) run->events->pdata);
    g_assert_nonnull (strstr (events, "Cannot parse input"));
  }
  test_run_free (run);
}

static void
test_server_down (void)
{
  TestRun *run;

  test_clickhouse_kill (clickhouse);
  run = run_tool ("<param name=\"table\">items</param>", "{\"id\": 1, \"name\": \"x\"}\n", NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), test_clickhouse_get_url (clickhouse)));
  g_assert_nonnull (strstr (run_error (run), "onnect"));
  test_run_free (run);

  run = run_tool ("<param name=\"query\">SELECT 1</param>", NULL, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "onnect"));
  test_run_free (run);

  g_assert_true (test_clickhouse_restart (clickhouse));
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "items"), ==, 2500);
}

/* A server that comes back: the module's retries resend the same
 * batch, and it is in the table once. */
static gboolean
restart_cb (gpointer data)
{
  g_assert_true (test_clickhouse_restart (clickhouse));
  return G_SOURCE_REMOVE;
}

static void
test_retry_resends (void)
{
  g_autofree char *input = rows (300, "{\"id\": %u, \"name\": \"r%u\"}");
  TestRun *run;

  test_clickhouse_query_ok (clickhouse, "CREATE TABLE again (id UInt64, name String) ENGINE = MergeTree ORDER BY id");
  test_clickhouse_kill (clickhouse);
  g_timeout_add (700, restart_cb, NULL);
  run = run_tool ("<param name=\"table\">again</param><param name=\"batch-size\">100</param>",
                  input, "retries=\"8\" backoff=\"2\"");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "again"), ==, 300);
}

/* ClickHouse killed while a large batch is on its way: the run fails
 * with a clear message, and after a restart the table holds all of the
 * batch or none of it, never a part. */
static gboolean
kill_when_inserting_cb (gpointer data)
{
  guint *polls = data;
  g_autofree char *running = test_clickhouse_query_ok (clickhouse, "SELECT count() FROM system.processes WHERE query LIKE 'INSERT INTO `default`.`killed`%'");

  (*polls)++;
  if (!g_str_equal (running, "0"))
    {
      g_test_message ("killing clickhouse-server during the INSERT (poll %u)", *polls);
      test_clickhouse_kill (clickhouse);
      *polls = 0;   /* the source is gone */
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_killed_mid_batch (void)
{
  g_autofree char *input = rows (100000, "{\"id\": %u, \"name\": \"name number %u\"}");
  TestRun *run;
  guint64 rows_after;
  guint polls = 0;
  guint poller;

  /* The materialised column makes the server spend 2 s on the block
   * after reading it, before writing it: the kill lands inside the
   * INSERT whatever the speed of the machine. */
  test_clickhouse_create_slow_table (clickhouse, "killed", 0.00002);
  poller = g_timeout_add (20, kill_when_inserting_cb, &polls);
  run = run_tool ("<param name=\"table\">killed</param>"
                  "<param name=\"batch-size\">100000</param><param name=\"batch-interval\">10m</param>",
                  input, NULL);
  if (polls != 0)
    {
      g_autofree char *rows_now = test_clickhouse_query_ok (clickhouse, "SELECT count() FROM killed");

      g_source_remove (poller);
      g_test_message ("the INSERT was never seen running; the run ended %s with %s rows written: %s",
                      sluice_run_state_to_string (sluice_executor_get_state (run->executor)), rows_now, run_error (run));
    }
  /* The kill came while the server was taking the INSERT. */
  g_assert_cmpuint (polls, ==, 0);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("killed mid-batch: %s", run_error (run));
  g_assert_nonnull (strstr (run_error (run), "a batch of 100000 items was not written"));
  g_assert_nonnull (strstr (run_error (run), "table “killed”"));
  test_run_free (run);

  g_assert_true (test_clickhouse_restart (clickhouse));
  rows_after = test_clickhouse_count (clickhouse, "killed");
  g_test_message ("rows after the kill: %" G_GUINT64_FORMAT, rows_after);
  g_assert_true (rows_after == 0 || rows_after == 100000);
}

/* ---- a run that ends with an INSERT in flight
 *
 * A Lua module before the loader fails the run, or the test cancels it,
 * once the loader's first batch has gone (not-parallel: the next item
 * comes only when the one before is through). The table's materialised
 * column makes the server spend 1.5 s on that batch: the run's end
 * waits for it, so the run says it ended with the batch in the table,
 * and nothing of the run lands after. */

#define IN_FLIGHT_BATCH 500

/* A run of @n items through "boom" (fails at @fail_at, 0 = never) and
 * the loader "ch" into @table, batches of @batch items; started, not
 * waited for. */
static TestRun *
start_loader_run (const char *url,
                  const char *table,
                  guint       batch,
                  guint       n,
                  guint       fail_at)
{
  g_autofree char *body = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
                                           "<execution id=\"boom\"><lua>if item.id == %u then error('boom at ' .. item.id) end</lua></execution>\n"
                                           "<execution id=\"ch\"><use tool=\"clickhouse\"><param name=\"url\">%s</param>"
                                           "<param name=\"table\">%s</param><param name=\"batch-size\">%u</param>"
                                           "<param name=\"batch-interval\">10m</param></use></execution>\n"
                                           "</phase></controller>", fail_at, url, table, batch);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autofree char *input = rows (n, "{\"id\": %u, \"name\": \"n%u\"}");
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);

  sluice_executor_start (run->executor);
  return run;
}

static void
test_failed_run_waits_for_insert (void)
{
  TestRun *run;

  test_clickhouse_create_slow_table (clickhouse, "inflight_failed", 1.5 / IN_FLIGHT_BATCH);
  run = start_loader_run (test_clickhouse_get_url (clickhouse), "inflight_failed",
                          IN_FLIGHT_BATCH, 3 * IN_FLIGHT_BATCH, IN_FLIGHT_BATCH + 1);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "boom at 501"));
  test_clickhouse_assert_count_holds (clickhouse, "inflight_failed", IN_FLIGHT_BATCH);
  test_run_free (run);
}

/* The INSERT in flight fails on the server (after 1.5 s, at its last
 * row) while the run fails for another reason: nobody will resend that
 * batch, and the run's error says so, not only a log line after the
 * run's end. */
static void
test_failed_insert_at_end_said (void)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE refused_at_end (id UInt64, name String, "
                                          "refuse UInt8 MATERIALIZED throwIf(sleepEachRow(%g) + (id = %u))) "
                                          "ENGINE = MergeTree ORDER BY id", 1.5 / IN_FLIGHT_BATCH, IN_FLIGHT_BATCH);
  TestRun *run;

  g_free (test_clickhouse_query_ok (clickhouse, sql));
  run = start_loader_run (test_clickhouse_get_url (clickhouse), "refused_at_end",
                          IN_FLIGHT_BATCH, 3 * IN_FLIGHT_BATCH, IN_FLIGHT_BATCH + 1);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (run_error (run), "boom at 501"));
  g_assert_nonnull (strstr (run_error (run), "module “ch”: a batch of 500 items was not written: ClickHouse"));
  g_assert_cmpuint (test_clickhouse_count (clickhouse, "refused_at_end"), ==, 0);
  test_run_free (run);
}

static void
test_cancelled_run_waits_for_insert (void)
{
  SluiceModuleStats stats = { 0 };
  TestRun *run;

  test_clickhouse_create_slow_table (clickhouse, "inflight_cancelled", 1.5 / IN_FLIGHT_BATCH);
  run = start_loader_run (test_clickhouse_get_url (clickhouse), "inflight_cancelled",
                          IN_FLIGHT_BATCH, 3 * IN_FLIGHT_BATCH, 0);
  /* The item after the batch reached the loader: the batch's write
   * started before it. */
  while (sluice_executor_get_module_stats (run->executor, "ch", &stats) && stats.items_in <= IN_FLIGHT_BATCH &&
         !sluice_run_state_is_final (sluice_executor_get_state (run->executor)))
    g_main_context_iteration (NULL, TRUE);
  sluice_executor_cancel (run->executor);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_CANCELLED);
  test_clickhouse_assert_count_holds (clickhouse, "inflight_cancelled", IN_FLIGHT_BATCH);
  test_run_free (run);
}

/* A ClickHouse that takes the INSERT and never answers (a socket that
 * listens and never accepts: the kernel takes the connection and the
 * request): the run's end waits its bound, cancels the request, and
 * says so, naming the module and the server. */
static void
test_stalled_server_cancelled (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSocket) listener = test_clickhouse_stalled_new (&url);
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  char buffer[4096];
  gssize n;
  gint64 start, took;
  TestRun *run;

  start = g_get_monotonic_time ();
  run = start_loader_run (url, "stalled", 1, 3, 2);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  took = g_get_monotonic_time () - start;
  g_test_message ("ended after %.1f s: %s", took / 1e6, run_error (run));
  /* The bound is 10 s, then the cancelled request's end. */
  g_assert_cmpint (took, >=, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (took, <, 30 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (run_error (run), "boom at 2"));
  expected = g_strdup_printf ("module “ch”: its batched write to ClickHouse %s, table “stalled” was still going 10 s "
                              "after the run stopped: it was cancelled", url);
  g_assert_nonnull (strstr (run_error (run), expected));

  /* The request was given up: its connection is closed (EOF after the
   * request), not left open. */
  g_socket_set_timeout (listener, 5);
  accepted = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (accepted, 5);
  while ((n = g_socket_receive (accepted, buffer, sizeof buffer, NULL, &error)) > 0)
    ;
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  test_run_free (run);
}

static void
test_validate (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\"><phase id=\"p\">\n"
                    "<execution id=\"both\"><use tool=\"clickhouse\">\n"
                    "<param name=\"query\">SELECT 1</param><param name=\"table\">t</param>\n"
                    "</use></execution>\n"
                    "<execution id=\"up\"><use tool=\"clickhouse\">\n"
                    "<param name=\"table\">t</param><param name=\"mode\">upsert</param><param name=\"create\">true</param>\n"
                    "<param name=\"columns\">id UInt64\nx String); DROP TABLE y; --</param>\n"
                    "</use></execution></phase></controller>");
  GString *all = g_string_new (NULL);

  sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_string_append_printf (all, "%s\n", text);
    }
  g_test_message ("%s", all->str);
  g_assert_nonnull (strstr (all->str, "t.xml:4: error: module `both`: tool `clickhouse` takes `query` (to extract) or `table` (to load), exactly one"));
  g_assert_nonnull (strstr (all->str, "module `up`: upsert of tool `clickhouse` needs `key` and `version`"));
  g_assert_nonnull (strstr (all->str, "t.xml:10: error: module `up`: `columns` of tool `clickhouse` wants “name Type” lines with a plain type, not `x String); DROP TABLE y; --`"));
  g_string_free (all, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool-clickhouse/quoting", test_quoting);
  g_test_add_func ("/tool-clickhouse/validate", test_validate);
  g_test_add_func ("/tool-clickhouse/load-and-extract", test_load_and_extract);
  g_test_add_func ("/tool-clickhouse/extract-streamed", test_extract_streamed);
  g_test_add_func ("/tool-clickhouse/extract-errors", test_extract_errors);
  g_test_add_func ("/tool-clickhouse/upsert", test_upsert);
  g_test_add_func ("/tool-clickhouse/hostile-names", test_hostile_names);
  g_test_add_func ("/tool-clickhouse/round-trip", test_round_trip);
  g_test_add_func ("/tool-clickhouse/bad-rows", test_bad_rows);
  g_test_add_func ("/tool-clickhouse/server-down", test_server_down);
  g_test_add_func ("/tool-clickhouse/retry-resends", test_retry_resends);
  g_test_add_func ("/tool-clickhouse/killed-mid-batch", test_killed_mid_batch);
  g_test_add_func ("/tool-clickhouse/failed-run-waits-for-insert", test_failed_run_waits_for_insert);
  g_test_add_func ("/tool-clickhouse/cancelled-run-waits-for-insert", test_cancelled_run_waits_for_insert);
  g_test_add_func ("/tool-clickhouse/failed-insert-at-end-said", test_failed_insert_at_end_said);
  g_test_add_func ("/tool-clickhouse/stalled-server-cancelled", test_stalled_server_cancelled);

  clickhouse = test_clickhouse_new ();
  if (clickhouse == NULL)
    {
      /* Every test fails, saying why, rather than skipping. */
      g_printerr ("clickhouse-server could not start; see the messages above\n");
      return 1;
    }
  status = g_test_run ();
  test_clickhouse_free (clickhouse);
  return status;
}
