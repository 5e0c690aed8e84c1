/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* truncate */
#include "config.h"

/* Durable runs (issue 12) through the real sluice-run: --journal, kill -9
 * at random points and `resume` until the run completes, damaged
 * journals, two resumers, a full disk, and the attacks on run ids, run
 * directories, big items and half-written lines. */

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice-core.h"
#include "test-lines.h"

#define N_ITEMS 10000  /* the kill -9 tests */
#define N_SMALL 3000   /* the others: enough to be killed in the middle */
#define N_KILLS 20

typedef struct
{
  char *dir;        /* temporary, removed afterwards */
  char *state_dir;
  char *input;      /* N_ITEMS items {"x": 1…} */
  char *output;
  guint n_items;
} Fixture;

typedef struct
{
  int   status;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static int
status_of (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* A cheap pipeline in @mode whose items take a little CPU each (so that
 * a run of 10,000 lasts long enough to be killed 20 times), fanning out
 * every third item into two, then a second controller. */
static char *
pipeline_for (Fixture    *f,
              const char *mode)
{
  g_autofree char *name = g_strdup_printf ("%s.xml", mode);
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"durable\">\n"
    "  <controller id=\"work\" mode=\"%s\"%s>\n"
    "    <phase id=\"p\">\n"
    "      <execution id=\"spin\"><lua>local s = 0 for i = 1, 8000 do s = s + i end\n"
    "if item.x %% 3 == 0 then emit({x = item.x, k = 1}) emit({x = item.x, k = 2})\n"
    "else item.y = item.x * 2 end</lua></execution>\n"
    "    </phase>\n"
    "  </controller>\n"
    "  <controller id=\"tail\" mode=\"not-parallel\">\n"
    "    <phase id=\"q\"><execution id=\"mark\"><lua>item.z = 1</lua></execution></phase>\n"
    "  </controller>\n"
    "</pipeline>\n", mode, g_str_equal (mode, "not-parallel") ? "" : " workers=\"2\"");

  return write_file (f, name, xml, -1);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) items = g_string_new (NULL);

  f->dir = g_dir_make_tmp ("sluice-journal-XXXXXX", &error);
  g_assert_no_error (error);
  f->state_dir = g_build_filename (f->dir, "runs", NULL);
  /* The kill tests get their mode as data. */
  f->n_items = data != NULL ? N_ITEMS : N_SMALL;
  for (guint i = 1; i <= f->n_items; i++)
    g_string_append_printf (items, "{\"x\": %u}\n", i);
  f->input = write_file (f, "in.jsonl", items->str, items->len);
  f->output = g_build_filename (f->dir, "out.jsonl", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("chmod -R u+w '%s'; rm -rf '%s'", f->dir, f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->state_dir);
  g_free (f->input);
  g_free (f->output);
}

/* sluice-run with @args (NULL-terminated), standard error captured. */
/* Set by tests that need a user whom file modes stop (root is not). */
static gboolean as_nobody;

static GSubprocess *
spawn_v (const char  *stdin_path,
         const char  *first,
         va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;

  if (as_nobody && getuid () == 0)
    {
      g_ptr_array_add (argv, (char *) "setpriv");
      g_ptr_array_add (argv, (char *) "--reuid=65534");
      g_ptr_array_add (argv, (char *) "--regid=65534");
      g_ptr_array_add (argv, (char *) "--clear-groups");
    }
  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (stdin_path == NULL ? G_SUBPROCESS_FLAGS_STDIN_INHERIT : 0));
  if (stdin_path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static GSubprocess *
spawn (const char *first,
       ...)
{
  GSubprocess *process;
  va_list ap;

  va_start (ap, first);
  process = spawn_v ("/dev/null", first, ap);
  va_end (ap);
  return process;
}

static Result
finish (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &r.err, &error);
  g_assert_no_error (error);
  r.status = status_of (process);
  g_test_message ("exit %d; stderr: %s", r.status, r.err);
  return r;
}

static Result
run (const char *first,
     ...)
{
  g_autoptr(GSubprocess) process = NULL;
  va_list ap;

  va_start (ap, first);
  process = spawn_v ("/dev/null", first, ap);
  va_end (ap);
  return finish (process);
}

static void
kill_process (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
}

static char *
run_directory (Fixture    *f,
               const char *run_id)
{
  return g_build_filename (f->state_dir, run_id, NULL);
}

/* Waits until the run directory exists (the journal holds the run). */
static void
wait_for_run (Fixture    *f,
              const char *run_id)
{
  g_autofree char *directory = run_directory (f, run_id);

  for (guint i = 0; i < 2000 && !g_file_test (directory, G_FILE_TEST_IS_DIR); i++)
    g_usleep (5000);
  g_assert_true (g_file_test (directory, G_FILE_TEST_IS_DIR));
}

/* Waits until some process holds the run's lock, seen in /proc/locks
 * (taking the lock to test it could turn the resumer away). */
static void
wait_for_lock (Fixture    *f,
               const char *run_id)
{
  g_autofree char *directory = run_directory (f, run_id);
  g_autofree char *lock = g_build_filename (directory, "lock", NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (lock, &st), ==, 0);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *locks = read_file ("/proc/locks");
      g_autofree char *needle = g_strdup_printf (":%" G_GUINT64_FORMAT " ", (guint64) st.st_ino);

      if (strstr (locks, needle) != NULL)
        return;
      g_usleep (5000);
    }
  g_error ("nobody took the lock of run %s", run_id);
}

