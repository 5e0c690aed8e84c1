/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "runner-common.h"

/* Drives the real sluice-run binary (its path is in $SLUICE_RUN) and
 * checks what users and scripts see: output, messages and exit status. */

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "validator", name, NULL);
}

static char *
example_path (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

static void
test_version (void)
{
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "sluice-run " PACKAGE_VERSION "\n");
}

static void
test_help (void)
{
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  for (guint i = 0; i < 8; i++)
    {
      const char *options[] = { "--validate", "--format", "--input", "--output",
                                "--define", "--events", "--report", "Exit status" };

      g_assert_nonnull (strstr (r.out, options[i]));
    }
}

static void
test_usage_errors (void)
{
  const struct {
    const char *args[4];
    const char *message;
  } cases[] = {
    { { NULL }, "no pipeline file given" },
    { { "--validate", NULL }, "--validate needs at least one pipeline file" },
    { { "--bogus", "x.xml", NULL }, "Unknown option --bogus" },
    { { "--validate", "--format=xml", "x.xml", NULL }, "unknown --format “xml”" },
    { { "--format=json", "x.xml", NULL }, "--format only applies to --validate" },
    { { "--progress", "--quiet", "x.xml", NULL }, "cannot be used together" },
    { { "a.xml", "b.xml", NULL }, "one pipeline file at a time" },
    { { "--report", "out.txt", "x.xml", NULL }, "ending in .html or .json" },
    { { "-D", "novalue", "x.xml", NULL }, "-D expects NAME=VALUE, not “novalue”" },
    { { "-D", "=1", "x.xml", NULL }, "-D expects NAME=VALUE" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RunnerResult) r = { 0 };

      runner_run_va (&r, cases[i].args[0], cases[i].args[1], cases[i].args[2], cases[i].args[3], NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpstr (r.out, ==, "");
      g_assert_nonnull (strstr (r.err, cases[i].message));
    }
}

static void
test_validate_examples (void)
{
  g_autofree char *strategy = example_path ("strategy.xml");
  g_autofree char *modes = example_path ("modes.xml");
  g_autofree char *etl = example_path ("etl.xml");
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--validate", strategy, modes, etl, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
}

static void
test_validate_error (void)
{
  g_autofree char *path = data_path ("duplicate-id.xml");
  g_autofree char *expected = g_strdup_printf ("%s:6: error: module `a` is defined twice (first at line 5)\n", path);
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--validate", path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, expected);
}

/* One problem, one line: an id cannot forge another problem's line. */
static void
test_validate_forged_line (void)
{
  g_autofree char *path = data_path ("newline-id.xml");
  g_auto(RunnerResult) r = { 0 };
  g_auto(GStrv) lines = NULL;

  runner_run_va (&r, "--validate", path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  /* One line, and the empty string after its newline. */
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (strstr (r.out, "\\u{000A}"));
}

/* A FIFO nobody writes to reads as empty instead of waiting forever. */
static void
test_validate_fifo (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-fifo-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe.xml", NULL);
  g_auto(RunnerResult) r = { 0 };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  runner_run_va (&r, "--validate", fifo, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.out, fifo));
  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_validate_warning_only (void)
{
  g_autofree char *path = data_path ("parameter-no-default.xml");
  g_autofree char *expected = g_strdup_printf ("%s:4: warning: parameter `who` has no default: a run must give it with -D who=VALUE\n", path);
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--validate", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, expected);
}

/* Files keep the order of the command line; one bad file makes it all 2. */
static void
test_validate_several (void)
{
  g_autofree char *valid = data_path ("valid.xml");
  g_autofree char *warning = data_path ("empty-lua.xml");
  g_autofree char *error = data_path ("empty-phase.xml");
  g_autofree char *missing = data_path ("no-such-file.xml");
  g_auto(GStrv) lines = NULL;
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "--validate", warning, valid, error, missing, NULL);
  g_assert_cmpint (r.status, ==, 2);

  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 4);
  g_assert_true (g_str_has_prefix (lines[0], warning));
  g_assert_nonnull (strstr (lines[0], ": warning: "));
  g_assert_true (g_str_has_prefix (lines[1], error));
  g_assert_nonnull (strstr (lines[1], ":4: error: phase `p` has no modules"));
  g_assert_true (g_str_has_prefix (lines[2], missing));
  g_assert_nonnull (strstr (lines[2], ": error: "));
}

