/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "sluice-core.h"
#include "run-api-common.h"
#include "runner-common.h"
#include "test-lines.h"

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

  while (test_count_file_lines (output) < lines)
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
  guint total = test_count_lines (reference);
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
      at = test_count_file_lines (output);
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
    guint seen = test_count_file_lines (seen_log);

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
}


/* ---- the folder: /pipelines ---- */

static const char *DOUBLE =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"double\">\n"
  "<controller id=\"c\" mode=\"order-by-sequence\"><phase id=\"p\">"
  "<execution id=\"dbl\"><lua>item.value = (item.value or 0) * 2</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static const char *TRIPLE =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"double\">\n"
  "<controller id=\"c\" mode=\"order-by-sequence\"><phase id=\"p\">"
  "<execution id=\"dbl\"><lua>item.value = (item.value or 0) * 3</lua></execution></phase></controller>\n"
  "</pipeline>\n";

static const char *HOURLY =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"hourly\">\n"
  "<schedule cron=\"0 * * * *\" timezone=\"Europe/Berlin\" timescope=\"hourly\"/>\n"
  "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"w\"><lua>item.from = \"${window_start}\"</lua></execution></phase></controller>\n"
  "</pipeline>\n";

/* Line 3 is where the XML breaks. */
static const char *BROKEN =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"broken\">\n"
  "<controller id=\"c\" mode=\"not-parallel\">\n</pipeline>\n";

/* A folder of pipelines inside the fixture's root (DIR), and a daemon on it. */
static char *
make_folder (Fixture *f)
{
  g_autofree char *folder = g_build_filename (f->root, "pipelines", NULL);
  g_autofree char *etl = g_build_filename (folder, "etl", NULL);

  g_assert_cmpint (g_mkdir_with_parents (etl, 0700), ==, 0);
  g_free (write_file (folder, "double.xml", DOUBLE));
  g_free (write_file (folder, "broken.xml", BROKEN));
  g_free (write_file (etl, "hourly.xml", HOURLY));
  return g_steal_pointer (&folder);
}

static json_t *
find_pipeline (json_t     *list,
               const char *id)
{
  size_t i;
  json_t *p;

  json_array_foreach (json_object_get (list, "pipelines"), i, p)
    if (g_strcmp0 (json_string_value (json_object_get (p, "id")), id) == 0)
      return p;
  return NULL;
}

static Answer
put_xml (Fixture    *f,
         const char *id,
         const char *xml)
{
  g_autofree char *path = g_strdup_printf ("/pipelines/%s", id);

  return api_call (f->session, f->daemon, "PUT", path, xml, NULL);
}

