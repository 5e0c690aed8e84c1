/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* A pipeline's run history (issue 13) from journals the real sluice-run
 * wrote: the list, newest first, with each run's state, the stage it
 * reached and the check that failed it; the progression rate per stage;
 * journals that cannot be read (garbage, truncated, empty, a newer
 * format, missing, one being written, one locked by a writer) listed as
 * unreadable with their path, never a crash or a hang; and the replay
 * of the recorded events, forwards and backwards. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "sluice-core.h"
#include "runner-common.h"
#include "report-tools.h"

typedef struct
{
  char *dir;
  char *state_dir;
  char *strategy;   /* a copy of the strategy example, so that its path is ours */
} Fixture;

static char *
example_path (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

static void
run_strategy (Fixture    *f,
              const char *run_id,
              const char *sharpe,
              gboolean    events,
              int         expected_status)
{
  g_auto (RunnerResult) result = { 0 };
  g_autofree char *define = g_strdup_printf ("hist_min_sharpe=%s", sharpe);
  g_autofree char *output = g_build_filename (f->dir, run_id, NULL);
  g_autofree char *events_path = g_strconcat (output, ".events", NULL);
  const char *args[] = { "--journal", "--state-dir", f->state_dir, "--run-id", run_id, "-q",
                         "-D", define, "-o", output, f->strategy,
                         events ? "--events" : NULL, events_path, NULL };

  runner_run (&result, args, NULL);
  g_assert_cmpint (result.status, ==, expected_status);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = example_path ("strategy.xml");
  g_autofree char *text = NULL;

  f->dir = g_dir_make_tmp ("run-history-XXXXXX", &error);
  g_assert_no_error (error);
  f->state_dir = g_build_filename (f->dir, "runs", NULL);
  f->strategy = g_build_filename (f->dir, "strategy.xml", NULL);
  g_file_get_contents (source, &text, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (f->strategy, text, -1, &error);
  g_assert_no_error (error);

  /* Oldest first: passes, fails at the historical gate (with per-item
   * events), fails at it again (run events only). Created-at times are
   * µs apart at least: the order is the runs'. */
  run_strategy (f, "run-a", "1.0", TRUE, 0);
  run_strategy (f, "run-b", "3", TRUE, 1);
  run_strategy (f, "run-c", "3", FALSE, 1);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->state_dir);
  g_free (f->strategy);
}

static SluicePastRun *
find_run (GPtrArray  *runs,
          const char *run_id)
{
  for (guint i = 0; i < runs->len; i++)
    if (g_str_equal (((SluicePastRun *) g_ptr_array_index (runs, i))->run_id, run_id))
      return g_ptr_array_index (runs, i);
  return NULL;
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_autoptr(GPtrArray) others = sluice_run_history_list (f->state_dir, "other", "/nowhere/other.xml");
  SluicePastRun *a, *b, *c;

  g_assert_cmpuint (runs->len, ==, 3);
  g_assert_cmpuint (others->len, ==, 0);
  /* Newest first. */
  g_assert_cmpstr (((SluicePastRun *) g_ptr_array_index (runs, 0))->run_id, ==, "run-c");
  g_assert_cmpstr (((SluicePastRun *) g_ptr_array_index (runs, 2))->run_id, ==, "run-a");

  a = find_run (runs, "run-a");
  g_assert_null (a->error);
  g_assert_cmpstr (a->state, ==, "completed");
  g_assert_cmpstr (a->origin, ==, "sluice-run");
  g_assert_cmpstr (a->pipeline_id, ==, "strategy");
  g_assert_cmpstr (a->stage_reached, ==, "paper-trade");
  g_assert_null (a->failed_check);
  g_assert_true (a->item_events);
  g_assert_cmpint (a->started_us, >, 0);
  g_assert_cmpint (a->ended_us, >=, a->started_us);
  g_assert_cmpuint (a->stages->len, ==, 4);
  g_assert_cmpuint (sluice_past_run_find_stage (a, "paper-trade")->items_out, ==, 1);

  b = find_run (runs, "run-b");
  g_assert_cmpstr (b->state, ==, "failed");
  g_assert_cmpstr (b->stage_reached, ==, "historical");
  g_assert_cmpstr (b->failed_module, ==, "gate-historical");
  g_assert_nonnull (strstr (b->failed_check, "“Sharpe”: 1.8069, must be ≥ 3: missed by 1.1931"));
  g_assert_cmpuint (b->gates->len, ==, 2);

  /* Without per-item events the run still says where it stopped, and
   * its modules' samples replay it per module. */
  c = find_run (runs, "run-c");
  g_assert_true (c->item_events);
  g_assert_cmpstr (c->stage_reached, ==, "historical");
  g_assert_cmpstr (c->failed_module, ==, "gate-historical");
  g_assert_nonnull (strstr (c->failed_check, "Sharpe"));
  g_assert_cmpstr (a->pipeline_sha256, ==, c->pipeline_sha256);
}

static void
test_progression (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  const char *stages[] = { "optimise", "historical", "live-replay", "paper-trade", NULL };
  json_t *progression = sluice_run_history_progression (runs, stages);
  json_t *historical = json_array_get (json_object_get (progression, "stages"), 1);
  json_t *replay = json_array_get (json_object_get (progression, "stages"), 2);
  json_t *gates = json_object_get (progression, "gates");

  g_assert_cmpint (json_integer_value (json_object_get (progression, "runs")), ==, 3);
  g_assert_cmpint (json_integer_value (json_object_get (json_array_get (json_object_get (progression, "stages"), 0), "passed")), ==, 3);
  g_assert_cmpint (json_integer_value (json_object_get (historical, "reached")), ==, 3);
  g_assert_cmpint (json_integer_value (json_object_get (historical, "passed")), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (historical, "rate")), 1.0 / 3, 1e-9);
  g_assert_cmpint (json_integer_value (json_object_get (replay, "reached")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (replay, "passed")), ==, 1);
  /* Gates from the runs that recorded their events (a and b) and from
   * the samples of the one that did not (c). */
  for (guint i = 0; i < json_array_size (gates); i++)
    {
      json_t *gate = json_array_get (gates, i);

      if (g_str_equal (json_string_value (json_object_get (gate, "gate")), "gate-historical"))
        {
          g_assert_cmpint (json_integer_value (json_object_get (gate, "runs")), ==, 3);
          g_assert_cmpint (json_integer_value (json_object_get (gate, "passed")), ==, 1);
          g_assert_cmpint (json_integer_value (json_object_get (gate, "failed")), ==, 2);
        }
    }
  json_decref (progression);
}