static void
test_validate_json (void)
{
  g_autofree char *valid = data_path ("valid.xml");
  g_autofree char *bad = data_path ("external-undeclared-service.xml");
  g_autofree char *warning = data_path ("parameter-no-default.xml");
  g_auto(RunnerResult) r = { 0 };
  json_error_t error;
  json_t *array;
  json_t *object;

  runner_run_va (&r, "--validate", "--format=json", valid, bad, warning, NULL);
  g_assert_cmpint (r.status, ==, 2);

  array = json_loads (r.out, 0, &error);
  g_assert_nonnull (array);
  g_assert_true (json_is_array (array));
  g_assert_cmpuint (json_array_size (array), ==, 2);

  object = json_array_get (array, 0);
  g_assert_cmpstr (json_string_value (json_object_get (object, "file")), ==, bad);
  g_assert_cmpint (json_integer_value (json_object_get (object, "line")), ==, 10);
  g_assert_cmpstr (json_string_value (json_object_get (object, "severity")), ==, "error");
  g_assert_cmpstr (json_string_value (json_object_get (object, "node")), ==, "ask");
  g_assert_nonnull (strstr (json_string_value (json_object_get (object, "message")), "undeclared service `oracle`"));

  object = json_array_get (array, 1);
  g_assert_cmpstr (json_string_value (json_object_get (object, "file")), ==, warning);
  g_assert_cmpstr (json_string_value (json_object_get (object, "severity")), ==, "warning");
  g_assert_true (json_is_null (json_object_get (object, "node")));
  json_decref (array);

  /* No problems is still one JSON document. */
  runner_result_clear (&r);
  runner_run_va (&r, "--validate", "--format", "json", valid, NULL);
  g_assert_cmpint (r.status, ==, 0);
  array = json_loads (r.out, 0, &error);
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_size (array), ==, 0);
  json_decref (array);
}

/* Editors pipe unsaved buffers: "-" is standard input. */
static void
test_validate_stdin (void)
{
  g_autofree char *bad = data_path ("duplicate-id.xml");
  g_autofree char *good = example_path ("etl.xml");
  const char *args[] = { "--validate", "-", NULL };
  g_auto(RunnerResult) r = { 0 };

  runner_run_stdin_file (&r, bad, args);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "<stdin>:6: error: module `a` is defined twice (first at line 5)\n");

  runner_result_clear (&r);
  runner_run_stdin_file (&r, good, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");

  runner_result_clear (&r);
  runner_run_stdin_file (&r, "/dev/null", args);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "<stdin>:1: error: the file is empty\n");
}

/* Running validates first: an invalid pipeline never starts. */
static void
test_run_invalid (void)
{
  g_autofree char *path = data_path ("lua-syntax.xml");
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, path, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, ":10: error: Lua of module `bad-lua` does not compile"));
}

static void
test_run_defines (void)
{
  g_autofree char *valid = data_path ("valid.xml");
  g_autofree char *no_default = data_path ("parameter-no-default.xml");
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "-D", "nobody=1", valid, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, ": error: -D nobody: the pipeline has no parameter `nobody`"));

  runner_result_clear (&r);
  runner_run_va (&r, no_default, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, ":4: error: parameter `who` has no default: give it with -D who=VALUE"));

  /* Once given, the parameter is not even worth a warning. */
  runner_result_clear (&r);
  runner_run_va (&r, "-D", "who=me", no_default, NULL);
  g_assert_null (strstr (r.err, "no default"));
  g_assert_null (strstr (r.err, "error:"));
}

static void
test_run_valid (void)
{
  g_autofree char *valid = data_path ("valid.xml");
  g_auto(RunnerResult) r = { 0 };

  runner_run_va (&r, "-D", "who=you", "--quiet", valid, NULL);

  if (g_strcmp0 (g_getenv ("SLUICE_RUN_EXECUTOR"), "1") != 0)
    {
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "running pipelines is not built in"));
    }
  else
    {
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "\"x\""));
    }
}

/* The examples are documentation: they must not only validate but run,
 * and do what their comments promise. */