static void
test_pipelines_api (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *folder = make_folder (f);

  f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { folder, "--max-body", "64K", NULL });

  /* The list: broken files with file and line, never stopping the others. */
  {
    g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/pipelines", NULL, NULL);
    json_t *broken, *hourly, *dbl, *problem;

    g_assert_cmpuint (a.status, ==, 200);
    g_assert_cmpuint (json_array_size (json_object_get (a.json, "pipelines")), ==, 3);
    broken = find_pipeline (a.json, "broken");
    hourly = find_pipeline (a.json, "etl/hourly");
    dbl = find_pipeline (a.json, "double");
    g_assert_nonnull (broken);
    g_assert_nonnull (hourly);
    g_assert_nonnull (dbl);
    g_assert_false (json_is_true (json_object_get (broken, "valid")));
    problem = json_array_get (json_object_get (broken, "problems"), 0);
    g_assert_true (g_str_has_suffix (json_string_value (json_object_get (problem, "file")), "broken.xml"));
    g_assert_cmpint (json_integer_value (json_object_get (problem, "line")), >, 0);
    g_assert_true (json_is_true (json_object_get (hourly, "valid")));
    g_assert_cmpstr (json_string_value (json_object_get (json_object_get (hourly, "schedule"), "cron")), ==, "0 * * * *");
    g_assert_true (json_is_string (json_object_get (hourly, "next_run")));
    g_assert_true (json_is_null (json_object_get (dbl, "next_run")));
    g_assert_true (json_is_null (json_object_get (dbl, "last_run")));
    g_assert_cmpint (json_integer_value (json_object_get (dbl, "version")), ==, 1);
    g_assert_cmpuint (strlen (json_string_value (json_object_get (dbl, "hash"))), ==, 64);
  }

  /* Register: new (201), changed (200, version 2, the old one kept). */
  {
    g_auto(Answer) created = put_xml (f, "etl%2Fcopy", DOUBLE);
    g_auto(Answer) changed = put_xml (f, "double", TRIPLE);
    g_auto(Answer) same = put_xml (f, "double", TRIPLE);
    g_auto(Answer) versions = api_call (f->session, f->daemon, "GET", "/pipelines/double/versions", NULL, NULL);
    g_auto(Answer) old = api_call (f->session, f->daemon, "GET", "/pipelines/double/versions/1", NULL, NULL);
    g_auto(Answer) nope = api_call (f->session, f->daemon, "GET", "/pipelines/double/versions/9", NULL, NULL);
    g_autofree char *copy = g_build_filename (folder, "etl", "copy.xml", NULL);

    g_assert_cmpuint (created.status, ==, 201);
    g_assert_cmpstr (json_string_value (json_object_get (created.json, "id")), ==, "etl/copy");
    g_assert_true (g_file_test (copy, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpuint (changed.status, ==, 200);
    g_assert_cmpint (json_integer_value (json_object_get (changed.json, "version")), ==, 2);
    g_assert_cmpuint (same.status, ==, 200);
    g_assert_cmpint (json_integer_value (json_object_get (same.json, "version")), ==, 2);
    g_assert_cmpuint (json_array_size (json_object_get (versions.json, "versions")), ==, 2);
    g_assert_false (json_is_true (json_object_get (json_array_get (json_object_get (versions.json, "versions"), 0), "current")));
    g_assert_true (json_is_true (json_object_get (json_array_get (json_object_get (versions.json, "versions"), 1), "current")));
    g_assert_cmpuint (old.status, ==, 200);
    g_assert_cmpstr (old.body, ==, DOUBLE);
    g_assert_cmpuint (nope.status, ==, 404);
  }

  /* Refused: a file that cannot run (422 with its line; nothing written),
   * ids that are not safe relative names, hostile XML. */
  {
    g_auto(Answer) bad = put_xml (f, "bad", BROKEN);
    g_auto(Answer) entity = put_xml (f, "entity",
                                     "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                                     "<pipeline format=\"1\" id=\"x\">&x;</pipeline>\n");
    g_auto(Answer) hidden = put_xml (f, "a%2F.hidden", DOUBLE);
    g_auto(Answer) runs = put_xml (f, "a%2Fruns", DOUBLE);
    g_autofree char *bad_file = g_build_filename (folder, "bad.xml", NULL);
    json_t *problem = json_array_get (json_object_get (bad.json, "problems"), 0);

    g_assert_cmpuint (bad.status, ==, 422);
    g_assert_cmpstr (json_string_value (json_object_get (problem, "file")), ==, "bad.xml");
    g_assert_cmpint (json_integer_value (json_object_get (problem, "line")), >=, 3);
    g_assert_false (g_file_test (bad_file, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (entity.status, ==, 422);
    g_assert_cmpuint (hidden.status, ==, 400);
    g_assert_cmpuint (runs.status, ==, 400);
  }
  /* Binary bytes, a document nested 10,000 deep, a body over --max-body. */
  {
    g_autoptr(GString) deep = g_string_new ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"deep\">");
    g_autofree char *huge = g_strnfill (100 * 1024, 'x');
    g_auto(Answer) binary = put_xml (f, "binary", "\x01\x02\xff\xfe<\x7f");
    g_auto(Answer) nested = { 0 };
    g_auto(Answer) large = put_xml (f, "large", huge);

    for (guint i = 0; i < 10000; i++)
      g_string_append (deep, "<a>");
    nested = put_xml (f, "deep", deep->str);
    g_assert_cmpuint (binary.status, ==, 422);
    g_assert_cmpuint (nested.status, ==, 422);
    g_assert_cmpuint (large.status, ==, 413);
  }

  /* Trigger now: the run of the current version; a broken one is 409. */
  {
    g_auto(Answer) run = api_call (f->session, f->daemon, "POST", "/pipelines/double/runs",
                                   "{\"input\": [{\"value\": 1}, {\"value\": 2}]}", NULL);
    g_auto(Answer) broken = api_call (f->session, f->daemon, "POST", "/pipelines/broken/runs", NULL, NULL);
    g_auto(Answer) typo = api_call (f->session, f->daemon, "POST", "/pipelines/double/runs", "{\"inptu\": []}", NULL);
    const char *id = json_string_value (json_object_get (run.json, "id"));
    g_autofree char *state = NULL;
    g_autofree char *output_path = g_strdup_printf ("/runs/%s/output", id);

    g_assert_cmpuint (run.status, ==, 201);
    g_assert_cmpstr (json_string_value (json_object_get (run.json, "registry_id")), ==, "double");
    g_assert_cmpstr (json_string_value (json_object_get (run.json, "trigger")), ==, "api");
    state = api_wait_final (f->session, f->daemon, id, NULL, 60);
    g_assert_cmpstr (state, ==, "completed");
    {
      g_auto(Answer) output = api_call (f->session, f->daemon, "GET", output_path, NULL, NULL);
      g_auto(Answer) p = api_call (f->session, f->daemon, "GET", "/pipelines/double", NULL, NULL);
      json_t *last = json_object_get (p.json, "last_run");

      g_assert_cmpstr (output.body, ==, "{\"value\":3}\n{\"value\":6}\n");
      g_assert_cmpstr (json_string_value (json_object_get (last, "run")), ==, id);
      g_assert_cmpstr (json_string_value (json_object_get (last, "state")), ==, "completed");
    }
    g_assert_cmpuint (broken.status, ==, 409);
    g_assert_nonnull (strstr (json_string_value (json_object_get (broken.json, "error")), "broken.xml:"));
    g_assert_cmpuint (typo.status, ==, 400);
    {
      g_auto(Answer) by_id = api_call (f->session, f->daemon, "GET", "/runs?pipeline=double", NULL, NULL);

      g_assert_cmpuint (json_array_size (json_object_get (by_id.json, "runs")), ==, 1);
    }
  }
  /* A scheduled pipeline triggered by hand gets the window it ran last. */
  {
    g_auto(Answer) run = api_call (f->session, f->daemon, "POST", "/pipelines/etl/hourly/runs", NULL, NULL);
    json_t *parameters = json_object_get (run.json, "parameters");

    g_assert_cmpuint (run.status, ==, 201);
    g_assert_true (json_is_string (json_object_get (parameters, "window_start")));
    g_assert_cmpstr (json_string_value (json_object_get (parameters, "timescope")), ==, "hourly");
  }

  /* Every /pipelines route of the OpenAPI file is answered. */
  {
    guint n_routes;
    const SluiceRunApiRoute *routes = sluice_run_api_get_routes (&n_routes);

    for (guint i = 0; i < n_routes; i++)
      {
        g_autoptr(GString) real = g_string_new (routes[i].path);
        const char *body = g_str_equal (routes[i].method, "PUT") ? DOUBLE : NULL;

        if (!g_str_has_prefix (routes[i].path, "/pipelines") || g_str_equal (routes[i].method, "DELETE"))
          continue;
        g_string_replace (real, "{id}", "etl%2Fcopy", 0);
        g_string_replace (real, "{version}", "1", 0);
        {
          g_auto(Answer) a = api_call (f->session, f->daemon, routes[i].method, real->str, body, NULL);

          if (a.status == 404 || a.status == 405 || a.status >= 500)
            g_error ("%s %s: %u %s", routes[i].method, real->str, a.status, a.body);
        }
      }
  }

  /* Unregister: gone from the list and the folder; its versions stay. */
  {
    g_auto(Answer) del = api_call (f->session, f->daemon, "DELETE", "/pipelines/etl%2Fcopy", NULL, NULL);
    g_auto(Answer) again = api_call (f->session, f->daemon, "DELETE", "/pipelines/etl%2Fcopy", NULL, NULL);
    g_auto(Answer) get = api_call (f->session, f->daemon, "GET", "/pipelines/etl/copy", NULL, NULL);
    g_auto(Answer) versions = api_call (f->session, f->daemon, "GET", "/pipelines/etl/copy/versions", NULL, NULL);

    g_assert_cmpuint (del.status, ==, 200);
    g_assert_true (json_is_true (json_object_get (del.json, "removed")));
    g_assert_cmpuint (again.status, ==, 404);
    g_assert_cmpuint (get.status, ==, 404);
    g_assert_cmpuint (versions.status, ==, 200);
  }
}

/* Polls GET /pipelines until @check says yes (or 30 s pass). */
static void
wait_pipelines (Fixture    *f,
                gboolean  (*check) (json_t *list, gpointer data),
                gpointer    data,
                const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/pipelines", NULL, NULL);

      if (check (a.json, data))
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("after 30 s, still not %s: %s", what, a.body);
      g_usleep (50000);
    }
}

static gboolean
has_pipeline (json_t  *list,
              gpointer id)
{
  return find_pipeline (list, id) != NULL;
}

static gboolean
lacks_pipeline (json_t  *list,
                gpointer id)
{
  return find_pipeline (list, id) == NULL;
}

static gboolean
has_hash (json_t  *list,
          gpointer old_hash)
{
  json_t *p = find_pipeline (list, "slow");

  return p != NULL && g_strcmp0 (json_string_value (json_object_get (p, "hash")), old_hash) != 0;
}

static char *
slow_pipeline (const char *mark)
{
  return g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"slow\">\n"
                          "<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                          "<execution id=\"nap\"><command>sleep 0.05; cat</command></execution>"
                          "<execution id=\"mark\"><lua>item.mark = \"%s\"</lua></execution></phase></controller>\n"
                          "</pipeline>\n", mark);
}