static char *
make_run_dir (Fixture    *f,
              const char *run_id)
{
  char *directory = g_build_filename (f->state_dir, run_id, NULL);
  g_autofree char *copy = g_build_filename (directory, "pipeline.xml", NULL);

  g_assert_cmpint (g_mkdir_with_parents (directory, 0755), ==, 0);
  g_assert_true (g_file_set_contents (copy, "<pipeline format=\"1\" id=\"strategy\"/>", -1, NULL));
  return directory;
}

static void
write_journal (const char *directory,
               const char *contents,
               gssize      length)
{
  g_autofree char *path = g_build_filename (directory, "journal.sqlite", NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static void
assert_unreadable (GPtrArray  *runs,
                   const char *run_id,
                   const char *says)
{
  SluicePastRun *run = find_run (runs, run_id);

  g_assert_nonnull (run);
  g_assert_nonnull (run->error);
  /* It names the file. */
  g_assert_nonnull (strstr (run->error, run->journal_path));
  if (says != NULL && strstr (run->error, says) == NULL)
    g_error ("%s: expected “%s” in “%s”", run_id, says, run->error);
}

static void
test_unreadable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *garbage = make_run_dir (f, "garbage");
  g_autofree char *empty = make_run_dir (f, "empty");
  g_autofree char *truncated = make_run_dir (f, "truncated");
  g_autofree char *newer = make_run_dir (f, "newer");
  g_autofree char *missing = make_run_dir (f, "missing");
  g_autofree char *binary = make_run_dir (f, "binary");
  g_autofree char *source = g_build_filename (f->state_dir, "run-b", "journal.sqlite", NULL);
  g_autofree char *newer_path = g_build_filename (newer, "journal.sqlite", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  char bytes[4096];
  gsize length;
  sqlite3 *db;

  write_journal (garbage, "this is not a database at all, just text\n", -1);
  write_journal (empty, "", 0);
  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (char) (i * 7 + 3);
  write_journal (binary, bytes, sizeof bytes);
  /* A real journal cut in the middle of its pages. */
  g_assert_true (g_file_get_contents (source, &text, &length, NULL));
  g_assert_cmpuint (length, >, 8192);
  write_journal (truncated, text, length / 2 + 100);
  /* A real journal of a format this version does not know. */
  write_journal (newer, text, length);
  g_assert_cmpint (sqlite3_open (newer_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE meta SET value = '99' WHERE key = 'journal-format'", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_assert_cmpuint (runs->len, ==, 9);
  assert_unreadable (runs, "garbage", NULL);
  assert_unreadable (runs, "empty", "not a Sluice run journal");
  assert_unreadable (runs, "binary", NULL);
  assert_unreadable (runs, "truncated", NULL);
  assert_unreadable (runs, "newer", "format 99");
  assert_unreadable (runs, "missing", "no such file");
  /* The readable ones are untouched by their neighbours. */
  g_assert_null (find_run (runs, "run-a")->error);
  g_assert_cmpstr (find_run (runs, "run-b")->failed_module, ==, "gate-historical");
}

/* A writer in the middle of a transaction (as a running sluice-run is
 * between commits), and one holding an exclusive lock: the list comes
 * back in bounded time either way. */
static void
test_being_written (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->state_dir, "run-a", "journal.sqlite", NULL);
  g_autoptr(GPtrArray) runs = NULL;
  sqlite3 *writer;
  gint64 started;

  g_assert_cmpint (sqlite3_open (path, &writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (writer, "BEGIN IMMEDIATE; INSERT INTO states (time_us, state) VALUES (1, 'running');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  started = g_get_monotonic_time ();
  runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_assert_cmpuint (runs->len, ==, 3);
  /* WAL: the reader sees the last commit, not the writer's half. */
  g_assert_cmpstr (find_run (runs, "run-a")->state, ==, "completed");
  g_clear_pointer (&runs, g_ptr_array_unref);
  sqlite3_exec (writer, "ROLLBACK", NULL, NULL, NULL);

  /* An exclusive lock (no WAL reader can pass it). */
  g_assert_cmpint (sqlite3_exec (writer, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE;"
                                 " BEGIN EXCLUSIVE; INSERT INTO states (time_us, state) VALUES (1, 'x');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_assert_cmpuint (runs->len, ==, 3);
  assert_unreadable (runs, "run-a", NULL);
  sqlite3_exec (writer, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (writer);
  /* Bounded: a few busy time-outs, not a hang. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
}

/* The replay of a recorded run, against the events themselves: at every
 * position, each module's counters are what the events up to it say,
 * and seeking backwards gives exactly what seeking forwards gave. */
static void
test_replay (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = sluice_past_run_load_events (find_run (runs, "run-b"), 0, NULL, &error);
  g_autoptr(SluiceRunReplay) replay = NULL;
  g_autoptr(GArray) forward = g_array_new (FALSE, TRUE, sizeof (SluiceModuleStats));
  const char *modules[] = { "run-optimiser", "gate-improvement", "run-backtest", "gate-historical", "run-replay" };
  guint n;

  g_assert_no_error (error);
  replay = sluice_run_replay_new (events);
  n = sluice_run_replay_get_n_events (replay);
  g_assert_cmpuint (n, ==, events->len);
  g_assert_cmpuint (n, >=, 15);

  for (guint position = 0; position <= n; position++)
    {
      sluice_run_replay_seek (replay, position);
      for (guint m = 0; m < G_N_ELEMENTS (modules); m++)
        {
          SluiceModuleStats stats;
          guint64 started = 0, finished = 0, failed = 0;

          for (guint e = 0; e < position; e++)
            {
              json_t *event = g_ptr_array_index (events, e);
              const char *type = json_string_value (json_object_get (event, "event"));

              if (g_strcmp0 (json_string_value (json_object_get (event, "module")), modules[m]) != 0)
                continue;
              started += g_str_equal (type, "module-started");
              finished += g_str_equal (type, "module-finished");
              failed += g_str_equal (type, "module-failed");
            }
          sluice_run_replay_get_module_stats (replay, modules[m], &stats);
          g_assert_cmpuint (stats.items_in, ==, started);
          g_assert_cmpuint (stats.active, ==, started - finished - failed);
          g_assert_cmpuint (stats.failed, ==, failed);
          g_array_append_val (forward, stats);
        }
    }
  /* Backwards, one position at a time and in jumps. */
  for (guint position = n + 1; position-- > 0;)
    {
      sluice_run_replay_seek (replay, position);
      for (guint m = 0; m < G_N_ELEMENTS (modules); m++)
        {
          SluiceModuleStats stats;

          sluice_run_replay_get_module_stats (replay, modules[m], &stats);
          g_assert_cmpmem (&stats, sizeof stats,
                           &g_array_index (forward, SluiceModuleStats, position * G_N_ELEMENTS (modules) + m),
                           sizeof stats);
        }
    }

  sluice_run_replay_seek (replay, n);
  g_assert_cmpint (sluice_run_replay_get_state (replay), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_run_replay_get_failed_module (replay), ==, "gate-historical");
  {
    json_t *results = sluice_run_replay_dup_gate_results (replay, "gate-historical");
    json_t *sharpe = json_array_get (json_object_get (results, "checks"), 0);
    SluiceModuleStats stats;

    g_assert_false (json_is_true (json_object_get (sharpe, "passed")));
    g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (sharpe, "margin")), -1.1931, 1e-9);
    json_decref (results);
    sluice_run_replay_get_module_stats (replay, "gate-historical", &stats);
    g_assert_cmpint (stats.state, ==, SLUICE_MODULE_FAILED);
    sluice_run_replay_get_module_stats (replay, "run-replay", &stats);
    g_assert_cmpint (stats.state, ==, SLUICE_MODULE_SKIPPED);
  }
  /* Before the gate saw its item, it shows nothing. */
  sluice_run_replay_seek (replay, 3);
  g_assert_null (sluice_run_replay_dup_gate_results (replay, "gate-historical"));
  g_assert_cmpint (sluice_run_replay_get_state (replay), ==, SLUICE_RUN_RUNNING);
}

/* A run of sluice-run --journal without --events (run-c) replays per
 * module from its samples: at its end, every module's counters are
 * those of the same run recorded with per-item events (run-b), the gate
 * shows the check that stopped the item, and the module it failed in is
 * drawn failed. */
static void
test_replay_samples (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) with_events = sluice_past_run_load_events (find_run (runs, "run-b"), 0, NULL, &error);
  g_autoptr(GPtrArray) sampled = sluice_past_run_load_events (find_run (runs, "run-c"), 0, NULL, &error);
  g_autoptr(SluiceRunReplay) expected = NULL;
  g_autoptr(SluiceRunReplay) replay = NULL;
  const char *modules[] = { "run-optimiser", "gate-improvement", "run-backtest", "gate-historical", "run-replay" };
  guint n_samples = 0;
  json_t *results, *sharpe;

  g_assert_no_error (error);
  for (guint i = 0; i < sampled->len; i++)
    {
      json_t *event = g_ptr_array_index (sampled, i);
      const char *type = json_string_value (json_object_get (event, "event"));

      g_assert_true (g_strcmp0 (type, "module-started") != 0);
      n_samples += g_strcmp0 (type, "module-progress") == 0;
    }
  g_assert_cmpuint (n_samples, >=, 4);

  expected = sluice_run_replay_new (with_events);
  replay = sluice_run_replay_new (sampled);
  sluice_run_replay_seek (expected, G_MAXUINT);
  sluice_run_replay_seek (replay, G_MAXUINT);
  for (guint m = 0; m < G_N_ELEMENTS (modules); m++)
    {
      SluiceModuleStats want, got;

      sluice_run_replay_get_module_stats (expected, modules[m], &want);
      sluice_run_replay_get_module_stats (replay, modules[m], &got);
      g_test_message ("%s: in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT " failed %" G_GUINT64_FORMAT " state %d",
                      modules[m], got.items_in, got.items_out, got.failed, got.state);
      g_assert_cmpuint (got.items_in, ==, want.items_in);
      g_assert_cmpuint (got.items_out, ==, want.items_out);
      g_assert_cmpuint (got.failed, ==, want.failed);
      g_assert_cmpuint (got.dropped, ==, want.dropped);
      g_assert_cmpuint (got.active, ==, 0);
      g_assert_cmpint (got.state, ==, want.state);
    }
  g_assert_cmpint (sluice_run_replay_get_state (replay), ==, SLUICE_RUN_FAILED);
  g_assert_cmpstr (sluice_run_replay_get_failed_module (replay), ==, "gate-historical");
  results = sluice_run_replay_dup_gate_results (replay, "gate-historical");
  sharpe = json_array_get (json_object_get (results, "checks"), 0);
  g_assert_false (json_is_true (json_object_get (sharpe, "passed")));
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (sharpe, "margin")), -1.1931, 1e-9);
  json_decref (results);

  /* At the start nothing has run. */
  sluice_run_replay_seek (replay, 0);
  for (guint m = 0; m < G_N_ELEMENTS (modules); m++)
    {
      SluiceModuleStats stats;

      sluice_run_replay_get_module_stats (replay, modules[m], &stats);
      g_assert_cmpuint (stats.items_in, ==, 0);
    }
}

/* A longer run without per-item events: its counters are sampled while
 * it goes (several samples of each module, growing), and a journal
 * whose sample table was dropped (one written before samples existed)
 * still lists and replays at stage level. A sample that is not an array
 * of objects is a damaged journal, named. */
static void
test_samples_while_running (Fixture       *f,
                            gconstpointer  data)
{
  g_auto (RunnerResult) result = { 0 };
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *pipeline = g_build_filename (f->dir, "slow.xml", NULL);
  g_autofree char *input = g_build_filename (f->dir, "slow.jsonl", NULL);
  g_autofree char *output = g_build_filename (f->dir, "slow.out", NULL);
  g_autofree char *journal = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  SluicePastRun *run;
  guint64 last_in = 0, n_samples = 0;
  const char *args[] = { "--journal", "--state-dir", f->state_dir, "--run-id", "slow", "-q",
                         "-i", input, "-o", output, pipeline, NULL };
  sqlite3 *db;

  g_assert_true (g_file_set_contents (pipeline,
                                      "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"slow\">"
                                      "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                      "<execution id=\"wait\"><lua>local x = 0 for i = 1, 400000 do x = x + i end</lua></execution>"
                                      "<execution id=\"keep\"><lua>return item.n % 2 == 0</lua></execution>"
                                      "</phase></controller></pipeline>\n", -1, NULL));
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (items, "{\"n\": %u}\n", i);
  g_assert_true (g_file_set_contents (input, items->str, items->len, NULL));
  runner_run (&result, args, NULL);
  g_assert_cmpint (result.status, ==, 0);

  runs = sluice_run_history_list (f->state_dir, "slow", pipeline);
  g_assert_cmpuint (runs->len, ==, 1);
  run = g_ptr_array_index (runs, 0);
  g_assert_true (run->item_events);
  events = sluice_past_run_load_events (run, 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      json_t *event = g_ptr_array_index (events, i);

      if (g_strcmp0 (json_string_value (json_object_get (event, "event")), "module-progress") != 0 ||
          g_strcmp0 (json_string_value (json_object_get (event, "module")), "wait") != 0)
        continue;
      g_assert_cmpint (json_integer_value (json_object_get (event, "items_in")), >=, last_in);
      g_assert_cmpstr (json_string_value (json_object_get (event, "controller")), ==, "c");
      last_in = json_integer_value (json_object_get (event, "items_in"));
      n_samples++;
    }
  /* 200 items of a few ms each, sampled every 100 ms at most: several samples. */
  g_assert_cmpuint (n_samples, >=, 3);
  g_assert_cmpuint (last_in, ==, 200);
  {
    g_autoptr(SluiceRunReplay) replay = sluice_run_replay_new (events);
    SluiceModuleStats stats;

    sluice_run_replay_seek (replay, G_MAXUINT);
    sluice_run_replay_get_module_stats (replay, "keep", &stats);
    g_assert_cmpuint (stats.items_in, ==, 200);
    g_assert_cmpuint (stats.dropped, ==, 100);
    g_assert_cmpint (stats.state, ==, SLUICE_MODULE_DONE);
  }

  /* A damaged sample, then no sample table at all. */
  journal = g_strdup (run->journal_path);
  g_assert_cmpint (sqlite3_open (journal, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE module_samples SET json = '[1, 2]' WHERE id = 2", NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = sluice_past_run_load_events (run, 0, NULL, &error);
  g_assert_null (events);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, journal));
  g_assert_nonnull (strstr (error->message, "module sample 2"));
  g_clear_error (&error);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE module_samples", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_clear_pointer (&runs, g_ptr_array_unref);
  runs = sluice_run_history_list (f->state_dir, "slow", pipeline);
  run = g_ptr_array_index (runs, 0);
  g_assert_null (run->error);
  g_assert_false (run->item_events);
  events = sluice_past_run_load_events (run, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, >, 0);
}

/* Items of a run killed and resumed: cheap ones (a 32-item slice of the
 * run takes a few ms), so that its commits come every 50 ms, closer
 * than the 100 ms between two samples of the old rate, even on a
 * loaded machine. */
#define RESUMED_ITEMS 3000
#define WAIT_MODULE "<execution id=\"wait\"><lua>local x = 0 for i = 1, 20000 do x = x + i end</lua></execution>"
#define KEEP_MODULE "<execution id=\"keep\"><lua>return item.n % 2 == 0</lua></execution>"
#define AFTER_MODULE "<execution id=\"after\"><lua>local x = 0 for i = 1, 20000 do x = x + i end</lua></execution>"
#define ONE_CONTROLLER "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">" \
                       WAIT_MODULE KEEP_MODULE "</phase></controller>"

/* A run killed with SIGKILL inside its @kill_at-th commit and resumed.
 * Its module samples go on from the counts of the last commit, written
 * with it: the items done after that commit run again and count once,
 * so the replay ends at exactly the items each module took — "wait"
 * passes all on, "keep" drops the odd ones. A sample older than the
 * last commit lost the items done in between (they are not run again):
 * "wait" counted 289 of 300. With a journal written before samples
 * existed (@drop_samples: no table) the resume adds it, and the count
 * starts again at the resume. */
static void
resume_and_check (Fixture    *f,
                  const char *run_id,
                  const char *controllers,
                  guint       kill_at,
                  gboolean    drop_samples)
{
  g_auto (RunnerResult) resumed = { 0 };
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *pipeline = g_build_filename (f->dir, "resumed.xml", NULL);
  g_autofree char *input = g_build_filename (f->dir, "resumed.jsonl", NULL);
  g_autofree char *output = g_strdup_printf ("%s/%s.out", f->dir, run_id);
  g_autofree char *journal = g_build_filename (f->state_dir, run_id, "journal.sqlite", NULL);
  g_autofree char *kill_text = g_strdup_printf ("%u", kill_at);
  g_autofree char *text = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(SluiceRunReplay) replay = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--journal", "--state-dir", f->state_dir, "--run-id", run_id, "-q",
                         "-i", input, "-o", output, pipeline, NULL };
  const char *resume[] = { "resume", run_id, "--state-dir", f->state_dir, "-q", NULL };
  SluiceModuleStats wait, keep, after;
  guint lines = 0;

  text = g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"resumed\">%s</pipeline>\n",
                          controllers);
  g_assert_true (g_file_set_contents (pipeline, text, -1, NULL));
  for (guint i = 0; i < RESUMED_ITEMS; i++)
    g_string_append_printf (items, "{\"n\": %u}\n", i);
  g_assert_true (g_file_set_contents (input, items->str, items->len, NULL));
  {
    g_autoptr(GPtrArray) argv = g_ptr_array_new ();
    g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "SLUICE_JOURNAL_KILL_AT_COMMIT", kill_text, TRUE);
    g_autoptr(GError) spawn_error = NULL;
    int status = 0;

    g_ptr_array_add (argv, (gpointer) g_getenv ("SLUICE_RUN"));
    for (guint i = 0; args[i] != NULL; i++)
      g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                                 NULL, &status, &spawn_error));
    g_assert_no_error (spawn_error);
    g_assert_true (WIFSIGNALED (status));
  }
  if (drop_samples)
    {
      sqlite3 *db;

      g_assert_cmpint (sqlite3_open (journal, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "DROP TABLE module_samples", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }
  runner_run (&resumed, resume, NULL);
  if (resumed.status != 0)
    g_error ("resume failed: %s", resumed.err);
  g_assert_true (g_file_get_contents (output, &written, NULL, NULL));
  for (const char *p = written; *p; p++)
    lines += *p == '\n';
  g_assert_cmpuint (lines, ==, RESUMED_ITEMS / 2);

  runs = sluice_run_history_list (f->state_dir, "resumed", pipeline);
  g_assert_cmpuint (runs->len, >=, 1);
  for (guint i = 0; i < runs->len; i++)
    if (g_str_equal (((SluicePastRun *) g_ptr_array_index (runs, i))->run_id, run_id))
      events = sluice_past_run_load_events (g_ptr_array_index (runs, i), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (events);
  replay = sluice_run_replay_new (events);
  sluice_run_replay_seek (replay, G_MAXUINT);
  g_assert_cmpint (sluice_run_replay_get_state (replay), ==, SLUICE_RUN_COMPLETED);
  g_assert_true (sluice_run_replay_get_module_stats (replay, "wait", &wait));
  g_assert_true (sluice_run_replay_get_module_stats (replay, "keep", &keep));
  g_test_message ("%s (killed in commit %u): wait %" G_GUINT64_FORMAT " in, %" G_GUINT64_FORMAT
                  " out; keep %" G_GUINT64_FORMAT " in, %" G_GUINT64_FORMAT " out, %" G_GUINT64_FORMAT " dropped",
                  run_id, kill_at, wait.items_in, wait.items_out, keep.items_in, keep.items_out, keep.dropped);
  if (drop_samples)
    {
      /* Without the old samples the count starts again at the resume. */
      g_assert_cmpuint (wait.items_in, <, RESUMED_ITEMS);
      g_assert_cmpuint (wait.items_in, >, 0);
      return;
    }
  g_assert_cmpuint (wait.items_in, ==, RESUMED_ITEMS);
  g_assert_cmpuint (wait.items_out, ==, RESUMED_ITEMS);
  g_assert_cmpuint (wait.dropped, ==, 0);
  g_assert_cmpuint (keep.items_in, ==, RESUMED_ITEMS);
  g_assert_cmpuint (keep.items_out, ==, RESUMED_ITEMS / 2);
  g_assert_cmpuint (keep.dropped, ==, RESUMED_ITEMS / 2);
  g_assert_cmpuint (keep.failed, ==, 0);
  /* A module of the next controller takes what "keep" let through. */
  if (sluice_run_replay_get_module_stats (replay, "after", &after))
    {
      g_test_message ("%s: after %" G_GUINT64_FORMAT " in, %" G_GUINT64_FORMAT " out",
                      run_id, after.items_in, after.items_out);
      g_assert_cmpuint (after.items_in, ==, RESUMED_ITEMS / 2);
      g_assert_cmpuint (after.items_out, ==, RESUMED_ITEMS / 2);
    }
}

static void
test_samples_after_resume (Fixture       *f,
                           gconstpointer  data)
{
  /* The first commit is the run's start; later ones fall anywhere
   * between two samples of the old rate (one every 100 ms, commits
   * every 50 ms). */
  const guint kill_at[] = { 2, 3, 4, 5, 7 };
  /* "keep" at the start of a second controller: items of an input item
   * killed between the two go on from the second, so "wait" does not
   * take them again. */
  const char *split = "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">" WAIT_MODULE
                      "</phase></controller><controller id=\"d\" mode=\"not-parallel\"><phase id=\"q\">"
                      KEEP_MODULE AFTER_MODULE "</phase></controller>";

  for (guint i = 0; i < G_N_ELEMENTS (kill_at); i++)
    {
      g_autofree char *run_id = g_strdup_printf ("killed-at-%u", kill_at[i]);
      g_autofree char *split_id = g_strdup_printf ("split-killed-at-%u", kill_at[i]);

      resume_and_check (f, run_id, ONE_CONTROLLER, kill_at[i], FALSE);
      resume_and_check (f, split_id, split, kill_at[i], FALSE);
    }
  resume_and_check (f, "killed-old-journal", ONE_CONTROLLER, 4, TRUE);
}

/* What a server says of its runs, read as the Runs page reads it: only
 * this pipeline's runs, newest first, a run id that is not one listed as
 * unreadable (never asked for), and every answer that is not the run
 * API's named with the URL. */
static void
test_server_answers (void)
{
  const char *url = "http://127.0.0.1:9";
  json_t *answer = json_loads ("{\"runs\": ["
                               "{\"id\": \"r-old\", \"pipeline_id\": \"p\", \"state\": \"failed\","
                               " \"created\": \"2026-01-01T00:00:00Z\", \"pipeline_hash\": \"ABCDEF\","
                               " \"error\": \"module “g”: 1 of 2 checks failed: “Sharpe”: 1, must be ≥ 2: missed by 1\"},"
                               "{\"id\": \"r-new\", \"pipeline_id\": \"p\", \"state\": \"completed\","
                               " \"created\": \"2026-01-02T00:00:00Z\", \"pipeline_hash\": \"0123\"},"
                               "{\"id\": \"../../etc\", \"pipeline_id\": \"p\", \"state\": \"completed\"},"
                               "{\"id\": \"r-a\\u0000b\", \"pipeline_id\": \"p\", \"state\": \"completed\"},"
                               "{\"id\": \"r-weird\", \"pipeline_id\": \"p\", \"state\": 5},"
                               "{\"id\": \"r-elsewhere\", \"pipeline_id\": \"q\", \"state\": \"completed\"},"
                               "[], null, 3]}", JSON_ALLOW_NUL, NULL);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const SluicePastRun *run;
  gboolean truncated = FALSE;
  guint unreadable = 0;

  g_assert_nonnull (answer);
  runs = sluice_server_runs_from_json (url, answer, "p", "abcdef", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 5);
  run = g_ptr_array_index (runs, 0);
  for (guint i = 0; i < runs->len; i++)
    {
      const SluicePastRun *r = g_ptr_array_index (runs, i);

      g_assert_cmpstr (r->server_url, ==, url);
      g_assert_null (r->directory);
      if (r->error != NULL)
        {
          unreadable++;
          g_assert_nonnull (strstr (r->error, url));
        }
    }
  g_assert_cmpuint (unreadable, ==, 3);
  /* The NUL is said, not cut at. */
  for (guint i = 0; i < runs->len; i++)
    if (g_str_has_prefix (((SluicePastRun *) g_ptr_array_index (runs, i))->run_id, "r-a"))
      g_assert_cmpstr (((SluicePastRun *) g_ptr_array_index (runs, i))->run_id, ==, "r-a\\\\0b");
  /* Newest first among those with a time. */
  run = NULL;
  for (guint i = 0; i < runs->len && run == NULL; i++)
    if (((SluicePastRun *) g_ptr_array_index (runs, i))->error == NULL)
      run = g_ptr_array_index (runs, i);
  g_assert_cmpstr (run->run_id, ==, "r-new");
  g_assert_false (run->file_matches);
  for (guint i = 0; i < runs->len; i++)
    if (g_strcmp0 (((SluicePastRun *) g_ptr_array_index (runs, i))->run_id, "r-old") == 0)
      run = g_ptr_array_index (runs, i);
  g_assert_true (run->file_matches);
  g_assert_cmpstr (run->failed_module, ==, "g");
  g_assert_nonnull (strstr (run->failed_check, "missed by 1"));
  json_decref (answer);

  answer = json_loads ("{\"runs\": {}}", 0, NULL);
  g_assert_null (sluice_server_runs_from_json (url, answer, "p", NULL, &error));
  g_assert_nonnull (strstr (error->message, url));
  g_clear_error (&error);
  json_decref (answer);

  events = sluice_server_runs_parse_events ("U/events", "[{\"event\": \"run-state\"}, 4]", 27, 0, NULL, &error);
  g_assert_null (events);
  g_assert_nonnull (strstr (error->message, "U/events: event 2 is not a JSON object"));
  g_clear_error (&error);
  events = sluice_server_runs_parse_events ("U/events", "{\"a\": 1}", 8, 0, NULL, &error);
  g_assert_null (events);
  g_assert_nonnull (strstr (error->message, "not a JSON array"));
  g_clear_error (&error);
  {
    /* Nested past what jansson takes: refused, not a crash. */
    g_autoptr(GString) deep = g_string_new (NULL);

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    events = sluice_server_runs_parse_events ("U/events", deep->str, deep->len, 0, NULL, &error);
    g_assert_null (events);
    g_assert_nonnull (strstr (error->message, "U/events: the events are not JSON"));
    g_clear_error (&error);
  }
  events = sluice_server_runs_parse_events ("U/events", "[{}, {}, {}]", 12, 2, &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_true (truncated);
}

/* Replays of hostile event lists: unknown types, missing fields, wrong
 * types, finishes without starts; a replay never fails or underflows. */
static void
test_replay_hostile (void)
{
  const char *texts[] = {
    "{\"event\":\"module-finished\",\"module\":\"m\",\"outputs\":3}",
    "{\"event\":\"module-failed\",\"module\":\"m\"}",
    "{\"event\":\"module-started\",\"module\":7}",
    "{\"event\":\"what\"}",
    "{\"event\":\"run-state\",\"state\":\"exploded\"}",
    "{\"event\":\"gate-failed\",\"module\":\"g\",\"checks\":\"not an array\"}",
    "{\"event\":\"module-started\",\"module\":\"m\",\"input\":-5,\"child\":1e300,\"time\":\"yesterday\"}",
    "{}",
  };
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  g_autoptr(SluiceRunReplay) replay = NULL;
  SluiceModuleStats stats;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    g_ptr_array_add (events, json_loads (texts[i], 0, NULL));
  g_ptr_array_add (events, json_integer (4));
  replay = sluice_run_replay_new (events);
  sluice_run_replay_seek (replay, G_MAXUINT);
  g_assert_true (sluice_run_replay_get_module_stats (replay, "m", &stats));
  g_assert_cmpuint (stats.active, ==, 1);
  g_assert_cmpuint (stats.items_in + stats.retries, ==, 1);
  g_assert_cmpint (sluice_run_replay_get_state (replay), ==, SLUICE_RUN_PENDING);
  sluice_run_replay_seek (replay, 0);
  sluice_run_replay_get_module_stats (replay, "m", &stats);
  g_assert_cmpuint (stats.active + stats.items_in + stats.failed, ==, 0);
}

/* Two runs compared: the same file (run-a, run-b: only a -D differs),
 * then after the file changed (a threshold's default edited). */
static void
test_compare (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) later = NULL;
  const char *stages[] = { "optimise", "historical", "live-replay", "paper-trade", NULL };
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;
  json_t *same, *changed, *gate = NULL, *sharpe = NULL;
  const char *diff;
  size_t i;
  json_t *entry;

  runs = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  same = sluice_run_history_compare (find_run (runs, "run-a"), find_run (runs, "run-b"), stages);
  g_assert_false (json_is_true (json_object_get (json_object_get (same, "pipeline"), "changed")));
  g_assert_null (json_object_get (json_object_get (same, "pipeline"), "diff"));
  /* Side by side: a went past the historical stage, b stopped in it. */
  entry = json_array_get (json_object_get (same, "stages"), 1);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (entry, "a"), "items_out")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (entry, "b"), "items_out")), ==, 0);
  entry = json_array_get (json_object_get (same, "stages"), 3);
  g_assert_true (json_is_true (json_object_get (json_object_get (entry, "a"), "reached")));
  g_assert_false (json_is_true (json_object_get (json_object_get (entry, "b"), "reached")));
  json_array_foreach (json_object_get (same, "gates"), i, entry)
    if (g_str_equal (json_string_value (json_object_get (entry, "gate")), "gate-historical"))
      gate = entry;
  g_assert_nonnull (gate);
  sharpe = json_array_get (json_object_get (gate, "checks"), 0);
  g_assert_cmpstr (json_string_value (json_object_get (sharpe, "name")), ==, "Sharpe");
  g_assert_true (json_is_true (json_object_get (json_object_get (sharpe, "a"), "passed")));
  g_assert_false (json_is_true (json_object_get (json_object_get (sharpe, "b"), "passed")));
  g_assert_cmpfloat (json_number_value (json_object_get (json_object_get (sharpe, "b"), "threshold")), ==, 3.0);
  json_decref (same);

  /* Edit the file, run again, compare the first run with the new one. */
  g_assert_true (g_file_get_contents (f->strategy, &text, NULL, NULL));
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, "name=\"hist_min_sharpe\" default=\"1.0\"",
                                      "name=\"hist_min_sharpe\" default=\"1.5\"", 1), ==, 1);
  g_assert_true (g_file_set_contents (f->strategy, edited->str, edited->len, NULL));
  run_strategy (f, "run-d", "1.5", TRUE, 0);
  later = sluice_run_history_list (f->state_dir, "strategy", f->strategy);
  changed = sluice_run_history_compare (find_run (later, "run-a"), find_run (later, "run-d"), stages);
  g_assert_true (json_is_true (json_object_get (json_object_get (changed, "pipeline"), "changed")));
  diff = json_string_value (json_object_get (json_object_get (changed, "pipeline"), "diff"));
  g_assert_nonnull (diff);
  g_assert_nonnull (strstr (diff, "- "));
  g_assert_nonnull (strstr (diff, "default=\"1.0\""));
  g_assert_nonnull (strstr (diff, "+ "));
  g_assert_nonnull (strstr (diff, "default=\"1.5\""));
  /* Short: the one line changed, with a line of context either side. */
  g_assert_cmpuint (strlen (diff), <, 1000);
  json_decref (changed);
}

