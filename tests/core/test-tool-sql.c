/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "sluice-core.h"
#include "test-executor-common.h"
#include "test-postgres.h"

/* The SQL tools against real databases: SQLite files in a temporary
 * folder, and a PostgreSQL 15 this test starts (and stops). Inserts,
 * upserts, quoting of names and values, bound query parameters, cursors;
 * and faults: a server that is down, a connection killed in the middle
 * of a batch, bad rows — never a half-written batch. */

static char *tmp_dir;
static TestPostgres *pg;

static TestRun *
run_body (const char *body,
          const char *input)
{
  return test_run_body (body, input);
}

static TestRun *
run_load (const char *database,
          const char *params,
          const char *attributes,
          const char *input)
{
  g_autofree char *escaped = g_markup_escape_text (database, -1);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"no-order\" workers=\"4\"><phase id=\"p\">"
                     "<execution id=\"store\" %s><use tool=\"sql-load\"><param name=\"database\">%s</param>%s</use></execution>"
                     "</phase></controller>", attributes != NULL ? attributes : "", escaped, params);

  return run_body (body, input);
}

static TestRun *
run_extract (const char *database,
             const char *params,
             const char *input)
{
  g_autofree char *escaped = g_markup_escape_text (database, -1);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"query\"><use tool=\"sql-extract\"><param name=\"database\">%s</param>%s</use></execution>"
                     "</phase></controller>", escaped, params);

  return run_body (body, input);
}

static char *
pg_value (const char *sql)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (!test_postgres_exec (pg, sql, &out, &error))
    g_error ("%s", error->message);
  return g_strstrip (out);
}

/* ------------------------------------------------------------ both */

typedef struct
{
  const char *name;
  char       *database;
} Database;

static Database sqlite_db, postgres_db;

static char *
count_rows (Database   *db,
            const char *table_sql)
{
  g_autofree char *query = g_strdup_printf ("SELECT count(*) AS n FROM %s", table_sql);
  g_autofree char *params = NULL;
  TestRun *run;
  char *n;

  params = g_markup_printf_escaped ("<param name=\"query\">%s</param>", query);
  run = run_extract (db->database, params, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  n = g_strdup_printf ("%" G_GINT64_FORMAT, test_output_int (run, 0, "n"));
  test_run_free (run);
  return n;
}

static void
test_insert_and_query (gconstpointer data)
{
  Database *db = (Database *) data;
  g_autofree char *input = test_items (2500);
  g_autofree char *n = NULL;
  TestRun *run = run_load (db->database,
                           "<param name=\"table\">items</param><param name=\"create\">true</param>"
                           "<param name=\"batch-size\">1000</param>", NULL, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  n = count_rows (db, "items");
  g_assert_cmpstr (n, ==, "2500");

  /* Streamed in batches of 7, in order, with a bound parameter. */
  run = run_extract (db->database,
                     g_str_equal (db->name, "postgres")
                       ? "<param name=\"query\">SELECT id, tag FROM items WHERE tag = $1 AND id &lt; $2 ORDER BY id</param>"
                         "<param name=\"bind\">item.want\n200</param><param name=\"batch-size\">7</param>"
                       : "<param name=\"query\">SELECT id, tag FROM items WHERE tag = ?1 AND id &lt; ?2 ORDER BY id</param>"
                         "<param name=\"bind\">item.want\n200</param><param name=\"batch-size\">7</param>",
                     "{\"want\":\"b\"}\n");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (test_output_int (run, i, "id"), ==, 2 * i + 1);
  test_run_free (run);
}

/* Names with quotes and values that look like SQL are only names and
 * values. */
static void
test_quoting (gconstpointer data)
{
  Database *db = (Database *) data;
  g_autofree char *query = NULL;
  TestRun *run = run_load (db->database,
                           "<param name=\"table\">we\"ird table</param><param name=\"create\">true</param>",
                           NULL,
                           "{\"a\\\"b\":\"O'Brien'); DROP TABLE items; --\",\"k\":1}\n"
                           "{\"a\\\"b\":\"back\\\\slash\\ttab\\nline\",\"k\":2}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);

  run = run_extract (db->database,
                     g_str_equal (db->name, "postgres")
                       ? "<param name=\"query\">SELECT \"a\"\"b\" AS v FROM \"we\"\"ird table\" WHERE \"a\"\"b\" = $1</param>"
                         "<param name=\"bind\">O'Brien'); DROP TABLE items; --</param>"
                       : "<param name=\"query\">SELECT \"a\"\"b\" AS v FROM \"we\"\"ird table\" WHERE \"a\"\"b\" = ?1</param>"
                         "<param name=\"bind\">O'Brien'); DROP TABLE items; --</param>",
                     NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  test_run_free (run);

  run = run_extract (db->database, "<param name=\"query\">SELECT \"a\"\"b\" AS v FROM \"we\"\"ird table\" ORDER BY k</param>", NULL);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 1), ==, "{\"v\":\"back\\\\slash\\ttab\\nline\"}");
  test_run_free (run);

  /* The table the value names is still there. */
  g_free (count_rows (db, "items"));
}

static void
test_upsert (gconstpointer data)
{
  Database *db = (Database *) data;
  g_autofree char *n = NULL;
  TestRun *run;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GString) input = g_string_new (NULL);

      for (guint i = 0; i < 10 + 5 * round; i++)
        g_string_append_printf (input, "{\"id\":%u,\"v\":\"round %u\"}\n", i, round);
      run = run_load (db->database,
                      "<param name=\"table\">kv</param><param name=\"create\">true</param>"
                      "<param name=\"mode\">upsert</param><param name=\"key\">id</param><param name=\"batch-size\">4</param>",
                      NULL, input->str);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      test_run_free (run);
    }
  n = count_rows (db, "kv");
  g_assert_cmpstr (n, ==, "15");
  run = run_extract (db->database, "<param name=\"query\">SELECT count(*) AS n FROM kv WHERE v = 'round 1'</param>", NULL);
  g_assert_cmpint (test_output_int (run, 0, "n"), ==, 15);
  test_run_free (run);
}

