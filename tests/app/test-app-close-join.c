/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "sluice-run-thread.h"
#include "sluice-window.h"
#include "sluice-window-run.h"
#include "test-app-common.h"

/* A window lets go of its run without waiting for it (issue 9): closing
 * the window or its document, a second run in its place, quitting. The
 * run's thread may be stuck for seconds at its end: a file-load's
 * batched write into a FIFO nobody reads (the run's end waits for the
 * write in flight, up to 10 s), killed commands being reaped, its
 * journal's last commit waiting on a lock. The window's thread never
 * waits for it: the close returns at once and the main loop goes on
 * dispatching (a 10 ms timeout is never late by more than 100 ms); once
 * the stall ends the thread is joined (sluice_run_thread_release), its
 * children reaped, and nothing leaks (the suite under ASan). Quitting
 * holds the application until the thread is joined, for at most a
 * bound. */

static SluiceApplication *app;
static char *tmp_dir;

#define CLOSE_WITHIN_US   (200 * 1000)
#define TICK_MS           10
#define LATE_AT_MOST_US   (100 * 1000)

/* A pipeline of one command per item and a file-load appending each
 * item to @target (one write per item): with a FIFO as @target and no
 * reader, the first write blocks in open(), and the run with it. */
static char *
stalling_pipeline (const char *id,
                   const char *target)
{
  return g_strdup_printf (
    "<pipeline format='1' id='%s'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='cmd'><command>cat</command></execution>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s</param>"
    "<param name='mode'>append</param><param name='batch-size'>1</param><param name='pass'>true</param></use></execution>"
    "</phase></controller></pipeline>", id, target);
}

static char *
make_fifo (const char *name)
{
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_unlink (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  return path;
}

/* How many items module @id took in, read from the executor's own
 * counters (atomic) while the run's thread goes. */
static guint64
module_items_in (SluiceWindow *window,
                 const char   *id)
{
  SluiceRunSession *session = sluice_window_get_run_session (window);
  SluiceExecutor *executor = session != NULL ? sluice_run_session_get_executor (session) : NULL;

  for (guint i = 0; executor != NULL && i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), id))
      {
        SluiceModuleStats stats;

        sluice_executor_get_module_stats_at (executor, i, &stats);
        return stats.items_in;
      }
  return 0;
}

static gboolean
write_started (gpointer data)
{
  return module_items_in (data, "save") >= 1;
}

/* Runs 3 items in @window and returns once the run is stuck in its
 * first write. */
static void
run_until_stalled (SluiceWindow *window)
{
  test_app_run_ids (window, 3);
  g_assert_true (test_app_wait_for (write_started, window, 30000));
  test_app_spin (200);
  g_assert_true (sluice_run_session_get_active (sluice_window_get_run_session (window)));
}

/* Opens the run's window on stalling_pipeline(@fifo), stalled as above. */
static SluiceWindow *
open_stalled (const char *name,
              const char *fifo)
{
  g_autofree char *file = g_strdup_printf ("%s.xml", name);
  g_autofree char *xml = stalling_pipeline (name, fifo);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, file, xml);

  run_until_stalled (window);
  return window;
}

/* ---- the main loop's pulse */

typedef struct
{
  gint64 last;
  gint64 worst;   /* the longest gap between two ticks */
  guint  ticks;
} Pulse;