static GSubprocess *
spawn_journaled (Fixture    *f,
                 const char *pipeline,
                 const char *run_id)
{
  return spawn ("-q", "--journal", "--state-dir", f->state_dir, "--run-id", run_id,
                pipeline, "-i", f->input, "-o", f->output, NULL);
}

static GSubprocess *
spawn_resume (Fixture    *f,
              const char *run_id)
{
  return spawn ("resume", run_id, "--state-dir", f->state_dir, "-q", NULL);
}

/* The output of an uninterrupted run, not journaled. */
static char *
reference_output (Fixture    *f,
                  const char *pipeline)
{
  g_autofree char *path = g_build_filename (f->dir, "reference.jsonl", NULL);
  g_auto(Result) r = run ("-q", pipeline, "-i", f->input, "-o", path, NULL);

  g_assert_cmpint (r.status, ==, 0);
  return read_file (path);
}

static GPtrArray *
lines_of (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (text[0] == '\0' || g_str_has_suffix (text, "\n"));
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (array, g_strdup (lines[i]));
  return array;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
assert_no_duplicate (GPtrArray *lines)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < lines->len; i++)
    {
      if (!g_hash_table_add (seen, g_ptr_array_index (lines, i)))
        g_error ("output line %u is a duplicate: %s", i + 1, (char *) g_ptr_array_index (lines, i));
    }
}

/* The output of a run that was killed and resumed against an
 * uninterrupted run's: exactly for ordered modes, as a multiset for
 * no-order; first-wins is checked by its own guarantee, since which
 * items lose differs from run to run even without a crash. */
static void
assert_output (Fixture    *f,
               const char *mode,
               const char *reference)
{
  g_autofree char *text = read_file (f->output);
  g_autoptr(GPtrArray) got = lines_of (text);
  g_autoptr(GPtrArray) want = lines_of (reference);

  assert_no_duplicate (got);
  if (g_str_equal (mode, "first-wins"))
    {
      gint64 last = 0;

      /* Outputs by increasing input item, each item's outputs whole. */
      for (guint i = 0; i < got->len; i++)
        {
          json_t *item = json_loads (g_ptr_array_index (got, i), 0, NULL);
          gint64 x;

          g_assert_nonnull (item);
          x = json_integer_value (json_object_get (item, "x"));
          g_assert_cmpint (x, >=, last);
          if (x % 3 == 0)
            g_assert_cmpint (json_integer_value (json_object_get (item, "k")), ==, x == last ? 2 : 1);
          else
            g_assert_cmpint (json_integer_value (json_object_get (item, "y")), ==, 2 * x);
          json_decref (item);
          last = x;
        }
      g_assert_cmpuint (got->len, >, 0);
      return;
    }

  g_assert_cmpuint (got->len, ==, want->len);
  if (g_str_equal (mode, "no-order"))
    {
      g_ptr_array_sort (got, compare_strings);
      g_ptr_array_sort (want, compare_strings);
    }
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (g_ptr_array_index (got, i), ==, g_ptr_array_index (want, i));
}

/* kill -9 at N_KILLS random points (seeded, printed), each time resumed,
 * then resumed to completion. */
static void
test_kill_resume (Fixture       *f,
                  gconstpointer  data)
{
  const char *mode = data;
  g_autofree char *pipeline = pipeline_for (f, mode);
  g_autofree char *reference = reference_output (f, pipeline);
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GSubprocess) process = spawn_journaled (f, pipeline, "crash");
  guint kills = 0;
  g_auto(Result) last = { 0 };

  g_test_message ("%s: kill points from seed %u", mode, seed);
  wait_for_run (f, "crash");
  for (guint i = 0; i < N_KILLS; i++)
    {
      /* Anywhere from start-up (loading, the journal's check, replay) to
       * well into the items. */
      guint delay = g_rand_int_range (rand, 0, 60000);

      g_usleep (delay);
      /* It ended on its own: the run completed before this kill. */
      if (g_subprocess_get_identifier (process) == NULL)
        break;
      kill_process (process);
      kills++;
      g_test_message ("kill %u after %u us", kills, delay);
      g_clear_object (&process);
      process = spawn_resume (f, "crash");
    }
  last = finish (process);
  g_assert_cmpint (last.status, ==, 0);
  /* The run must not have finished before most kills. */
  g_assert_cmpuint (kills, >=, N_KILLS * 3 / 4);
  assert_output (f, mode, reference);
}

