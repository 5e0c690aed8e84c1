/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-executor-common.h"

/* sluice_executor_set_busy_func(): while a Lua chunk holds the
 * executor's thread, another thread that sets the flag is heard from
 * inside the chunk (the designer's run publishes what its window shows
 * from there); nobody is called while the flag is not set. */

typedef struct
{
  SluiceExecutor *executor;
  gint            wanted;      /* atomic */
  gint            calls;       /* atomic */
  gint            stop;        /* atomic: the setter's end */
  gint64          items_in;    /* of the module that spins, read from the call */
  gint64          started;     /* monotonic */
  gint64          first_call;
} Busy;

static gboolean
busy_cb (gpointer user_data)
{
  Busy *busy = user_data;
  SluiceModuleStats stats;

  g_assert_true (g_atomic_int_get (&busy->wanted));
  g_atomic_int_set (&busy->wanted, FALSE);
  /* What a caller may do from here: read the counters. */
  g_assert_true (sluice_executor_get_module_stats (busy->executor, "spin", &stats));
  busy->items_in = stats.items_in;
  if (busy->first_call == 0)
    busy->first_call = g_get_monotonic_time ();
  /* Enough: the chunk is stopped as the designer's Cancel does. */
  if (g_atomic_int_add (&busy->calls, 1) + 1 == 5)
    sluice_executor_interrupt (busy->executor);
  return G_SOURCE_CONTINUE;
}

/* Another thread (the window's): wants to hear every 10 ms, for a while
 * only after the first 300 ms. */
static gpointer
setter_thread (gpointer data)
{
  Busy *busy = data;

  g_usleep (300 * 1000);
  while (!g_atomic_int_get (&busy->stop))
    {
      g_atomic_int_set (&busy->wanted, TRUE);
      g_usleep (10 * 1000);
    }
  return NULL;
}

static void
test_busy_heard_from_chunk (void)
{
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='spin'><lua>while true do end</lua></execution>"
    "</phase></controller>");
  TestRun *run = test_run_new (pipeline, NULL, NULL, FALSE);
  Busy busy = { run->executor, FALSE, 0, FALSE, 0, 0, 0 };
  GThread *setter;
  gint64 end;

  sluice_executor_set_busy_func (run->executor, &busy.wanted, busy_cb, &busy);
  busy.started = g_get_monotonic_time ();
  setter = g_thread_new ("setter", setter_thread, &busy);
  sluice_executor_start (run->executor);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  /* The chunk holds this thread: the calls come from inside it, until
   * the fifth stops it. */
  while (g_atomic_int_get (&busy.calls) < 5 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpint (g_atomic_int_get (&busy.calls), >=, 5);
  g_assert_cmpint (busy.items_in, ==, 1);
  /* Nobody was called while nobody wanted to hear. */
  g_assert_cmpint (busy.first_call - busy.started, >=, 300 * 1000);

  g_atomic_int_set (&busy.stop, TRUE);
  g_thread_join (setter);
  sluice_executor_cancel (run->executor);
  while (!sluice_run_state_is_final (sluice_executor_get_state (run->executor)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_CANCELLED);
  test_run_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/executor/busy/heard-from-chunk", test_busy_heard_from_chunk);

  return g_test_run ();
}