static gboolean
pulse_cb (gpointer data)
{
  Pulse *pulse = data;
  gint64 now = g_get_monotonic_time ();

  if (pulse->last != 0)
    pulse->worst = MAX (pulse->worst, now - pulse->last);
  pulse->last = now;
  pulse->ticks++;
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop for @ms with a 10 ms timeout; none of its ticks may
 * come more than @late_us late. */
static void
assert_main_loop_free_within (guint  ms,
                              gint64 late_us)
{
  Pulse pulse = { 0 };
  guint id = g_timeout_add (TICK_MS, pulse_cb, &pulse);

  test_app_spin (ms);
  g_source_remove (id);
  g_test_message ("main loop: %u ticks of %d ms in %u ms, the longest gap %.0f ms",
                  pulse.ticks, TICK_MS, ms, pulse.worst / 1000.0);
  g_assert_cmpint (pulse.worst, <, TICK_MS * 1000 + late_us);
  g_assert_cmpuint (pulse.ticks, >, ms / (TICK_MS + late_us / 1000));
}

/* ... none more than 100 ms late. */
static void
assert_main_loop_free (guint ms)
{
  assert_main_loop_free_within (ms, LATE_AT_MOST_US);
}

/* ---- a reader that drains a FIFO, later */

typedef struct
{
  char    *path;
  guint    expect;   /* lines to read before it stops */
  GString *read;
} Reader;

static guint
count_newlines (GString *text)
{
  guint n = 0;

  for (gsize i = 0; i < text->len; i++)
    n += text->str[i] == '\n';
  return n;
}

static gpointer
reader_thread (gpointer data)
{
  Reader *reader = data;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  char buffer[4096];
  /* Non-blocking: held open across writers (a later run opens it
   * again), until the lines expected came, or 30 s. */
  int fd = g_open (reader->path, O_RDONLY | O_NONBLOCK, 0);

  g_assert_cmpint (fd, >=, 0);
  while (count_newlines (reader->read) < reader->expect && g_get_monotonic_time () < deadline)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n > 0)
        g_string_append_len (reader->read, buffer, n);
      else if (n == 0 || errno == EAGAIN || errno == EINTR)
        g_usleep (5 * 1000);
      else
        break;
    }
  /* A write still going after the lines expected would fail (EPIPE)
   * rather than block the run: the test says how many there are. */
  close (fd);
  return NULL;
}

static GThread *
drain (Reader     *reader,
       const char *fifo,
       guint       expect)
{
  reader->path = g_strdup (fifo);
  reader->expect = expect;
  reader->read = g_string_new (NULL);
  return g_thread_new ("fifo-reader", reader_thread, reader);
}

/* What came through the FIFO, whole JSON lines only: their ids. */
static GArray *
finish_reader (Reader  *reader,
               GThread *thread)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) lines = NULL;

  g_thread_join (thread);
  g_assert_true (reader->read->len == 0 || reader->read->str[reader->read->len - 1] == '\n');
  lines = g_strsplit (reader->read->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        json_t *item = json_loads (lines[i], 0, NULL);
        gint64 id;

        g_assert_nonnull (item);
        id = json_integer_value (json_object_get (item, "id"));
        g_array_append_val (ids, id);
        json_decref (item);
      }
  g_string_free (reader->read, TRUE);
  g_free (reader->path);
  return ids;
}

/* The FIFO had exactly one line, the first item's. */
static void
assert_read_one (Reader  *reader,
                 GThread *thread)
{
  g_autoptr(GArray) ids = finish_reader (reader, thread);

  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 1);
}

/* ---- threads and children */

static gboolean
all_reaped (gpointer data)
{
  return sluice_run_thread_count_released () == 0 && test_app_count_run_threads () == 0;
}

/* Every released thread joined, none of the run's threads left, every
 * child reaped. */
static void
assert_all_reaped (void)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (test_app_wait_for (all_reaped, NULL, 20000));
  g_test_message ("joined %.0f ms after the stall ended", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_true (test_app_wait_for (test_app_no_children, GINT_TO_POINTER (0), 10000));
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
destroy_window (SluiceWindow *window)
{
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Closing a window whose run is stuck in a write: it goes at once; the
 * run's thread is joined once the FIFO is read. */
static void
test_close_window (void)
{
  g_autofree char *fifo = make_fifo ("close-window.fifo");
  SluiceWindow *window = open_stalled ("close-window", fifo);
  SluiceRunSession *session = sluice_window_get_run_session (window);
  Reader reader;
  GThread *thread;
  gint64 start, took;

  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  start = g_get_monotonic_time ();
  sluice_document_discard_draft (sluice_window_get_document (window));
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (window), "close"), NULL);
  took = g_get_monotonic_time () - start;
  g_test_message ("the window closed in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, CLOSE_WITHIN_US);
  test_app_spin (20);
  g_assert_null (window);
  g_assert_null (session);
  /* Still stuck: its thread goes on, released, the application held. */
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 1);
  assert_main_loop_free (2000);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 1);

  thread = drain (&reader, fifo, 1);
  assert_all_reaped ();
  /* The write in flight landed, whole; nothing after the stop. */
  assert_read_one (&reader, thread);
}