/* The folder is watched: added, changed and removed files are picked up
 * without a restart; a changed file never affects a run going. */
static void
test_folder_watch (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = make_folder (f);
  g_autofree char *v1 = slow_pipeline ("one");
  g_autofree char *v2 = slow_pipeline ("two");
  g_autofree char *old_hash = NULL;
  g_autofree char *first = NULL;
  g_autofree char *state = NULL;
  GString *items = g_string_new ("{\"input\": [");

  f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { folder, NULL });
  g_free (write_file (folder, "slow.xml", v1));
  wait_pipelines (f, has_pipeline, "slow", "listing the new slow.xml");
  {
    g_auto(Answer) p = api_call (f->session, f->daemon, "GET", "/pipelines/slow", NULL, NULL);

    old_hash = g_strdup (json_string_value (json_object_get (p.json, "hash")));
  }
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (items, "%s{\"n\": %u}", i > 0 ? "," : "", i);
  g_string_append (items, "]}");
  {
    g_auto(Answer) run = api_call (f->session, f->daemon, "POST", "/pipelines/slow/runs", items->str, NULL);

    g_assert_cmpuint (run.status, ==, 201);
    first = g_strdup (json_string_value (json_object_get (run.json, "id")));
  }
  /* Changed while the run goes on. */
  g_free (write_file (folder, "slow.xml", v2));
  wait_pipelines (f, has_hash, old_hash, "seeing the changed slow.xml");
  {
    g_auto(Answer) run = api_call (f->session, f->daemon, "POST", "/pipelines/slow/runs", "{\"input\": [{\"n\": 0}]}", NULL);
    g_autofree char *second = g_strdup (json_string_value (json_object_get (run.json, "id")));
    g_autofree char *second_state = api_wait_final (f->session, f->daemon, second, NULL, 60);
    g_autofree char *path = g_strdup_printf ("/runs/%s/output", second);
    g_auto(Answer) output = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_assert_cmpstr (output.body, ==, "{\"mark\":\"two\",\"n\":0}\n");
  }
  state = api_wait_final (f->session, f->daemon, first, NULL, 120);
  g_assert_cmpstr (state, ==, "completed");
  {
    g_autofree char *path = g_strdup_printf ("/runs/%s/output", first);
    g_auto(Answer) output = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    /* Every item of the first run went through the file it started with. */
    g_assert_cmpuint (test_count_lines (output.body), ==, 40);
    g_assert_null (strstr (output.body, "two"));
  }

  /* A broken file added never stops the others; a removed one goes. */
  g_free (write_file (folder, "worse.xml", "<pipeline"));
  wait_pipelines (f, has_pipeline, "worse", "listing worse.xml");
  {
    g_auto(Answer) run = api_call (f->session, f->daemon, "POST", "/pipelines/double/runs", "{\"input\": [{\"value\": 5}]}", NULL);

    g_assert_cmpuint (run.status, ==, 201);
  }
  {
    g_autofree char *path = g_build_filename (folder, "double.xml", NULL);

    g_assert_cmpint (g_unlink (path), ==, 0);
  }
  wait_pipelines (f, lacks_pipeline, "double", "dropping the removed double.xml");
  g_string_free (items, TRUE);
}

