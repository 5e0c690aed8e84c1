/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "sluice-core.h"
#include "test-executor-common.h"
#include "test-fifo-reader.h"
#include "test-lines.h"

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

/* As run_load, in input order (not-parallel). */
static TestRun *
run_load_in_order (const char *input,
                   const char *params)
{
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
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

}

/* Appending to a FIFO (another program reads the lines as they come):
 * fsync() means nothing there (EINVAL), and is no failure. */
static void
test_append_fifo (void)
{
  g_autofree char *path = in_tmp ("lines.fifo");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"mode\">append</param>"
                                             "<param name=\"batch-size\">3</param>", path);
  g_autofree char *input = test_items (10);
  g_autofree char *read = NULL;
  TestFifoReader *reader;
  TestRun *run;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  reader = test_fifo_reader_start (path, 0);
  run = run_load_in_order (input, params);
  g_assert_cmpstr (sluice_executor_get_error (run->executor), ==, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  /* The step goes with the run: its writer closes, the reader ends. */
  test_run_free (run);
  read = test_fifo_reader_finish (reader);
  g_assert_cmpuint (test_count_lines (read), ==, 10);
  g_unlink (path);
}

/* ---- gzip: members written by libdeflate, read by every reader */

/* The text of the gzip file @path as zlib's gzread gives it. */
static GString *
read_with_gzread (const char *path)
{
  gzFile file = gzopen (path, "rb");
  GString *text = g_string_new (NULL);
  char buffer[65536];
  int n;

  g_assert_nonnull (file);
  while ((n = gzread (file, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpint (gzclose (file), ==, Z_OK);
  return text;
}

/* The output of a program that must be there (a missing one fails). */
static char *
run_program (const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (g_find_program_in_path (argv[0]) == NULL)
    g_error ("%s is needed by this test and is not installed", argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

/* Members in the gzip file @path (each starts with 1f 8b 08 after the
 * previous one's end), counted with zlib's inflate. */
static guint
count_members (const char *path)
{
  g_autofree char *data = NULL;
  gsize length, offset = 0;
  guint members = 0;
  char out[65536];

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  while (offset < length)
    {
      z_stream z = { 0 };
      int status;

      g_assert_cmpint (inflateInit2 (&z, 16 + MAX_WBITS), ==, Z_OK);
      z.next_in = (Bytef *) data + offset;
      z.avail_in = length - offset;
      do
        {
          z.next_out = (Bytef *) out;
          z.avail_out = sizeof out;
          status = inflate (&z, Z_NO_FLUSH);
        }
      while (status == Z_OK);
      g_assert_cmpint (status, ==, Z_STREAM_END);
      offset = length - z.avail_in;
      inflateEnd (&z);
      members++;
    }
  return members;
}

/* Every reader gets @expected from @path: gzip -d, Python's gzip,
 * zlib's gzread, and file-extract (@n_items records). */
static void
assert_gzip_readers (const char *path,
                     const char *expected,
                     guint       n_items)
{
  const char *gunzip[] = { "gzip", "-dc", path, NULL };
  const char *python[] = { "python3", "-c",
                           "import gzip, sys; sys.stdout.write(gzip.open(sys.argv[1], 'rt').read())", path, NULL };
  g_autofree char *by_gzip = run_program (gunzip);
  g_autofree char *by_python = run_program (python);
  g_autoptr(GString) by_zlib = read_with_gzread (path);
  TestRun *run;

  g_assert_cmpstr (by_gzip, ==, expected);
  g_assert_cmpstr (by_python, ==, expected);
  g_assert_cmpstr (by_zlib->str, ==, expected);
  run = read_back (path, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, n_items);
  test_run_free (run);
}

/* replace: small batches are gathered into members of 1 MiB of text,
 * the rest is one member at the end; the file is as small as one zlib
 * stream at the same level (within 1 %). */
static void
test_gzip_replace_members (void)
{
  g_autofree char *path = in_tmp ("members.jsonl.gz");
  g_autofree char *plain = in_tmp ("members.jsonl");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"batch-size\">7</param>", path);
  g_autofree char *plain_params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"batch-size\">7</param>", plain);
  g_autofree char *input = test_items (80000);
  g_autofree char *expected = NULL;
  gsize text_length;
  GStatBuf st;
  TestRun *run;

  run = run_load_in_order (input, params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  run = run_load_in_order (input, plain_params);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  g_assert_true (g_file_get_contents (plain, &expected, &text_length, NULL));
  g_assert_cmpuint (text_length, >, 2 * 1024 * 1024);

  assert_gzip_readers (path, expected, 80000);
  g_assert_cmpuint (count_members (path), ==, (text_length + 1024 * 1024 - 1) / (1024 * 1024));
  {
    const char *gzip6[] = { "sh", "-c", "gzip -6 -c \"$0\" | wc -c", plain, NULL };
    g_autofree char *size = run_program (gzip6);

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_test_message ("libdeflate members: %lld bytes; gzip -6: %s", (long long) st.st_size, size);
    g_assert_cmpfloat ((double) st.st_size, <=, g_ascii_strtod (size, NULL) * 1.01);
  }
  g_assert_cmpuint (count_temp_files (), ==, 0);
}

/* Nothing to write still makes a gzip file (of nothing). */
static void
test_gzip_empty (void)
{
  g_autofree char *path = in_tmp ("empty.jsonl.gz");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param>", path);
  TestRun *run = run_load ("", params);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  g_assert_cmpuint (count_members (path), ==, 1);
  assert_gzip_readers (path, "", 0);
}

/* append: each batch is members of its own, fsync'ed; two runs append. */
static void
test_gzip_append (void)
{
  g_autofree char *path = in_tmp ("log.jsonl.gz");
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param><param name=\"mode\">append</param>"
                                             "<param name=\"batch-size\">7</param>", path);
  g_autofree char *input = test_items (50);
  g_autoptr(GString) text = NULL;
  TestRun *run;

  for (guint round = 0; round < 2; round++)
    {
      run = run_load_in_order (input, params);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      test_run_free (run);
    }
  g_assert_cmpuint (count_members (path), ==, 2 * 8);   /* 7 × 7 + 1 a run */
  text = read_with_gzread (path);
  assert_gzip_readers (path, text->str, 100);
  g_assert_cmpuint (strlen (text->str), >, 0);
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

static rlim_t file_size_limit = 256 * 1024;

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { file_size_limit, file_size_limit };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* Runs the real sluice-run on @pipeline with files limited to
 * file_size_limit bytes. */
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

/* gzip at 32 KiB of file: replace leaves nothing; append keeps whole
 * batches of whole members, which gzip -d reads without complaint. */
static void
test_disk_full_gzip (void)
{
  g_autofree char *input = in_tmp ("many-gz.jsonl");
  g_autofree char *pipeline = in_tmp ("full-gz.xml");
  g_autofree char *target = in_tmp ("full-out.jsonl.gz");
  g_autofree char *appended = in_tmp ("full-append.jsonl.gz");
  g_autofree char *items = test_items (40000);
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  const char *gunzip[] = { "gzip", "-dc", appended, NULL };
  guint n_lines = 0;
  int status;

  file_size_limit = 32 * 1024;
  g_assert_true (g_file_set_contents (input, items, -1, NULL));
  g_assert_true (g_file_set_contents (pipeline,
    "<pipeline format=\"1\" id=\"t\"><controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"save\"><use tool=\"file-load\"><param name=\"path\">full-out.jsonl.gz</param>"
    "<param name=\"batch-size\">1000</param></use></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  status = run_limited (pipeline, input, &err);
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "File too large"));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_temp_files (), ==, 0);

  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (pipeline,
    "<pipeline format=\"1\" id=\"t\"><controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"save\"><use tool=\"file-load\"><param name=\"path\">full-append.jsonl.gz</param>"
    "<param name=\"mode\">append</param><param name=\"batch-size\">1000</param></use></execution>"
    "</phase></controller></pipeline>", -1, NULL));
  status = run_limited (pipeline, input, &err);
  file_size_limit = 256 * 1024;
  g_test_message ("%s", err);
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "File too large"));
  text = run_program (gunzip);
  for (const char *p = text; *p != '\0'; p++)
    n_lines += *p == '\n';
  g_test_message ("%u lines kept", n_lines);
  g_assert_cmpuint (n_lines, >, 0);
  g_assert_cmpuint (n_lines % 1000, ==, 0);
  g_assert_true (g_str_has_suffix (text, "\n"));
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
  g_test_add_func ("/sluice/tools/file-load/append-fifo", test_append_fifo);
  g_test_add_func ("/sluice/tools/file-load/gzip-replace-members", test_gzip_replace_members);
  g_test_add_func ("/sluice/tools/file-load/gzip-empty", test_gzip_empty);
  g_test_add_func ("/sluice/tools/file-load/gzip-append", test_gzip_append);
  g_test_add_func ("/sluice/tools/file-load/csv", test_csv);
  g_test_add_func ("/sluice/tools/file-load/disk-full", test_disk_full);
  g_test_add_func ("/sluice/tools/file-load/disk-full-gzip", test_disk_full_gzip);

  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