/* ---- closing the document: an edited one, closed with Discard */

static void
test_close_document (void)
{
  g_autofree char *fifo = make_fifo ("close-document.fifo");
  g_autofree char *xml = stalling_pipeline ("close-document", fifo);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "close-document.xml", xml);
  SluicePipeline *pipeline = sluice_document_get_pipeline (sluice_window_get_document (window));
  Reader reader;
  GThread *thread;
  gint64 start, took;

  /* Edited: closing asks whether to save the document. */
  sluice_canvas_select (sluice_window_get_canvas (window), sluice_pipeline_find_node (pipeline, "cmd"), FALSE);
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (window), "insert"), g_variant_new_string ("lua"));
  g_assert_true (sluice_document_get_modified (sluice_window_get_document (window)));
  test_app_trust (window);
  run_until_stalled (window);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (window), "close"), NULL);
  g_assert_true (test_app_wait_for (test_app_message_dialog_shown, window, 5000));
  start = g_get_monotonic_time ();
  adw_message_dialog_response (test_app_find_message_dialog (window), "discard");
  g_assert_true (test_app_wait_for (is_gone, &window, 5000));
  took = g_get_monotonic_time () - start;
  g_test_message ("the document closed in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, CLOSE_WITHIN_US);
  assert_main_loop_free (2000);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 1);

  thread = drain (&reader, fifo, 1);
  assert_all_reaped ();
  assert_read_one (&reader, thread);
}

/* Three windows stuck at once, closed at once. */
static void
test_three_windows (void)
{
  char *fifos[3];
  SluiceWindow *windows[3];
  Reader readers[3];
  GThread *threads[3];
  gint64 start, took;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("three-%u", i);
      g_autofree char *fifo_name = g_strdup_printf ("three-%u.fifo", i);

      fifos[i] = make_fifo (fifo_name);
      windows[i] = open_stalled (name, fifos[i]);
    }
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 3; i++)
    destroy_window (windows[i]);
  took = g_get_monotonic_time () - start;
  g_test_message ("three windows closed in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, 3 * CLOSE_WITHIN_US);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 3);
  assert_main_loop_free (2000);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 3);

  for (guint i = 0; i < 3; i++)
    threads[i] = drain (&readers[i], fifos[i], 1);
  assert_all_reaped ();
  for (guint i = 0; i < 3; i++)
    {
      assert_read_one (&readers[i], threads[i]);
      g_free (fifos[i]);
    }
}

/* ---- the same pipeline run again while the first run winds down
 *
 * A window closed while its run is stuck in a write, and the same file
 * opened and run again at once: both runs write to the same FIFO. The
 * new run neither waits on the window's thread nor writes beside the
 * first: it waits, pending, on its own thread, and starts once the
 * first's thread is over, after the first's write landed.
 *
 * (In one window a second run cannot start while the first winds down:
 * the window shows the first as going until its thread is over.) */

static void
run_typed_ids (SluiceWindow *window,
               guint         first,
               guint         n)
{
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  GString *items = g_string_new (NULL);

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (items, "{\"id\": %u}\n", i);
  choice->input = SLUICE_RUN_INPUT_TYPED;
  choice->typed = g_string_free (items, FALSE);
  sluice_window_run_with_choice (window, choice);
}

static gboolean
run_settled (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_session_get_settled (session);
}

