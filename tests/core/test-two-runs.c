/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sluice-core.h"
#include "sluice-run.h"
#include "sluice-step-command.h"
#include "sluice-tool-writes.h"
#include "test-fifo-reader.h"
#include "test-lines.h"

/* Runs on threads of their own, as the designer makes them (a run per
 * window, each on its thread with its own main context), sharing the
 * core library's globals: two at once, with Lua, a command, a condition,
 * fan-out, a gate and batched writes to SQLite and a file, one of them
 * cancelled midway; counts and outputs exact. And the end of a run with
 * a batched write in flight: the run says it ended only once that write
 * is over, and nothing of it writes after. Runs under Helgrind/DRD too
 * (see README, "Two runs at once"). */

static char *tmp_dir;

typedef struct
{
  const char     *xml;
  char           *input;         /* JSON lines, or NULL for {} */
  gboolean        cancel_midway;
  guint           cancel_after;  /* items in, for cancel_midway */
  /* Results, read after the join. */
  SluiceRunState  state;
  guint           n_outputs;
  GPtrArray      *outputs;       /* char* */
  char           *error;
} ThreadRun;

static void
collect_output (const char *line,
                gsize       length,
                gpointer    data)
{
  ThreadRun *run = data;

  g_ptr_array_add (run->outputs, g_strndup (line, length));
}

static SluicePipeline *
load (const char *xml)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *pipeline = sluice_load_data (xml, strlen (xml), "two.xml", problems);

  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s", sluice_problem_get_message (g_ptr_array_index (problems, i)));
  g_assert_nonnull (pipeline);
  return pipeline;
}

/* A run, start to end, on this thread with a main context of its own. */
static gpointer
run_thread (gpointer data)
{
  ThreadRun *run = data;
  GMainContext *context = g_main_context_new ();
  g_autoptr(SluicePipeline) pipeline = load (run->xml);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "two.xml", NULL);
  SluiceRun *sluice_run;
  SluiceExecutor *executor;

  g_main_context_push_thread_default (context);
  sluice_run = sluice_run_new (pipeline, path, NULL, &error);
  g_assert_no_error (error);
  executor = sluice_run_get_executor (sluice_run);
  if (run->input != NULL)
    {
      g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (g_strdup (run->input), -1, g_free);

      sluice_executor_set_input_stream (executor, input);
    }
  sluice_executor_set_output_func (executor, collect_output, run, NULL);
  sluice_run_start (sluice_run);
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    {
      g_main_context_iteration (context, TRUE);
      if (run->cancel_midway && sluice_executor_get_items_in (executor) >= run->cancel_after)
        sluice_executor_cancel (executor);
    }
  /* As the designer's run thread: what the end set off. */
  sluice_step_command_wait_reaped (context, 5000);
  for (guint i = 0; i < 1000 && g_main_context_iteration (context, FALSE); i++)
    ;
  run->state = sluice_executor_get_state (executor);
  run->error = g_strdup (sluice_executor_get_error (executor));
  g_object_unref (sluice_run);
  sluice_service_client_forget_context (context);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static char *
numbered_items (guint n)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "{\"id\":%u,\"name\":\"n%u\"}\n", i, i);
  return g_string_free (text, FALSE);
}

/* Every kind of module a designer run may have (but an external one:
 * the designer's test has that against a real server), writing to
 * files of its own, named @name. */
