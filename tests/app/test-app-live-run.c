/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>

#include "sluice-canvas-run-overlay.h"
#include "sluice-run-log.h"
#include "sluice-run-panel.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* A fast run of many items in the designer (issue 9): the per-item
 * records go through a ring drained once a frame, not events. At the end
 * every count on the canvas and in the run panel is exact, the log holds
 * the newest events and says how many it let go, and Cancel in the middle
 * of a heavy run ends it at once. Time limits are generous; what is
 * asserted on time is the window thread's CPU, not the wall clock. */

static SluiceApplication *app;
static char *tmp_dir;

#define N_ITEMS  100000
#define EVERY    7       /* one item in EVERY takes the condition's branch */

static char *
write_items (const char *name,
             guint       n)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\": %u}\n", i);
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_string_free (s, TRUE);
  return g_steal_pointer (&path);
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

/* At least @n outputs written (or the run over). */
static gboolean
outputs_at_least (SluiceWindow *window,
                  guint64       n)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);
  guint64 in = 0, out = 0;
  gint64 elapsed;

  if (session == NULL || !sluice_run_session_get_started (session))
    return FALSE;
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  return out >= n || sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static gboolean
run_under_way (gpointer data)
{
  return outputs_at_least (data, 2000);
}

/* 200 modules an item are slow under the sanitizers: a few outputs say
 * the run goes through every controller. */
static gboolean
heavy_run_under_way (gpointer data)
{
  return outputs_at_least (data, 50);
}

static void
start_file_run (SluiceWindow *window,
                const char   *input)
{
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();

  choice->input = SLUICE_RUN_INPUT_FILE;
  choice->input_path = g_strdup (input);
  sluice_window_run_with_choice (window, choice);
}

static void
close_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}

/* Each module as drawn and as the executor counted it. */
static void
assert_module_counts (SluiceWindow *window,
                      const char   *id,
                      guint64       want_in,
                      guint64      *sum_in)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);
  SluiceExecutor *executor = sluice_run_session_get_executor (session);
  SluiceNode *node = sluice_pipeline_find_node (sluice_run_session_get_pipeline (session), id);
  g_autofree char *label = sluice_canvas_run_overlay_dup_label (sluice_window_get_run_overlay (window), node);
  SluiceModuleLive live;
  SluiceModuleStats stats = { 0 };

  g_assert_nonnull (node);
  g_assert_true (sluice_run_session_get_module_live (session, node, &live));
  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), id))
      sluice_executor_get_module_stats_at (executor, i, &stats);
  g_test_message ("%s: drawn “%s”, in %" PRIu64 " out %" PRIu64, id, label, live.stats.items_in,
                  live.stats.items_out);
  g_assert_cmpstr (label, ==, "done");
  g_assert_cmpuint (live.stats.items_in, ==, want_in);
  g_assert_cmpuint (live.stats.items_in, ==, stats.items_in);
  g_assert_cmpuint (live.stats.items_out, ==, stats.items_out);
  g_assert_cmpuint (live.stats.active, ==, 0);
  *sum_in += live.stats.items_in;
}

/* 100,000 items through cheap Lua in both kinds of controller, as fast
 * as the designer goes: the counts at the end are exact everywhere. */