/* ---- a scheduled run killed with its daemon ---- */

/* From the {} of a scheduled run, 400 items with its window's start
 * (a parameter, given to the command), each a little slow. */
static const char *FANOUT =
  "<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"fanout\">\n"
  "<schedule cron=\"0 * * * *\" timezone=\"UTC\" timescope=\"hourly\"/>\n"
  "<controller id=\"gen\" mode=\"not-parallel\"><phase id=\"p\">"
  "<execution id=\"window\"><command>printf '{\"from\": \"%s\"}\\n' ${window_start}</command></execution>"
  "<execution id=\"make\"><lua>for i = 1, 400 do emit({i = i, from = item.from}) end</lua></execution>"
  "</phase></controller>\n"
  "<controller id=\"work\" mode=\"order-by-sequence\" workers=\"2\"><phase id=\"q\">"
  "<execution id=\"log\"><command>sleep 0.01; tee -a seen.log</command></execution>"
  "</phase></controller>\n"
  "</pipeline>\n";

static json_t *
runs_of (Fixture    *f,
         const char *registry_id)
{
  g_auto(Answer) a = api_call (f->session, f->daemon, "GET", "/runs", NULL, NULL);
  json_t *list = json_array ();
  size_t i;
  json_t *run;

  json_array_foreach (json_object_get (a.json, "runs"), i, run)
    if (g_strcmp0 (json_string_value (json_object_get (run, "registry_id")), registry_id) == 0)
      json_array_append (list, run);
  return list;
}

