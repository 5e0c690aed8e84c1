/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-item-text.h"
#include "sluice-json.h"
#include "sluice-line-sink.h"
#include "sluice-line-source.h"

/* The item path's second core (issue 9): a line source that reads and
 * parses on a thread, a line sink that writes on one. Each must behave
 * exactly like its unthreaded self: the same items, errors, lines and
 * positions in the same order; bounded read-ahead; outputs out by each
 * flush; write errors reported. */

static void
ready_cb (SluiceItemSource *source,
          gpointer          data)
{
  *(gboolean *) data = TRUE;
}

/* Takes the next item, waiting in the main loop while the source says
 * WAIT. */
static SluiceSourceStatus
next_waiting (SluiceItemSource  *source,
              json_t           **item,
              GError           **error)
{
  for (;;)
    {
      gboolean ready = FALSE;
      gulong id;
      gpointer tag = NULL;
      SluiceSourceStatus status = sluice_item_source_next (source, item, &tag, error);
      gint64 give_up = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

      if (status != SLUICE_SOURCE_WAIT)
        return status;
      id = g_signal_connect (source, "ready", G_CALLBACK (ready_cb), &ready);
      while (!ready && g_get_monotonic_time () < give_up)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (source, id);
      g_assert_true (ready);
    }
}

/* Everything a source gives, one line per next(): status, item or
 * error, and where it stands. */
static GPtrArray *
transcript (SluiceLineSource *source)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      json_t *item = NULL;
      SluiceSourceStatus status = next_waiting (SLUICE_ITEM_SOURCE (source), &item, &error);
      g_autofree char *text = item != NULL ? sluice_json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

      g_ptr_array_add (lines, g_strdup_printf ("%d %s %s line %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT,
                                               status, text != NULL ? text : "-",
                                               error != NULL ? error->message : "-",
                                               sluice_line_source_get_line (source),
                                               sluice_line_source_get_position (source)));
      if (item != NULL)
        json_decref (item);
      if (status == SLUICE_SOURCE_END || status == SLUICE_SOURCE_ERROR)
        break;
    }
  return lines;
}

static SluiceLineSource *
source_over (const char *text,
             gboolean    threaded)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (text), strlen (text), g_free);
  SluiceLineSource *source = sluice_line_source_new (stream);

  if (threaded)
    sluice_line_source_set_threaded (source);
  return source;
}

static void
check_same (const char *text,
            guint       expected_lines)
{
  g_autoptr(SluiceLineSource) plain = source_over (text, FALSE);
  g_autoptr(SluiceLineSource) threaded = source_over (text, TRUE);
  g_autoptr(GPtrArray) a = transcript (plain);
  g_autoptr(GPtrArray) b = transcript (threaded);

  g_assert_cmpuint (a->len, ==, expected_lines);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

static void
test_source_same (void)
{
  GString *text = g_string_new (NULL);

  /* Blank lines, CR LF, spaces, a number out of range (rejected) and a
   * last line without its newline, over several batches and reads. */
  for (guint i = 0; i < 3000; i++)
    {
      if (i % 7 == 0)
        g_string_append (text, "\n");
      if (i % 11 == 0)
        g_string_append (text, "   \r\n");
      if (i == 1234)
        g_string_append (text, "{\"big\": 1e400}\n");
      g_string_append_printf (text, "{\"id\": %u, \"s\": \"%s\", \"r\": 0.%u}%s", i,
                              i % 3 == 0 ? "x\\u0000y" : "plain", i, i % 5 == 0 ? "\r\n" : "\n");
    }
  g_string_append (text, "{\"last\": true}");
  check_same (text->str, 3000 + 1 + 1 + 1);
  g_string_free (text, TRUE);

  /* Nothing at all; only blank lines. */
  check_same ("", 1);
  check_same ("\n\n  \n", 1);
}

/* A bad line after a thousand good ones (more than a batch): the good
 * ones come first, then the error naming the line, and nothing after. */
static void
test_source_bad_line (void)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, "{\"id\": %u}\n", i);
  g_string_append (text, "{bad\n{\"id\": 1001}\n");
  check_same (text->str, 1001);
  {
    g_autoptr(SluiceLineSource) source = source_over (text->str, TRUE);
    g_autoptr(GPtrArray) lines = transcript (source);

    g_assert_nonnull (strstr (g_ptr_array_index (lines, 1000), "input line 1001"));
  }
  g_string_free (text, TRUE);
}

