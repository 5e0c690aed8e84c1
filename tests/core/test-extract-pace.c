/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sluice-clock.h"
#include "test-executor-common.h"

/* How file-extract paces itself against the steps after it, measured on
 * the run's fake clock: its waits for them are timers, so the time the
 * clock skipped is the time a real run would have slept. Steps that
 * keep up must cost it no sleep at all; before, every 256 records cost
 * a 1 ms wait, which was most of the wall time of a load into a
 * database (issue 14). */

static char *
write_csv (const char *dir,
           guint       rows)
{
  g_autoptr(GString) text = g_string_new ("id,name\n");
  char *path = g_build_filename (dir, "in.csv", NULL);

  for (guint i = 0; i < rows; i++)
    g_string_append_printf (text, "%u,name %u\n", i, i);
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  return path;
}

static gint64
skipped_for (const char *body,
             guint       expected_outputs)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autoptr(SluiceClock) clock = sluice_clock_new_fake ();
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  gint64 skipped;

  sluice_executor_set_clock (run->executor, clock);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, expected_outputs);
  skipped = sluice_clock_get_skipped (clock);
  test_run_free (run);
  return skipped;
}

/* 20,000 records straight to the run's output: no wait at all. */
static void
test_no_sleep_when_kept_up (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-pace-XXXXXX", NULL);
  g_autofree char *path = write_csv (dir, 20000);
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"read\"><use tool=\"file-extract\"><param name=\"path\">%s</param></use></execution>"
                     "</phase></controller>", escaped);
  gint64 skipped = skipped_for (body, 20000);

  g_test_message ("the fake clock skipped %" G_GINT64_FORMAT " µs", skipped);
  g_assert_cmpint (skipped, ==, 0);
  g_unlink (path);
  g_rmdir (dir);
}

/* Behind a step that really waits (a delay of 1 ms an item) every
 * record still arrives, after the waits. */
static void
test_backs_off_behind_a_slow_step (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-pace-XXXXXX", NULL);
  g_autofree char *path = write_csv (dir, 600);
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                     "<execution id=\"read\"><use tool=\"file-extract\"><param name=\"path\">%s</param></use></execution>"
                     "<execution id=\"slow\"><use tool=\"delay\"><param name=\"duration\">1ms</param></use></execution>"
                     "</phase></controller>", escaped);
  gint64 skipped = skipped_for (body, 600);

  g_test_message ("the fake clock skipped %" G_GINT64_FORMAT " µs", skipped);
  g_assert_cmpint (skipped, >=, 1000);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/extract-pace/no-sleep-when-kept-up", test_no_sleep_when_kept_up);
  g_test_add_func ("/extract-pace/backs-off-behind-a-slow-step", test_backs_off_behind_a_slow_step);
  return g_test_run ();
}