#define N_CHILDREN 300

/* One input item fans out into N_CHILDREN at the first controller; the
 * second and third controllers run a command per child that appends to
 * a log, so the logs count how often each ran. */
static char *
fan_out_pipeline (Fixture    *f,
                  const char *mode)
{
  g_autofree char *name = g_strdup_printf ("fan-%s.xml", mode);
  g_autofree char *xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"fanning\">\n"
    "  <controller id=\"fan\" mode=\"not-parallel\">\n"
    "    <phase id=\"p\"><execution id=\"split\"><command>echo ran &gt;&gt; '%s/fan.log'; "
    "i=1; while [ $i -le %u ]; do echo \"{\\\"i\\\": $i}\"; i=$((i+1)); done</command></execution></phase>\n"
    "  </controller>\n"
    "  <controller id=\"first\" mode=\"%s\"%s>\n"
    "    <phase id=\"q\"><execution id=\"count1\"><command>sleep 0.01; tee -a '%s/first.log'</command></execution></phase>\n"
    "  </controller>\n"
    "  <controller id=\"second\" mode=\"%s\"%s>\n"
    "    <phase id=\"r\"><execution id=\"count2\"><command>tee -a '%s/second.log'</command></execution>\n"
    "      <execution id=\"mark\"><lua>item.done = true</lua></execution></phase>\n"
    "  </controller>\n"
    "</pipeline>\n",
    f->dir, N_CHILDREN,
    mode, g_str_equal (mode, "not-parallel") ? "" : " workers=\"2\"", f->dir,
    mode, g_str_equal (mode, "not-parallel") ? "" : " workers=\"2\"", f->dir);

  return write_file (f, name, xml, -1);
}

/* kill -9 while the children of one input item go through the later
 * controllers, four times, then resumed to completion: the fan-out
 * module ran once, the first counting module at most a few times more
 * than there are children (the ones in flight and not yet committed at
 * each kill), never again for the children past it; the output is
 * exactly an uninterrupted run's (a multiset for no-order, increasing
 * for first-wins), with no line twice. */
static void
test_fan_out (Fixture       *f,
              gconstpointer  data)
{
  const char *mode = data;
  g_autofree char *pipeline = fan_out_pipeline (f, mode);
  g_autofree char *reference = NULL;
  g_autofree char *fan_log = g_build_filename (f->dir, "fan.log", NULL);
  g_autofree char *first_log = g_build_filename (f->dir, "first.log", NULL);
  g_autofree char *second_log = g_build_filename (f->dir, "second.log", NULL);
  g_autofree char *one = write_file (f, "one.jsonl", "{\"x\": 1}\n", -1);
  const guint kill_at[] = { 60, 120, 180, 240 };
  /* Per kill: the children in flight (2 workers, a window of 4 held in
   * order), and those that passed in the last commit interval. */
  const guint slack = 30;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(Result) last = { 0 };
  guint kills = 0;

  g_free (f->input);
  f->input = g_strdup (one);
  reference = reference_output (f, pipeline);
  g_assert_cmpuint (test_count_file_lines (fan_log), ==, 1);
  g_assert_cmpuint (test_count_file_lines (first_log), ==, N_CHILDREN);
  g_assert_cmpint (g_remove (fan_log), ==, 0);
  g_assert_cmpint (g_remove (first_log), ==, 0);
  g_assert_cmpint (g_remove (second_log), ==, 0);

  process = spawn_journaled (f, pipeline, "fan");
  for (guint i = 0; i < G_N_ELEMENTS (kill_at); i++)
    {
      /* first.log counts every run of the module, reruns included: each
       * kill comes a little earlier in the children than the last would
       * have had they all run again. */
      guint target = kill_at[i];

      while (test_count_file_lines (first_log) < target && g_subprocess_get_identifier (process) != NULL)
        g_usleep (2000);
      if (g_subprocess_get_identifier (process) == NULL)
        break;
      kill_process (process);
      kills++;
      g_test_message ("kill %u with %u runs of count1, %u of count2", kills,
                      test_count_file_lines (first_log), test_count_file_lines (second_log));
      g_clear_object (&process);
      process = spawn_resume (f, "fan");
    }
  last = finish (process);
  g_assert_cmpint (last.status, ==, 0);
  g_assert_cmpuint (kills, ==, G_N_ELEMENTS (kill_at));

  g_test_message ("fan-out ran %u times; count1 %u, count2 %u for %u children",
                  test_count_file_lines (fan_log), test_count_file_lines (first_log), test_count_file_lines (second_log), N_CHILDREN);
  g_assert_cmpuint (test_count_file_lines (fan_log), ==, 1);
  g_assert_cmpuint (test_count_file_lines (first_log), >=, N_CHILDREN);
  /* Rerunning from the input item would have cost 60 + 120 + 180 + 240. */
  g_assert_cmpuint (test_count_file_lines (first_log), <=, N_CHILDREN + kills * slack);

  {
    g_autofree char *text = read_file (f->output);
    g_autoptr(GPtrArray) got = lines_of (text);
    g_autoptr(GPtrArray) want = lines_of (reference);

    assert_no_duplicate (got);
    if (g_str_equal (mode, "first-wins"))
      {
        gint64 previous = 0;

        /* Children of one job, sent on whole: increasing, none lost
         * without a newer one out before it. */
        for (guint i = 0; i < got->len; i++)
          {
            json_t *item = json_loads (g_ptr_array_index (got, i), 0, NULL);
            gint64 value = json_integer_value (json_object_get (item, "i"));

            g_assert_cmpint (value, >, previous);
            previous = value;
            json_decref (item);
          }
        g_assert_cmpint (previous, ==, N_CHILDREN);
        return;
      }
    g_assert_cmpuint (got->len, ==, N_CHILDREN);
    if (g_str_equal (mode, "no-order"))
      {
        g_ptr_array_sort (got, compare_strings);
        g_ptr_array_sort (want, compare_strings);
      }
    for (guint i = 0; i < got->len; i++)
      g_assert_cmpstr (g_ptr_array_index (got, i), ==, g_ptr_array_index (want, i));
  }
}