/* Waits for the scheduler to start the run of @id; returns its run id. */
static char *
wait_scheduled_run (Fixture    *f,
                    const char *id)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      json_t *runs = runs_of (f, id);

      if (json_array_size (runs) > 0)
        {
          char *run = g_strdup (json_string_value (json_object_get (json_array_get (runs, 0), "id")));

          json_decref (runs);
          return run;
        }
      json_decref (runs);
      if (g_get_monotonic_time () > deadline)
        g_error ("no scheduled run of %s after 60 s", id);
      g_usleep (20000);
    }
}

/* The daemon is killed -9 twice while a scheduled run goes on: each new
 * daemon resumes that run (adopted by the scheduler) and never starts its
 * fire time again; the output is whole, with no line twice. */
static void
test_scheduled_kill (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->root, "pipelines", NULL);
  g_autofree char *seen_log = g_build_filename (folder, "seen.log", NULL);
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  json_t *runs;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_free (write_file (folder, "fanout.xml", FANOUT));
  /* Two seconds before a fire time, at the normal pace. */
  g_setenv ("SLUICE_TEST_CLOCK", "2026-11-27T13:59:58Z x1", TRUE);
  f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { folder, NULL });
  id = wait_scheduled_run (f, "fanout");
  for (guint k = 1; k <= 2; k++)
    {
      wait_output_lines (f, id, k * 100);
      daemon_kill (f->daemon);
      g_test_message ("kill %u at %u outputs", k, test_count_file_lines (seen_log));
      g_clear_pointer (&f->daemon, daemon_free);
      /* The clock starts again before the fire time: the scheduler must
       * know it handled it. */
      f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { folder, NULL });
    }
  state = api_wait_final (f->session, f->daemon, id, NULL, 180);
  g_unsetenv ("SLUICE_TEST_CLOCK");
  g_assert_cmpstr (state, ==, "completed");
  /* Past the fire time again on the restarted clock: still one run. */
  g_usleep (3 * G_USEC_PER_SEC);
  runs = runs_of (f, "fanout");
  g_assert_cmpuint (json_array_size (runs), ==, 1);
  {
    json_t *run = json_array_get (runs, 0);
    g_autofree char *path = g_strdup_printf ("/runs/%s/output", id);
    g_auto(Answer) output = api_call (f->session, f->daemon, "GET", path, NULL, NULL);

    g_assert_cmpstr (json_string_value (json_object_get (run, "trigger")), ==, "schedule");
    g_assert_cmpstr (json_string_value (json_object_get (run, "fire_time")), ==, "2026-11-27T14:00:00.000Z");
    g_assert_true (history_says (run, "resumed from its journal"));
    g_assert_cmpuint (test_count_lines (output.body), ==, 400);
    assert_no_duplicate (output.body);
    /* The window of the 14:00 fire time: the hour before. */
    if (strstr (output.body, "\"from\":\"2026-11-27T13:00:00") == NULL)
      g_error ("the window is not the hour before the fire time: %.200s", output.body);
    /* The journal keeps progress per input item: the one {} of a
     * scheduled run is in flight until its last output, so its 400
     * outputs are worked on again after each kill (never written twice). */
    g_test_message ("items worked on: %u for 400", test_count_file_lines (seen_log));
    g_assert_cmpuint (test_count_file_lines (seen_log), >=, 400);
  }
  json_decref (runs);

  /* The metrics: how late it started, what its journal writes cost. */
  {
    json_t *samples = api_scrape_metrics (f->session, f->daemon);

    g_assert_cmpfloat (api_metrics_sample (samples, "sluice_journal_write_seconds_count", NULL, NULL, NULL, NULL), >, 0);
    json_decref (samples);
  }
}

