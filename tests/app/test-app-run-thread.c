/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* pipe2 */
#include "config.h"

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <stdlib.h>
#include <unistd.h>

#include "sluice-frame-pace.h"
#include "sluice-run-thread.h"
#include "test-app-common.h"

/* The designer's run thread (sluice-run-thread.c) without a window: this
 * thread takes from it as the window does, or on purpose does not. */

static SluiceApplication *app;

typedef struct
{
  SluiceRunThread   *thread;
  SluiceRunSnapshot  snapshot;
  GPtrArray         *outputs;
  guint64            n_outputs;
  guint64            lost;
  guint64            n_records;
  guint64            n_events;
  guint64            last_seq;     /* of the last record or event, in the order handed over */
  gboolean           out_of_order;
} Viewer;

static void
viewer_record_cb (const SluiceItemRecord *record,
                  gpointer                user_data)
{
  Viewer *viewer = user_data;

  viewer->n_records++;
  viewer->out_of_order |= record->seq <= viewer->last_seq;
  viewer->last_seq = record->seq;
}

static void
viewer_event_cb (gpointer data,
                 gpointer user_data)
{
  Viewer *viewer = user_data;
  SluiceEvent *event = data;

  viewer->n_events++;
  viewer->out_of_order |= event->seq <= viewer->last_seq;
  viewer->last_seq = event->seq;
}

static void
viewer_take (Viewer *viewer)
{
  guint64 lost;

  viewer->n_outputs = sluice_run_thread_take (viewer->thread, &viewer->snapshot, viewer_record_cb,
                                              viewer_event_cb, viewer, viewer->outputs, 1000, &lost);
  viewer->lost += lost;
}

static SluicePipeline *
load (const char *xml)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *pipeline = sluice_load_data (xml, strlen (xml), "test.xml", problems);

  g_assert_nonnull (pipeline);
  return pipeline;
}

/* Starts a run of @xml on its own thread, reading @input (NULL: one {}). */
static void
viewer_start (Viewer       *viewer,
              const char   *xml,
              GInputStream *input)
{
  g_autoptr(SluicePipeline) pipeline = load (xml);
  g_autoptr(GError) error = NULL;
  SluiceRunThreadSetup setup = { 0 };

  memset (viewer, 0, sizeof *viewer);
  setup.pipeline = pipeline;
  setup.input = input;
  setup.preview_depth = 10;
  setup.ring_capacity = 100000;
  viewer->thread = sluice_run_thread_start (&setup, &error);
  g_assert_no_error (error);
  g_assert_nonnull (viewer->thread);
  sluice_run_snapshot_init (&viewer->snapshot,
                            sluice_executor_get_n_modules (sluice_run_get_executor (sluice_run_thread_get_run (viewer->thread))),
                            0, 0);
  viewer->outputs = g_ptr_array_new_with_free_func (g_free);
}

static void
viewer_finish (Viewer *viewer)
{
  sluice_run_thread_free (viewer->thread);
  sluice_run_snapshot_clear (&viewer->snapshot);
  g_ptr_array_unref (viewer->outputs);
}

static guint
module_index (Viewer     *viewer,
              const char *id)
{
  SluiceExecutor *executor = sluice_run_get_executor (sluice_run_thread_get_run (viewer->thread));

  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    if (g_strcmp0 (sluice_executor_get_module_id (executor, i), id) == 0)
      return i;
  g_assert_not_reached ();
}

/* Starts a one-module run that reads its items from a pipe; returns the
 * pipe's writing end. */
static int
viewer_start_on_pipe (Viewer *viewer)
{
  const char *xml = "<pipeline format='1' id='piped'>"
                    "<controller id='c' mode='not-parallel'><phase id='p'>"
                    "<execution id='m'><lua>item.x = 1</lua></execution>"
                    "</phase></controller></pipeline>";
  int fds[2];
  g_autoptr(GInputStream) input = NULL;

  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  input = g_unix_input_stream_new (fds[0], TRUE);
  viewer_start (viewer, xml, input);
  return fds[1];
}

