/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "test-executor-common.h"

/* The file loader on real files: atomic replace at the end of the
 * stream, append with fsync, CSV and compression, read back with the
 * file extractor; and faults: a run that fails leaves the target as it
 * was, and a full disk (RLIMIT_FSIZE on a real sluice-run) fails the run
 * with the reason and leaves only whole batches. */

static char *tmp_dir;

static char *
in_tmp (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static TestRun *
run_load (const char *input,
          const char *params)
{
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"no-order\" workers=\"3\"><phase id=\"p\">"
                     "<execution id=\"save\"><use tool=\"file-load\">%s</use></execution>"
                     "</phase></controller>", params);

  return test_run_body (body, input);
}

/* Reads @path back with file-extract. */
static TestRun *
read_back (const char *path,
           const char *more)
{
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"read\"><use tool=\"file-extract\"><param name=\"path\">%s</param>%s</use></execution>"
                     "</phase></controller>", path, more != NULL ? more : "");

  return test_run_body (body, NULL);
}

static guint
count_temp_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    n += name[0] == '.';
  return n;
}

static void
test_replace_round_trip (void)
{
  static const char *names[] = { "out.jsonl", "out.jsonl.gz", "out.jsonl.zst", "out.jsonl.xz" };
  g_autofree char *input = test_items (25000);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = in_tmp (names[i]);
      g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"batch-size\">1000</param>", path);
      TestRun *run = run_load (input, params);
      gboolean seen[25000] = { FALSE };

      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      test_run_free (run);

      run = read_back (path, NULL);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (run->outputs->len, ==, 25000);
      for (guint k = 0; k < run->outputs->len; k++)
        {
          gint64 id = test_output_int (run, k, "id");
          g_assert_false (seen[id]);
          seen[id] = TRUE;
        }
      test_run_free (run);
    }
  g_assert_cmpuint (count_temp_files (), ==, 0);
}

/* Until the end of the stream, the target keeps what it had. */
static void
test_replace_is_atomic (void)
{
  g_autofree char *path = in_tmp ("keep.jsonl");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"batch-size\">10</param>", path);
  g_autoptr(GString) input = g_string_new (NULL);
  g_autofree char *contents = NULL;
  TestRun *run;

  g_assert_true (g_file_set_contents (path, "{\"old\":true}\n", -1, NULL));
  for (guint i = 0; i < 500; i++)
    g_string_append_printf (input, "{\"id\":%u}\n", i);
  g_string_append (input, "this is not JSON\n");

  run = run_load (input->str, params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  test_run_free (run);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"old\":true}\n");
  g_assert_cmpuint (count_temp_files (), ==, 0);
}

static void
test_append (void)
{
  g_autofree char *path = in_tmp ("log.jsonl.zst");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"mode\">append</param>"
                                             "<param name=\"batch-size\">7</param>", path);
  g_autofree char *input = test_items (50);
  TestRun *run;

  for (guint round = 0; round < 2; round++)
    {
      run = run_load (input, params);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      test_run_free (run);
    }
  /* One zstd frame a batch, read as one stream. */
  run = read_back (path, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 100);
  test_run_free (run);

  g_free (params);
  params = g_strdup_printf ("<param name=\"path\">%s.gz</param><param name=\"mode\">append</param>", path);
  {
    g_autofree char *body =
      g_strdup_printf ("<controller id=\"c\" mode=\"no-order\"><phase id=\"p\">"
                       "<execution id=\"save\"><use tool=\"file-load\">%s</use></execution>"
                       "</phase></controller>", params);
    g_autoptr(SluicePipeline) pipeline = test_load_body (body);
    g_autoptr(GError) error = NULL;
    g_autoptr(SluiceExecutor) executor = sluice_executor_new (pipeline, NULL, &error);

    g_assert_null (executor);
    g_assert_nonnull (strstr (error->message, "append cannot write gzip"));
  }
}

