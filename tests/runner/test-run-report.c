/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* The run report as a person and a program read it, through the real
 * sluice-run: the JSON against its schema, the HTML in headless
 * Chromium, and the strategy example's acceptance (its first screen
 * says which check failed, by how much, and recommends "reject"). */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>

#include "report-tools.h"

static char *tmp_dir;

static char *
example_path (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

/* Runs sluice-run with @args (NULL-terminated); returns its exit status. */
static int
run_cli (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  return g_subprocess_get_exit_status (process);
}

static json_t *
load_json (const char *path)
{
  json_error_t error;
  json_t *json = json_load_file (path, 0, &error);

  if (json == NULL)
    g_error ("%s: %s", path, error.text);
  return json;
}

/* The acceptance of issue 13: -D hist_min_sharpe=3. */
static void
test_strategy_rejected (void)
{
  g_autofree char *strategy = example_path ("strategy.xml");
  g_autofree char *json_path = g_build_filename (tmp_dir, "rejected.json", NULL);
  g_autofree char *html_path = g_build_filename (tmp_dir, "rejected.html", NULL);
  g_autofree char *png_path = g_build_filename (tmp_dir, "rejected.png", NULL);
  g_autofree char *dark_path = g_build_filename (tmp_dir, "rejected-dark.png", NULL);
  g_autofree char *html = NULL;
  json_t *report;
  json_t *failed;
  const char *verdict_start, *stages_start;

  g_assert_cmpint (run_cli ("-q", "-D", "hist_min_sharpe=3", "--report", json_path, strategy, NULL), ==, 1);
  g_assert_cmpint (run_cli ("-q", "-D", "hist_min_sharpe=3", "--report", html_path, strategy, NULL), ==, 1);

  report_assert_valid_json (json_path);
  report = load_json (json_path);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "verdict")),
                   ==, "reject");
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "rule")),
                   ==, "reject when failed");
  failed = json_object_get (json_object_get (report, "outcome"), "failed_checks");
  g_assert_cmpuint (json_array_size (failed), ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (failed, 0), "name")), ==, "Sharpe");
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (failed, 0), "gate")), ==, "gate-historical");
  g_assert_cmpfloat_with_epsilon (json_number_value (json_object_get (json_array_get (failed, 0), "margin")),
                                  -1.1931, 1e-9);
  g_assert_cmpfloat (json_number_value (json_object_get (json_array_get (failed, 0), "threshold")), ==, 3);
  /* Stages after the failed gate never ran, and say so. */
  g_assert_false (json_is_true (json_object_get (json_array_get (json_object_get (report, "stages"), 2), "reached")));
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (json_object_get (report, "warnings"), 0), "kind")),
                   ==, "never-ran");
  json_decref (report);

  /* The first thing on the page: the verdict, the failed check and by
   * how much; the stage comparison comes after. */
  g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
  verdict_start = strstr (html, "<section class=\"verdict reject\"");
  stages_start = strstr (html, "<section id=\"stages\">");
  g_assert_nonnull (verdict_start);
  g_assert_nonnull (stages_start);
  g_assert_true (verdict_start < stages_start);
  g_assert_nonnull (g_strstr_len (verdict_start, stages_start - verdict_start,
                                  "“Sharpe” 1.8069 must be ≥ 3: missed by 1.1931"));
  g_assert_nonnull (g_strstr_len (verdict_start, stages_start - verdict_start, ">reject<"));
  /* Self-contained: nothing fetched, no script; charts are inline SVG;
   * dark and print styles. */
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "http://"));
  g_assert_null (strstr (html, "https://"));
  g_assert_null (strstr (html, "src="));
  g_assert_null (strstr (html, "<link"));
  g_assert_nonnull (strstr (html, "<svg"));
  g_assert_nonnull (strstr (html, "prefers-color-scheme:dark"));
  g_assert_nonnull (strstr (html, "@media print"));

  /* In a real browser: the first screen, light and dark. */
  report_screenshot (html_path, png_path, FALSE, 1280, 800);
  report_screenshot (html_path, dark_path, TRUE, 1280, 800);
  g_test_message ("screenshots: %s %s", png_path, dark_path);
  g_assert_cmpuint (report_png_colours (png_path), >, 50);
  g_assert_cmpuint (report_png_colours (dark_path), >, 50);
  g_assert_cmpfloat (report_png_brightness (png_path), >, 0.7);
  g_assert_cmpfloat (report_png_brightness (dark_path), <, 0.4);
}