/* Closes the pipe: the end of the input ends the run, complete. */
static void
end_input (Viewer *viewer,
           int     items_fd)
{
  close (items_fd);
  for (gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       !sluice_run_thread_get_ended (viewer->thread) && g_get_monotonic_time () < end;)
    g_usleep (10 * 1000);
  sluice_run_thread_join (viewer->thread);
  viewer_take (viewer);
  g_assert_cmpint (sluice_executor_get_state (sluice_run_get_executor (sluice_run_thread_get_run (viewer->thread))),
                   ==, SLUICE_RUN_COMPLETED);
}

/* A window that does not take for a while (a screenshot rendered, 5,000
 * modules drawn in software) still gets a snapshot about a frame old
 * when it takes, not one as old as its previous take. The run waits for
 * input that never comes, so only the clock moves: the elapsed time the
 * snapshot carries tells when it was published. */
static void
test_fresh_without_takes (void)
{
  Viewer viewer;
  int items_fd = viewer_start_on_pipe (&viewer);
  gint64 first, waited_until;

  /* Until the run has published once while running. */
  for (gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       viewer.snapshot.elapsed == 0 && g_get_monotonic_time () < end;)
    {
      g_usleep (10 * 1000);
      viewer_take (&viewer);
    }
  first = viewer.snapshot.elapsed;
  g_assert_cmpint (first, >, 0);
  g_assert_cmpint (viewer.snapshot.state, ==, SLUICE_RUN_RUNNING);

  /* Two seconds without a take. */
  waited_until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < waited_until)
    g_usleep (50 * 1000);
  viewer_take (&viewer);
  g_test_message ("the snapshot's elapsed time moved %.3f s in 2 s without a take",
                  (viewer.snapshot.elapsed - first) / 1e6);
  /* About 2 s later; at least 1 s however slow this machine is (a
   * snapshot published only after a take would be some 16 ms later). */
  g_assert_cmpint (viewer.snapshot.elapsed - first, >=, G_USEC_PER_SEC);

  end_input (&viewer, items_fd);
  viewer_finish (&viewer);
}

/* While one Lua chunk holds the run's thread, the window still learns
 * what the run does: the module that spins has taken its item. */
static void
test_spinning_module_shown (void)
{
  const char *xml = "<pipeline format='1' id='spin'>"
                    "<controller id='first' mode='not-parallel'><phase id='p1'>"
                    "<execution id='before'><lua>item.a = 1</lua></execution>"
                    "</phase></controller>"
                    "<controller id='held' mode='not-parallel'><phase id='p2'>"
                    "<execution id='spin'><lua>while true do end</lua></execution>"
                    "</phase></controller></pipeline>";
  Viewer viewer;
  guint spin;
  gint64 end;

  viewer_start (&viewer, xml, NULL);
  spin = module_index (&viewer, "spin");
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (viewer.snapshot.modules[spin].items_in == 0 && g_get_monotonic_time () < end)
    {
      g_usleep (16 * 1000);
      viewer_take (&viewer);
    }
  g_assert_cmpuint (viewer.snapshot.modules[spin].items_in, ==, 1);
  g_assert_cmpuint (viewer.snapshot.modules[spin].items_out, ==, 0);
  g_assert_cmpint (viewer.snapshot.state, ==, SLUICE_RUN_RUNNING);
  /* Still running: it was published from inside the chunk. */
  g_assert_false (sluice_run_thread_get_ended (viewer.thread));

  /* And it keeps being: the elapsed time moves on. */
  {
    gint64 before = viewer.snapshot.elapsed;

    end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (viewer.snapshot.elapsed < before + 200 * 1000 && g_get_monotonic_time () < end)
      {
        g_usleep (16 * 1000);
        viewer_take (&viewer);
      }
    g_assert_cmpint (viewer.snapshot.elapsed, >=, before + 200 * 1000);
  }

  sluice_run_thread_cancel (viewer.thread);
  sluice_run_thread_join (viewer.thread);
  viewer_take (&viewer);
  g_assert_cmpint (sluice_executor_get_state (sluice_run_get_executor (sluice_run_thread_get_run (viewer.thread))),
                   ==, SLUICE_RUN_CANCELLED);
  viewer_finish (&viewer);
}