/* Runs @sql on the journal of run @run_id (the run is not going). */
static void
journal_exec (Fixture    *f,
              const char *run_id,
              const char *sql)
{
  g_autofree char *directory = run_directory (f, run_id);
  g_autofree char *path = g_build_filename (directory, "journal.sqlite", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

/* Items kept at a boundary that cannot be read, or that claim a
 * controller the pipeline does not have: refused with the journal's
 * path and the item, never a crash. */
static void
test_boundary_damaged (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pipeline = fan_out_pipeline (f, "not-parallel");
  g_autofree char *first_log = g_build_filename (f->dir, "first.log", NULL);
  g_autofree char *one = write_file (f, "one.jsonl", "{\"x\": 1}\n", -1);
  g_autoptr(GSubprocess) process = NULL;

  g_free (f->input);
  f->input = g_strdup (one);
  process = spawn_journaled (f, pipeline, "broken");
  while (test_count_file_lines (first_log) < 60 && g_subprocess_get_identifier (process) != NULL)
    g_usleep (2000);
  g_assert_nonnull (g_subprocess_get_identifier (process));
  kill_process (process);

  /* One still to run (not passed): its item is garbage. */
  journal_exec (f, "broken", "UPDATE entries SET item = '{\"i\": ' WHERE mark = "
                "(SELECT max(mark) FROM entries WHERE controller = 1)");
  {
    g_auto(Result) r = run ("resume", "broken", "--state-dir", f->state_dir, NULL);

    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "journal.sqlite is damaged: item"));
    g_assert_nonnull (strstr (r.err, "cannot be read"));
  }
  journal_exec (f, "broken", "UPDATE entries SET item = '{\"i\": 1}', controller = 9 WHERE mark = "
                "(SELECT max(mark) FROM entries WHERE controller = 1)");
  {
    g_auto(Result) r = run ("resume", "broken", "--state-dir", f->state_dir, NULL);

    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "entered controller 10, and the pipeline has 3"));
  }
}

/* Killed inside the journal's own commit, after the batch and the output
 * bytes are written and before the transaction commits. */
static void
test_kill_in_commit (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "order-by-sequence");
  g_autofree char *reference = reference_output (f, pipeline);
  /* Early commits: each process must still have work left at that point. */
  const guint at_commit[] = { 2, 2, 3, 3 };
  g_auto(Result) r = { 0 };

  for (guint n = 1; n <= G_N_ELEMENTS (at_commit); n++)
    {
      g_autofree char *commit = g_strdup_printf ("%u", at_commit[n - 1]);
      g_auto(Result) killed = { 0 };

      g_setenv ("SLUICE_JOURNAL_KILL_AT_COMMIT", commit, TRUE);
      if (n == 1)
        killed = finish (spawn_journaled (f, pipeline, "commit"));
      else
        killed = finish (spawn_resume (f, "commit"));
      g_unsetenv ("SLUICE_JOURNAL_KILL_AT_COMMIT");
      g_assert_cmpint (killed.status, ==, 128 + SIGKILL);
    }
  r = finish (spawn_resume (f, "commit"));
  g_assert_cmpint (r.status, ==, 0);
  assert_output (f, "order-by-sequence", reference);
}