/* A bad row fails its batch: none of that batch is written, the batches
 * before it are. */
static void
test_bad_row (gconstpointer data)
{
  Database *db = (Database *) data;
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *n = NULL;
  TestRun *run;

  run = run_load (db->database, "<param name=\"table\">strict</param><param name=\"create\">true</param>",
                  NULL, "{\"id\":0,\"v\":\"x\"}\n");
  test_run_free (run);
  if (g_str_equal (db->name, "postgres"))
    g_free (pg_value ("DELETE FROM strict; ALTER TABLE strict ALTER COLUMN v SET NOT NULL"));
  else
    {
      g_autofree char *path = g_build_filename (tmp_dir, "test.db", NULL);
      sqlite3 *handle;

      g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (handle, "DROP TABLE strict; CREATE TABLE strict (id INTEGER, v TEXT NOT NULL)",
                                     NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (handle);
    }

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (input, i == 15 ? "{\"id\":%u,\"v\":null}\n" : "{\"id\":%u,\"v\":\"ok\"}\n", i);
  run = run_load (db->database, "<param name=\"table\">strict</param><param name=\"batch-size\">10</param>",
                  NULL, input->str);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("%s", sluice_executor_get_error (run->executor));
  /* The batch was written in the background: the call that fails is the
   * one that resent it, with its own batch or item along (10 or more). */
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "items was not written"));
  {
    g_autofree char *lower = g_ascii_strdown (sluice_executor_get_error (run->executor), -1);
    g_assert_nonnull (strstr (lower, "null"));
  }
  test_run_free (run);
  n = count_rows (db, "strict");
  g_assert_cmpuint (atoi (n) % 10, ==, 0);
  g_assert_cmpint (atoi (n), <=, 10);
}

/* ------------------------------------------------------------ SQLite only */

static void
test_sqlite_nul (void)
{
  TestRun *run = run_load (sqlite_db.database, "<param name=\"table\">nul</param><param name=\"create\">true</param>",
                           NULL, "{\"v\":\"a\\u0000b\"}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  run = run_extract (sqlite_db.database, "<param name=\"query\">SELECT v FROM nul</param>", NULL);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"v\":\"a\\u0000b\"}");
  test_run_free (run);
}

/* ------------------------------------------------------------ PostgreSQL only */

