/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runner-common.h"

/* `sluice-run new`: the real binary ($SLUICE_RUN) lists the templates,
 * starts a file from one that then runs, and refuses what it must. */

static void
test_list (void)
{
  g_auto(RunnerResult) result = { 0 };

  runner_run (&result, (const char *[]) { "new", "--list-templates", NULL }, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "sequential"));
  g_assert_nonnull (strstr (result.out, "retry"));
  g_assert_nonnull (strstr (result.out, "To fill in: threshold"));
}

/* The new file is the template, runs once its parameter is given, and is
 * never written over. */
static void
test_new_then_run (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-new-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mine.xml", NULL);
  g_autofree char *input = g_build_filename (dir, "in.jsonl", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(RunnerResult) created = { 0 };
  g_auto(RunnerResult) again = { 0 };
  g_auto(RunnerResult) ran = { 0 };

  runner_run (&created, (const char *[]) { "new", "--template", "conditional", path, NULL }, NULL);
  g_assert_cmpint (created.status, ==, 0);
  g_assert_nonnull (strstr (created.out, "-D threshold=VALUE"));
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));

  g_assert_true (g_file_set_contents (input, "{\"value\": 5}\n{\"value\": 50}\n{\"other\": 1}\n", -1, NULL));
  runner_run (&ran, (const char *[]) { path, "-D", "threshold=10", "-i", input, NULL }, NULL);
  g_assert_cmpint (ran.status, ==, 0);
  g_assert_cmpstr (ran.out, ==, "{\"kind\":\"small\",\"value\":5}\n{\"kind\":\"large\",\"value\":50}\n");

  runner_run (&again, (const char *[]) { "new", "--template", "sequential", path, NULL }, NULL);
  g_assert_cmpint (again.status, ==, 2);
  g_assert_nonnull (strstr (again.err, "exists"));
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);

  g_unlink (input);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_refused (void)
{
  const char *cases[][4] = {
    { "new", "--template", "../../etc/passwd", "/tmp/sluice-never.xml" },
    { "new", "--template", "no-such", "/tmp/sluice-never.xml" },
    { "new", "/tmp/sluice-never.xml", NULL, NULL },
    { "new", "--template", "sequential", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RunnerResult) result = { 0 };
      const char *args[5] = { cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL };

      runner_run (&result, args, NULL);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_true (g_str_has_prefix (result.err, "sluice-run new: "));
      g_assert_false (g_file_test ("/tmp/sluice-never.xml", G_FILE_TEST_EXISTS));
    }
  /* A folder that cannot be written: a write error, exit 1. */
  {
    g_auto(RunnerResult) result = { 0 };

    runner_run (&result, (const char *[]) { "new", "--template", "sequential", "/proc/sluice-new.xml", NULL }, NULL);
    g_assert_cmpint (result.status, ==, 1);
    g_assert_nonnull (strstr (result.err, "/proc/sluice-new.xml"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sluice/runner/new/list", test_list);
  g_test_add_func ("/sluice/runner/new/then-run", test_new_then_run);
  g_test_add_func ("/sluice/runner/new/refused", test_refused);
  return g_test_run ();
}