static char *
mixed_pipeline (const char *name,
                guint       batch)
{
  return g_strdup_printf (
    "<pipeline format='1' id='%s'>"
    "<controller id='first' mode='no-order' workers='2'><phase id='p1'>"
    "<execution id='tag'><lua>item.run = '%s' item.sq = item.id * item.id</lua></execution>"
    "<condition id='even'><when>item.id %% 2 == 0</when>"
    "<then><execution id='fan'><lua>emit({id = item.id, run = item.run, copy = 1}) emit({id = item.id, run = item.run, copy = 2})</lua></execution></then>"
    "<else><execution id='cmd'><command>sed 's/}$/,\"cmd\":true}/'</command></execution></else>"
    "</condition>"
    "<gate id='gate'><check name='known' value='item.id' op='&gt;=' threshold='0'/></gate>"
    "</phase></controller>"
    "<controller id='store' mode='not-parallel'><phase id='p2'>"
    "<execution id='db'><use tool='sql-load'><param name='database'>sqlite:%s/%s.db</param>"
    "<param name='table'>t</param><param name='columns'>id,run</param><param name='create'>true</param><param name='batch-size'>%u</param><param name='pass'>true</param></use></execution>"
    "<execution id='file'><use tool='file-load'><param name='path'>%s/%s.jsonl</param>"
    "<param name='batch-size'>%u</param><param name='pass'>true</param></use></execution>"
    "</phase></controller></pipeline>",
    name, name, tmp_dir, name, batch, tmp_dir, name, batch);
}

static void
thread_run_clear (ThreadRun *run)
{
  g_free (run->input);
  g_ptr_array_unref (run->outputs);
  g_free (run->error);
}

/* Checks a completed run of @n items of mixed_pipeline(@name). */
static void
check_mixed (ThreadRun  *run,
             const char *name,
             guint       n)
{
  g_autofree char *file = g_strdup_printf ("%s/%s.jsonl", tmp_dir, name);
  g_autofree char *db = g_strdup_printf ("%s/%s.db", tmp_dir, name);
  guint n_even = (n + 1) / 2, n_odd = n / 2;
  guint copies = 0, by_command = 0;

  if (run->error != NULL)
    g_test_message ("%s: %s", name, run->error);
  g_assert_cmpint (run->state, ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 2 * n_even + n_odd);
  for (guint i = 0; i < run->outputs->len; i++)
    {
      json_t *item = json_loads (g_ptr_array_index (run->outputs, i), 0, NULL);
      json_int_t id;

      g_assert_nonnull (item);
      g_assert_cmpstr (json_string_value (json_object_get (item, "run")), ==, name);
      id = json_integer_value (json_object_get (item, "id"));
      if (id % 2 == 0)
        copies += json_integer_value (json_object_get (item, "copy"));
      else
        {
          by_command += json_is_true (json_object_get (item, "cmd"));
          g_assert_cmpint (json_integer_value (json_object_get (item, "sq")), ==, id * id);
        }
      json_decref (item);
    }
  g_assert_cmpuint (copies, ==, 3 * n_even);
  g_assert_cmpuint (by_command, ==, n_odd);
  g_assert_cmpuint (test_count_file_lines (file), ==, 2 * n_even + n_odd);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));
}

static void
start_thread_run (ThreadRun  *run,
                  const char *xml,
                  guint       n)
{
  memset (run, 0, sizeof *run);
  run->xml = xml;
  run->input = numbered_items (n);
  run->outputs = g_ptr_array_new_with_free_func (g_free);
}

/* Two runs at once on two threads, both to the end, several times. */
static void
test_two_complete (void)
{
  guint rounds = g_test_thorough () ? 20 : 3;

  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *a_name = g_strdup_printf ("a%u", round);
      g_autofree char *b_name = g_strdup_printf ("b%u", round);
      g_autofree char *a_xml = mixed_pipeline (a_name, 50);
      g_autofree char *b_xml = mixed_pipeline (b_name, 7);
      ThreadRun a, b;
      GThread *ta, *tb;

      start_thread_run (&a, a_xml, 600);
      start_thread_run (&b, b_xml, 401);
      ta = g_thread_new ("run-a", run_thread, &a);
      tb = g_thread_new ("run-b", run_thread, &b);
      g_thread_join (ta);
      g_thread_join (tb);
      check_mixed (&a, a_name, 600);
      check_mixed (&b, b_name, 401);
      thread_run_clear (&a);
      thread_run_clear (&b);
    }
}