/* PostgreSQL text cannot hold NUL: the batch fails with the server's word. */
static void
test_postgres_nul (void)
{
  TestRun *run = run_load (postgres_db.database, "<param name=\"table\">nul</param><param name=\"create\">true</param>",
                           NULL, "{\"v\":\"a\\u0000b\"}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("%s", sluice_executor_get_error (run->executor));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "0x00"));
  test_run_free (run);
}

/* Values travel as COPY text made when each item comes (records): every
 * kind comes back exactly — text with tabs, new lines, carriage returns,
 * backslashes, a literal \N, astral characters and the empty string;
 * the ends of bigint; reals at the ends of double; booleans; JSON; nulls
 * and missing fields — from items of different shapes and field orders
 * in one batch, into a table created with the first value's type. */
static void
test_postgres_round_trip (void)
{
  const char *input =
    "{\"id\":1,\"s\":\"tab\\there\\nnew\\rcr\\\\back \\\\N \xf0\x9d\x84\x9e \xc3\xa9\",\"i\":9223372036854775807,"
    "\"r\":0.1,\"b\":true,\"o\":{\"k\":[1,\"x\"]},\"n\":null}\n"
    "{\"n\":\"later\",\"id\":2,\"s\":\"\\\\N\",\"i\":-9223372036854775808,\"r\":1e-300,\"b\":false}\n"
    "{\"id\":3,\"s\":\"\",\"i\":0,\"r\":-1.7976931348623157e308,\"b\":null,\"o\":[],\"extra\":\"x\"}\n";
  const char *expected[] = {
    "{\"b\":true,\"extra\":null,\"i\":9223372036854775807,\"id\":1,\"n\":null,\"o\":{\"k\":[1,\"x\"]},"
    "\"r\":0.1,\"s\":\"tab\\there\\nnew\\rcr\\\\back \\\\N \xf0\x9d\x84\x9e \xc3\xa9\"}",
    "{\"b\":false,\"extra\":null,\"i\":-9223372036854775808,\"id\":2,\"n\":\"later\",\"o\":null,\"r\":1e-300,\"s\":\"\\\\N\"}",
    "{\"b\":null,\"extra\":\"x\",\"i\":0,\"id\":3,\"n\":null,\"o\":[],\"r\":-1.7976931348623157e308,\"s\":\"\"}",
  };
  g_autofree char *types = NULL;
  TestRun *run = run_load (postgres_db.database,
                           "<param name=\"table\">round trip</param><param name=\"create\">true</param>"
                           "<param name=\"batch-size\">10</param>", NULL, input);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);

  types = pg_value ("SELECT string_agg (column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
                    "FROM information_schema.columns WHERE table_name = 'round trip'");
  g_assert_cmpstr (types, ==, "b boolean, extra text, i bigint, id bigint, n text, o jsonb, r double precision, s text");

  run = run_extract (postgres_db.database, "<param name=\"query\">SELECT * FROM \"round trip\" ORDER BY id</param>", NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      json_t *want = json_loads (expected[i], 0, NULL);
      json_t *got = test_output (run, i);

      g_assert_nonnull (want);
      if (!json_equal (want, got))
        g_error ("row %u: got %s, want %s", i + 1, (char *) g_ptr_array_index (run->outputs, i), expected[i]);
      json_decref (want);
      json_decref (got);
    }
  test_run_free (run);
}

/* An upsert whose INSERT (after its COPY into the staging table) is
 * refused: the batch is not written at all, and nothing of it stays in
 * the staging table for the next batch on the same connection. The
 * batch and its COPY are one implicit transaction, without a COMMIT of
 * their own. */
static void
test_postgres_upsert_refused (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *n = NULL;
  TestRun *run;

  g_free (pg_value ("CREATE TABLE checked (id BIGINT PRIMARY KEY, v TEXT CHECK (v <> 'bad'))"));
  for (guint i = 0; i < 30; i++)
    g_string_append_printf (input, "{\"id\":%u,\"v\":\"%s\"}\n", i, i == 7 ? "bad" : "ok");
  run = run_load (postgres_db.database,
                  "<param name=\"table\">checked</param><param name=\"mode\">upsert</param>"
                  "<param name=\"key\">id</param><param name=\"batch-size\">5</param>",
                  "on-error=\"drop\"", input->str);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  /* The refused batch (5…9) is not there (nor the batch written with it
   * when it was resent, given up with it), and what came after it on
   * the same connection is, whole. */
  n = pg_value ("SELECT count(*) FILTER (WHERE id BETWEEN 5 AND 9) || ' ' || count(*) FILTER (WHERE id >= 20) "
                "|| ' ' || string_agg (id::text, ',' ORDER BY id) FROM checked");
  g_test_message ("%s", n);
  g_assert_true (g_str_has_prefix (n, "0 10 "));
}

static void
test_postgres_down (void)
{
  g_autofree char *uri = g_strdup_printf ("postgresql://sluice:VerySecret@127.0.0.1:%u/postgres", 1);
  TestRun *run = run_load (uri, "<param name=\"table\">t</param>", NULL, "{\"a\":1}\n");
  const char *error;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  error = sluice_executor_get_error (run->executor);
  g_test_message ("%s", error);
  g_assert_nonnull (strstr (error, "127.0.0.1:1"));
  g_assert_null (strstr (error, "VerySecret"));
  test_run_free (run);
}