static void
test_csv (void)
{
  g_autofree char *path = in_tmp ("t.csv");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param>", path);
  g_autofree char *contents = NULL;
  TestRun *run = run_load ("{\"a\":\"x,y\",\"b\":\"say \\\"hi\\\"\",\"c\":null,\"d\":1.5,\"e\":{\"k\":[1]},\"f\":\"two\\nlines\"}\n",
                           params);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==,
                   "a,b,c,d,e,f\n"
                   "\"x,y\",\"say \"\"hi\"\"\",,1.5,\"{\"\"k\"\":[1]}\",\"two\nlines\"\n");

  /* Read back: the same strings. */
  run = read_back (path, NULL);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==,
                   "{\"a\":\"x,y\",\"b\":\"say \\\"hi\\\"\",\"c\":\"\",\"d\":\"1.5\",\"e\":\"{\\\"k\\\":[1]}\",\"f\":\"two\\nlines\"}");
  test_run_free (run);

  /* A field that is no column fails the batch, saying which. */
  run = run_load ("{\"a\":1}\n{\"a\":2,\"surprise\":3}\n", params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "the field “surprise”, which is not one of the CSV columns"));
  test_run_free (run);
}

/* ------------------------------------------------------------ a full disk */

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { 256 * 1024, 256 * 1024 };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* Runs the real sluice-run on @pipeline with files limited to 256 KiB. */
static int
run_limited (const char  *pipeline,
             const char  *input,
             char       **err)
{
  g_autofree char *sluice_run = g_build_filename (g_getenv ("SLUICE_BUILD_ROOT"), "src", "runner", "sluice-run", NULL);
  const char *argv[] = { sluice_run, "-q", "-i", input, "-o", "/dev/null", pipeline, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (tmp_dir, (char **) argv, NULL, 0, limit_file_size, NULL,
                               NULL, err, &status, &error));
  g_assert_no_error (error);
  return status;
}

static void
test_disk_full (void)
{
  g_autofree char *input = in_tmp ("many.jsonl");
  g_autofree char *pipeline = in_tmp ("full.xml");
  g_autofree char *target = in_tmp ("full-out.jsonl");
  g_autofree char *appended = in_tmp ("full-append.jsonl");
  g_autofree char *items = test_items (40000);   /* about 1.5 MB of JSON lines */
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines = 0;
  int status;

  g_assert_true (g_file_set_contents (input, items, -1, NULL));

  /* Replace: the run fails with the reason, nothing is left behind. */
  g_assert_true (g_file_set_contents (pipeline,
    "<pipeline format=\"1\" id=\"t\"><controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"save\"><use tool=\"file-load\"><param name=\"path\">full-out.jsonl</param>"
    "<param name=\"batch-size\">1000</param></use></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  status = run_limited (pipeline, input, &err);
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "File too large"));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_temp_files (), ==, 0);

  /* Append: only whole batches stay. */
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (pipeline,
    "<pipeline format=\"1\" id=\"t\"><controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"save\"><use tool=\"file-load\"><param name=\"path\">full-append.jsonl</param>"
    "<param name=\"mode\">append</param><param name=\"batch-size\">1000</param></use></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  status = run_limited (pipeline, input, &err);
  g_test_message ("%s", err);
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "File too large"));
  g_assert_true (g_file_get_contents (appended, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      json_error_t jerror;
      json_t *line = json_loads (lines[i], 0, &jerror);

      g_assert_nonnull (line);
      json_decref (line);
      n_lines++;
    }
  g_test_message ("%u lines kept", n_lines);
  g_assert_cmpuint (n_lines, >, 0);
  g_assert_cmpuint (n_lines % 1000, ==, 0);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-file-load-XXXXXX", NULL);

  g_test_add_func ("/sluice/tools/file-load/replace-round-trip", test_replace_round_trip);
  g_test_add_func ("/sluice/tools/file-load/replace-is-atomic", test_replace_is_atomic);
  g_test_add_func ("/sluice/tools/file-load/append", test_append);
  g_test_add_func ("/sluice/tools/file-load/csv", test_csv);
  g_test_add_func ("/sluice/tools/file-load/disk-full", test_disk_full);

  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