/* One run cancelled midway while the other goes on to the end. */
static void
test_one_cancelled (void)
{
  g_autofree char *a_xml = mixed_pipeline ("cancelled", 10);
  g_autofree char *b_xml = mixed_pipeline ("goes-on", 10);
  ThreadRun a, b;
  GThread *ta, *tb;

  start_thread_run (&a, a_xml, 200000);
  a.cancel_midway = TRUE;
  a.cancel_after = 500;
  start_thread_run (&b, b_xml, 1500);
  ta = g_thread_new ("run-a", run_thread, &a);
  tb = g_thread_new ("run-b", run_thread, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  g_assert_cmpint (a.state, ==, SLUICE_RUN_CANCELLED);
  g_assert_cmpuint (a.outputs->len, <, 300000);
  check_mixed (&b, "goes-on", 1500);
  thread_run_clear (&a);
  thread_run_clear (&b);
}

/* ---- a batched write in flight when the run ends
 *
 * The file loader appends to a FIFO: its worker blocks in open() until a
 * reader comes, 1.5 s after the run started. The
 * run ends (fails, or is cancelled) meanwhile. */

/* When the reader comes: the write waits this long. */
#define READER_DELAY_US (1500 * 1000)

typedef struct
{
  TestFifoReader *reader;
  gboolean final_seen;
  gboolean opened_at_final;   /* the write could go before the run said it ended */
} EndWatch;

static void
state_cb (SluiceExecutor *executor,
          GParamSpec     *pspec,
          EndWatch       *watch)
{
  if (!sluice_run_state_is_final (sluice_executor_get_state (executor)) || watch->final_seen)
    return;
  watch->final_seen = TRUE;
  watch->opened_at_final = test_fifo_reader_opened (watch->reader);
}

static gboolean
item_reached (SluiceExecutor *executor,
              const char     *module_id)
{
  for (guint i = 0; i < sluice_executor_get_n_modules (executor); i++)
    if (g_str_equal (sluice_executor_get_module_id (executor, i), module_id))
      {
        SluiceModuleStats stats;

        sluice_executor_get_module_stats_at (executor, i, &stats);
        return stats.items_in > 0;
      }
  g_assert_not_reached ();
}

static void
end_with_write_in_flight (gboolean cancel)
{
  g_autofree char *fifo = g_build_filename (tmp_dir, cancel ? "cancel.fifo" : "fail.fifo", NULL);
  /* The first item's write (batch-size 1) starts on the worker, which
   * blocks in open(); the item goes on (pass) and fails the run after,
   * or the test cancels it once it went on. */
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='inflight'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s</param>"
    "<param name='mode'>append</param><param name='batch-size'>1</param><param name='pass'>true</param></use></execution>"
    "<execution id='boom'><lua>if %s then error('boom at ' .. item.id) end</lua></execution>"
    "</phase></controller></pipeline>", fifo, cancel ? "false" : "true");
  g_autoptr(SluicePipeline) pipeline = load (xml);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) input = NULL;
  SluiceExecutor *executor;
  EndWatch watch = { NULL, FALSE, FALSE };
  g_autofree char *read = NULL;
  SluiceRun *run;
  gint64 reader_comes, ended;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  run = sluice_run_new (pipeline, NULL, NULL, &error);
  g_assert_no_error (error);
  executor = sluice_run_get_executor (run);
  /* Cancelled: one item, and the stream stays open (no end, no flush). */
  input = cancel ? g_memory_input_stream_new_from_data ("{\"id\":1}\n", -1, NULL)
                 : g_memory_input_stream_new_from_data ("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n", -1, NULL);
  sluice_executor_set_input_stream (executor, input);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), &watch);
  reader_comes = g_get_monotonic_time () + READER_DELAY_US;
  watch.reader = test_fifo_reader_start (fifo, READER_DELAY_US);
  sluice_run_start (run);
  if (cancel)
    {
      /* The first item went on from "save": its write started. */
      while (!item_reached (executor, "boom"))
        g_main_context_iteration (NULL, TRUE);
      sluice_executor_cancel (executor);
    }
  while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_context_iteration (NULL, TRUE);
  ended = g_get_monotonic_time ();
  g_assert_cmpint (sluice_executor_get_state (executor), ==, cancel ? SLUICE_RUN_CANCELLED : SLUICE_RUN_FAILED);
  g_assert_true (watch.final_seen);
  /* The write in flight was over before the run said it ended. */
  g_assert_true (watch.opened_at_final);

  /* What the end set off, as the designer's run thread does; then the
   * run goes and so does its step: the FIFO's writer closes. */
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_object_unref (run);
  read = test_fifo_reader_finish (watch.reader);
  g_test_message ("ended %.0f ms after the reader came", (ended - reader_comes) / 1000.0);
  /* Exactly the first item, once: nothing was written after the end. */
  g_assert_cmpstr (read, ==, "{\"id\":1}\n");
  sluice_tool_batch_wait_for_writes ();
  g_unlink (fifo);
}

