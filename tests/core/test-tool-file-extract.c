/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <zstd.h>

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "test-executor-common.h"

/* The file extractor on real files in a temporary folder: every format,
 * compression and encoding, and what goes wrong with them (quoted new
 * lines, a BOM, ragged rows, invalid UTF-8, truncated and hostile
 * compressed data, huge lines, globs matching nothing), and streaming a
 * large file in bounded memory. */

static char *tmp_dir;

static char *
write_file (const char *name,
            const char *data,
            gssize      length)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, length, NULL));
  return path;
}

/* Compresses @data with the command-line tool (gzip, zstd, xz) into
 * @name. */
static char *
write_compressed (const char *name,
                  const char *tool,
                  const char *data)
{
  g_autofree char *plain = write_file ("plain.tmp", data, -1);
  char *path = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("%s -c '%s' > '%s'", tool, plain, path);
  int status;

  const char *argv[] = { "/bin/sh", "-c", command, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  return path;
}

static TestRun *
run_extract (const char *params,
             const char *after)
{
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"read\"><use tool=\"file-extract\">%s</use></execution>%s"
                     "</phase></controller>", params, after != NULL ? after : "");

  return test_run_body (body, NULL);
}

static TestRun *
run_path (const char *path,
          const char *more_params)
{
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *params = g_strdup_printf ("<param name=\"path\">%s</param>%s", escaped,
                                             more_params != NULL ? more_params : "");

  return run_extract (params, NULL);
}

static const char *
error_of (TestRun *run)
{
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  return sluice_executor_get_error (run->executor);
}

static void
assert_field (TestRun    *run,
              guint       i,
              const char *key,
              const char *expected)
{
  json_t *item = test_output (run, i);

  g_assert_cmpstr (json_string_value (json_object_get (item, key)), ==, expected);
  json_decref (item);
}

/* ------------------------------------------------------------ CSV */

static void
test_csv_quoting (void)
{
  /* A BOM, CRLF ends, a quoted delimiter, a quoted new line, doubled
   * quotes, a blank line, repeated and empty header names. */
  g_autofree char *path = write_file ("q.csv",
                                      "\xEF\xBB\xBF" "id,text,text,\r\n"
                                      "1,\"a,b\",x,y\r\n"
                                      "2,\"two\nlines\",x,y\r\n"
                                      "\r\n"
                                      "3,\"say \"\"hi\"\"\",,\r\n", -1);
  TestRun *run = run_path (path, "<param name=\"line-number-field\">_line</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==,
                   "{\"_line\":2,\"column_4\":\"y\",\"id\":\"1\",\"text\":\"a,b\",\"text_2\":\"x\"}");
  assert_field (run, 1, "text", "two\nlines");
  g_assert_cmpint (test_output_int (run, 2, "_line"), ==, 6);
  assert_field (run, 2, "text", "say \"hi\"");
  assert_field (run, 2, "text_2", "");
  test_run_free (run);
}