static void
test_counts_after_fast_run (void)
{
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='fast'>"
    "<controller id='first' mode='not-parallel'><phase id='p1'>"
    "<execution id='a'><lua>item.a = 1</lua></execution>"
    "<execution id='b'><lua>item.b = item.id * 2</lua></execution>"
    "<execution id='c'><lua>item.c = 'x'</lua></execution>"
    "</phase></controller>"
    "<controller id='second' mode='no-order' workers='2'><phase id='p2'>"
    "<condition id='when'><when>item.id %% %d == 0</when><then>"
    "<execution id='t1'><lua>item.t = 1</lua></execution>"
    "<execution id='t2'><lua>item.t = item.t + 1</lua></execution>"
    "</then></condition>"
    "</phase></controller></pipeline>", EVERY);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "fast.xml", xml);
  g_autofree char *input = write_items ("fast.jsonl", N_ITEMS);
  const guint64 branch = (N_ITEMS + EVERY - 1) / EVERY;
  SluiceRunSession *session;
  SluiceRunLog *log;
  GtkLabel *totals;
  guint64 in = 0, out = 0, sum_in = 0, routine;
  gint64 elapsed;
  g_autofree char *totals_text = NULL;
  g_autofree char *newest = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  test_app_spin (100);
  start_file_run (window, input);
  /* The live run, drawn while items move. */
  g_assert_true (test_app_wait_for (run_under_way, window, 600000));
  test_app_save_screenshot (window, tmp_dir, "live-run-fast.png");
  g_assert_true (test_app_wait_for (run_final, window, 600000));
  test_app_spin (400);   /* the panel's last update (it updates 4 times a second) */

  session = sluice_window_get_run_session (window);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, N_ITEMS);
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  g_assert_cmpuint (in, ==, N_ITEMS);
  g_assert_cmpuint (out, ==, N_ITEMS);

  assert_module_counts (window, "a", N_ITEMS, &sum_in);
  assert_module_counts (window, "b", N_ITEMS, &sum_in);
  assert_module_counts (window, "c", N_ITEMS, &sum_in);
  assert_module_counts (window, "when", N_ITEMS, &sum_in);
  assert_module_counts (window, "t1", branch, &sum_in);
  assert_module_counts (window, "t2", branch, &sum_in);

  /* The panel's totals and its stages. */
  totals = GTK_LABEL (test_app_find_with_class (GTK_WIDGET (window), "run-totals"));
  g_assert_nonnull (totals);
  totals_text = g_strdup_printf ("in %u · out %u ", N_ITEMS, N_ITEMS);
  g_test_message ("totals: %s", gtk_label_get_text (totals));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (totals), totals_text));
  {
    g_autofree char *summary = sluice_run_panel_dup_summary (sluice_window_get_run_panel (window));
    g_autofree char *stage = g_strdup_printf ("in %-8u out %-8u", N_ITEMS, N_ITEMS);

    g_test_message ("%s", summary);
    g_assert_nonnull (strstr (summary, stage));
    g_assert_null (strstr (summary, "running"));
  }

  /* The log: a start and an end per module and item went through the
   * ring; it keeps the newest of them and counts what it let go, and the
   * run's end is its newest event. */
  log = sluice_run_session_get_log (session);
  /* (A condition says nothing per item: its branches do.) */
  routine = 2 * (sum_in - N_ITEMS);
  g_test_message ("log: %u kept, %" PRIu64 " let go, %" PRIu64 " per-item events",
                  sluice_run_log_get_n_events (log), sluice_run_log_get_n_dropped (log), routine);
  g_assert_cmpuint (sluice_run_log_get_n_events (log), <=, SLUICE_RUN_SESSION_MAX_EVENTS * 5 / 4 + 10);
  g_assert_cmpuint (sluice_run_log_get_n_events (log), >=, SLUICE_RUN_SESSION_MAX_EVENTS);
  /* Per-item events, and a few of the run's own (states, a transition). */
  g_assert_cmpuint (sluice_run_log_get_n_events (log) + sluice_run_log_get_n_dropped (log), >=, routine + 2);
  g_assert_cmpuint (sluice_run_log_get_n_events (log) + sluice_run_log_get_n_dropped (log), <=, routine + 8);
  /* Events and per-item records come from the run's thread by two ways
   * (a queue and a ring): merged, the log is in sequence order. */
  {
    guint64 last_seq = 0;

    for (guint i = 0; i < sluice_run_log_get_n_events (log); i++)
      {
        guint64 seq = sluice_run_log_get_seq (log, i);

        if (seq <= last_seq)
          {
            g_autofree char *json = sluice_run_log_dup_json (log, i);

            g_test_message ("out of order at %u: %s after seq %" PRIu64, i, json, last_seq);
          }
        g_assert_cmpuint (seq, >, last_seq);
        last_seq = seq;
      }
  }
  newest = sluice_run_log_dup_json (log, sluice_run_log_get_n_events (log) - 1);
  g_test_message ("newest: %s", newest);
  g_assert_nonnull (strstr (newest, "\"completed\""));
  {
    g_autofree char *before = sluice_run_log_dup_json (log, sluice_run_log_get_n_events (log) - 2);

    /* The last item's end, in its place before the run's end. */
    g_test_message ("before it: %s", before);
    g_assert_nonnull (strstr (before, "module-finished"));
  }
  {
    SluiceRunPanel *panel = sluice_window_get_run_panel (window);
    GtkAdjustment *adjustment = sluice_run_panel_get_log_adjustment (panel);

    {
      g_autoptr(SluiceRunLogRow) top = g_list_model_get_item (sluice_run_panel_get_log_model (panel), 0);
      /* The run's end is on top of the list too, not only in the log. */
      g_test_message ("top row: %s", sluice_run_log_row_get_text (top));
      g_assert_nonnull (strstr (sluice_run_log_row_get_text (top), "completed"));
    }
    g_test_message ("log view: %u rows, following %d, at %.0f of %.0f (page %.0f)",
                    g_list_model_get_n_items (sluice_run_panel_get_log_model (panel)),
                    sluice_run_panel_get_following (panel), gtk_adjustment_get_value (adjustment),
                    gtk_adjustment_get_upper (adjustment), gtk_adjustment_get_page_size (adjustment));
  }
  /* And the list draws its rows: after a fast run GTK 4.8's list once
   * kept an anchor among rows that had gone and drew none. */
  {
    GtkWidget *view = test_app_find_with_class (GTK_WIDGET (window), "run-log");
    guint drawn = 0;

    g_assert_nonnull (view);
    for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
      {
        graphene_rect_t bounds;

        if (gtk_widget_get_mapped (child) && gtk_widget_compute_bounds (child, view, &bounds) &&
            bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < gtk_widget_get_height (view))
          drawn++;
      }
    g_test_message ("log rows drawn: %u", drawn);
    g_assert_cmpuint (drawn, >, 3);
  }
  test_app_save_screenshot (window, tmp_dir, "live-run-fast-end.png");
  close_window (window);
}

