/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "runner-common.h"

/* `sluice-run test` and `sluice-run --dry-run` through the real program
 * (its path is in $SLUICE_RUN): TAP, JUnit XML, exit statuses, the diff
 * with FILE:LINE, and what a dry run reports instead of doing. */

static char *
example (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

static char *
write_temp (const char *name,
            const char *contents,
            char      **directory)
{
  g_autoptr(GError) error = NULL;
  char *path;

  if (*directory == NULL)
    *directory = g_dir_make_tmp ("sluice-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*directory, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
remove_tree (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      g_unlink (path);
    }
  g_rmdir (directory);
}

#define PIPELINE_HEAD \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<pipeline format=\"1\" id=\"t\">\n" \
  "  <parameters><parameter name=\"out\" default=\"/tmp/x\"/></parameters>\n" \
  "  <controller id=\"c\" mode=\"not-parallel\">\n" \
  "    <phase id=\"p\">\n" \
  "      <execution id=\"double\"><lua>item.v = item.v * 2</lua></execution>\n" \
  "      <execution id=\"save\"><command>cat >> ${out}</command></execution>\n" \
  "    </phase>\n" \
  "  </controller>\n"

static const char passing_and_failing[] =
  PIPELINE_HEAD
  "  <tests>\n"
  "    <case name=\"passes\">\n"
  "      <input>{\"v\": 1}</input>\n"
  "      <stub module=\"save\"/>\n"
  "      <expect-items>{\"v\": 2}</expect-items>\n"
  "    </case>\n"
  "    <case name=\"fails &amp; says why\">\n"             /* line 16 */
  "      <input>\n{\"v\": 1}\n{\"v\": 2}\n</input>\n"
  "      <stub module=\"save\"/>\n"
  "      <expect-items>\n{\"v\": 2}\n{\"v\": 5}\n</expect-items>\n"
  "    </case>\n"
  "  </tests>\n"
  "</pipeline>\n";

static void
test_tap_and_diff (void)
{
  g_autofree char *directory = NULL;
  g_autofree char *file = write_temp ("p.xml", passing_and_failing, &directory);
  g_autofree char *where = g_strdup_printf ("# %s:16: line ", file);
  g_auto(RunnerResult) result = { 0 };

  runner_run (&result, (const char *[]) { "test", file, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.out, "ok 1 - "));
  g_assert_nonnull (strstr (result.out, ": passes\n"));
  g_assert_nonnull (strstr (result.out, "not ok 2 - "));
  g_assert_nonnull (strstr (result.out, where));
  g_assert_nonnull (strstr (result.out, "#   item 2 differs:\n#     - {\"v\":5}\n#     + {\"v\":4}\n"));
  g_assert_nonnull (strstr (result.out, "1..2\n"));
  remove_tree (directory);
}

static void
test_case_filter_and_exit_codes (void)
{
  g_autofree char *directory = NULL;
  g_autofree char *file = write_temp ("p.xml", passing_and_failing, &directory);
  g_autofree char *empty = write_temp ("empty.xml", PIPELINE_HEAD "</pipeline>\n", &directory);
  g_autofree char *broken = write_temp ("broken.xml", PIPELINE_HEAD "<tests><case name=\"b\"><input>{nope}</input></case></tests></pipeline>\n", &directory);
  g_auto(RunnerResult) only = { 0 };
  g_auto(RunnerResult) unknown = { 0 };
  g_auto(RunnerResult) no_cases = { 0 };
  g_auto(RunnerResult) invalid = { 0 };
  g_auto(RunnerResult) usage = { 0 };

  runner_run (&only, (const char *[]) { "test", "--case", "passes", file, NULL }, NULL);
  g_assert_cmpint (only.status, ==, 0);
  g_assert_nonnull (strstr (only.out, "1..1\n"));

  runner_run (&unknown, (const char *[]) { "test", "--case", "nope", file, NULL }, NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "no case named “nope”"));

  runner_run (&no_cases, (const char *[]) { "test", empty, NULL }, NULL);
  g_assert_cmpint (no_cases.status, ==, 2);
  g_assert_nonnull (strstr (no_cases.out, "has no <tests> cases"));

  runner_run (&invalid, (const char *[]) { "test", broken, NULL }, NULL);
  g_assert_cmpint (invalid.status, ==, 2);
  g_assert_nonnull (strstr (invalid.out, "broken.xml:10: error: test case `b`: bad input item"));

  runner_run (&usage, (const char *[]) { "test", NULL }, NULL);
  g_assert_cmpint (usage.status, ==, 2);
  remove_tree (directory);
}

static void
test_junit (void)
{
  g_autofree char *directory = NULL;
  g_autofree char *file = write_temp ("p.xml", passing_and_failing, &directory);
  g_autofree char *junit = g_build_filename (directory, "report.xml", NULL);
  g_autofree char *contents = NULL;
  g_auto(RunnerResult) result = { 0 };

  runner_run (&result, (const char *[]) { "test", "--junit", junit, file, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_true (g_file_get_contents (junit, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "tests=\"2\" failures=\"1\""));
  g_assert_nonnull (strstr (contents, "name=\"passes\""));
  g_assert_nonnull (strstr (contents, "name=\"fails &amp; says why\""));
  g_assert_nonnull (strstr (contents, "<failure message=\"the case failed\">"));
  g_unlink (junit);
  remove_tree (directory);
}

/* Every example carries tests, and they pass. */
static void
test_examples (void)
{
  static const char * const names[] = {
    "calls-double.xml", "double.xml", "etl.xml", "modes.xml", "strategy.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = example (names[i]);
      g_auto(RunnerResult) result = { 0 };

      runner_run (&result, (const char *[]) { "test", path, NULL }, NULL);
      g_assert_cmpint (result.status, ==, 0);
      g_assert_null (strstr (result.out, "not ok"));
    }
}

/* A test never writes: the stubbed command's file is not created. */
static void
test_no_side_effects (void)
{
  g_autofree char *directory = NULL;
  char *file = write_temp ("p.xml", passing_and_failing, &directory);
  g_autofree char *target = g_build_filename (directory, "written", NULL);
  g_autofree char *define = g_strdup_printf ("%s", target);
  g_auto(RunnerResult) result = { 0 };

  g_free (file);
  {
    g_autoptr(GString) s = g_string_new (passing_and_failing);
    g_autofree char *param = g_strdup_printf ("<param name=\"out\">%s</param>\n      <input>", define);
    g_autofree char *path = NULL;

    g_string_replace (s, "<input>", param, 0);
    path = write_temp ("q.xml", s->str, &directory);
    runner_run (&result, (const char *[]) { "test", "--case", "passes", path, NULL }, NULL);
  }
  g_assert_cmpint (result.status, ==, 0);
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  remove_tree (directory);
}

static void
test_dry_run (void)
{
  g_autofree char *directory = NULL;
  g_autofree char *file = write_temp ("p.xml", passing_and_failing, &directory);
  g_autofree char *input = write_temp ("in.jsonl", "{\"v\": 1}\n{\"v\": 2}\n", &directory);
  g_autofree char *target = g_build_filename (directory, "it's $(touch pwned) here", NULL);
  g_autofree char *define = g_strdup_printf ("out=%s", target);
  g_autofree char *expected = NULL;
  g_auto(RunnerResult) result = { 0 };

  runner_run (&result, (const char *[]) { "--dry-run", "-q", "-D", define, "-i", input, file, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 0);
  /* The outputs are as a run would give (the recorder passes items on). */
  g_assert_cmpstr (result.out, ==, "{\"v\":2}\n{\"v\":4}\n");
  expected = g_strdup_printf ("dry-run: module “save” would run: /bin/sh -c ");
  g_assert_nonnull (strstr (result.err, expected));
  g_assert_nonnull (strstr (result.err, "with item {\"v\":2}\n"));
  g_assert_nonnull (strstr (result.err, "with item {\"v\":4}\n"));
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test ("pwned", G_FILE_TEST_EXISTS));
  remove_tree (directory);
}

static void
test_dry_run_external (void)
{
  g_autofree char *path = example ("calls-double.xml");
  g_auto(RunnerResult) result = { 0 };

  runner_run (&result, (const char *[]) { "--dry-run", "-q", path, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.err, "dry-run: module “call” would POST the item as JSON to service “double” (an endpoint the balancer http://127.0.0.1:8090/ picks) with item {}"));
  g_assert_cmpstr (result.out, ==, "{}\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("SLUICE_RUN") == NULL || g_getenv ("SLUICE_SOURCE_ROOT") == NULL)
    g_error ("SLUICE_RUN and SLUICE_SOURCE_ROOT must be set (meson test sets them)");

  g_test_add_func ("/sluice/runner-test/tap-and-diff", test_tap_and_diff);
  g_test_add_func ("/sluice/runner-test/case-filter-and-exit-codes", test_case_filter_and_exit_codes);
  g_test_add_func ("/sluice/runner-test/junit", test_junit);
  g_test_add_func ("/sluice/runner-test/examples", test_examples);
  g_test_add_func ("/sluice/runner-test/no-side-effects", test_no_side_effects);
  g_test_add_func ("/sluice/runner-test/dry-run", test_dry_run);
  g_test_add_func ("/sluice/runner-test/dry-run-external", test_dry_run_external);

  return g_test_run ();
}