static void
test_failed_run_waits_for_write (void)
{
  end_with_write_in_flight (FALSE);
}

static void
test_cancelled_run_waits_for_write (void)
{
  end_with_write_in_flight (TRUE);
}


/* ---- the umask is the process's
 *
 * A run's file loader must not change it, even for a moment, to read it:
 * a file another thread creates meanwhile (another run's loader, the
 * journal, a saved document) would get mode 0666. One thread runs short
 * replace-mode loads one after the other; this one creates files with
 * mode 0666 and checks that the umask applied to each. */

typedef struct
{
  gint stop;        /* atomic */
  guint runs;
} Loads;

static gpointer
loads_thread (gpointer data)
{
  Loads *loads = data;
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format='1' id='loads'><controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='save'><use tool='file-load'><param name='path'>%s/loads.jsonl</param></use></execution>"
    "</phase></controller></pipeline>", tmp_dir);
  g_autoptr(SluicePipeline) pipeline = load (xml);
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  while (!g_atomic_int_get (&loads->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SluiceRun) run = sluice_run_new (pipeline, NULL, NULL, &error);
      g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data ("{\"a\":1}\n", -1, NULL);
      SluiceExecutor *executor;

      g_assert_no_error (error);
      executor = sluice_run_get_executor (run);
      sluice_executor_set_input_stream (executor, input);
      sluice_run_start (run);
      while (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
        g_main_context_iteration (context, TRUE);
      while (g_main_context_iteration (context, FALSE))
        ;
      g_assert_cmpint (sluice_executor_get_state (executor), ==, SLUICE_RUN_COMPLETED);
      loads->runs++;
    }
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_umask_kept (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "mode-probe", NULL);
  g_autofree char *loaded = g_build_filename (tmp_dir, "loads.jsonl", NULL);
  Loads loads = { FALSE, 0 };
  mode_t before = umask (022);
  gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  guint probes = 0, wrong = 0;
  GThread *thread = g_thread_new ("loads", loads_thread, &loads);
  struct stat st;

  while (g_get_monotonic_time () < end && wrong == 0)
    {
      int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0666);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      wrong += (st.st_mode & 0777) != 0644;
      close (fd);
      g_unlink (path);
      probes++;
    }
  g_atomic_int_set (&loads.stop, TRUE);
  g_thread_join (thread);
  g_test_message ("%u files created beside %u runs, %u with the wrong mode", probes, loads.runs, wrong);
  g_assert_cmpuint (wrong, ==, 0);
  g_assert_cmpuint (loads.runs, >, 0);
  /* And the loaded file has the usual mode. */
  g_assert_cmpint (g_stat (loaded, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  umask (before);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-two-runs-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/sluice/two-runs/two-complete", test_two_complete);
  g_test_add_func ("/sluice/two-runs/one-cancelled", test_one_cancelled);
  g_test_add_func ("/sluice/two-runs/failed-run-waits-for-write", test_failed_run_waits_for_write);
  g_test_add_func ("/sluice/two-runs/cancelled-run-waits-for-write", test_cancelled_run_waits_for_write);
  g_test_add_func ("/sluice/two-runs/umask-kept", test_umask_kept);

  ret = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);

    if (system (command) != 0)
      g_printerr ("could not remove %s\n", tmp_dir);
  }
  g_free (tmp_dir);
  return ret;
}
