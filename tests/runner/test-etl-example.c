/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "test-clickhouse.h"
#include "test-http-server.h"

/* data/examples/etl-http-clickhouse.xml, run by the real sluice-run
 * against the test HTTP server and a real clickhouse-server, writing
 * its gzip file with file-load. */

static char *
gunzip (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, NULL));
  g_autoptr(GZlibDecompressor) gzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (raw);
  stream = g_converter_input_stream_new (raw, G_CONVERTER (gzip));
  g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write (out, "", 1, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
run_example (const char     *api,
             TestClickhouse *clickhouse,
             const char     *out)
{
  g_autofree char *example = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples",
                                               "etl-http-clickhouse.xml", NULL);
  g_autofree char *define_api = g_strdup_printf ("api=%s", api);
  g_autofree char *define_ch = g_strdup_printf ("clickhouse=%s", test_clickhouse_get_url (clickhouse));
  g_autofree char *define_out = g_strdup_printf ("output=%s", out);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                              g_getenv ("SLUICE_RUN"), "-D", define_api, "-D", define_ch, "-D", define_out,
                              "-D", "pages=6", example, NULL);
  g_assert_no_error (error);
  /* The HTTP server runs on its own thread: waiting here blocks nothing. */
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static void
test_example (void)
{
  g_autoptr(TestHttpServer) api = test_http_server_new ();
  g_autoptr(TestClickhouse) clickhouse = test_clickhouse_new ();
  g_autofree char *dir = g_dir_make_tmp ("sluice-etl-XXXXXX", NULL);
  g_autofree char *out = g_build_filename (dir, "orders.jsonl.gz", NULL);
  g_autofree char *text = NULL;
  g_autofree char *summary = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  g_assert_nonnull (clickhouse);
  run_example (test_http_server_get_url (api), clickhouse, out);

  /* Six pages of 20, each fetched once. */
  g_assert_cmpuint (test_http_server_get_hits (api, "/link"), ==, 6);
  summary = test_clickhouse_query_ok (clickhouse, "SELECT count(), sum(order_id), min(label), max(amount) FROM orders FINAL");
  g_assert_cmpstr (summary, ==, "120\t7260\torder-00001\t150");

  text = gunzip (out);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      json_t *item;

      if (lines[i][0] == '\0')
        continue;
      item = json_loads (lines[i], 0, NULL);
      g_assert_nonnull (item);
      g_assert_true (json_is_integer (json_object_get (item, "order_id")));
      g_assert_null (json_object_get (item, "sink"));
      json_decref (item);
      count++;
    }
  g_assert_cmpuint (count, ==, 120);

  /* Run again: the upsert keeps one row per order. */
  run_example (test_http_server_get_url (api), clickhouse, out);
  g_clear_pointer (&summary, g_free);
  summary = test_clickhouse_query_ok (clickhouse, "SELECT count() FROM orders FINAL");
  g_assert_cmpstr (summary, ==, "120");

  g_unlink (out);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/etl-example/http-to-clickhouse-and-gzip", test_example);
  return g_test_run ();
}
