/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sluice-run-log.h"
#include "sluice-run-thread.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* Lua that never ends, in the designer (under a display): the run goes
 * on on a thread of its own (sluice-run-thread.h), and Lua of
 * not-parallel controllers, and cheap Lua of the others, runs there. The
 * window must stay usable for its Cancel to be clicked, the Cancel must
 * end the run, and so must closing the window. The Cancel is activated
 * from a main-loop callback, as a click is. Time limits are generous
 * (10 s); the figures measured are printed. */

static SluiceApplication *app;
static char *tmp_dir;

#define N_CHEAP 20   /* items before the loop: more than the executor measures before inlining */

static SluiceWindow *
open_pipeline (const char *mode,
               const char *loop)
{
  g_autofree char *escaped = g_markup_escape_text (loop, -1);
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='endless'><controller id='c' %s><phase id='p'>"
    "<execution id='cheap'><lua>item.seen = true</lua></execution>"
    "<execution id='spin' on-error='continue'><lua>if item.id &gt;= %d then %s end</lua></execution>"
    "</phase></controller></pipeline>", mode, N_CHEAP, escaped);

  return test_app_open_trusted (app, tmp_dir, "endless.xml", xml);
}

/* Whether the loop was entered. The window's counters come from the
 * snapshot the run's thread publishes between slices, and a slice that
 * never ends publishes nothing: the test peeks at the executor's own
 * counter (items_in, read atomically) from this thread. */
static gboolean
spin_started (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  SluiceExecutor *executor = session != NULL ? sluice_run_session_get_executor (session) : NULL;

  for (guint i = 0; executor != NULL && i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), "spin"))
      {
        SluiceModuleStats stats;

        sluice_executor_get_module_stats_at (executor, i, &stats);
        return stats.items_in > N_CHEAP;
      }
  return FALSE;
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

typedef struct
{
  SluiceWindow *window;
  gint64        clicked;   /* when the Cancel got through to the window */
} Click;

static gboolean
click_cancel_cb (gpointer data)
{
  Click *click = data;
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (click->window), "cancel");

  g_assert_true (g_action_get_enabled (action));
  g_action_activate (action, NULL);
  click->clicked = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
cancel_case (const char *mode,
             const char *loop)
{
  SluiceWindow *window = open_pipeline (mode, loop);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(GString) items = g_string_new (NULL);
  Click click = { window, 0 };
  gint64 asked;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup (items->str);
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (spin_started, window, 30000));
  /* Well inside the loop. (Not test_app_spin(), which iterates while
   * anything is ready: the run always is.) */
  for (gint64 end = g_get_monotonic_time () + 300 * 1000; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);

  asked = g_get_monotonic_time ();
  g_timeout_add (0, click_cancel_cb, &click);
  g_assert_true (test_app_wait_for (run_final, window, 10000));
  g_assert_cmpint (click.clicked, !=, 0);
  g_test_message ("%s, %s: the click got through after %.0f ms, the run ended %.0f ms after it",
                  mode, loop, (click.clicked - asked) / 1000.0,
                  (g_get_monotonic_time () - click.clicked) / 1000.0);
  g_assert_cmpint (sluice_run_session_get_state (sluice_window_get_run_session (window)), ==,
                   SLUICE_RUN_CANCELLED);
  g_assert_cmpint (click.clicked - asked, <, 10 * G_USEC_PER_SEC);

  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

static void
test_not_parallel (void)
{
  cancel_case ("mode='not-parallel'", "while true do end");
  cancel_case ("mode='not-parallel'", "while true do pcall(function () while true do end end) end");
  cancel_case ("mode='not-parallel'", "while true do pcall(string.find, ('a'):rep(40) .. 'b', ('a*'):rep(40) .. 'c') end");
}

static void
test_parallel_inline (void)
{
  /* After 20 cheap items the executor runs this controller's Lua on the
   * window's thread too. */
  cancel_case ("mode='no-order' workers='2'", "while true do end");
  cancel_case ("mode='order-by-sequence' workers='2'", "while true do pcall(function () while true do end end) end");
}