static gboolean
kill_backends_cb (gpointer data)
{
  g_free (pg_value ("SELECT pg_terminate_backend (pid) FROM pg_stat_activity "
                    "WHERE application_name = 'sluice' AND pid <> pg_backend_pid ()"));
  return G_SOURCE_REMOVE;
}

/* The connection dies in the middle of a batch (the server ends it):
 * the batch is not half there, and a retry writes it whole. */
static void
test_postgres_killed_mid_batch (void)
{
  g_autofree char *input = test_items (300);
  g_autofree char *n = NULL;
  TestRun *run;

  g_free (pg_value ("CREATE TABLE slow (id BIGINT, value BIGINT, tag TEXT);"
                    "CREATE FUNCTION slow_down () RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN PERFORM pg_sleep (1.5); RETURN NULL; END $$;"
                    "CREATE TRIGGER slow_down BEFORE INSERT ON slow FOR EACH STATEMENT EXECUTE FUNCTION slow_down ()"));

  g_timeout_add (500, kill_backends_cb, NULL);
  run = run_load (postgres_db.database, "<param name=\"table\">slow</param><param name=\"batch-size\">1000</param>",
                  NULL, input);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_test_message ("%s", sluice_executor_get_error (run->executor));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "terminating connection"));
  test_run_free (run);
  n = pg_value ("SELECT count(*) FROM slow");
  g_assert_cmpstr (n, ==, "0");
  g_clear_pointer (&n, g_free);

  g_timeout_add (500, kill_backends_cb, NULL);
  run = run_load (postgres_db.database, "<param name=\"table\">slow</param><param name=\"batch-size\">1000</param>",
                  "retries=\"2\" backoff=\"1\"", input);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  n = pg_value ("SELECT count(*) || ' ' || count(DISTINCT id) FROM slow");
  g_assert_cmpstr (n, ==, "300 300");
}

static void
test_query_refuses_interpolation (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<pipeline format=\"1\" id=\"pl\">\n<parameters><parameter name=\"who\" default=\"x\"/></parameters>\n"
               "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
               "<execution id=\"q\"><use tool=\"sql-extract\"><param name=\"database\">sqlite:x.db</param>\n"
               "<param name=\"query\">SELECT * FROM t WHERE name = '${who}'</param>\n"
               "</use></execution></phase></controller></pipeline>\n");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean found = FALSE;

  sluice_validate (pipeline, "q.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      g_test_message ("%s", text);
      found |= g_str_has_prefix (text, "q.xml:5: error: module `q`: tool `sql-extract`: ${…} in the query");
    }
  g_assert_true (found);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-sql-XXXXXX", NULL);

  /* Before any thread: the server's watcher is a forked process. */
  pg = test_postgres_start (&error);
  if (pg == NULL)
    g_error ("cannot start PostgreSQL for the test: %s", error->message);

  sqlite_db.name = "sqlite";
  sqlite_db.database = g_strdup_printf ("sqlite:%s/test.db", tmp_dir);
  postgres_db.name = "postgres";
  postgres_db.database = g_strdup (test_postgres_get_uri (pg));

  for (guint i = 0; i < 2; i++)
    {
      Database *db = i == 0 ? &sqlite_db : &postgres_db;
      g_autofree char *a = g_strdup_printf ("/sluice/tools/sql/%s/insert-and-query", db->name);
      g_autofree char *b = g_strdup_printf ("/sluice/tools/sql/%s/quoting", db->name);
      g_autofree char *c = g_strdup_printf ("/sluice/tools/sql/%s/upsert", db->name);
      g_autofree char *d = g_strdup_printf ("/sluice/tools/sql/%s/bad-row", db->name);

      g_test_add_data_func (a, db, test_insert_and_query);
      g_test_add_data_func (b, db, test_quoting);
      g_test_add_data_func (c, db, test_upsert);
      g_test_add_data_func (d, db, test_bad_row);
    }
  g_test_add_func ("/sluice/tools/sql/sqlite/nul", test_sqlite_nul);
  g_test_add_func ("/sluice/tools/sql/postgres/nul", test_postgres_nul);
  g_test_add_func ("/sluice/tools/sql/postgres/round-trip", test_postgres_round_trip);
  g_test_add_func ("/sluice/tools/sql/postgres/upsert-refused", test_postgres_upsert_refused);
  g_test_add_func ("/sluice/tools/sql/postgres/server-down", test_postgres_down);
  g_test_add_func ("/sluice/tools/sql/postgres/killed-mid-batch", test_postgres_killed_mid_batch);
  g_test_add_func ("/sluice/tools/sql/query-refuses-interpolation", test_query_refuses_interpolation);

  status = g_test_run ();
  test_postgres_stop (pg);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