static void
kill_early (Fixture    *f,
            const char *pipeline,
            const char *run_id)
{
  g_autoptr(GSubprocess) process = spawn_journaled (f, pipeline, run_id);

  wait_for_run (f, run_id);
  g_usleep (100000);
  kill_process (process);
}

static void
overwrite (const char *path,
           goffset     offset,
           const char *bytes,
           gsize       length)
{
  FILE *file = fopen (path, "r+b");

  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, offset, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (bytes, 1, length, file), ==, length);
  fclose (file);
}

/* A journal whose pages were overwritten, or that is not SQLite at all:
 * refused with its path, never a crash. */
static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *directory = run_directory (f, "bad");
  g_autofree char *journal = g_build_filename (directory, "journal.sqlite", NULL);
  g_autofree char *wal = g_strconcat (journal, "-wal", NULL);
  char garbage[4096];
  g_auto(Result) r = { 0 };
  g_auto(Result) r2 = { 0 };

  kill_early (f, pipeline, "bad");
  /* Fold the WAL in first, so that the damage is in what is read. */
  {
    g_auto(Result) ok = run ("resume", "bad", "--state-dir", f->state_dir, "-q", NULL);
    g_assert_cmpint (ok.status, ==, 0);
  }
  memset (garbage, 0xA5, sizeof garbage);
  overwrite (journal, 4096, garbage, sizeof garbage);
  overwrite (journal, 3 * 4096 + 100, garbage, 1000);
  g_remove (wal);
  r = run ("resume", "bad", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, journal));
  g_assert_nonnull (strstr (r.err, "damaged"));

  /* Not a database at all. */
  overwrite (journal, 0, garbage, 100);
  r2 = run ("resume", "bad", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r2.status, ==, 2);
  g_assert_nonnull (strstr (r2.err, journal));
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *directory = run_directory (f, "cut");
  g_autofree char *journal = g_build_filename (directory, "journal.sqlite", NULL);
  g_autofree char *wal = g_strconcat (journal, "-wal", NULL);
  g_auto(Result) done = { 0 };
  g_auto(Result) r = { 0 };
  GStatBuf st;

  done = run ("-q", "--journal", "--state-dir", f->state_dir, "--run-id", "cut",
              pipeline, "-i", f->input, "-o", f->output, NULL);
  g_assert_cmpint (done.status, ==, 0);
  g_remove (wal);
  g_assert_cmpint (g_stat (journal, &st), ==, 0);
  g_assert_cmpint (truncate (journal, st.st_size / 2), ==, 0);
  r = run ("resume", "cut", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, journal));
}

/* Two processes resume the same run: one wins, the other is refused. */
static void
test_two_resumers (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *reference = reference_output (f, pipeline);
  g_autoptr(GSubprocess) first = NULL;
  g_auto(Result) second = { 0 };
  g_auto(Result) original = { 0 };
  g_auto(Result) winner = { 0 };

  /* While the run itself goes, it holds the run. */
  {
    g_autoptr(GSubprocess) running = spawn_journaled (f, pipeline, "twice");
    g_auto(Result) refused = { 0 };

    wait_for_run (f, "twice");
    refused = run ("resume", "twice", "--state-dir", f->state_dir, NULL);
    g_assert_cmpint (refused.status, ==, 2);
    g_assert_nonnull (strstr (refused.err, "in use by another process"));
    g_usleep (100000);
    kill_process (running);
  }
  first = spawn_resume (f, "twice");
  /* The loser comes while the winner runs. */
  wait_for_lock (f, "twice");
  second = run ("resume", "twice", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (second.status, ==, 2);
  g_assert_nonnull (strstr (second.err, "in use by another process"));
  /* Nor can the run be started again under its id. */
  original = run ("--run-id", "twice", "--state-dir", f->state_dir, pipeline, "-i", f->input, NULL);
  g_assert_cmpint (original.status, ==, 2);
  g_assert_nonnull (strstr (original.err, "exists already"));

  winner = finish (g_steal_pointer (&first));
  g_assert_cmpint (winner.status, ==, 0);
  assert_output (f, "not-parallel", reference);
}

static void
test_completed_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "no-order");
  g_auto(Result) done = { 0 };
  g_auto(Result) r = { 0 };

  done = run ("-q", "--journal", "--state-dir", f->state_dir, "--run-id", "done",
              pipeline, "-i", f->input, "-o", f->output, NULL);
  g_assert_cmpint (done.status, ==, 0);
  r = run ("resume", "done", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "completed already"));
}