static void
test_run_examples (void)
{
  g_autofree char *strategy = example_path ("strategy.xml");
  g_autofree char *modes = example_path ("modes.xml");
  g_autofree char *etl = example_path ("etl.xml");
  g_autofree char *tmpdir = NULL;
  g_autofree char *loaded = NULL;
  g_autofree char *define = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(RunnerResult) r = { 0 };

  if (g_strcmp0 (g_getenv ("SLUICE_RUN_EXECUTOR"), "1") != 0)
    {
      g_test_skip ("sluice-run is built without the executor");
      return;
    }

  runner_run_va (&r, "-q", strategy, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"recommendation\":\"deploy\""));

  /* A stricter gate, given with -D, fails the run at that gate. */
  runner_result_clear (&r);
  runner_run_va (&r, "-q", "-D", "hist_min_sharpe=3", strategy, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  /* The gate names the check it missed and by how much. */
  g_assert_nonnull (strstr (r.err, "module “gate-historical”: 1 of 3 checks failed: “Sharpe”: 1.8069, must be ≥ 3: missed by 1.1931"));

  runner_result_clear (&r);
  runner_run_va (&r, "-q", "-D", "count=12", modes, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (g_strstrip (r.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 1);
  g_assert_cmpuint (g_strv_length (lines), <=, 12);
  g_assert_nonnull (strstr (lines[0], "\"done\":true"));
  g_assert_nonnull (strstr (r.out, "ITEM-"));

  tmpdir = g_dir_make_tmp ("sluice-etl-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  loaded = g_build_filename (tmpdir, "orders.jsonl", NULL);
  define = g_strdup_printf ("output=%s", loaded);

  runner_result_clear (&r);
  runner_run_va (&r, "-q", "-D", define, etl, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (loaded, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, r.out);
  g_assert_nonnull (strstr (contents, "\"order\":\"A-1002\""));
  g_assert_nonnull (strstr (contents, "\"order\":\"A-1004\""));
  g_assert_null (strstr (contents, "A-1003"));  /* cancelled */
  g_assert_null (strstr (contents, "A-1005"));  /* too small */

  g_unlink (loaded);
  g_rmdir (tmpdir);
}

/* A loader whose write never returns (append to a FIFO nobody reads:
 * open() blocks on the writer thread), its module timed out: the run
 * fails and sluice-run exits after waiting a bounded time for the write,
 * instead of waiting for it for ever. */
static void
test_stalled_write_exits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-stalled-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "nobody-reads", NULL);
  g_autofree char *pipeline = g_build_filename (dir, "stalled.xml", NULL);
  g_autofree char *xml = g_strdup_printf (
    "<pipeline format=\"1\" id=\"stalled\"><controller id=\"c\"><phase id=\"p\">"
    "<execution id=\"load\" timeout=\"1s\"><use tool=\"file-load\">"
    "<param name=\"path\">%s</param><param name=\"mode\">append</param>"
    "<param name=\"batch-size\">1</param></use></execution>"
    "</phase></controller></pipeline>", fifo);
  const char *args[] = { "-q", "-i", "-", pipeline, NULL };
  g_auto(RunnerResult) result = { 0 };
  gint64 start;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_true (g_file_set_contents (pipeline, xml, -1, NULL));
  start = g_get_monotonic_time ();
  runner_run (&result, args, "{\"a\": 1}\n{\"a\": 2}\n");
  g_test_message ("exited after %.1f s: %s", (g_get_monotonic_time () - start) / 1e6, result.err);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "module “load”: timed out"));
  /* The run's 1 s, then at most the 10 s wait for the write, with room
   * for a loaded machine. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);
  g_unlink (fifo);
  g_unlink (pipeline);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("SLUICE_RUN") == NULL || g_getenv ("SLUICE_SOURCE_ROOT") == NULL)
    g_error ("SLUICE_RUN and SLUICE_SOURCE_ROOT must be set (meson test sets them)");

  g_test_add_func ("/sluice/runner-cli/version", test_version);
  g_test_add_func ("/sluice/runner-cli/stalled-write-exits", test_stalled_write_exits);
  g_test_add_func ("/sluice/runner-cli/help", test_help);
  g_test_add_func ("/sluice/runner-cli/usage-errors", test_usage_errors);
  g_test_add_func ("/sluice/runner-cli/validate-examples", test_validate_examples);
  g_test_add_func ("/sluice/runner-cli/validate-error", test_validate_error);
  g_test_add_func ("/sluice/runner-cli/validate-warning-only", test_validate_warning_only);
  g_test_add_func ("/sluice/runner-cli/validate-forged-line", test_validate_forged_line);
  g_test_add_func ("/sluice/runner-cli/validate-fifo", test_validate_fifo);
  g_test_add_func ("/sluice/runner-cli/validate-several", test_validate_several);
  g_test_add_func ("/sluice/runner-cli/validate-json", test_validate_json);
  g_test_add_func ("/sluice/runner-cli/validate-stdin", test_validate_stdin);
  g_test_add_func ("/sluice/runner-cli/run-invalid", test_run_invalid);
  g_test_add_func ("/sluice/runner-cli/run-defines", test_run_defines);
  g_test_add_func ("/sluice/runner-cli/run-valid", test_run_valid);
  g_test_add_func ("/sluice/runner-cli/run-examples", test_run_examples);

  return g_test_run ();
}