/* The first daemon of a fire time: the lag is measured as it launches. */
static void
test_schedule_metrics (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (f->root, "pipelines", NULL);
  g_autofree char *id = NULL;
  g_autofree char *state = NULL;
  json_t *samples;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_free (write_file (folder, "hourly.xml", HOURLY));
  g_setenv ("SLUICE_TEST_CLOCK", "2026-11-27T12:59:59Z x1", TRUE);
  f->daemon = daemon_start (f->state_dir, f->root, (const char *[]) { folder, NULL });
  g_unsetenv ("SLUICE_TEST_CLOCK");
  id = wait_scheduled_run (f, "hourly");
  state = api_wait_final (f->session, f->daemon, id, NULL, 60);
  g_assert_cmpstr (state, ==, "completed");
  samples = api_scrape_metrics (f->session, f->daemon);
  g_assert_cmpfloat (api_metrics_sample (samples, "sluice_schedule_lag_seconds_count", "pipeline", "hourly", NULL, NULL), ==, 1);
  /* On time: well within the scheduler's grace. */
  g_assert_cmpfloat (api_metrics_sample (samples, "sluice_schedule_lag_seconds_sum", "pipeline", "hourly", NULL, NULL), <, 60);
  g_assert_cmpfloat (api_metrics_sample (samples, "sluice_journal_write_seconds_count", NULL, NULL, NULL, NULL), >, 0);
  json_decref (samples);
}

/* ---- --check ---- */

static void
test_check (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *folder = make_folder (f);
  g_autofree char *good = g_build_filename (f->root, "good", NULL);
  g_autofree char *empty_token = write_file (f->root, "token", "");
  g_autofree char *broken = g_build_filename (folder, "broken.xml", NULL);

  g_assert_cmpint (g_mkdir (good, 0700), ==, 0);
  g_free (write_file (good, "double.xml", DOUBLE));
  {
    g_auto(RunnerResult) r = { 0 };

    runner_run (&r, (const char *[]) { "daemon", "--check", good, "--state-dir", f->state_dir,
                                       "--listen", "127.0.0.1:0", NULL }, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "ok: 1 pipelines (0 scheduled)"));
    /* It writes nothing. */
    g_assert_false (g_file_test (f->state_dir, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(RunnerResult) r = { 0 };
    g_autofree char *where = g_strdup_printf ("%s:4:", broken);

    runner_run (&r, (const char *[]) { "daemon", "--check", folder, "--state-dir", f->state_dir,
                                       "--listen", "127.0.0.1:0", "--token-file", empty_token,
                                       "--root", "/nonexistent/root", "--max-body", "lots", NULL }, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, where));
    g_assert_nonnull (strstr (r.err, "--token-file"));
    g_assert_nonnull (strstr (r.err, "--root /nonexistent/root"));
    g_assert_nonnull (strstr (r.err, "--max-body lots"));
  }
  /* The address of a daemon already listening. */
  {
    g_auto(RunnerResult) r = { 0 };
    const char *address;

    f->daemon = daemon_start (f->state_dir, f->root, NULL);
    address = f->daemon->url + strlen ("http://");
    runner_run (&r, (const char *[]) { "daemon", "--check", good, "--listen", address, NULL }, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "--listen"));
  }
  {
    g_auto(RunnerResult) r = { 0 };

    runner_run (&r, (const char *[]) { "daemon", "--check", "/nonexistent/folder", "--listen", "127.0.0.1:0", NULL }, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "/nonexistent/folder"));
  }
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
  g_test_add ("/sluice/daemon/pipelines-api", Fixture, NULL, fixture_setup, test_pipelines_api, fixture_teardown);
  g_test_add ("/sluice/daemon/folder-watch", Fixture, NULL, fixture_setup, test_folder_watch, fixture_teardown);
  g_test_add ("/sluice/daemon/scheduled-kill", Fixture, NULL, fixture_setup, test_scheduled_kill, fixture_teardown);
  g_test_add ("/sluice/daemon/schedule-metrics", Fixture, NULL, fixture_setup, test_schedule_metrics, fixture_teardown);
  g_test_add ("/sluice/daemon/check", Fixture, NULL, fixture_setup, test_check, fixture_teardown);

  status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