/* Records and outputs gathered on the run's thread and handed over in
 * batches: every one arrives, in sequence order with the events, whether
 * the viewer takes often, seldom or only at the end. */
static void
check_all_handed_over (guint take_every_ms)
{
  const char *xml = "<pipeline format='1' id='many'>"
                    "<controller id='c' mode='not-parallel'><phase id='p'>"
                    "<execution id='a'><lua>item.a = 1</lua></execution>"
                    "<execution id='b'><lua>item.b = item.id * 2</lua></execution>"
                    "<execution id='c'><lua>if item.id % 1000 == 7 then item.seven = true end</lua></execution>"
                    "</phase></controller></pipeline>";
  g_autoptr(GString) items = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) input = NULL;
  const guint n = 20000;
  Viewer viewer;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  bytes = g_string_free_to_bytes (g_steal_pointer (&items));
  input = g_memory_input_stream_new_from_bytes (bytes);
  viewer_start (&viewer, xml, input);
  while (!sluice_run_thread_get_ended (viewer.thread))
    {
      g_usleep (take_every_ms * 1000);
      if (take_every_ms < 1000)
        viewer_take (&viewer);
    }
  sluice_run_thread_join (viewer.thread);
  viewer_take (&viewer);

  g_test_message ("taking every %u ms: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " events, %"
                  G_GUINT64_FORMAT " lost", take_every_ms, viewer.n_records, viewer.n_events, viewer.lost);
  g_assert_false (viewer.out_of_order);
  /* A start and an end of each of the three modules for every item:
   * handed over, or counted as lost when more came between two takes
   * than the ring holds (the oldest go). */
  g_assert_cmpuint (viewer.n_records + viewer.lost, ==, (guint64) n * 3 * 2);
  if (take_every_ms >= 1000)
    g_assert_cmpuint (viewer.n_records, ==, 100000);
  g_assert_cmpuint (viewer.n_outputs, ==, n);
  g_assert_cmpuint (viewer.snapshot.items_out, ==, n);
  g_assert_cmpint (sluice_executor_get_state (sluice_run_get_executor (sluice_run_thread_get_run (viewer.thread))),
                   ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (viewer.outputs->len, >=, 1000);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (viewer.outputs, viewer.outputs->len - 1),
                                   "{\"a\":1,\"b\":39998,\"id\":19999}"));
  viewer_finish (&viewer);
}

static void
test_all_handed_over (void)
{
  check_all_handed_over (16);
  check_all_handed_over (250);
  check_all_handed_over (1000);
}

/* A segment of 400 modules hands 800 records in one call, more than the
 * run's thread stages before it takes its lock (512): they go over in
 * pieces, every one, in order. */
static void
test_big_segment_records (void)
{
  g_autoptr(GString) xml = g_string_new ("<pipeline format='1' id='long'>"
                                         "<controller id='c' mode='not-parallel'><phase id='p'>");
  g_autoptr(GString) items = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) input = NULL;
  const guint n_modules = 400, n_items = 50;
  Viewer viewer;

  for (guint i = 0; i < n_modules; i++)
    g_string_append_printf (xml, "<execution id='m%u'><lua>item.n = (item.n or 0) + 1</lua></execution>", i);
  g_string_append (xml, "</phase></controller></pipeline>");
  for (guint i = 0; i < n_items; i++)
    g_string_append (items, "{}\n");
  bytes = g_string_free_to_bytes (g_steal_pointer (&items));
  input = g_memory_input_stream_new_from_bytes (bytes);
  viewer_start (&viewer, xml->str, input);
  while (!sluice_run_thread_get_ended (viewer.thread))
    g_usleep (10 * 1000);
  sluice_run_thread_join (viewer.thread);
  viewer_take (&viewer);

  g_assert_false (viewer.out_of_order);
  g_assert_cmpuint (viewer.lost, ==, 0);
  g_assert_cmpuint (viewer.n_records, ==, (guint64) n_items * n_modules * 2);
  g_assert_cmpuint (viewer.n_outputs, ==, n_items);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (viewer.outputs, viewer.outputs->len - 1), "{\"n\":400}"));
  viewer_finish (&viewer);
}