static void
test_text_diff (void)
{
  g_autofree char *none = sluice_text_diff ("a\nb\n", "a\nb\n", 10);
  g_autofree char *one = sluice_text_diff ("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n", 10);
  g_autofree char *cut = NULL;
  g_autoptr(GString) many = g_string_new (NULL);

  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (one, ==, "  …\n  b\n- c\n+ X\n  d\n");
  for (guint i = 0; i < 500; i++)
    g_string_append_printf (many, "line %u\n", i);
  cut = sluice_text_diff ("", many->str, 5);
  g_assert_nonnull (strstr (cut, "… and 496 more lines"));
}

/* A journaled run's report holds the progression over the history (this
 * run included), valid against the schema, and its HTML shows it. */
/* The history section in a real browser engine, light and dark: a page
 * that frames the report scrolled to #history (headless Chromium does
 * not scroll its own window to a fragment before the screenshot). The
 * bars are in the page's bar colour of each scheme. */
static void
screenshot_history (Fixture    *f,
                    const char *html_path)
{
  const char *dir = g_getenv ("SLUICE_SCREENSHOT_DIR") != NULL ? g_getenv ("SLUICE_SCREENSHOT_DIR") : f->dir;
  g_autofree char *frame_path = g_build_filename (f->dir, "history-frame.html", NULL);
  g_autofree char *uri = g_filename_to_uri (html_path, NULL, NULL);
  g_autofree char *frame = g_strdup_printf ("<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"%s#history\""
                                            " style=\"border:0;width:1280px;height:900px;display:block\"></iframe>"
                                            "</body></html>", uri);
  g_autofree char *light = g_build_filename (dir, "report-history.png", NULL);
  g_autofree char *dark = g_build_filename (dir, "report-history-dark.png", NULL);

  g_assert_true (g_file_set_contents (frame_path, frame, -1, NULL));
  report_screenshot (frame_path, light, FALSE, 1280, 900);
  report_screenshot (frame_path, dark, TRUE, 1280, 900);
  g_test_message ("screenshots: %s %s", light, dark);
  /* Not a blank page (a frame not scrolled, nothing drawn). */
  g_assert_cmpuint (report_png_colours (light), >, 50);
  g_assert_cmpuint (report_png_colours (dark), >, 50);
  g_assert_cmpfloat (report_png_brightness (light), >, 0.7);
  g_assert_cmpfloat (report_png_brightness (dark), <, 0.4);
  /* The rate bars: --bar of each scheme (sluice-report-html.c). */
  g_assert_cmpfloat (report_png_colour_share (light, "#3584e4"), >, 0.001);
  g_assert_cmpfloat (report_png_colour_share (light, "#62a0ea"), ==, 0);
  g_assert_cmpfloat (report_png_colour_share (dark, "#62a0ea"), >, 0.001);
  g_assert_cmpfloat (report_png_colour_share (dark, "#3584e4"), ==, 0);
}