static void
test_run_again (void)
{
  g_autofree char *fifo = make_fifo ("again.fifo");
  g_autofree char *xml = stalling_pipeline ("again", fifo);
  SluiceWindow *first = test_app_open_trusted (app, tmp_dir, "again.xml", xml);
  SluiceWindow *second;
  SluiceRunSession *session;
  g_autoptr(GArray) ids = NULL;
  const gint64 expected[] = { 101, 1, 2, 3, 4, 5 };
  Reader reader;
  GThread *thread;
  gint64 start, took;

  run_typed_ids (first, 101, 3);
  g_assert_true (test_app_wait_for (write_started, first, 30000));
  test_app_spin (200);
  start = g_get_monotonic_time ();
  destroy_window (first);
  took = g_get_monotonic_time () - start;
  g_test_message ("the first window closed in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, CLOSE_WITHIN_US);

  second = test_app_open_trusted (app, tmp_dir, "again.xml", xml);
  /* Its first frames drawn: what follows measures the run only. */
  test_app_spin (500);
  start = g_get_monotonic_time ();
  run_typed_ids (second, 1, 5);
  took = g_get_monotonic_time () - start;
  g_test_message ("the run again was started in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, CLOSE_WITHIN_US);
  session = sluice_window_get_run_session (second);
  /* A window stays open here and draws the new run's panel (50 to 90 ms
   * a frame in software under Xvfb on an idle machine, 300 ms on a busy
   * one): the bound is looser. What it catches is a wait of seconds. */
  assert_main_loop_free_within (1000, 600 * 1000);
  /* The first one's thread is still in its write: the second waits. */
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 1);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_PENDING);
  g_assert_true (sluice_run_session_get_active (session));
  g_assert_cmpuint (module_items_in (second, "cmd"), ==, 0);

  thread = drain (&reader, fifo, G_N_ELEMENTS (expected));
  g_assert_true (test_app_wait_for (run_settled, second, 60000));
  g_test_message ("the run again: %s", sluice_run_session_get_error (session));
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (sluice_run_session_get_n_outputs (session), ==, 5);
  /* The first run's line, then the second's. */
  ids = finish_reader (&reader, thread);
  g_assert_cmpuint (ids->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (ids, gint64, i), ==, expected[i]);
  destroy_window (second);
  assert_all_reaped ();
}

/* Cancelled while it waits for the earlier run: it ends at once, never
 * started. */
static void
test_cancel_waiting (void)
{
  g_autofree char *fifo = make_fifo ("waiting.fifo");
  g_autofree char *xml = stalling_pipeline ("waiting", fifo);
  SluiceWindow *first = test_app_open_trusted (app, tmp_dir, "waiting.xml", xml);
  SluiceWindow *second;
  SluiceRunSession *session;
  Reader reader;
  GThread *thread;

  test_app_run_ids (first, 3);
  g_assert_true (test_app_wait_for (write_started, first, 30000));
  test_app_spin (200);
  destroy_window (first);
  second = test_app_open_trusted (app, tmp_dir, "waiting.xml", xml);
  test_app_run_ids (second, 3);
  session = sluice_window_get_run_session (second);
  test_app_spin (200);
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_PENDING);
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (second), "cancel"), NULL);
  g_assert_true (test_app_wait_for (run_settled, second, 5000));
  g_assert_cmpint (sluice_run_session_get_state (session), ==, SLUICE_RUN_CANCELLED);
  g_assert_cmpuint (module_items_in (second, "cmd"), ==, 0);
  destroy_window (second);

  thread = drain (&reader, fifo, 1);
  assert_all_reaped ();
  assert_read_one (&reader, thread);
}

/* ---- the edges of a run */

/* Closed in the run's first millisecond: right after the window started
 * it, before anything of it ran. */