/* The CPU of every run of the process is counted in one place, which a
 * window's frame pacing leaves out of what its drawing cost: two runs
 * at once, one of them with Lua workers, each its own thread's CPU and
 * its workers' (once they ended, all of it). While they go, the count
 * grows (published every 16 ms). */
static void
test_all_runs_cpu (void)
{
  const char *serial = "<pipeline format='1' id='serial'>"
                       "<controller id='c' mode='not-parallel'><phase id='p'>"
                       "<execution id='m'><lua>local x = 0 for i = 1, 200000 do x = x + i end</lua></execution>"
                       "</phase></controller></pipeline>";
  const char *parallel = "<pipeline format='1' id='parallel'>"
                         "<controller id='c' mode='no-order' workers='2'><phase id='p'>"
                         "<execution id='m'><lua>local x = 0 for i = 1, 2000000 do x = x + i end</lua></execution>"
                         "</phase></controller></pipeline>";
  g_autoptr(GString) items = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) input_a = NULL;
  g_autoptr(GInputStream) input_b = NULL;
  gint64 all0 = sluice_run_thread_get_all_cpu_time ();
  gint64 during, a_cpu, b_cpu, b_workers;
  Viewer a, b;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  bytes = g_string_free_to_bytes (g_steal_pointer (&items));
  input_a = g_memory_input_stream_new_from_bytes (bytes);
  input_b = g_memory_input_stream_new_from_bytes (bytes);
  viewer_start (&a, serial, input_a);
  viewer_start (&b, parallel, input_b);
  g_usleep (200 * 1000);
  during = sluice_run_thread_get_all_cpu_time () - all0;
  while (!sluice_run_thread_get_ended (a.thread) || !sluice_run_thread_get_ended (b.thread))
    g_usleep (10 * 1000);
  sluice_run_thread_join (a.thread);
  sluice_run_thread_join (b.thread);
  a_cpu = sluice_run_thread_get_cpu_time (a.thread);
  b_cpu = sluice_run_thread_get_cpu_time (b.thread);
  b_workers = sluice_executor_get_workers_cpu_time (sluice_run_get_executor (sluice_run_thread_get_run (b.thread)));
  g_test_message ("after 200 ms %" G_GINT64_FORMAT " us counted; at the end the runs' threads %" G_GINT64_FORMAT
                  " us and %" G_GINT64_FORMAT " us, the workers %" G_GINT64_FORMAT " us",
                  during, a_cpu, b_cpu, b_workers);
  g_assert_cmpint (during, >, 0);
  g_assert_cmpint (b_workers, >, 0);
  g_assert_cmpint (sluice_run_thread_get_all_cpu_time () - all0, ==, a_cpu + b_cpu + b_workers);
  viewer_finish (&a);
  viewer_finish (&b);
}

/* The pace of a live run's updates: nine times what a typical drawing
 * cycle cost, the median of the last three; a cycle that cost much once
 * or next to nothing once does not move it. */
static void
test_frame_pace (void)
{
  SluiceFramePace pace;

  sluice_frame_pace_reset (&pace);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 100000), ==, 900000);
  /* The first pictures of a run cost more: the cheaper of two. */
  sluice_frame_pace_reset (&pace);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 400000), ==, 3600000);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 100000), ==, 900000);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 110000), ==, 990000);
  /* Two frames in a row, the second next to free: no burst. */
  g_assert_cmpint (sluice_frame_pace_next (&pace, 15000), ==, 900000);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 100000), ==, 900000);
  /* One dear cycle: neither. */
  g_assert_cmpint (sluice_frame_pace_next (&pace, 500000), ==, 900000);
  /* Dear for good: after two of them. */
  g_assert_cmpint (sluice_frame_pace_next (&pace, 500000), ==, 4500000);
  /* A reset starts again. */
  sluice_frame_pace_reset (&pace);
  g_assert_cmpint (sluice_frame_pace_next (&pace, 2000), ==, 18000);
}