/* A run that passes every gate: deploy, and the whole page renders. */
static void
test_strategy_deployed (void)
{
  g_autofree char *strategy = example_path ("strategy.xml");
  g_autofree char *input = g_build_filename (tmp_dir, "symbols.jsonl", NULL);
  g_autofree char *out = g_build_filename (tmp_dir, "out.jsonl", NULL);
  g_autofree char *json_path = g_build_filename (tmp_dir, "deployed.json", NULL);
  g_autofree char *html_path = g_build_filename (tmp_dir, "deployed.html", NULL);
  g_autofree char *png_path = g_build_filename (tmp_dir, "deployed.png", NULL);
  json_t *report;
  json_t *consistency;

  g_assert_true (g_file_set_contents (input, "{\"symbol\": \"BTC-USD\"}\n{\"symbol\": \"ETH-USD\"}\n", -1, NULL));
  g_assert_cmpint (run_cli ("-q", "-i", input, "-o", out, "--report", json_path, strategy, NULL), ==, 0);
  g_assert_cmpint (run_cli ("-q", "-i", input, "-o", out, "--report", html_path, strategy, NULL), ==, 0);
  report_assert_valid_json (json_path);
  report = load_json (json_path);
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (report, "recommendation"), "verdict")),
                   ==, "deploy");
  g_assert_cmpuint (json_array_size (json_object_get (report, "stages")), ==, 4);
  g_assert_cmpuint (json_array_size (json_object_get (report, "metrics")), ==, 6);
  consistency = json_object_get (report, "consistency");
  g_assert_true (json_is_number (json_object_get (consistency, "score")));
  g_assert_cmpfloat (json_number_value (json_object_get (consistency, "score")), >, 0.5);
  g_assert_cmpfloat (json_number_value (json_object_get (consistency, "score")), <=, 1);
  g_assert_cmpuint (json_array_size (json_object_get (consistency, "pairs")), ==, 4);
  json_decref (report);

  report_screenshot (html_path, png_path, FALSE, 1280, 2000);
  g_assert_cmpuint (report_png_colours (png_path), >, 50);
}

/* Reports of every other example validate too (no gates: deploy on
 * completion). */
static void
test_other_examples (void)
{
  const char *examples[] = { "double.xml", "modes.xml" };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = example_path (examples[i]);
      g_autofree char *name = g_strdup_printf ("%s.json", examples[i]);
      g_autofree char *json_path = g_build_filename (tmp_dir, name, NULL);
      g_autofree char *out = g_build_filename (tmp_dir, "ignored.jsonl", NULL);

      run_cli ("-q", "-o", out, "--report", json_path, path, NULL);
      report_assert_valid_json (json_path);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;
  g_autofree char *command = NULL;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-report-XXXXXX", NULL);

  g_test_add_func ("/sluice/run-report/strategy-rejected", test_strategy_rejected);
  g_test_add_func ("/sluice/run-report/strategy-deployed", test_strategy_deployed);
  g_test_add_func ("/sluice/run-report/other-examples", test_other_examples);

  status = g_test_run ();
  if (g_getenv ("SLUICE_KEEP_REPORTS") == NULL)
    {
      command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
      g_assert_cmpint (system (command), ==, 0);
    }
  g_free (tmp_dir);
  return status;
}
