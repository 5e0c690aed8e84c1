/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sluice-core.h"
#include "run-api-common.h"
#include "runner-common.h"

/* `sluice-run daemon` as one long-running process (issues 12 and 15):
 * runs resumed through their journals after kill -9, the registry folder
 * and its schedules inside the daemon, the /pipelines API, --check. Each
 * test uses real daemons on 127.0.0.1 (free ports) with a temporary
 * folder, killed at the end (also when the test fails: they die with
 * us). */

static char *tmpdir;

typedef struct
{
  char        *root;       /* pipelines and inputs */
  char        *state_dir;
  Daemon      *daemon;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *base = g_build_filename (tmpdir, "XXXXXX", NULL);

  f->root = g_mkdtemp (g_steal_pointer (&base));
  g_assert_nonnull (f->root);
  f->state_dir = g_build_filename (f->root, "state", NULL);
  f->session = soup_session_new_with_options ("timeout", 60, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->daemon, daemon_free);
  g_clear_object (&f->session);
  remove_tree (f->root);
  g_free (f->root);
  g_free (f->state_dir);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    return g_strdup ("");
  return text;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

static guint
count_file_lines (const char *path)
{
  g_autofree char *text = read_text (path);

  return count_lines (text);
}

/* ---- resume through the journal after kill -9 ---- */

#define N_ITEMS 1500

/* Items take a little CPU and one process each (`tee -a seen.log`
 * counts how often an item was worked on: a run started again from the
 * beginning would work on every item before the kill twice). Every
 * third item fans out into two. */
static const char *DURABLE =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"durable\">\n"
  "<controller id=\"work\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"p\">"
  "<execution id=\"spin\"><lua>local s = 0 for i = 1, 4000 do s = s + i end\n"
  "if item.x % 3 == 0 then emit({x = item.x, k = 1}) emit({x = item.x, k = 2})\n"
  "else item.y = item.x * 2 end</lua></execution>"
  "<execution id=\"log\"><command>tee -a seen.log</command></execution>"
  "</phase></controller>\n"
  "<controller id=\"tail\" mode=\"not-parallel\"><phase id=\"q\">"
  "<execution id=\"mark\"><lua>item.z = 1</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static char *
write_items (const char *dir,
             guint       n)
{
  g_autoptr(GString) items = g_string_new (NULL);

  for (guint i = 1; i <= n; i++)
    g_string_append_printf (items, "{\"x\": %u}\n", i);
  return write_file (dir, "in.jsonl", items->str);
}

/* What an uninterrupted run writes: `sluice-run` itself, in another
 * folder so that its seen.log is its own. */
static char *
reference_output (Fixture    *f,
                  const char *input)
{
  g_autofree char *dir = g_build_filename (f->root, "reference", NULL);
  g_autofree char *pipeline = NULL;
  g_autofree char *output = g_build_filename (dir, "out.jsonl", NULL);
  g_auto(RunnerResult) result = { 0 };

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  pipeline = write_file (dir, "durable.xml", DURABLE);
  runner_run (&result, (const char *[]) { pipeline, "-q", "-i", input, "-o", output, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 0);
  return read_text (output);
}

static void
assert_no_duplicate (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    if (!g_hash_table_add (seen, lines[i]))
      g_error ("output line %u is written twice: %s", i + 1, lines[i]);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static gint64
x_of (const char *line)
{
  json_t *item = json_loads (line, 0, NULL);
  gint64 x;

  g_assert_nonnull (item);
  x = json_integer_value (json_object_get (item, "x"));
  json_decref (item);
  return x;
}

/* order-by-sequence: the outputs in the order of their input items
 * (the two outputs of one item may come in either order), and the same
 * lines as the uninterrupted run's. */
static void
assert_same_output (const char *got_text,
                    const char *want_text)
{
  g_auto(GStrv) got = g_strsplit (got_text, "\n", -1);
  g_auto(GStrv) want = g_strsplit (want_text, "\n", -1);
  g_autoptr(GPtrArray) got_sorted = g_ptr_array_new ();
  g_autoptr(GPtrArray) want_sorted = g_ptr_array_new ();

  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (want));
  for (guint i = 0; got[i] != NULL && *got[i] != '\0'; i++)
    {
      if (x_of (got[i]) != x_of (want[i]))
        g_error ("output line %u is %s, where an uninterrupted run has %s", i + 1, got[i], want[i]);
      g_ptr_array_add (got_sorted, got[i]);
      g_ptr_array_add (want_sorted, want[i]);
    }
  g_ptr_array_sort (got_sorted, compare_strings);
  g_ptr_array_sort (want_sorted, compare_strings);
  for (guint i = 0; i < got_sorted->len; i++)
    if (strcmp (g_ptr_array_index (got_sorted, i), g_ptr_array_index (want_sorted, i)) != 0)
      g_error ("output differs from an uninterrupted run's: %s vs %s",
               (char *) g_ptr_array_index (got_sorted, i), (char *) g_ptr_array_index (want_sorted, i));
}

static char *
run_directory (Fixture    *f,
               const char *id)
{
  return g_build_filename (f->state_dir, "runs", id, NULL);
}

/* Waits until the run's output holds @lines lines (or it is over). */
static void
wait_output_lines (Fixture    *f,
                   const char *id,
                   guint       lines)
{
  g_autofree char *dir = run_directory (f, id);
  g_autofree char *output = g_build_filename (dir, "output.jsonl", NULL);
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (count_file_lines (output) < lines)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("run %s: fewer than %u output lines after 120 s", id, lines);
      g_usleep (5000);
    }
}

static gboolean
history_says (json_t     *run,
              const char *words)
{
  size_t i;
  json_t *entry;

  json_array_foreach (json_object_get (run, "history"), i, entry)
    if (json_is_string (json_object_get (entry, "reason")) &&
        strstr (json_string_value (json_object_get (entry, "reason")), words) != NULL)
      return TRUE;
  return FALSE;
}

/* A run of the API killed -9 with its daemon at several points — at
 * once, then at growing fractions of its output — and a new daemon
 * each time: it goes on through the journal and ends with the output
 * of an uninterrupted run, no line twice, and without working again on
 * what was done before each kill. */
static void
test_resume_after_kill (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *input = write_items (f->root, N_ITEMS);
  g_autofree char *reference = reference_output (f, input);
  g_autofree char *pipeline = write_file (f->root, "durable.xml", DURABLE);
  g_autofree char *seen_log = g_build_filename (f->root, "seen.log", NULL);
  guint total = count_lines (reference);
  /* 0: right after it was created and started (journal being made). */
  const double points[] = { 0, 0.15, 0.4, 0.65, 0.9 };
  guint done_at_kills = 0;
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;

  f->daemon = daemon_start (f->state_dir, f->root, NULL);
  id = api_create (f->session, f->daemon,
                   "{\"pipeline\": \"durable.xml\", \"input\": {\"path\": \"in.jsonl\"}, \"start\": true}", NULL);
  for (guint k = 0; k < G_N_ELEMENTS (points); k++)
    {
      g_autofree char *dir = run_directory (f, id);
      g_autofree char *output = g_build_filename (dir, "output.jsonl", NULL);
      guint at;

      wait_output_lines (f, id, (guint) (points[k] * total));
      daemon_kill (f->daemon);
      at = count_file_lines (output);
      done_at_kills += at;
      g_test_message ("kill %u: %u of %u output lines", k + 1, at, total);
      g_clear_pointer (&f->daemon, daemon_free);
      f->daemon = daemon_start (f->state_dir, f->root, NULL);
    }
  state = api_wait_final (f->session, f->daemon, id, NULL, 300);
  g_assert_cmpstr (state, ==, "completed");

  {
    g_autofree char *path = g_strdup_printf ("/runs/%s", id);
    g_auto(Answer) run = api_call (f->session, f->daemon, "GET", path, NULL, NULL);
    g_autofree char *output_url = g_strdup_printf ("/runs/%s/output", id);
    g_auto(Answer) output = api_call (f->session, f->daemon, "GET", output_url, NULL, NULL);
    guint seen = count_file_lines (seen_log);

    g_assert_cmpuint (output.status, ==, 200);
    assert_no_duplicate (output.body);
    assert_same_output (output.body, reference);
    g_assert_true (history_says (run.json, "resumed from its journal"));
    /* The counters are the whole run's, not the last attempt's. */
    g_assert_cmpint (json_integer_value (json_object_get (run.json, "items_in")), ==, N_ITEMS);
    g_assert_cmpint (json_integer_value (json_object_get (run.json, "items_out")), ==, total);
    g_assert_cmpint (json_integer_value (json_object_get (run.json, "attempts")), ==, G_N_ELEMENTS (points) + 1);
    /* Items in flight at a kill run again (at-least-once); a run started
     * from scratch would have worked on all done_at_kills once more. */
    g_test_message ("items worked on: %u for %u outputs (%u done at the kills)", seen, total, done_at_kills);
    g_assert_cmpuint (seen, >=, total);
    g_assert_cmpuint (seen, <, total + done_at_kills / 2);
  }
  (void) pipeline;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("sluice-daemon-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add ("/sluice/daemon/resume-after-kill", Fixture, NULL, fixture_setup, test_resume_after_kill, fixture_teardown);

  status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