/* sluice_item_ring_push_many() keeps what as many pushes would. */
static void
collect_seq_cb (const SluiceItemRecord *record,
                gpointer                user_data)
{
  g_array_append_val ((GArray *) user_data, record->seq);
}

static void
test_ring_push_many (void)
{
  g_autoptr(SluiceItemRing) ring = sluice_item_ring_new (10);
  g_autoptr(SluiceItemRing) one_by_one = sluice_item_ring_new (10);
  SluiceItemRecord records[25];
  /* 3 + 4, 7 + 7 (wraps and overwrites), 25 (more than it holds), 10 + 0,
   * 9 + 2. */
  const guint sizes[][2] = { { 3, 4 }, { 7, 7 }, { 25, 0 }, { 10, 0 }, { 9, 2 } };

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    records[i] = (SluiceItemRecord) { .seq = i + 1 };

  for (guint round = 0; round < G_N_ELEMENTS (sizes); round++)
    {
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_autoptr(GArray) want = g_array_new (FALSE, FALSE, sizeof (guint64));
      guint64 lost_got, lost_want;

      for (guint s = 0; s < 2; s++)
        {
          /* The second batch starts where the first left off. */
          const SluiceItemRecord *batch = s == 0 ? records : records + sizes[round][0] % 10;

          sluice_item_ring_push_many (ring, batch, sizes[round][s]);
          for (guint i = 0; i < sizes[round][s]; i++)
            sluice_item_ring_push (one_by_one, &batch[i]);
        }
      g_assert_cmpuint (sluice_item_ring_get_length (ring), ==, sluice_item_ring_get_length (one_by_one));
      lost_got = sluice_item_ring_drain (ring, collect_seq_cb, got);
      lost_want = sluice_item_ring_drain (one_by_one, collect_seq_cb, want);
      g_assert_cmpuint (lost_got, ==, lost_want);
      g_assert_cmpuint (got->len, ==, want->len);
      g_assert_cmpmem (got->data, got->len * sizeof (guint64), want->data, want->len * sizeof (guint64));
      g_test_message ("round %u: %u kept, %" G_GUINT64_FORMAT " lost", round, got->len, lost_got);

      /* Leaves the head in the middle for the next round. */
      sluice_item_ring_push_many (ring, records, round + 3);
      sluice_item_ring_drain_before (ring, round + 2, collect_seq_cb, got);
      for (guint i = 0; i < round + 3; i++)
        sluice_item_ring_push (one_by_one, &records[i]);
      sluice_item_ring_drain_before (one_by_one, round + 2, collect_seq_cb, want);
    }
}

/* The application gives jansson the per-thread cache of blocks that
 * sluice-run installs (not under AddressSanitizer, which must see each
 * block freed). */
static void
test_json_alloc_installed (void)
{
  json_malloc_t malloc_fn;
  json_free_t free_fn;
  gboolean asan = FALSE;

#if defined(__SANITIZE_ADDRESS__)
  asan = TRUE;
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
  asan = TRUE;
#  endif
#endif
  json_get_alloc_funcs (&malloc_fn, &free_fn);
  if (asan)
    {
      g_assert_true (malloc_fn == malloc);
      g_assert_true (free_fn == free);
    }
  else
    {
      g_assert_true (malloc_fn != malloc);
      g_assert_true (free_fn != free);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp_dir = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-run-thread");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-run-thread/json-alloc-installed", test_json_alloc_installed);
  g_test_add_func ("/sluice/app-run-thread/fresh-without-takes", test_fresh_without_takes);
  g_test_add_func ("/sluice/app-run-thread/spinning-module-shown", test_spinning_module_shown);
  g_test_add_func ("/sluice/app-run-thread/all-handed-over", test_all_handed_over);
  g_test_add_func ("/sluice/app-run-thread/big-segment-records", test_big_segment_records);
  g_test_add_func ("/sluice/app-run-thread/ring-push-many", test_ring_push_many);
  g_test_add_func ("/sluice/app-run-thread/all-runs-cpu", test_all_runs_cpu);
  g_test_add_func ("/sluice/app-run-thread/frame-pace", test_frame_pace);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