typedef struct
{
  int     fd;
  gsize   written;   /* atomic */
} Flood;

static gpointer
flood_cb (gpointer data)
{
  Flood *flood = data;
  const char line[] = "{\"id\": 1, \"tag\": \"flood\"}\n";

  for (;;)
    {
      ssize_t n = write (flood->fd, line, sizeof line - 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_atomic_pointer_add (&flood->written, n);
    }
  return NULL;
}

/* An endless input read ahead only a few batches; a source waiting on a
 * silent pipe ends at once when dropped. */
static void
test_source_bounded (void)
{
  int fds[2];
  Flood flood;
  GThread *thread;
  SluiceLineSource *source;
  gint64 start;

  signal (SIGPIPE, SIG_IGN);
  g_assert_cmpint (pipe (fds), ==, 0);
  flood.fd = fds[1];
  flood.written = 0;
  {
    g_autoptr(GInputStream) stream = g_unix_input_stream_new (fds[0], TRUE);

    source = sluice_line_source_new (stream);
  }
  sluice_line_source_set_threaded (source);
  thread = g_thread_new ("flood", flood_cb, &flood);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GError) error = NULL;
      json_t *item = NULL;

      g_assert_cmpint (next_waiting (SLUICE_ITEM_SOURCE (source), &item, &error), ==, SLUICE_SOURCE_ITEM);
      json_decref (item);
    }
  /* Time for the thread to read all it would. */
  g_usleep (300 * 1000);
  g_test_message ("read ahead: %" G_GSIZE_FORMAT " bytes", (gsize) g_atomic_pointer_get (&flood.written));
  /* 8 batches of 256 lines, two 64 KiB reads and the pipe's buffer. */
  g_assert_cmpuint (g_atomic_pointer_get (&flood.written), <, 1024 * 1024);

  start = g_get_monotonic_time ();
  g_object_unref (source);   /* closes the read end: the flood ends */
  g_thread_join (thread);
  close (fds[1]);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  /* A silent pipe whose writer stays: the reading thread waits in read()
   * and still ends when the source goes. */
  g_assert_cmpint (pipe (fds), ==, 0);
  {
    g_autoptr(GInputStream) stream = g_unix_input_stream_new (fds[0], TRUE);
    g_autoptr(GError) error = NULL;
    json_t *item = NULL;
    gpointer tag = NULL;

    source = sluice_line_source_new (stream);
    sluice_line_source_set_threaded (source);
    g_assert_cmpint (sluice_item_source_next (SLUICE_ITEM_SOURCE (source), &item, &tag, &error), ==, SLUICE_SOURCE_WAIT);
    g_assert_cmpint (write (fds[1], "{\"a\": 1}\n", 9), ==, 9);
    g_assert_cmpint (next_waiting (SLUICE_ITEM_SOURCE (source), &item, &error), ==, SLUICE_SOURCE_ITEM);
    json_decref (item);
  }
  start = g_get_monotonic_time ();
  g_object_unref (source);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  close (fds[1]);
}