static double
thread_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

typedef struct
{
  SluiceWindow *window;
  gint64        clicked;
  double        cpu_at_click;
} Click;

static gboolean
click_cancel_cb (gpointer data)
{
  Click *click = data;
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (click->window), "cancel");

  g_assert_true (g_action_get_enabled (action));
  click->cpu_at_click = thread_cpu_seconds ();
  click->clicked = g_get_monotonic_time ();
  g_action_activate (action, NULL);
  return G_SOURCE_REMOVE;
}

/* The benchmark's kind of pipeline (many modules, every item through
 * each controller) with a million items: Cancel in the middle ends the
 * run within a second of the window's work, and the counts stop. */
static void
test_cancel_heavy_run (void)
{
  GString *xml = g_string_new ("<pipeline format='1' id='heavy'>");
  g_autofree char *input = write_items ("heavy.jsonl", 1000000);
  SluiceWindow *window;
  Click click = { 0 };
  SluiceRunSession *session;
  guint64 in = 0, out = 0, in_after = 0, out_after = 0;
  gint64 elapsed;
  double cpu, wall;

  for (guint c = 0; c < 4; c++)
    {
      g_string_append_printf (xml, "<controller id='c%u' mode='%s'><phase id='p%u'>", c,
                              c % 2 ? "no-order' workers='2" : "not-parallel", c);
      for (guint m = 0; m < 50; m++)
        g_string_append_printf (xml, "<execution id='m%u-%u'><lua>item.v = (item.v or 0) + %u</lua></execution>",
                                c, m, m % 3);
      g_string_append (xml, "</phase></controller>");
    }
  g_string_append (xml, "</pipeline>");
  window = test_app_open_trusted (app, tmp_dir, "heavy.xml", xml->str);
  g_string_free (xml, TRUE);
  click.window = window;

  start_file_run (window, input);
  g_assert_true (test_app_wait_for (heavy_run_under_way, window, 600000));
  session = sluice_window_get_run_session (window);
  g_assert_false (sluice_run_state_is_final (sluice_run_session_get_state (session)));
  g_timeout_add (0, click_cancel_cb, &click);
  g_assert_true (test_app_wait_for (run_final, window, 30000));
  cpu = thread_cpu_seconds () - click.cpu_at_click;
  wall = (g_get_monotonic_time () - click.clicked) / 1e6;
  g_test_message ("cancelled %.3f s after the click (%.3f s of the window thread's CPU)", wall, cpu);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_CANCELLED);
  g_assert_cmpfloat (cpu, <, 1.0);

  /* Nothing moves after the end. */
  sluice_run_session_get_totals (session, &in, &out, &elapsed);
  g_assert_cmpuint (out, <, 1000000);
  test_app_spin (300);
  sluice_run_session_get_totals (session, &in_after, &out_after, &elapsed);
  g_assert_cmpuint (in_after, ==, in);
  g_assert_cmpuint (out_after, ==, out);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, out);
  close_window (window);
}

