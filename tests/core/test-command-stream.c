/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-executor-common.h"

/* A command's output streams on as its lines arrive, with back-pressure:
 * a gigabyte goes through in bounded memory, a line that never ends and
 * binary output fail the item clearly, and a command whose output waits
 * downstream is left blocked on its pipe instead of being read into
 * memory. */

/* Generous: these run under AddressSanitizer on a loaded machine too. */
#define WAIT_SECONDS 900

static gboolean
too_long_cb (gpointer user_data)
{
  TestRun *run = user_data;

  run->timeout_id = 0;
  g_test_message ("run did not finish in %d s", WAIT_SECONDS);
  g_test_fail ();
  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static TestRun *
run_long (const char *body,
          const char *input)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);

  sluice_executor_start (run->executor);
  if (!sluice_run_state_is_final (sluice_executor_get_state (run->executor)))
    {
      run->timeout_id = g_timeout_add_seconds (WAIT_SECONDS, too_long_cb, run);
      g_main_loop_run (run->loop);
      g_clear_handle_id (&run->timeout_id, g_source_remove);
    }
  if (sluice_executor_get_error (run->executor) != NULL)
    g_test_message ("run error: %s", sluice_executor_get_error (run->executor));
  return run;
}

static long
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

/* 16,384 lines of 64 KiB: 1 GiB of output. Before, all of it was held
 * until the command ended (and 256 MiB failed the item). */
static void
test_one_gigabyte (void)
{
  g_autoptr(GString) line = g_string_new ("{\"s\":\"");
  g_autofree char *body = NULL;
  TestRun *run;

  for (guint i = 0; i < 64 * 1024 - 8; i++)
    g_string_append_c (line, 'a' + i % 26);
  g_string_append (line, "\"}");
  g_assert_cmpuint (line->len, ==, 64 * 1024);
  body = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                          "<execution id=\"big\"><command>yes '%s' | head -n 16384</command></execution>"
                          "<execution id=\"measure\"><lua>item.s = #item.s</lua></execution>"
                          "</phase></controller>", line->str);
  run = run_long (body, NULL);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 16384);
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"s\":65528}");
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 16383), ==, "{\"s\":65528}");
  /* Far below the gigabyte (an allowance for the sanitizer's quarantine). */
  g_test_message ("peak RSS %ld MB", peak_rss_mb ());
  g_assert_cmpint (peak_rss_mb (), <, 600);
  test_run_free (run);
}

static void
assert_failed_with (TestRun    *run,
                    const char *fragment)
{
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "cmd");
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), fragment));
}

/* A command that prints forever without a newline: the line limit fails
 * it (and kills it) instead of memory growing without end. */
static void
test_endless_line (void)
{
  TestRun *run = run_long ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                           "<execution id=\"cmd\"><command>yes | tr -d '\\n'</command></execution>"
                           "</phase></controller>", NULL);

  assert_failed_with (run, "printed a line longer than 64 MiB (output line 1)");
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

/* Binary output, short and endless: the item fails naming the line, the
 * bytes shown escaped; an endless one is killed, not waited for. */
static void
test_binary (void)
{
  const char *commands[] = {
    "head -c 100000 /dev/urandom",
    "printf '\\001\\002\\377\\000{}\\n'",
    "cat /dev/urandom",
    "printf '{\"a\":1}\\n\\377\\376\\n'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *body = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                               "<execution id=\"cmd\"><command>%s</command></execution>"
                                               "</phase></controller>", commands[i]);
      TestRun *run = run_long (body, NULL);

      g_test_message ("%s: %s", commands[i], sluice_executor_get_error (run->executor));
      assert_failed_with (run, "(output line ");
      /* Nothing of a failed command goes on (it held its few lines). */
      g_assert_cmpuint (run->outputs->len, ==, 0);
      test_run_free (run);
    }
}

typedef struct
{
  TestRun    *run;
  const char *marker;
  gboolean    checked;
  gboolean    marker_seen;
} Watch;

static gboolean
watch_cb (gpointer user_data)
{
  Watch *watch = user_data;

  if (watch->run->outputs->len < 1000)
    return G_SOURCE_CONTINUE;
  watch->checked = TRUE;
  watch->marker_seen = g_file_test (watch->marker, G_FILE_TEST_EXISTS);
  sluice_executor_cancel (watch->run->executor);
  return G_SOURCE_REMOVE;
}

/* 200,000 lines ahead of a step that takes a millisecond each: while the
 * first thousand are through, the command must still be blocked on its
 * pipe (it has not written its marker), because the step stopped reading.
 * Without back-pressure it writes everything in well under a second. */
static void
test_back_pressure (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-stream-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (dir, "done", NULL);
  g_autofree char *body = g_strdup_printf (
    "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
    "<execution id=\"cmd\"><command>seq 1 200000 | sed 's/.*/{\"i\":&amp;}/'; touch '%s'</command></execution>"
    "<execution id=\"slow\"><use tool=\"delay\"><param name=\"min\">1ms</param><param name=\"max\">1ms</param></use></execution>"
    "</phase></controller>", marker);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  Watch watch = { run, marker, FALSE, FALSE };
  guint watch_id = g_timeout_add (10, watch_cb, &watch);

  sluice_executor_start (run->executor);
  run->timeout_id = g_timeout_add_seconds (WAIT_SECONDS, too_long_cb, run);
  g_main_loop_run (run->loop);
  g_clear_handle_id (&run->timeout_id, g_source_remove);
  if (!watch.checked)
    g_source_remove (watch_id);

  g_assert_true (watch.checked);
  g_assert_false (watch.marker_seen);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_CANCELLED);
  /* The outputs arrived in order, as the command printed them. */
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"i\":1}");
  g_assert_cmpstr (g_ptr_array_index (run->outputs, 999), ==, "{\"i\":1000}");
  test_run_free (run);

  g_remove (marker);
  g_rmdir (dir);
}

/* Up to the hold bounds, a failing command gives nothing, as before. */
static void
test_held_then_failed (void)
{
  TestRun *run = run_long ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                           "<execution id=\"cmd\"><command>seq 1 1000 | sed 's/.*/{\"i\":&amp;}/'; exit 3</command></execution>"
                           "</phase></controller>", NULL);

  assert_failed_with (run, "exited with status 3");
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/command/stream/one-gigabyte", test_one_gigabyte);
  g_test_add_func ("/sluice/command/stream/endless-line", test_endless_line);
  g_test_add_func ("/sluice/command/stream/binary", test_binary);
  g_test_add_func ("/sluice/command/stream/back-pressure", test_back_pressure);
  g_test_add_func ("/sluice/command/stream/held-then-failed", test_held_then_failed);

  return g_test_run ();
}
