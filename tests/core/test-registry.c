/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* symlink, mkfifo */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sluice-core.h"

/* The registry of a folder: what is an entry, broken files beside good
 * ones, hostile folders (links in loops, FIFOs, huge files, thousands of
 * files), versions by hash, and watching for changes. */

#define PIPELINE(ID, SCHEDULE) \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<pipeline format=\"1\" id=\"" ID "\">\n" \
  SCHEDULE \
  "  <controller id=\"c\" mode=\"not-parallel\">\n" \
  "    <phase id=\"p\">\n" \
  "      <execution id=\"m\"><lua>item.x = 1</lua></execution>\n" \
  "    </phase>\n" \
  "  </controller>\n" \
  "</pipeline>\n"

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
remove_tree (const char *path)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", path);

  g_assert_cmpint (system (command), ==, 0);
}

static char *
all_problems (SluiceRegistryEntry *entry)
{
  GPtrArray *problems = sluice_registry_entry_get_problems (entry);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_string_append_printf (text, "%s\n", line);
    }
  return g_string_free (text, FALSE);
}

static void
assert_entry (SluiceRegistry *registry,
              const char     *id,
              gboolean        valid,
              const char     *problem)
{
  SluiceRegistryEntry *entry = sluice_registry_lookup (registry, id);
  g_autofree char *problems = NULL;

  if (entry == NULL)
    g_error ("no entry %s", id);
  problems = all_problems (entry);
  g_assert_cmpint (sluice_registry_entry_is_valid (entry), ==, valid);
  if (problem != NULL && strstr (problems, problem) == NULL)
    g_error ("%s: expected “%s” in:\n%s", id, problem, problems);
}