/* A stand-in for a software renderer's threads: after each frame was
 * painted, it burns BURN_MS of CPU on a thread of its own. */
#define BURN_MS 300
typedef struct
{
  GMutex   lock;
  GCond    cond;
  guint    requests;
  gboolean stop;
} Burner;

static gint64
thread_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static gpointer
burner_thread (gpointer data)
{
  Burner *burner = data;

  g_mutex_lock (&burner->lock);
  while (!burner->stop)
    {
      if (burner->requests == 0)
        {
          g_cond_wait (&burner->cond, &burner->lock);
          continue;
        }
      burner->requests = 0;
      g_mutex_unlock (&burner->lock);
      {
        gint64 until = thread_cpu_us () + BURN_MS * 1000;
        volatile guint64 n = 0;

        while (thread_cpu_us () < until)
          n++;
      }
      g_mutex_lock (&burner->lock);
    }
  g_mutex_unlock (&burner->lock);
  return NULL;
}

static void
burn_after_paint_cb (GdkFrameClock *clock,
                     Burner        *burner)
{
  g_mutex_lock (&burner->lock);
  burner->requests++;
  g_cond_signal (&burner->cond);
  g_mutex_unlock (&burner->lock);
}

static gboolean
interval_at_least (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return sluice_run_session_get_update_interval (session) >= 900 * 1000;
}

static gboolean
frame_cost_set (gpointer data)
{
  return sluice_canvas_run_overlay_get_frame_cost (sluice_window_get_run_overlay (data)) > 0;
}

static gboolean
burn_seen (gpointer data)
{
  return sluice_canvas_run_overlay_get_frame_cost (sluice_window_get_run_overlay (data)) >= BURN_MS * 900;
}

/* The overlay paces a live run's frames by all the CPU the process uses
 * besides the run's thread, whenever it falls: a thread that burns
 * 300 ms after each paint (as llvmpipe's rasterise after it) is counted
 * in the cost of the frames, which slows the updates to the least, one
 * a second. Paced by the paint's own time, as before, the burner was
 * seen only where it overlapped the next paint. */
static void
test_pace_counts_other_threads (void)
{
  g_autofree char *input = write_items ("paced.jsonl", 1000);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "paced.xml",
    "<pipeline format='1' id='paced'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='slow'><command>sleep 0.02; cat</command></execution>"
    "<execution id='mark'><lua>item.seen = true</lua></execution>"
    "</phase></controller></pipeline>");
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  Burner burner = { 0 };
  GThread *thread;
  gulong handler;

  g_mutex_init (&burner.lock);
  g_cond_init (&burner.cond);
  start_file_run (window, input);
  /* The overlay's own pace, once its frames have set it. */
  g_assert_true (test_app_wait_for (frame_cost_set, window, 10000));
  thread = g_thread_new ("burn", burner_thread, &burner);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (burn_after_paint_cb), &burner);
  g_assert_true (test_app_wait_for (burn_seen, window, 15000));
  g_assert_true (test_app_wait_for (interval_at_least, window, 15000));
  g_signal_handler_disconnect (clock, handler);
  g_mutex_lock (&burner.lock);
  burner.stop = TRUE;
  g_cond_signal (&burner.cond);
  g_mutex_unlock (&burner.lock);
  g_thread_join (thread);
  g_assert_false (run_final (window));
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (window), "cancel"), NULL);
  g_assert_true (test_app_wait_for (run_final, window, 30000));
  close_window (window);
  g_mutex_clear (&burner.lock);
  g_cond_clear (&burner.cond);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-live-run");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-live-run/counts-after-fast-run", test_counts_after_fast_run);
  g_test_add_func ("/sluice/app-live-run/cancel-heavy-run", test_cancel_heavy_run);
  g_test_add_func ("/sluice/app-live-run/pace-counts-other-threads", test_pace_counts_other_threads);
  ret = g_test_run ();
  g_object_unref (app);
  g_rmdir (tmp_dir);
  return ret;
}