static void
test_report_history (Fixture       *f,
                     gconstpointer  data)
{
  g_auto (RunnerResult) result = { 0 };
  g_autofree char *json_path = g_build_filename (f->dir, "report.json", NULL);
  g_autofree char *html_path = g_build_filename (f->dir, "report.html", NULL);
  g_autofree char *output = g_build_filename (f->dir, "out.jsonl", NULL);
  g_autofree char *html = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "--journal", "--state-dir", f->state_dir, "-q", "-D", "hist_min_sharpe=3",
                         "-o", output, "--report", json_path, f->strategy, NULL };
  const char *html_args[] = { "--journal", "--state-dir", f->state_dir, "-q",
                              "-o", output, "--report", html_path, f->strategy, NULL };
  const char *plain_args[] = { "-q", "-o", output, "--report", json_path, f->strategy, NULL };
  json_t *report, *history, *historical;

  runner_run (&result, args, NULL);
  g_assert_cmpint (result.status, ==, 1);
  report_assert_valid_json (json_path);
  report = json_load_file (json_path, 0, NULL);
  history = json_object_get (report, "history");
  g_assert_nonnull (history);
  /* run-a passed, run-b and run-c failed at the historical gate, and so
   * did this one. */
  g_assert_cmpint (json_integer_value (json_object_get (history, "runs")), ==, 4);
  historical = json_array_get (json_object_get (history, "stages"), 1);
  g_assert_cmpstr (json_string_value (json_object_get (historical, "stage_name")), ==, "Historical back-test");
  g_assert_cmpint (json_integer_value (json_object_get (historical, "reached")), ==, 4);
  g_assert_cmpint (json_integer_value (json_object_get (historical, "passed")), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (historical, "rate")), 0.25, 1e-9);
  json_decref (report);

  runner_result_clear (&result);
  memset (&result, 0, sizeof result);
  runner_run (&result, html_args, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_file_get_contents (html_path, &html, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (html, "Progression over the run history"));
  g_assert_nonnull (strstr (html, "5 journaled runs"));
  g_assert_nonnull (strstr (html, "<td>Historical back-test</td><td>5</td><td>2</td>"));
  /* Gates too, counted from the gate events of runs with --events and
   * from the module samples of the others. */
  g_assert_nonnull (strstr (html, "<td>Back-test thresholds</td><td>5</td><td>2</td><td>3</td>"));
  screenshot_history (f, html_path);

  /* Without a journal there is no history to speak of. */
  runner_result_clear (&result);
  memset (&result, 0, sizeof result);
  runner_run (&result, plain_args, NULL);
  g_assert_cmpint (result.status, ==, 0);
  report = json_load_file (json_path, 0, NULL);
  g_assert_null (json_object_get (report, "history"));
  json_decref (report);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sluice/run-history/list", Fixture, NULL, fixture_setup, test_list, fixture_teardown);
  g_test_add ("/sluice/run-history/progression", Fixture, NULL, fixture_setup, test_progression, fixture_teardown);
  g_test_add ("/sluice/run-history/unreadable", Fixture, NULL, fixture_setup, test_unreadable, fixture_teardown);
  g_test_add ("/sluice/run-history/being-written", Fixture, NULL, fixture_setup, test_being_written, fixture_teardown);
  g_test_add ("/sluice/run-history/replay", Fixture, NULL, fixture_setup, test_replay, fixture_teardown);
  g_test_add_func ("/sluice/run-history/replay-hostile", test_replay_hostile);
  g_test_add_func ("/sluice/run-history/server-answers", test_server_answers);
  g_test_add ("/sluice/run-history/replay-samples", Fixture, NULL, fixture_setup, test_replay_samples, fixture_teardown);
  g_test_add ("/sluice/run-history/samples-while-running", Fixture, NULL, fixture_setup,
              test_samples_while_running, fixture_teardown);
  g_test_add ("/sluice/run-history/samples-after-resume", Fixture, NULL, fixture_setup,
              test_samples_after_resume, fixture_teardown);
  g_test_add ("/sluice/run-history/compare", Fixture, NULL, fixture_setup, test_compare, fixture_teardown);
  g_test_add_func ("/sluice/run-history/text-diff", test_text_diff);
  g_test_add ("/sluice/run-history/report", Fixture, NULL, fixture_setup, test_report_history, fixture_teardown);
  return g_test_run ();
}