static void
test_close_at_start (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "at-start.jsonl", NULL);
  g_autofree char *xml = stalling_pipeline ("at-start", out);
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "at-start.xml", xml);
  gint64 start, took;

  for (guint round = 0; round < 5; round++)
    {
      SluiceWindow *again = round == 0 ? window : test_app_open_trusted (app, tmp_dir, "at-start.xml", xml);

      test_app_run_ids (again, 3);
      g_assert_true (sluice_run_session_get_started (sluice_window_get_run_session (again)));
      start = g_get_monotonic_time ();
      destroy_window (again);
      took = g_get_monotonic_time () - start;
      g_test_message ("closed at its start in %.1f ms", took / 1000.0);
      g_assert_cmpint (took, <, CLOSE_WITHIN_US);
    }
  /* Each cancelled at once, or while it waited for the one before. */
  assert_all_reaped ();
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);

  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

/* Closed as the run ends: from the handler that tells the window the
 * final state, and right after it. */
static void
close_from_state_cb (SluiceRunSession *session,
                     GParamSpec       *pspec,
                     SluiceWindow     *window)
{
  if (!sluice_run_state_is_final (sluice_run_session_get_state (session)))
    return;
  g_signal_handlers_disconnect_by_func (session, close_from_state_cb, window);
  destroy_window (window);
}

static void
test_close_at_end (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "at-end.jsonl", NULL);
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='at-end'><controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='cmd'><command>cat</command></execution>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s</param>"
    "<param name='batch-size'>7</param><param name='pass'>true</param></use></execution>"
    "</phase></controller></pipeline>", out);

  for (guint round = 0; round < 4; round++)
    {
      SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "at-end.xml", xml);
      SluiceRunSession *session;

      g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
      test_app_run_ids (window, 20);
      session = sluice_window_get_run_session (window);
      if (round % 2 == 0)
        g_signal_connect (session, "notify::state", G_CALLBACK (close_from_state_cb), window);
      else
        {
          g_assert_true (test_app_wait_for (run_final, window, 30000));
          destroy_window (window);
        }
      g_assert_true (test_app_wait_for (is_gone, &window, 30000));
      assert_all_reaped ();
    }
}

/* A command killed by someone else (kill -9) in the middle of the run,
 * and the window closed right after: the run's end reaps it and the
 * others, off the window's thread. */
static gboolean
commands_started (gpointer data)
{
  return module_items_in (data, "slow") >= 2;
}

static GPid
a_child (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *exe_path = g_build_filename ("/proc", name, "exe", NULL);
      g_autofree char *exe = NULL;
      g_autofree char *stat = NULL;
      const char *close_paren;
      char state;
      int ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      close_paren = strrchr (stat, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2 ||
          ppid != getpid () || state == 'Z')
        continue;
      exe = g_file_read_link (exe_path, NULL);
      if (exe != NULL && g_strcmp0 (exe, self) == 0)
        continue;
      return atoi (name);
    }
  return 0;
}