/* No limit on Lua's time any more: it does not run on the window's
 * thread. A chunk of over a second of CPU (1e8 additions) without a
 * `timeout` of its own ends well, and the window's thread went on
 * meanwhile. */
static gboolean
count_tick_cb (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static void
test_no_window_limit (void)
{
  SluiceWindow *window = open_pipeline ("mode='not-parallel'",
                                        "local n = 0 for i = 1, 1e8 do n = n + 1 end item.slow = n == 1e8");
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceRunSession *session;
  guint ticks = 0, timer;

  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup_printf ("{\"id\": %d}\n", N_CHEAP);
  timer = g_timeout_add (10, count_tick_cb, &ticks);
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (run_final, window, 60000));
  g_source_remove (timer);
  session = sluice_window_get_run_session (window);
  g_test_message ("the window's thread woke %u times during the chunk", ticks);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < sluice_run_log_get_n_events (sluice_run_session_get_log (session)); i++)
    {
      g_autofree char *json = sluice_run_log_dup_json (sluice_run_session_get_log (session), i);

      if (strstr (json, "module-failed") != NULL)
        g_test_message ("%s", json);
      g_assert_null (strstr (json, "module-failed"));
    }
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (sluice_run_session_get_outputs (session), 0), "\"slow\":true"));
  /* The window was free all along: far more than a few wake-ups. */
  g_assert_cmpuint (ticks, >, 5);
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Closing the window while the run's thread is deep in Lua that never
 * ends: the run is interrupted, its thread joined, the session goes. */
static void
close_case (const char *mode)
{
  SluiceWindow *window = open_pipeline (mode, "while true do end");
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(GString) items = g_string_new (NULL);
  SluiceRunSession *session;
  gint64 closed;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_strdup (items->str);
  sluice_window_run_with_choice (window, choice);
  g_assert_true (test_app_wait_for (spin_started, window, 30000));
  session = sluice_window_get_run_session (window);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  for (gint64 end = g_get_monotonic_time () + 300 * 1000; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);

  closed = g_get_monotonic_time ();
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
  g_assert_true (test_app_wait_for (is_gone, &session, 10000));
  g_test_message ("%s: closed in %.0f ms, the run's thread joined", mode,
                  (g_get_monotonic_time () - closed) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - closed, <, 10 * G_USEC_PER_SEC);
}

static void
test_close_window (void)
{
  close_case ("mode='not-parallel'");
  close_case ("mode='no-order' workers='2'");
}

static gboolean
session_spin_started (gpointer data)
{
  SluiceExecutor *executor = sluice_run_session_get_executor (data);

  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), "spin"))
      {
        SluiceModuleStats stats;

        sluice_executor_get_module_stats_at (executor, i, &stats);
        return stats.items_in > 0;
      }
  return FALSE;
}

/* The last reference to a session dropped while its run's thread is in
 * Lua that never ends, with no window: dispose interrupts the run and
 * lets go of its thread without waiting; the thread ends, frees its run
 * and is joined from the main loop right after. Pause and resume go
 * through the run's context. */
static gboolean
run_threads_joined (gpointer data)
{
  return sluice_run_thread_count_released () == 0 && test_app_count_run_threads () == GPOINTER_TO_UINT (data);
}