/* The pipeline file changed since the run started: refused, unless
 * --force. */
static void
test_changed_pipeline (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *text = read_file (pipeline);
  g_autofree char *changed = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) forced = { 0 };

  kill_early (f, pipeline, "changed");
  changed = g_strconcat (text, "<!-- edited -->\n", NULL);
  g_free (write_file (f, "not-parallel.xml", changed, -1));
  r = run ("resume", "changed", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, pipeline));
  g_assert_nonnull (strstr (r.err, "changed since"));
  g_assert_nonnull (strstr (r.err, "--force"));

  forced = run ("resume", "changed", "--state-dir", f->state_dir, "--force", NULL);
  g_assert_cmpint (forced.status, ==, 0);
  g_assert_nonnull (strstr (forced.err, "--force"));
}

/* The pipeline file is gone: refused, saying where its copy is. */
static void
test_missing_pipeline (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *directory = run_directory (f, "gone");
  g_autofree char *copy = g_build_filename (directory, "pipeline.xml", NULL);
  g_autofree char *original = read_file (pipeline);
  g_autofree char *kept = NULL;
  g_auto(Result) r = { 0 };

  kill_early (f, pipeline, "gone");
  g_assert_cmpint (g_remove (pipeline), ==, 0);
  r = run ("resume", "gone", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, pipeline));
  g_assert_nonnull (strstr (r.err, directory));
  kept = read_file (copy);
  g_assert_cmpstr (kept, ==, original);
}

/* Run ids are names, never paths. */
static void
test_bad_run_ids (Fixture       *f,
                  gconstpointer  data)
{
  const char *bad[] = { "..", "../escape", "a/b", "/etc", ".hidden", "", "-x", "a\nb" };
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(Result) r = run ("resume", bad[i], "--state-dir", f->state_dir, NULL);
      g_auto(Result) s = run ("--run-id", bad[i], "--state-dir", f->state_dir, pipeline, NULL);

      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpint (s.status, ==, 2);
    }
  /* Nothing was created outside the state directory. */
  {
    g_autofree char *escaped = g_build_filename (f->dir, "escape", NULL);
    g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Result) r = run ("resume", "no-such-run", "--state-dir", f->state_dir, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "no-such-run"));
  }
}

/* A state directory or a run directory that cannot be written: a clear
 * refusal naming it, before anything runs. (As root, the runner is
 * started as nobody, whom the modes stop.) */
static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *read_only = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *output = g_build_filename (f->dir, "ro-out.jsonl", NULL);
  g_autofree char *directory = run_directory (f, "locked");
  g_auto(Result) r = { 0 };
  g_auto(Result) resumed = { 0 };

  g_assert_cmpint (g_chmod (f->dir, 0777), ==, 0);
  g_assert_cmpint (g_mkdir (read_only, 0555), ==, 0);
  as_nobody = TRUE;
  r = run ("--journal", "--state-dir", read_only, pipeline, "-i", f->input, "-o", output, NULL);
  as_nobody = FALSE;
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, read_only));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  /* A run directory made read-only after a crash. */
  kill_early (f, pipeline, "locked");
  {
    g_autofree char *command = g_strdup_printf ("chmod -R a-w '%s' && chmod a+rx '%s'", directory, f->state_dir);
    g_assert_cmpint (system (command), ==, 0);
  }
  as_nobody = TRUE;
  resumed = run ("resume", "locked", "--state-dir", f->state_dir, NULL);
  as_nobody = FALSE;
  g_assert_cmpint (resumed.status, ==, 2);
  g_assert_nonnull (strstr (resumed.err, directory));
}

/* Disk full while journaling (a file size limit of 200 KiB in the child,
 * past what creating the journal writes; SIGXFSZ
 * ignored so that writes fail with EFBIG as on a full disk): the run
 * fails with a message; it resumes once there is room again. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "order-by-sequence");
  g_autofree char *reference = NULL;
  g_autoptr(GString) items = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Result) full = { 0 };
  g_auto(Result) r = { 0 };

  /* Enough items that the journal outgrows the limit well before the
   * end, whatever creating it wrote. */
  f->n_items = N_ITEMS;
  for (guint i = 1; i <= f->n_items; i++)
    g_string_append_printf (items, "{\"x\": %u}\n", i);
  g_free (f->input);
  f->input = write_file (f, "in-many.jsonl", items->str, items->len);
  reference = reference_output (f, pipeline);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              "/bin/sh", "-c", "trap '' XFSZ; ulimit -f 400; exec \"$0\" \"$@\"",
                              g_getenv ("SLUICE_RUN"), "-q", "--journal", "--state-dir", f->state_dir,
                              "--run-id", "nospace", pipeline, "-i", f->input, "-o", f->output, NULL);
  g_assert_no_error (error);
  full = finish (process);
  g_assert_cmpint (full.status, ==, 1);
  g_assert_nonnull (strstr (full.err, "run failed"));
  g_assert_true (strstr (full.err, "File too large") != NULL);

  r = finish (spawn_resume (f, "nospace"));
  g_assert_cmpint (r.status, ==, 0);
  assert_output (f, "order-by-sequence", reference);
}

