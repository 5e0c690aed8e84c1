/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <sys/resource.h>

#include "test-executor-common.h"

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
output_pause_cb (SluiceExecutor *executor,
                 GParamSpec     *pspec,
                 gpointer        user_data)
{
}

static void
test_pause_resume (void)
{
  g_autofree char *input = test_items (600);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"no-order\" workers=\"8\"><phase id=\"p\">"
                    "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">1ms</param><param name=\"max\">3ms</param></use></execution>"
                    "<execution id=\"m\"><lua>item.done = true</lua></execution>"
                    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  g_autofree guint8 *seen = g_new0 (guint8, 600);
  guint during, after;

  (void) output_pause_cb;
  sluice_executor_start (run->executor);
  while (run->outputs->len < 50)
    g_main_context_iteration (NULL, TRUE);

  sluice_executor_pause (run->executor);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_PAUSED);
  /* Work in flight finishes, nothing new starts. */
  spin (100);
  during = run->outputs->len;
  spin (200);
  after = run->outputs->len;
  g_assert_cmpuint (during, ==, after);
  g_assert_cmpuint (after, <, 600);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_PAUSED);

  sluice_executor_resume (run->executor);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);

  /* Nothing lost, nothing duplicated. */
  g_assert_cmpuint (run->outputs->len, ==, 600);
  for (guint i = 0; i < 600; i++)
    {
      gint64 id = test_output_int (run, i, "id");
      g_assert_false (seen[id]);
      seen[id] = 1;
    }
  test_run_free (run);
}

static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *p;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  p = strrchr (stat, ')');
  return p != NULL && p[2] == 'Z';
}

static int
read_pid (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return atoi (text);
}

static void
test_cancel_kills_children (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-cancel-XXXXXX", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "pid", NULL);
  g_autofree char *child_file = g_build_filename (dir, "child", NULL);
  g_autofree char *body =
    g_strdup_printf ("<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
                     "<execution id=\"cmd\"><command>echo $$$$ &gt; %s.tmp; mv %s.tmp %s; "
                     "sleep 30 &amp; echo $$! &gt; %s.tmp; mv %s.tmp %s; wait</command></execution>"
                     "</phase></controller>",
                     pid_file, pid_file, pid_file, child_file, child_file, child_file);
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, NULL, NULL, TRUE);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int pid = 0, child = 0;

  sluice_executor_start (run->executor);
  while ((pid == 0 || child == 0) && g_get_monotonic_time () < deadline)
    {
      spin (10);
      pid = read_pid (pid_file);
      child = read_pid (child_file);
    }
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (child, >, 0);
  g_assert_false (process_gone (pid));
  g_assert_false (process_gone (child));

  sluice_executor_cancel (run->executor);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_CANCELLED);
  spin (300);
  g_assert_true (process_gone (pid));
  g_assert_true (process_gone (child));
  g_assert_cmpuint (run->outputs->len, ==, 0);
  test_run_free (run);

  g_unlink (pid_file);
  g_unlink (child_file);
  g_rmdir (dir);
}

static void
test_events (void)
{
  g_autofree char *input = test_items (3);
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"a\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"m1\"><lua>emit (item); emit ({id = item.id + 100})</lua></execution>"
                    "</phase></controller>"
                    "<controller id=\"b\" mode=\"no-order\" workers=\"2\"><phase id=\"q\">"
                    "<execution id=\"m2\" retries=\"1\" backoff=\"1\"><lua>if item.id == 101 then error ('boom') end</lua></execution>"
                    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, input, NULL, TRUE);
  guint started = 0, finished = 0, failed = 0, transitions = 0;
  GString *states = g_string_new (NULL);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_FAILED);
  for (guint i = 0; i < run->events->len; i++)
    {
      json_error_t jerror;
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, &jerror);
      const char *type;

      g_assert_nonnull (event);
      type = json_string_value (json_object_get (event, "event"));
      g_assert_nonnull (type);
      g_assert_true (json_is_string (json_object_get (event, "time")));
      g_assert_cmpstr (json_string_value (json_object_get (event, "pipeline")), ==, "t");
      /* Numbered 1, 2, … in the order they were emitted. */
      g_assert_cmpint (json_integer_value (json_object_get (event, "seq")), ==, i + 1);

      if (g_str_equal (type, "run-state"))
        g_string_append_printf (states, "%s ", json_string_value (json_object_get (event, "state")));
      else if (g_str_equal (type, "module-started"))
        {
          started++;
          g_assert_nonnull (json_object_get (event, "module"));
          g_assert_nonnull (json_object_get (event, "controller"));
          g_assert_nonnull (json_object_get (event, "item"));
        }
      else if (g_str_equal (type, "module-finished"))
        {
          finished++;
          g_assert_true (json_is_number (json_object_get (event, "duration_ms")));
          g_assert_true (json_is_integer (json_object_get (event, "outputs")));
          if (g_str_equal (json_string_value (json_object_get (event, "module")), "m1"))
            g_assert_cmpint (json_integer_value (json_object_get (event, "outputs")), ==, 2);
        }
      else if (g_str_equal (type, "module-failed"))
        {
          failed++;
          g_assert_cmpstr (json_string_value (json_object_get (event, "module")), ==, "m2");
          g_assert_nonnull (strstr (json_string_value (json_object_get (event, "error")), "boom"));
          g_assert_cmpint (json_integer_value (json_object_get (event, "attempt")), ==, failed);
        }
      else if (g_str_equal (type, "stage-transition"))
        {
          transitions++;
          g_assert_cmpstr (json_string_value (json_object_get (event, "from")), ==, "a");
          g_assert_cmpstr (json_string_value (json_object_get (event, "to")), ==, "b");
        }
      json_decref (event);
    }

  g_assert_cmpstr (states->str, ==, "pending running failed ");
  g_assert_cmpuint (started, >=, 4);
  g_assert_cmpuint (started, ==, finished + 0 * failed + (started - finished));
  g_assert_cmpuint (failed, ==, 2);
  g_assert_cmpuint (transitions, ==, 1);
  g_string_free (states, TRUE);
  test_run_free (run);
}