static void
test_hostile_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-registry-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.xml", NULL);
  g_autofree char *huge = g_build_filename (dir, "huge.xml", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.xml", NULL);
  g_autofree char *loop = g_build_filename (dir, "sub", "loop", NULL);
  g_autoptr(SluiceRegistry) registry = sluice_registry_new (dir, NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  int fd;

  write_file (dir, "good.xml", PIPELINE ("good", "  <schedule cron=\"*/5 * * * *\"/>\n"));
  write_file (dir, "sub/deeper/nested.xml", PIPELINE ("nested", ""));
  write_file (dir, "bad-cron.xml", PIPELINE ("bad", "  <schedule cron=\"*/0 * * * *\"/>\n"));
  write_file (dir, "not-a-pipeline.xml", "<config><a/></config>\n");
  write_file (dir, "binary.xml", "\x89PNG\r\n\x1a\n\xff\xfe\x00\x01");
  write_file (dir, "empty.xml", "");
  write_file (dir, "entity.xml",
              "<?xml version=\"1.0\"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
              "<pipeline format=\"1\">&x;</pipeline>\n");
  write_file (dir, "README.md", "not a pipeline");
  write_file (dir, ".hidden/skipped.xml", PIPELINE ("hidden", ""));
  write_file (dir, ".editor-swap.xml", "garbage");
  write_file (dir, "folder.xml/inside.xml", PIPELINE ("inside", ""));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink ("no-such-file.xml", dangling), ==, 0);
  g_assert_cmpint (symlink ("..", loop), ==, 0);
  /* 100 MB, sparse: refused from its size, never read. */
  fd = g_open (huge, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 100 * 1024 * 1024), ==, 0);
  close (fd);

  started = g_get_monotonic_time ();
  g_assert_true (sluice_registry_scan (registry, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 10 * G_USEC_PER_SEC);

  list = sluice_registry_list (registry);
  assert_entry (registry, "good", TRUE, NULL);
  assert_entry (registry, "sub/deeper/nested", TRUE, NULL);
  assert_entry (registry, "folder.xml/inside", TRUE, NULL);
  assert_entry (registry, "bad-cron", FALSE, "bad-cron.xml:3: error: <schedule>: minute field `*/0`");
  assert_entry (registry, "not-a-pipeline", FALSE, "the root element is <config>");
  assert_entry (registry, "binary", FALSE, "binary.xml:1: error:");
  assert_entry (registry, "empty", FALSE, "the file is empty");
  assert_entry (registry, "entity", FALSE, "DOCTYPE declarations are not allowed");
  assert_entry (registry, "fifo", FALSE, "not a regular file");
  assert_entry (registry, "huge", FALSE, "larger than 8 MB");
  assert_entry (registry, "dangling", FALSE, "cannot open the file");
  g_assert_null (sluice_registry_lookup (registry, ".hidden/skipped"));
  g_assert_null (sluice_registry_lookup (registry, "README"));
  g_assert_cmpuint (list->len, ==, 11);
  g_assert_null (sluice_registry_entry_get_hash (sluice_registry_lookup (registry, "huge")));
  g_assert_cmpuint (strlen (sluice_registry_entry_get_hash (sluice_registry_lookup (registry, "good"))), ==, 64);

  /* The link back to the top is reported, not walked forever. */
  {
    GPtrArray *problems = sluice_registry_get_problems (registry);
    g_autofree char *first = NULL;

    g_assert_cmpuint (problems->len, ==, 1);
    first = sluice_problem_to_string (g_ptr_array_index (problems, 0));
    g_assert_nonnull (strstr (first, "sub/loop"));
    g_assert_nonnull (strstr (first, "symbolic link loop"));
  }

  /* A second scan of unchanged files reads nothing again and reports
   * the same. */
  g_assert_true (sluice_registry_scan (registry, NULL));
  {
    g_autoptr(GPtrArray) again = sluice_registry_list (registry);
    g_autoptr(SluiceRegistry) missing = sluice_registry_new ("/nonexistent/folder", NULL);

    g_assert_cmpuint (again->len, ==, 11);
    g_assert_false (sluice_registry_scan (missing, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  }
  remove_tree (dir);
}

static void
test_many_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-registry-XXXXXX", NULL);
  g_autoptr(SluiceRegistry) registry = sluice_registry_new (dir, NULL);
  g_autoptr(GPtrArray) list = NULL;
  gint64 started;
  guint n = 2000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("batch-%u/p%05u.xml", i % 10, i);
      write_file (dir, name, i == 1234 ? "<pipeline" : PIPELINE ("many", "  <schedule cron=\"@hourly\"/>\n"));
    }

  started = g_get_monotonic_time ();
  g_assert_true (sluice_registry_scan (registry, NULL));
  g_test_message ("%u files scanned in %.2f s", n, (g_get_monotonic_time () - started) / 1e6);
  list = sluice_registry_list (registry);
  g_assert_cmpuint (list->len, ==, n);
  assert_entry (registry, "batch-4/p01234", FALSE, "p01234.xml");
  assert_entry (registry, "batch-5/p01235", TRUE, NULL);
  g_assert_cmpstr (sluice_registry_entry_get_id (g_ptr_array_index (list, 0)), ==, "batch-0/p00000");
  remove_tree (dir);
}

typedef struct
{
  GMainLoop *loop;
  GPtrArray *events;   /* "added ID", "changed ID", "removed ID" */
} Watch;

static void
record (Watch               *watch,
        const char          *what,
        SluiceRegistryEntry *entry)
{
  g_ptr_array_add (watch->events, g_strdup_printf ("%s %s", what, sluice_registry_entry_get_id (entry)));
  g_main_loop_quit (watch->loop);
}

static void
added_cb (SluiceRegistry *registry, SluiceRegistryEntry *entry, Watch *watch)
{
  record (watch, "added", entry);
}

static void
changed_cb (SluiceRegistry *registry, SluiceRegistryEntry *entry, Watch *watch)
{
  record (watch, "changed", entry);
}

static void
removed_cb (SluiceRegistry *registry, SluiceRegistryEntry *entry, Watch *watch)
{
  record (watch, "removed", entry);
}

static gboolean
timeout_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Waits (at most 10 s) for the next registry signal. */
static const char *
next_event (Watch *watch)
{
  guint before = watch->events->len;
  guint timeout = g_timeout_add_seconds (10, timeout_cb, watch->loop);

  g_main_loop_run (watch->loop);
  g_source_remove (timeout);
  g_assert_cmpuint (watch->events->len, >, before);
  return g_ptr_array_index (watch->events, before);
}