/* Items of 1 MB, killed in the middle. */
static void
test_big_items (Fixture       *f,
                gconstpointer  data)
{
  const char *xml =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<pipeline format=\"1\" id=\"big\">\n"
    "  <controller id=\"c\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"p\">\n"
    "    <execution id=\"m\"><lua>local s = 0 for i = 1, 2000000 do s = s + i end item.n = #item.pad</lua></execution>\n"
    "  </phase></controller>\n"
    "</pipeline>\n";
  g_autofree char *pipeline = write_file (f, "big.xml", xml, -1);
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *pad = g_strnfill (1024 * 1024, 'q');
  g_autofree char *reference = NULL;
  g_auto(Result) r = { 0 };

  for (guint i = 1; i <= 24; i++)
    g_string_append_printf (items, "{\"x\": %u, \"pad\": \"%s\"}\n", i, pad);
  g_free (f->input);
  f->input = write_file (f, "big.jsonl", items->str, items->len);
  reference = reference_output (f, pipeline);

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(GSubprocess) process = k == 0 ? spawn_journaled (f, pipeline, "big") : spawn_resume (f, "big");

      if (k == 0)
        wait_for_run (f, "big");
      g_usleep (150000);
      kill_process (process);
    }
  r = finish (spawn_resume (f, "big"));
  g_assert_cmpint (r.status, ==, 0);
  assert_output (f, "order-by-sequence", reference);
}

/* The crash came in the middle of a line: what follows the last
 * committed item is cut off, half line included. */
static void
test_half_line (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *reference = reference_output (f, pipeline);
  g_auto(Result) r = { 0 };
  FILE *out;

  kill_early (f, pipeline, "half");
  out = fopen (f->output, "ab");
  g_assert_nonnull (out);
  fputs ("{\"x\": 123456789, \"half", out);
  fclose (out);
  r = finish (spawn_resume (f, "half"));
  g_assert_cmpint (r.status, ==, 0);
  assert_output (f, "not-parallel", reference);
}

/* The output was changed behind the run's back (shorter than what was
 * committed): refused, not silently patched. */
static void
test_output_shrunk (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_auto(Result) r = { 0 };

  kill_early (f, pipeline, "shrunk");
  g_assert_cmpint (truncate (f->output, 0), ==, 0);
  r = finish (spawn_resume (f, "shrunk"));
  /* Nothing committed yet is fine; otherwise a refusal naming the file. */
  if (r.status != 0)
    {
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, f->output));
    }
}

static SluiceJournalCommit
last_commit (Fixture    *f,
             const char *run_id)
{
  g_autofree char *directory = run_directory (f, run_id);
  g_autofree char *path = g_build_filename (directory, "journal.sqlite", NULL);
  g_autoptr(GHashTable) done = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  SluiceJournalCommit commit;
  SluiceJournalStore *store = sluice_journal_store_open (path, &error);
  guint64 low;

  g_assert_no_error (error);
  sluice_journal_store_load_progress (store, &commit, &low, done, &error);
  g_assert_no_error (error);
  sluice_journal_store_free (store);
  return commit;
}

static char *
lines_after (Fixture *f,
             guint64  skip)
{
  g_autofree char *text = read_file (f->input);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *rest = NULL;
  guint n = g_strv_length (lines);

  rest = g_strjoinv ("\n", lines + MIN (skip, n));
  return write_file (f, "rest.jsonl", rest, -1);
}

/* Input from standard input: the items the journal recorded are replayed
 * from it; the resumed run reads the rest from its own standard input. */
static void
test_stdin (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "order-by-sequence");
  g_autofree char *reference = reference_output (f, pipeline);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *rest = NULL;
  SluiceJournalCommit commit;
  g_auto(Result) r = { 0 };

  g_autofree char *text = read_file (f->input);
  gsize half = strlen (text) / 2;

  /* Only half of the input is written, and standard input stays open:
   * however fast the machine, the run is killed with its input not
   * ended. */
  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "-q", "--journal",
                                         "--state-dir", f->state_dir, "--run-id", "stdin",
                                         pipeline, "-i", "-", "-o", f->output, NULL);
  g_assert_no_error (error);
  while (half > 0 && text[half - 1] != '\n')
    half--;
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (process), text, half, NULL, NULL, &error));
  g_assert_no_error (error);
  wait_for_run (f, "stdin");
  g_usleep (300000);
  kill_process (process);

  commit = last_commit (f, "stdin");
  g_test_message ("journaled %" G_GUINT64_FORMAT " input records", commit.input_records);
  g_assert_false (commit.input_ended);
  rest = lines_after (f, commit.input_records);
  g_clear_object (&launcher);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, rest);
  r = finish (g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "resume", "stdin",
                                           "--state-dir", f->state_dir, "-q", NULL));
  g_assert_no_error (error);
  g_assert_cmpint (r.status, ==, 0);
  assert_output (f, "order-by-sequence", reference);
}