static char *
read_all (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* The threaded sink writes the same bytes as the plain one, and each
 * flush leaves every line written before it in the file. */
static void
test_sink_same (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-line-threads-XXXXXX", NULL);
  g_autofree char *plain_path = g_build_filename (dir, "plain.jsonl", NULL);
  g_autofree char *threaded_path = g_build_filename (dir, "threaded.jsonl", NULL);
  SluiceLineSink *plain = sluice_line_sink_new (open (plain_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), TRUE);
  SluiceLineSink *threaded = sluice_line_sink_new (open (threaded_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), TRUE);

  sluice_line_sink_set_threaded (threaded);
  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) parse_error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"id\": %u, \"r\": 0.07, \"s\": \"x\\u0000y\", \"a\": [1, {\"b\": null}]}", i);
      json_t *item = sluice_json_parse_item (text, strlen (text), &parse_error);

      g_assert_no_error (parse_error);
      g_assert_true (sluice_item_sink_write (SLUICE_ITEM_SINK (plain), item, NULL, &error));
      g_assert_true (sluice_item_sink_write (SLUICE_ITEM_SINK (threaded), item, NULL, &error));
      json_decref (item);
      if (i % 1000 == 999)
        {
          g_autofree char *contents = NULL;
          gsize lines = 0;

          g_assert_true (sluice_item_sink_flush (SLUICE_ITEM_SINK (threaded), &error));
          g_assert_no_error (error);
          contents = read_all (threaded_path);
          for (const char *p = contents; *p != '\0'; p++)
            lines += *p == '\n';
          g_assert_cmpuint (lines, ==, i + 1);
          g_assert_cmpuint (sluice_line_sink_get_position (threaded), ==, strlen (contents));
        }
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_assert_true (sluice_item_sink_flush (SLUICE_ITEM_SINK (plain), &error));
    g_object_unref (plain);
    g_object_unref (threaded);   /* what was not flushed still goes out */
    a = read_all (plain_path);
    b = read_all (threaded_path);
    g_assert_cmpstr (a, ==, b);
  }
  g_unlink (plain_path);
  g_unlink (threaded_path);
  g_rmdir (dir);
}

/* Write errors: a full disk fails the flush (and every write after);
 * a reader that went away is told apart. */
static void
test_sink_errors (void)
{
  g_autoptr(GError) parse_error = NULL;
  json_t *item = sluice_json_parse_item ("{\"a\": 1}", 8, &parse_error);
  int fd = open ("/dev/full", O_WRONLY);
  int fds[2];

  g_assert_no_error (parse_error);
  g_assert_cmpint (fd, >=, 0);
  {
    g_autoptr(SluiceLineSink) sink = sluice_line_sink_new (fd, TRUE);
    g_autoptr(GError) error = NULL;
    gboolean failed = FALSE;

    sluice_line_sink_set_threaded (sink);
    g_assert_true (sluice_item_sink_write (SLUICE_ITEM_SINK (sink), item, NULL, &error));
    g_assert_false (sluice_item_sink_flush (SLUICE_ITEM_SINK (sink), &error));
    g_assert_nonnull (strstr (error->message, "cannot write output"));
    g_clear_error (&error);
    for (guint i = 0; i < 1000 && !failed; i++)
      failed = !sluice_item_sink_write (SLUICE_ITEM_SINK (sink), item, NULL, &error);
    g_assert_true (failed);
    g_assert_false (sluice_line_sink_get_reader_gone (sink));
  }

  signal (SIGPIPE, SIG_IGN);
  g_assert_cmpint (pipe (fds), ==, 0);
  close (fds[0]);
  {
    g_autoptr(SluiceLineSink) sink = sluice_line_sink_new (fds[1], TRUE);
    g_autoptr(GError) error = NULL;

    sluice_line_sink_set_threaded (sink);
    g_assert_true (sluice_item_sink_write (SLUICE_ITEM_SINK (sink), item, NULL, &error));
    g_assert_false (sluice_item_sink_flush (SLUICE_ITEM_SINK (sink), &error));
    g_assert_true (sluice_line_sink_get_reader_gone (sink));
  }
  json_decref (item);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/line-threads/source-same", test_source_same);
  g_test_add_func ("/sluice/line-threads/source-bad-line", test_source_bad_line);
  g_test_add_func ("/sluice/line-threads/source-bounded", test_source_bounded);
  g_test_add_func ("/sluice/line-threads/sink-same", test_sink_same);
  g_test_add_func ("/sluice/line-threads/sink-errors", test_sink_errors);

  return g_test_run ();
}