static void
test_watch_and_versions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-registry-XXXXXX", NULL);
  g_autofree char *state = g_dir_make_tmp ("sluice-registry-state-XXXXXX", NULL);
  g_autoptr(SluiceRegistry) registry = sluice_registry_new (dir, state);
  g_autoptr(SluiceRegistryEntry) first = NULL;
  g_autofree char *old_copy = NULL;
  g_auto(GStrv) versions = NULL;
  g_autofree char *first_hash = NULL;
  Watch watch = { g_main_loop_new (NULL, FALSE), g_ptr_array_new_with_free_func (g_free) };
  SluiceRegistryEntry *now;

  write_file (dir, "etl/daily.xml", PIPELINE ("daily", "  <schedule cron=\"0 3 * * *\"/>\n"));
  g_signal_connect (registry, "added", G_CALLBACK (added_cb), &watch);
  g_signal_connect (registry, "changed", G_CALLBACK (changed_cb), &watch);
  g_signal_connect (registry, "removed", G_CALLBACK (removed_cb), &watch);
  g_assert_true (sluice_registry_watch (registry, NULL));
  g_assert_cmpuint (watch.events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (watch.events, 0), ==, "added etl/daily");
  first = g_object_ref (sluice_registry_lookup (registry, "etl/daily"));
  first_hash = g_strdup (sluice_registry_entry_get_hash (first));

  /* A new file, in a new subfolder too. */
  write_file (dir, "new.xml", PIPELINE ("new", ""));
  g_assert_cmpstr (next_event (&watch), ==, "added new");
  write_file (dir, "later/deep.xml", PIPELINE ("deep", ""));
  g_assert_cmpstr (next_event (&watch), ==, "added later/deep");

  /* A change: a new entry; the old one (a run's) is untouched. */
  write_file (dir, "etl/daily.xml", PIPELINE ("daily", "  <schedule cron=\"0 4 * * *\"/>\n"));
  g_assert_cmpstr (next_event (&watch), ==, "changed etl/daily");
  now = sluice_registry_lookup (registry, "etl/daily");
  g_assert_true (now != first);
  g_assert_cmpstr (sluice_schedule_get_cron (sluice_pipeline_get_schedule (sluice_registry_entry_get_pipeline (first))),
                   ==, "0 3 * * *");
  g_assert_cmpstr (sluice_schedule_get_cron (sluice_pipeline_get_schedule (sluice_registry_entry_get_pipeline (now))),
                   ==, "0 4 * * *");

  /* Both versions are kept, by hash. */
  versions = sluice_registry_get_versions (registry, "etl/daily");
  g_assert_cmpuint (g_strv_length (versions), ==, 2);
  g_assert_true (g_str_has_prefix (versions[0], first_hash));
  old_copy = sluice_registry_get_version_path (registry, "etl/daily", first_hash);
  g_assert_nonnull (old_copy);
  g_assert_null (sluice_registry_get_version_path (registry, "etl/daily", "../../../etc/passwd"));

  /* A broken file is added as broken; the others stay. */
  write_file (dir, "new.xml", "<pipeline format=\"1\"><oops/></pipeline>");
  g_assert_cmpstr (next_event (&watch), ==, "changed new");
  g_assert_false (sluice_registry_entry_is_valid (sluice_registry_lookup (registry, "new")));
  g_assert_true (sluice_registry_entry_is_valid (sluice_registry_lookup (registry, "etl/daily")));

  /* Removed. */
  {
    g_autofree char *path = g_build_filename (dir, "new.xml", NULL);
    g_assert_cmpint (g_remove (path), ==, 0);
  }
  g_assert_cmpstr (next_event (&watch), ==, "removed new");
  g_assert_null (sluice_registry_lookup (registry, "new"));

  g_main_loop_unref (watch.loop);
  g_ptr_array_unref (watch.events);
  remove_tree (dir);
  remove_tree (state);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/registry/hostile-folder", test_hostile_folder);
  g_test_add_func ("/sluice/registry/many-files", test_many_files);
  g_test_add_func ("/sluice/registry/watch-and-versions", test_watch_and_versions);

  return g_test_run ();
}