static void
test_kill_child (void)
{
  g_autofree char *xml = g_strdup (
    "<pipeline format='1' id='killed'><controller id='c' mode='no-order' workers='2'><phase id='p'>"
    "<execution id='slow'><command>sleep 30</command></execution>"
    "</phase></controller></pipeline>");
  SluiceWindow *window = test_app_open_trusted (app, tmp_dir, "killed.xml", xml);
  gint64 start, took;
  GPid child;

  test_app_run_ids (window, 10);
  g_assert_true (test_app_wait_for (commands_started, window, 30000));
  test_app_spin (200);
  child = a_child ();
  g_assert_cmpint (child, >, 0);
  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  test_app_spin (5);
  start = g_get_monotonic_time ();
  destroy_window (window);
  took = g_get_monotonic_time () - start;
  g_test_message ("closed after a kill -9 of a command in %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, CLOSE_WITHIN_US);
  assert_main_loop_free (500);
  assert_all_reaped ();
}

/* ---- quitting, in a process of its own each (the application ends)
 *
 * app.quit closes the windows; g_application_run() returns once no
 * window is left and no run's thread holds the application. */

typedef struct
{
  char    *fifo;
  gint64   quit_at;
  gint64   drain_after_ms;   /* 0: never */
  Reader   reader;
  GThread *reader_thread;
} Quit;

static gboolean
drain_later_cb (gpointer data)
{
  Quit *quit = data;

  quit->reader_thread = drain (&quit->reader, quit->fifo, 1);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_cb (gpointer data)
{
  Quit *quit = data;

  quit->quit_at = g_get_monotonic_time ();
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_test_message ("quit returned in %.1f ms", (g_get_monotonic_time () - quit->quit_at) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - quit->quit_at, <, CLOSE_WITHIN_US);
  if (quit->drain_after_ms > 0)
    g_timeout_add (quit->drain_after_ms, drain_later_cb, quit);
  return G_SOURCE_REMOVE;
}

static gint64
run_app_and_quit (Quit *quit)
{
  char *argv[] = { (char *) g_get_prgname (), NULL };
  SluiceWindow *window;
  int status;

  g_setenv ("SLUICE_NO_DRAFT_CHECK", "1", TRUE);
  quit->fifo = make_fifo ("quit.fifo");
  window = open_stalled ("quit", quit->fifo);
  sluice_document_discard_draft (sluice_window_get_document (window));
  g_idle_add (quit_cb, quit);
  status = g_application_run (G_APPLICATION (app), 1, argv);
  g_assert_cmpint (status, ==, 0);
  return g_get_monotonic_time () - quit->quit_at;
}

static void
quit_waits_child (void)
{
  Quit quit = { .drain_after_ms = 1500 };
  gint64 took = run_app_and_quit (&quit);

  g_test_message ("the application ended %.0f ms after quit", took / 1000.0);
  /* Held until the run's thread was joined, once the FIFO was read. */
  g_assert_nonnull (quit.reader_thread);
  g_assert_cmpint (took, >=, 1500 * 1000);
  g_assert_cmpint (took, <, 15 * G_USEC_PER_SEC);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 0);
  g_assert_cmpuint (test_app_count_run_threads (), ==, 0);
  assert_read_one (&quit.reader, quit.reader_thread);
  g_assert_true (test_app_no_children (GINT_TO_POINTER (0)));
}

static void
quit_bound_child (void)
{
  Quit quit = { .drain_after_ms = 0 };
  gint64 took;

  sluice_run_thread_set_release_bound (1500);
  took = run_app_and_quit (&quit);
  g_test_message ("the application ended %.0f ms after quit", took / 1000.0);
  /* Not joined: the bound let the application end. */
  g_assert_cmpint (took, >=, 1500 * 1000);
  g_assert_cmpint (took, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 1);
  /* The process ends with the thread still in its stop; it exits 0. */
}

static void
test_quit_waits (void)
{
  if (g_test_subprocess ())
    {
      quit_waits_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_quit_bound (void)
{
  if (g_test_subprocess ())
    {
      quit_bound_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*still going 1500 ms after its window let go of it*");
}

/* ---- the process told to end (SIGTERM) during a batched write
 *
 * The default action would end it at once, in the middle of a write()
 * of a large batch (the kernel cuts it between pages: half a line at
 * the end of the file). The designer ends its runs first: the file
 * has whole lines only, and the process exits 0. The windows go without
 * asking about unsaved changes: those are kept in a draft. */

static gboolean
big_write_started (gpointer data)
{
  return module_items_in (data, "save") >= 20000;
}

static gboolean
terminate_cb (gpointer data)
{
  if (!big_write_started (data))
    return G_SOURCE_CONTINUE;
  g_test_message ("SIGTERM with %" G_GUINT64_FORMAT " items in the loader", module_items_in (data, "save"));
  raise (SIGTERM);
  return G_SOURCE_REMOVE;
}

static guint
count_drafts (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    n += g_str_has_suffix (name, ".xml");
  return n;
}

static void
terminate_child (void)
{
  g_autofree char *drafts = NULL;
  SluiceWindow *edited;
  g_autofree char *in = g_build_filename (tmp_dir, "big.jsonl", NULL);
  g_autofree char *out = g_build_filename (tmp_dir, "big-out.jsonl", NULL);
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='big'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s</param>"
    "<param name='mode'>append</param><param name='batch-size'>20000</param></use></execution>"
    "</phase></controller></pipeline>", out);
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *pad = g_strnfill (900, 'x');
  g_autofree char *text = NULL;
  char *argv[] = { (char *) g_get_prgname (), NULL };
  SluiceWindow *window;
  gsize length;
  guint n = 0;

  g_setenv ("SLUICE_NO_DRAFT_CHECK", "1", TRUE);
  for (guint i = 0; i < 200000; i++)
    g_string_append_printf (items, "{\"id\": %u, \"pad\": \"%s\"}\n", i, pad);
  g_assert_true (g_file_set_contents (in, items->str, items->len, NULL));
  /* An untitled pipeline with an edit no periodic draft has kept yet
   * (the longest interval): the ending writes its draft. */
  g_settings_set_uint (sluice_application_get_settings (app), "draft-interval", 600);
  edited = sluice_window_new (app);
  gtk_window_present (GTK_WINDOW (edited));
  test_app_spin (50);
  sluice_canvas_select (sluice_window_get_canvas (edited),
                        sluice_pipeline_find_node (sluice_document_get_pipeline (sluice_window_get_document (edited)),
                                                   "module-1"), FALSE);
  g_action_activate (g_action_map_lookup_action (G_ACTION_MAP (edited), "insert"), g_variant_new_string ("lua"));
  g_assert_true (sluice_document_get_modified (sluice_window_get_document (edited)));
  drafts = sluice_drafts_dir ();
  g_assert_cmpuint (count_drafts (drafts), ==, 0);

  window = test_app_open_trusted (app, tmp_dir, "big.xml", xml);
  sluice_document_discard_draft (sluice_window_get_document (window));
  choice->input = SLUICE_RUN_INPUT_FILE;
  choice->input_path = g_strdup (in);
  sluice_window_run_with_choice (window, choice);
  g_timeout_add (1, terminate_cb, window);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);

  g_assert_cmpuint (sluice_run_thread_count_released (), ==, 0);
  g_assert_true (g_file_get_contents (out, &text, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpint (text[length - 1], ==, '\n');
  for (gsize i = 0; i < length; i++)
    n += text[i] == '\n';
  g_test_message ("%u whole lines written, %" G_GSIZE_FORMAT " bytes", n, length);
  g_assert_cmpuint (n % 20000, ==, 0);
  /* The edited window went without asking; its last edit is in a draft. */
  g_assert_cmpuint (count_drafts (drafts), ==, 1);
}

static void
test_terminate (void)
{
  if (g_test_subprocess ())
    {
      terminate_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, 0);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*ending: the runs are cancelled and their writes finished first*");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = test_app_setup_environment ("test-app-close-join");
  app = test_app_new ();

  g_test_add_func ("/sluice/app-close-join/close-window", test_close_window);
  g_test_add_func ("/sluice/app-close-join/close-document", test_close_document);
  g_test_add_func ("/sluice/app-close-join/three-windows", test_three_windows);
  g_test_add_func ("/sluice/app-close-join/run-again", test_run_again);
  g_test_add_func ("/sluice/app-close-join/cancel-waiting", test_cancel_waiting);
  g_test_add_func ("/sluice/app-close-join/close-at-start", test_close_at_start);
  g_test_add_func ("/sluice/app-close-join/close-at-end", test_close_at_end);
  g_test_add_func ("/sluice/app-close-join/kill-child", test_kill_child);
  g_test_add_func ("/sluice/app-close-join/quit-waits", test_quit_waits);
  g_test_add_func ("/sluice/app-close-join/quit-bound", test_quit_bound);
  g_test_add_func ("/sluice/app-close-join/terminate", test_terminate);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