static void
test_long_stream_flat_memory (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"a\" mode=\"not-parallel\"><phase id=\"p\">"
                    "<execution id=\"m1\"><lua>item.value = item.value + 1</lua></execution>"
                    "</phase></controller>"
                    "<controller id=\"b\" mode=\"order-by-sequence\" workers=\"4\"><phase id=\"q\">"
                    "<execution id=\"m2\"><lua>item.value = item.value + 1</lua></execution>"
                    "</phase></controller>");
  g_autoptr(GSubprocess) child =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, "/bin/sh", "-c",
                      "awk 'BEGIN { for (i = 0; i < 300000; i++) printf \"{\\\"id\\\": %d, \\\"value\\\": %d}\\n\", i, i }'",
                      NULL);
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  struct rusage before, after;

  sluice_executor_set_input_stream (run->executor, g_subprocess_get_stdout_pipe (child));
  /* Outputs are not kept: count them. */
  g_ptr_array_set_free_func (run->outputs, g_free);
  getrusage (RUSAGE_SELF, &before);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  getrusage (RUSAGE_SELF, &after);
  g_assert_cmpuint (sluice_executor_get_items_out (run->executor), ==, 300000);
  g_assert_cmpuint (run->outputs->len, ==, 300000);
  g_assert_cmpint (test_output_int (run, 299999, "value"), ==, 300001);
  /* The collected output lines (~10 MB) dominate; the executor itself
   * holds only bounded queues. */
  g_test_message ("peak RSS grew by %ld kB", after.ru_maxrss - before.ru_maxrss);
  /* AddressSanitizer keeps freed memory in quarantine: RSS means
   * nothing there. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (after.ru_maxrss - before.ru_maxrss, <, 60 * 1024);
#endif
  test_run_free (run);
}

/* SPEC 7: items carry an id that tells a fanned-out child from its
 * parent. Two inputs, each split in three, then tagged: six distinct
 * (input, child) pairs at "tag", each naming the item it came from. */
static void
test_item_ids (void)
{
  g_autoptr(SluicePipeline) pipeline =
    test_load_body ("<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
                    "<execution id=\"split\"><lua>for i = 1, 3 do emit ({ i = i }) end</lua></execution>"
                    "<execution id=\"tag\"><lua>item.t = true</lua></execution>"
                    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, "{}\n{}\n", NULL, TRUE);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < run->events->len; i++)
    {
      json_t *event = json_loads (g_ptr_array_index (run->events, i), 0, NULL);
      const char *module = json_string_value (json_object_get (event, "module"));

      if (g_strcmp0 (json_string_value (json_object_get (event, "event")), "module-finished") == 0)
        {
          json_int_t input = json_integer_value (json_object_get (event, "input"));
          json_int_t child = json_integer_value (json_object_get (event, "child"));

          g_assert_cmpint (input, >=, 1);
          g_assert_cmpint (input, <=, 2);
          if (g_str_equal (module, "split"))
            {
              g_assert_cmpint (child, ==, 0);
              g_assert_null (json_object_get (event, "parent"));
            }
          else
            {
              g_assert_cmpint (child, >, 0);
              g_assert_cmpint (json_integer_value (json_object_get (event, "parent")), ==, 0);
              g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
                                                                      input, child)));
            }
        }
      json_decref (event);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6);
  test_run_free (run);
}

/* Stands for a window that redraws all the time (GDK_PRIORITY_REDRAW,
 * a loaded machine): always ready, each frame takes a moment. */
static gboolean
busy_redraw_cb (gpointer user_data)
{
  g_usleep (2000);
  return G_SOURCE_CONTINUE;
}

/* The designer runs the executor just above its redraws, half of the
 * time; the input must still be read then. (Read at an idle priority, it
 * never was: the run waited for its first item forever.) */
static void
test_input_not_starved (void)
{
  SluicePipeline *pipeline = test_load_body (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='m'><lua>item.seen = true</lua></execution>"
    "</phase></controller>");
  g_autofree char *input = test_items (50);
  TestRun *run = test_run_new (pipeline, input, NULL, FALSE);
  guint busy = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, busy_redraw_cb, NULL, NULL);

  sluice_executor_set_priority (run->executor, G_PRIORITY_HIGH_IDLE + 15);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 50);
  g_source_remove (busy);
  test_run_free (run);
  g_object_unref (pipeline);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/executor/runs/pause-resume", test_pause_resume);
  g_test_add_func ("/sluice/executor/runs/cancel-kills-children", test_cancel_kills_children);
  g_test_add_func ("/sluice/executor/runs/events", test_events);
  g_test_add_func ("/sluice/executor/runs/input-not-starved", test_input_not_starved);
  g_test_add_func ("/sluice/executor/runs/long-stream", test_long_stream_flat_memory);

  g_test_add_func ("/sluice/executor/runs/item-ids", test_item_ids);

  return g_test_run ();
}