static void
test_csv_options (void)
{
  g_autofree char *tabs = write_file ("t.tsv", "a\tb\n1\t'x\ty'\n", -1);
  g_autofree char *semi = write_file ("s.txt", "1;\"2\n", -1);
  TestRun *run = run_path (tabs, "<param name=\"delimiter\">tab</param><param name=\"quote\">'</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_field (run, 0, "b", "x\ty");
  test_run_free (run);

  /* No header, names given, no quoting: a quote is just a character. */
  run = run_path (semi, "<param name=\"format\">csv</param><param name=\"header\">false</param>"
                        "<param name=\"delimiter\">;</param><param name=\"quote\"></param>"
                        "<param name=\"columns\">first, second</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"first\":\"1\",\"second\":\"\\\"2\"}");
  test_run_free (run);
}

static void
test_csv_ragged (void)
{
  g_autofree char *path = write_file ("r.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n", -1);
  TestRun *run = run_path (path, NULL);

  g_assert_nonnull (strstr (error_of (run), "r.csv:3: 2 fields, but 3 columns"));
  test_run_free (run);

  run = run_path (path, "<param name=\"ragged\">pad</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 1), ==, "{\"a\":\"4\",\"b\":\"5\",\"c\":null}");
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 2), ==, "{\"a\":\"6\",\"b\":\"7\",\"c\":\"8\",\"column_4\":\"9\"}");
  test_run_free (run);

  /* Skipped with a log line, the rest read. */
  run = run_path (path, "<param name=\"on-bad-record\">skip</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  test_run_free (run);
}

static void
test_csv_unclosed_quote (void)
{
  g_autofree char *path = write_file ("u.csv", "a,b\n1,\"open\n2,3\n", -1);
  TestRun *run = run_path (path, NULL);

  g_assert_nonnull (strstr (error_of (run), "a quoted field is not closed before the end of the file"));
  test_run_free (run);
}

/* ------------------------------------------------------------ JSON */

static void
test_jsonl (void)
{
  g_autofree char *good = write_file ("g.jsonl", "{\"a\":1}\n\n  \n{\"b\":\"x\"}", -1);
  g_autofree char *bad = write_file ("b.jsonl", "{\"a\":1}\n[1,2]\n{\"a\":3}\n{nope\n", -1);
  TestRun *run = run_path (good, NULL);

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);

  run = run_path (bad, NULL);
  g_assert_nonnull (strstr (error_of (run), "b.jsonl:2: "));
  test_run_free (run);

  run = run_path (bad, "<param name=\"on-bad-record\">skip</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);
}

static void
test_json_array (void)
{
  g_autofree char *good = write_file ("a.json",
                                      " [\n {\"s\": \"],[{\\\"\", \"n\": [1, {\"x\": []}]},\n"
                                      "{\"k\": 2}\n ]\n", -1);
  g_autofree char *empty = write_file ("e.json", "[]", -1);
  g_autofree char *scalar = write_file ("s.json", "[{\"a\":1}, 5, {\"a\":2}]", -1);
  g_autofree char *open = write_file ("o.json", "[{\"a\":1}, {\"a\":", -1);
  g_autofree char *object = write_file ("obj.json", "{\"a\":1}", -1);
  TestRun *run = run_path (good, "<param name=\"line-number-field\">l</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2);
  assert_field (run, 0, "s", "],[{\"");
  g_assert_cmpint (test_output_int (run, 1, "l"), ==, 3);
  test_run_free (run);

  run = run_path (empty, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);

  run = run_path (scalar, NULL);
  g_assert_nonnull (strstr (error_of (run), "element 2 of the array"));
  test_run_free (run);
  run = run_path (scalar, "<param name=\"on-bad-record\">skip</param>");
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);

  run = run_path (open, NULL);
  g_assert_nonnull (strstr (error_of (run), "the JSON array ends inside an element"));
  test_run_free (run);

  run = run_path (object, NULL);
  g_assert_nonnull (strstr (error_of (run), "not a JSON array"));
  test_run_free (run);
}

static void
test_lines (void)
{
  g_autofree char *path = write_file ("l.txt", "one\r\ntwo\n\nthree", -1);
  TestRun *run = run_path (path, "<param name=\"line-field\">text</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 4);
  assert_field (run, 0, "text", "one");
  assert_field (run, 2, "text", "");
  assert_field (run, 3, "text", "three");
  test_run_free (run);
}

/* ------------------------------------------------------------ encodings */

static void
test_encodings (void)
{
  g_autofree char *latin1 = write_file ("latin1.csv", "name\ncaf\xE9\n", -1);
  g_autofree char *broken = write_file ("broken.csv", "name\nok\nbad \xFF\xFE here\nfine\n", -1);
  TestRun *run = run_path (latin1, "<param name=\"encoding\">ISO-8859-1</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  assert_field (run, 0, "name", "café");
  test_run_free (run);

  run = run_path (broken, NULL);
  g_assert_nonnull (strstr (error_of (run), "broken.csv:3: not valid UTF-8"));
  test_run_free (run);

  run = run_path (broken, "<param name=\"on-bad-record\">skip</param>");
  g_assert_cmpuint (run->outputs->len, ==, 2);
  test_run_free (run);

  run = run_path (latin1, "<param name=\"encoding\">NO-SUCH-CHARSET</param>");
  g_assert_nonnull (strstr (error_of (run), "cannot read the encoding “NO-SUCH-CHARSET”"));
  test_run_free (run);

  /* Fields are checked 8 bytes at a time: a bad byte or a NUL in the
   * words or in the tail is found; long UTF-8 text is taken. */
  {
    static const struct { const char *text; gsize length; gboolean valid; } fields[] = {
      { "abcdefgh\xFFijklmnop", 17, FALSE },
      { "abcdefghijklmnopq\xFF", 18, FALSE },
      { "abcdefgh\0ijklmnop", 17, FALSE },
      { "abcdefghijklmnopq\0", 18, FALSE },
      { "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e", 21, TRUE },
      { "plain ascii text of some length", 31, TRUE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
      {
        g_autoptr(GString) text = g_string_new ("name,n\n");
        g_autofree char *path = NULL;

        g_string_append_len (text, fields[i].text, fields[i].length);
        g_string_append (text, ",1\n");
        path = write_file ("field.csv", text->str, text->len);
        run = run_path (path, NULL);
        if (fields[i].valid)
          {
            g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
            g_assert_cmpuint (run->outputs->len, ==, 1);
          }
        else
          g_assert_nonnull (strstr (error_of (run), "field.csv:2: not valid UTF-8"));
        test_run_free (run);
      }
  }
}

/* ------------------------------------------------------------ compression */

static GString *
many_lines (guint n)
{
  GString *text = g_string_new ("id,value\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%u,value number %u with some padding to compress\n", i, i);
  return text;
}

static void
test_compressions (void)
{
  static const struct { const char *name; const char *tool; } kinds[] = {
    { "c.csv.gz", "gzip" }, { "c.csv.zst", "zstd -q" }, { "c.csv.xz", "xz" },
  };
  g_autoptr(GString) text = many_lines (20000);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *path = write_compressed (kinds[k].name, kinds[k].tool, text->str);
      g_autofree char *contents = NULL;
      g_autofree char *cut = NULL;
      gsize length;
      TestRun *run = run_path (path, NULL);

      g_test_message ("%s", kinds[k].name);
      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (run->outputs->len, ==, 20000);
      assert_field (run, 19999, "id", "19999");
      test_run_free (run);

      /* Cut in half: an error, never a quiet end after half the rows. */
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      cut = write_file (kinds[k].name, contents, length / 2);
      run = run_path (path, NULL);
      g_test_message ("%s", error_of (run));
      g_assert_nonnull (strstr (error_of (run), kinds[k].name));
      test_run_free (run);

      /* Garbage in the middle. */
      memset (contents + length / 2, 'x', 64);
      g_free (write_file (kinds[k].name, contents, length));
      run = run_path (path, NULL);
      g_test_message ("%s", error_of (run));
      test_run_free (run);
    }
}

/* A gzip file of several members (`cat a.gz b.gz`, pigz, bgzip, and
 * file-load's own output) is read to its end, as gzip -d reads it: not
 * only its first member (GZlibDecompressor alone stops there,
 * silently). Garbage after a member, or a member cut short, is an
 * error naming the file. */
static void
test_gzip_members (void)
{
  g_autoptr(GString) text = many_lines (3000);
  g_autofree char *head = g_strndup (text->str, strstr (text->str, "\n1000,") + 1 - text->str);
  g_autofree char *middle = g_strndup (strstr (text->str, "\n1000,") + 1,
                                       strstr (text->str, "\n2000,") - strstr (text->str, "\n1000,"));
  g_autofree char *tail = g_strdup (strstr (text->str, "\n2000,") + 1);
  g_autofree char *a = write_compressed ("m1.gz", "gzip", head);
  g_autofree char *b = write_compressed ("m2.gz", "gzip -1", middle);
  g_autofree char *c = write_compressed ("m3.gz", "gzip -9", tail);
  g_autofree char *da = NULL, *db = NULL, *dc = NULL;
  gsize la, lb, lc;
  g_autoptr(GString) joined = g_string_new (NULL);
  g_autofree char *path = NULL;
  TestRun *run;

  g_assert_true (g_file_get_contents (a, &da, &la, NULL));
  g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
  g_assert_true (g_file_get_contents (c, &dc, &lc, NULL));
  g_string_append_len (joined, da, la);
  g_string_append_len (joined, db, lb);
  g_string_append_len (joined, dc, lc);
  path = write_file ("members.csv.gz", joined->str, joined->len);

  run = run_path (path, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 3000);
  assert_field (run, 999, "id", "999");
  assert_field (run, 1000, "id", "1000");
  assert_field (run, 2999, "id", "2999");
  test_run_free (run);

  /* Trailing garbage after the last member. */
  g_string_append (joined, "not gzip at all");
  g_free (write_file ("members.csv.gz", joined->str, joined->len));
  run = run_path (path, NULL);
  g_test_message ("%s", error_of (run));
  g_assert_nonnull (strstr (error_of (run), "members.csv.gz"));
  test_run_free (run);

  /* The third member cut short. */
  g_free (write_file ("members.csv.gz", joined->str, la + lb + lc / 2));
  run = run_path (path, NULL);
  g_test_message ("%s", error_of (run));
  g_assert_nonnull (strstr (error_of (run), "ends too soon"));
  test_run_free (run);
}

/* A name without the extension: the parameter says what it is. */
static void
test_compression_by_parameter (void)
{
  g_autoptr(GString) text = many_lines (10);
  g_autofree char *path = write_compressed ("noext.data", "gzip", text->str);
  TestRun *run = run_path (path, "<param name=\"compression\">gzip</param><param name=\"format\">csv</param>");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 10);
  test_run_free (run);
}

/* 512 MiB of one line packed into a few kilobytes: refused at
 * max-record, in bounded memory. */
static void
test_zstd_bomb (void)
{
  gsize size = 512u << 20;
  g_autofree char *zeros = g_malloc (1 << 20);
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *path = g_build_filename (tmp_dir, "bomb.txt.zst", NULL);
  char buffer[65536];
  TestRun *run;

  memset (zeros, 'a', 1 << 20);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, 1);
  for (gsize done = 0; done < size; done += 1 << 20)
    {
      ZSTD_inBuffer in = { zeros, 1 << 20, 0 };
      ZSTD_EndDirective mode = done + (1 << 20) >= size ? ZSTD_e_end : ZSTD_e_continue;
      size_t left;

      do
        {
          ZSTD_outBuffer o = { buffer, sizeof buffer, 0 };
          left = ZSTD_compressStream2 (cctx, &o, &in, mode);
          g_assert_false (ZSTD_isError (left));
          g_byte_array_append (out, (guint8 *) buffer, o.pos);
        }
      while (in.pos < in.size || (mode == ZSTD_e_end && left > 0));
    }
  ZSTD_freeCCtx (cctx);
  g_test_message ("bomb: %u bytes", out->len);
  g_assert_cmpuint (out->len, <, 1 << 20);
  g_assert_true (g_file_set_contents (path, (char *) out->data, out->len, NULL));

  run = run_path (path, "<param name=\"max-record\">4194304</param>");
  g_assert_nonnull (strstr (error_of (run), "a record longer than 4194304 bytes"));
  test_run_free (run);
}

/* ------------------------------------------------------------ size */

/* One line of 100 MB (lines format), and the same refused by max-record. */
static void
test_huge_line (void)
{
  gsize size = 100u << 20;
  g_autofree char *path = g_build_filename (tmp_dir, "huge.txt", NULL);
  FILE *file = fopen (path, "w");
  g_autofree char *block = g_malloc (1 << 20);
  TestRun *run;
  json_t *item;

  memset (block, 'z', 1 << 20);
  fputs ("short\n", file);
  for (gsize i = 0; i < size; i += 1 << 20)
    fwrite (block, 1, 1 << 20, file);
  fputs ("\nend\n", file);
  fclose (file);

  run = run_path (path, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 3);
  item = test_output (run, 1);
  g_assert_cmpuint (strlen (json_string_value (json_object_get (item, "line"))), ==, size);
  json_decref (item);
  test_run_free (run);

  run = run_path (path, "<param name=\"max-record\">1000000</param>");
  g_assert_nonnull (strstr (error_of (run), "huge.txt:2: a record longer than 1000000 bytes"));
  test_run_free (run);
  g_unlink (path);
}

static gsize
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

/* A million records go through (and are dropped after a step) in
 * bounded memory: the extractor waits for the steps after it. */
static void
test_streaming_bounded (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "million.csv", NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *params = NULL;
  FILE *file = fopen (path, "w");
  gsize before;
  TestRun *run;
  SluiceModuleStats stats;

  fputs ("id,name,padding\n", file);
  for (guint i = 0; i < 1000000; i++)
    fprintf (file, "%u,name %u,%s\n", i, i, "................................................................");
  fclose (file);

  /* Forget the peaks of the tests before (the 100 MB line). */
  {
    FILE *refs = fopen ("/proc/self/clear_refs", "w");

    g_assert_nonnull (refs);
    fputs ("5", refs);
    fclose (refs);
  }
  before = peak_rss_kb ();
  escaped = g_markup_escape_text (path, -1);
  params = g_strdup_printf ("<param name=\"path\">%s</param>", escaped);
  run = run_extract (params,
                     "<execution id=\"slow\"><use tool=\"delay\"><param name=\"duration\">0ms</param></use></execution>"
                     "<execution id=\"drop\"><lua>return false</lua></execution>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "drop", &stats));
  g_assert_cmpuint (stats.items_in, ==, 1000000);
  /* Signed: VmHWM read right after clear_refs is the RSS of that
   * moment, which may shrink by a page or two before the kernel records
   * a high-water mark, so a run that needs next to nothing can "grow" by
   * -4 kB. */
  g_test_message ("peak RSS grew by %" G_GINT64_FORMAT " kB", (gint64) peak_rss_kb () - (gint64) before);
  /* The items alone would take several hundred MB (over a GB with
   * AddressSanitizer's red zones; its quarantine of freed memory, 256 MB
   * by default, counts there too). */
#ifdef __SANITIZE_ADDRESS__
  g_assert_cmpint ((gint64) peak_rss_kb () - (gint64) before, <, 480 * 1024);
#else
  g_assert_cmpint ((gint64) peak_rss_kb () - (gint64) before, <, 64 * 1024);
#endif
  test_run_free (run);
  g_unlink (path);
}

/* ------------------------------------------------------------ files */

static void
test_globs (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "glob", NULL);
  g_autofree char *pattern = g_build_filename (dir, "part-*.jsonl", NULL);
  g_autofree char *none = g_build_filename (dir, "nothing-*.csv", NULL);
  TestRun *run;

  g_mkdir (dir, 0700);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("glob/part-%u.jsonl", 2 - i);
      g_autofree char *line = g_strdup_printf ("{\"part\":%u}\n", 2 - i);
      g_free (write_file (name, line, -1));
    }

  run = run_path (pattern, "<param name=\"file-field\">file</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (test_output_int (run, i, "part"), ==, i);
  test_run_free (run);

  run = run_path (none, NULL);
  g_assert_nonnull (strstr (error_of (run), "no file matches"));
  test_run_free (run);

  run = run_path (none, "<param name=\"allow-no-match\">true</param>");
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);

  run = run_path ("/nonexistent/file.csv", NULL);
  g_assert_nonnull (strstr (error_of (run), "/nonexistent/file.csv"));
  test_run_free (run);
}

/* A bad delimiter is a validation error with the line of its <param>. */
static void
test_validation (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load ("<pipeline format=\"1\" id=\"t\">\n"
               "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">\n"
               "<execution id=\"read\"><use tool=\"file-extract\">\n"
               "<param name=\"path\">x.csv</param>\n"
               "<param name=\"delimiter\">;;</param>\n"
               "<param name=\"format\">xml</param>\n"
               "</use></execution></phase></controller></pipeline>\n");
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) all = g_string_new (NULL);

  sluice_validate (pipeline, "t.xml", problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_string_append_printf (all, "%s\n", text);
    }
  g_test_message ("%s", all->str);
  g_assert_nonnull (strstr (all->str, "t.xml:5: error: module `read`: the delimiter must be one character or `tab`, not `;;`"));
  g_assert_nonnull (strstr (all->str, "t.xml:6: error: module `read`: tool `file-extract`: `format` must be one of auto, jsonl, json, csv, lines, not `xml`"));
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-file-extract-XXXXXX", NULL);

  g_test_add_func ("/sluice/tools/file-extract/csv/quoting", test_csv_quoting);
  g_test_add_func ("/sluice/tools/file-extract/csv/options", test_csv_options);
  g_test_add_func ("/sluice/tools/file-extract/csv/ragged", test_csv_ragged);
  g_test_add_func ("/sluice/tools/file-extract/csv/unclosed-quote", test_csv_unclosed_quote);
  g_test_add_func ("/sluice/tools/file-extract/jsonl", test_jsonl);
  g_test_add_func ("/sluice/tools/file-extract/json-array", test_json_array);
  g_test_add_func ("/sluice/tools/file-extract/lines", test_lines);
  g_test_add_func ("/sluice/tools/file-extract/encodings", test_encodings);
  g_test_add_func ("/sluice/tools/file-extract/compressions", test_compressions);
  g_test_add_func ("/sluice/tools/file-extract/compression-parameter", test_compression_by_parameter);
  g_test_add_func ("/sluice/tools/file-extract/gzip-members", test_gzip_members);
  g_test_add_func ("/sluice/tools/file-extract/zstd-bomb", test_zstd_bomb);
  g_test_add_func ("/sluice/tools/file-extract/huge-line", test_huge_line);
  g_test_add_func ("/sluice/tools/file-extract/streaming", test_streaming_bounded);
  g_test_add_func ("/sluice/tools/file-extract/globs", test_globs);
  g_test_add_func ("/sluice/tools/file-extract/validation", test_validation);

  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