/* A bad input line after a resume is named by its line in the whole
 * file, not counted from where the resumed run started reading. */
static void
test_bad_input_line (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *text = read_file (f->input);
  g_autofree char *broken = g_strconcat (text, "not json\n", NULL);
  g_autofree char *expected = g_strdup_printf ("input line %u:", f->n_items + 1);
  g_auto(Result) r = { 0 };

  g_free (f->input);
  f->input = write_file (f, "broken.jsonl", broken, -1);
  kill_early (f, pipeline, "broken");
  r = finish (spawn_resume (f, "broken"));
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, expected));
}

/* Without -i the run has one {} item; it is journaled like any other. */
static void
test_trigger (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *pipeline = pipeline_for (f, "not-parallel");
  g_autofree char *text = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) again = { 0 };

  r = run ("-q", "--run-id", "trigger", "--state-dir", f->state_dir, pipeline, "-o", f->output, NULL);
  g_assert_cmpint (r.status, ==, 1);   /* {} has no x: the Lua fails */
  g_assert_nonnull (strstr (r.err, "spin"));
  again = run ("resume", "trigger", "--state-dir", f->state_dir, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "spin"));
  text = read_file (f->output);
  g_assert_cmpstr (text, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  const char *modes[] = { "not-parallel", "no-order", "order-by-sequence", "first-wins" };

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("SLUICE_RUN") == NULL)
    g_error ("SLUICE_RUN must name the sluice-run program (meson test sets it)");

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/journal/kill-resume/%s", modes[i]);

      g_test_add (path, Fixture, modes[i], fixture_set_up, test_kill_resume, fixture_tear_down);
    }
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/journal/fan-out/%s", modes[i]);

      g_test_add (path, Fixture, modes[i], fixture_set_up, test_fan_out, fixture_tear_down);
    }
  g_test_add ("/journal/boundary-damaged", Fixture, NULL, fixture_set_up, test_boundary_damaged, fixture_tear_down);
  g_test_add ("/journal/kill-in-commit", Fixture, "order-by-sequence", fixture_set_up, test_kill_in_commit, fixture_tear_down);
  g_test_add ("/journal/corrupt", Fixture, NULL, fixture_set_up, test_corrupt, fixture_tear_down);
  g_test_add ("/journal/truncated", Fixture, NULL, fixture_set_up, test_truncated, fixture_tear_down);
  g_test_add ("/journal/two-resumers", Fixture, NULL, fixture_set_up, test_two_resumers, fixture_tear_down);
  g_test_add ("/journal/completed-refused", Fixture, NULL, fixture_set_up, test_completed_refused, fixture_tear_down);
  g_test_add ("/journal/changed-pipeline", Fixture, NULL, fixture_set_up, test_changed_pipeline, fixture_tear_down);
  g_test_add ("/journal/missing-pipeline", Fixture, NULL, fixture_set_up, test_missing_pipeline, fixture_tear_down);
  g_test_add ("/journal/bad-run-ids", Fixture, NULL, fixture_set_up, test_bad_run_ids, fixture_tear_down);
  g_test_add ("/journal/read-only", Fixture, NULL, fixture_set_up, test_read_only, fixture_tear_down);
  g_test_add ("/journal/disk-full", Fixture, NULL, fixture_set_up, test_disk_full, fixture_tear_down);
  g_test_add ("/journal/big-items", Fixture, NULL, fixture_set_up, test_big_items, fixture_tear_down);
  g_test_add ("/journal/half-line", Fixture, NULL, fixture_set_up, test_half_line, fixture_tear_down);
  g_test_add ("/journal/output-shrunk", Fixture, NULL, fixture_set_up, test_output_shrunk, fixture_tear_down);
  g_test_add ("/journal/bad-input-line", Fixture, NULL, fixture_set_up, test_bad_input_line, fixture_tear_down);
  g_test_add ("/journal/trigger", Fixture, NULL, fixture_set_up, test_trigger, fixture_tear_down);
  g_test_add ("/journal/stdin", Fixture, NULL, fixture_set_up, test_stdin, fixture_tear_down);

  return g_test_run ();
}
