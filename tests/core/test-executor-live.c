/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-line-sink.h"
#include "test-executor-common.h"

/* The executor as the designer's live run sets it up: outputs handed to
 * a function (written as text straight from Lua where they can be, as
 * sluice-run's line sink takes them), the data preview and per-item
 * records. What the designer shows must be what sluice-run writes. */

/* Items that take the text path and one that does not (a string with
 * both NUL and non-ASCII bytes) through two Lua modules. */
#define BODY \
  "<controller id='c' mode='%s'%s><phase id='p'>" \
  "<execution id='touch'><lua>item.n = (item.n or 0) + 1; item.f = 0.07 * item.n</lua></execution>" \
  "<execution id='mark'><lua>item.deep = {a = {1, 2.5, 'é'}, e = {}}</lua></execution>" \
  "</phase></controller>"

static const char *input =
  "{\"id\": 1, \"s\": \"plain\"}\n"
  "{\"id\": 2, \"s\": \"tab\\tnew\\nline \\\"quoted\\\" \\\\ back\"}\n"
  "{\"id\": 3, \"s\": \"\\u00e9\\u4e2d\\ud83d\\ude00\", \"big\": 9007199254740993}\n"
  "{\"id\": 4, \"x\": 1e300, \"y\": -0.0, \"z\": 1.4}\n"
  "{\"id\": 5, \"nul\": \"a\\u0000b\\u00e9\"}\n"
  "{\"id\": 6, \"arr\": [], \"obj\": {}, \"t\": true, \"no\": null}\n";

/* The outputs of @body on @input written by a line sink to a file, as
 * sluice-run writes them. */
static char **
line_sink_outputs (const char *body)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceExecutor) executor = sluice_executor_new (pipeline, NULL, &error);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (input, -1, NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(SluiceLineSink) sink = NULL;
  int fd = g_file_open_tmp ("sluice-live-XXXXXX", &path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (executor);
  sink = sluice_line_sink_new (fd, TRUE);
  sluice_executor_set_sink (executor, SLUICE_ITEM_SINK (sink));
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_start (executor);
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sluice_executor_get_state (executor), ==, SLUICE_RUN_COMPLETED);
  g_clear_object (&executor);
  g_clear_object (&sink);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_unlink (path);
  g_assert_true (g_str_has_suffix (contents, "\n"));
  contents[strlen (contents) - 1] = '\0';
  return g_strsplit (contents, "\n", -1);
}

static void
check_same_outputs (const char *mode,
                    const char *workers)
{
  g_autofree char *body = g_strdup_printf (BODY, mode, workers);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_auto(GStrv) expected = line_sink_outputs (body);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);

  /* The designer's settings. */
  sluice_executor_set_preview (run->executor, 10);
  sluice_executor_set_main_thread_lua_limit (run->executor, G_USEC_PER_SEC);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (g_strv_length (expected), ==, 6);
  g_assert_cmpuint (run->outputs->len, ==, 6);
  /* no-order may reorder; the set is the same. */
  for (guint i = 0; i < 6; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < 6 && !found; j++)
        found = g_strcmp0 (g_ptr_array_index (run->outputs, i), expected[j]) == 0;
      if (!found)
        g_test_message ("output %u: %s", i, (char *) g_ptr_array_index (run->outputs, i));
      g_assert_true (found);
    }
  if (g_str_equal (mode, "not-parallel"))
    for (guint i = 0; i < 6; i++)
      g_assert_cmpstr (g_ptr_array_index (run->outputs, i), ==, expected[i]);
  test_run_free (run);
}

static void
test_outputs_not_parallel (void)
{
  check_same_outputs ("not-parallel", "");
}

static void
test_outputs_no_order (void)
{
  check_same_outputs ("no-order", " workers='2'");
}

typedef struct
{
  guint   n;
  guint64 last_seq;
  gint64  last_time;
  gint64  before;
  guint   calls;
} Records;

static void
record_cb (const SluiceItemRecord *batch,
           guint                   n_batch,
           gpointer                user_data)
{
  Records *records = user_data;

  records->calls++;
  for (guint i = 0; i < n_batch; i++)
    {
      const SluiceItemRecord *record = &batch[i];

      /* In the event sequence, at times that never go back. */
      g_assert_cmpuint (record->seq, >, records->last_seq);
      g_assert_cmpint (record->time, >=, records->last_time);
      g_assert_cmpint (record->time, >=, records->before);
      g_assert_cmpint (record->time, <=, g_get_real_time ());
      records->last_seq = record->seq;
      records->last_time = record->time;
      records->n++;
    }
}

/* Per-item records of Lua modules (handed on a segment at a time) carry
 * their own sequence numbers and the time they were handed on. */
static void
test_records (void)
{
  g_autofree char *body = g_strdup_printf (BODY, "not-parallel", "");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autofree char *items = test_items (500);
  TestRun *run = test_run_new (pipeline, items, NULL, FALSE);
  Records records = { 0, 0, 0, g_get_real_time () };

  sluice_executor_set_item_record_func (run->executor, record_cb, &records);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  /* Started and finished, for each of two modules, for each item; a
   * segment's (both modules of an item) in one call. */
  g_assert_cmpuint (records.n, ==, 500 * 2 * 2);
  g_assert_cmpuint (records.calls, ==, 500);
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sluice/executor/live/outputs-not-parallel", test_outputs_not_parallel);
  g_test_add_func ("/sluice/executor/live/outputs-no-order", test_outputs_no_order);
  g_test_add_func ("/sluice/executor/live/records", test_records);
  return g_test_run ();
}