static void
test_dispose_joins (void)
{
  const char *xml = "<pipeline format='1' id='endless'><controller id='c' mode='not-parallel'><phase id='p'>"
                    "<execution id='spin'><lua>while true do end</lua></execution>"
                    "</phase></controller></pipeline>";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "endless.xml", problems);
  SluiceRunSession *session;
  g_autoptr(GError) error = NULL;
  guint before = test_app_count_run_threads ();
  gint64 dropped;

  g_assert_nonnull (pipeline);
  session = sluice_run_session_new (pipeline);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_assert_true (sluice_run_session_start (session, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_app_count_run_threads (), ==, before + 1);
  g_assert_true (test_app_wait_for (session_spin_started, session, 30000));
  /* Asked now, done when the chunk ends (it never does): the window's
   * thread does not wait for it. */
  sluice_run_session_pause (session);
  g_assert_true (sluice_run_session_get_active (session));

  dropped = g_get_monotonic_time ();
  g_object_unref (session);
  g_assert_null (session);
  g_test_message ("unref during the run: %.0f ms", (g_get_monotonic_time () - dropped) / 1000.0);
  g_assert_true (test_app_wait_for (run_threads_joined, GUINT_TO_POINTER (before), 10000));
  g_test_message ("its thread joined %.0f ms after the unref", (g_get_monotonic_time () - dropped) / 1000.0);
  test_app_spin (20);
}

/* Pause and resume from the session reach the run's thread; counts are
 * exact at the end. */
static gboolean
session_is (gpointer data)
{
  gpointer *pair = data;

  return (int) sluice_run_session_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
test_pause_resume_session (void)
{
  const char *xml = "<pipeline format='1' id='slow'><controller id='c' mode='not-parallel'><phase id='p'>"
                    "<execution id='work'><lua>local n = 0 for i = 1, 2e4 do n = n + 1 end item.n = n</lua></execution>"
                    "</phase></controller></pipeline>";
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "slow.xml", problems);
  g_autoptr(SluiceRunSession) session = sluice_run_session_new (pipeline);
  g_autoptr(GString) items = g_string_new (NULL);
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  gpointer paused[2], running[2], completed[2];
  guint64 in_at_pause, in, out;
  gint64 elapsed;
  SluiceNode *work;
  SluiceModuleLive live;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  input = g_memory_input_stream_new_from_data (g_strdup (items->str), items->len, g_free);
  paused[0] = running[0] = completed[0] = session;
  paused[1] = GINT_TO_POINTER (SLUICE_RUN_PAUSED);
  running[1] = GINT_TO_POINTER (SLUICE_RUN_RUNNING);
  completed[1] = GINT_TO_POINTER (SLUICE_RUN_COMPLETED);
  g_assert_true (sluice_run_session_start (session, NULL, NULL, input, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_RUNNING);
  sluice_run_session_pause (session);
  g_assert_true (test_app_wait_for (session_is, paused, 30000));
  test_app_spin (200);
  sluice_run_session_poll (session);
  sluice_run_session_get_totals (session, &in_at_pause, &out, &elapsed);
  test_app_spin (300);
  sluice_run_session_poll (session);
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  /* Paused: nothing new goes in. */
  g_assert_cmpuint (in, ==, in_at_pause);
  g_assert_cmpuint (in, <, 3000);
  sluice_run_session_resume (session);
  g_assert_true (test_app_wait_for (session_is, running, 30000) ||
                 sluice_run_session_get_state (session) == SLUICE_RUN_COMPLETED);
  g_assert_true (test_app_wait_for (session_is, completed, 120000));
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  g_assert_cmpuint (in, ==, 3000);
  g_assert_cmpuint (out, ==, 3000);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 3000);
  work = sluice_pipeline_find_node (pipeline, "work");
  g_assert_true (sluice_run_session_get_module_live (session, work, &live));
  g_assert_cmpuint (live.stats.items_in, ==, 3000);
  g_assert_cmpuint (live.stats.items_out, ==, 3000);
  g_assert_true (sluice_run_session_get_settled (session));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-cancel");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-cancel/not-parallel", test_not_parallel);
  g_test_add_func ("/sluice/app-cancel/parallel-inline", test_parallel_inline);
  g_test_add_func ("/sluice/app-cancel/no-window-limit", test_no_window_limit);
  g_test_add_func ("/sluice/app-cancel/close-window", test_close_window);
  g_test_add_func ("/sluice/app-cancel/dispose-joins", test_dispose_joins);
  g_test_add_func ("/sluice/app-cancel/pause-resume-session", test_pause_resume_session);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
