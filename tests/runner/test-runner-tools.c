/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <sys/wait.h>

#include <glib.h>

/* sluice-run --list-tools: every tool with its parameters, types,
 * defaults and origin; the README's tool reference is its markdown
 * output, unchanged (build-aux/update-tool-docs.sh writes it). */

static char *
run_list (const char *format,
          int        *status)
{
  const char *sluice_run = g_getenv ("SLUICE_RUN");
  const char *argv[] = { sluice_run, "--list-tools", format != NULL ? "--format" : NULL, format, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_assert_nonnull (sluice_run);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, status, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_text (void)
{
  int status;
  g_autofree char *out = run_list (NULL, &status);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "delay — Delay (built-in)"));
  g_assert_nonnull (strstr (out, "duration         duration"));
}

static void
test_bad_format (void)
{
  int status;
  g_autofree char *out = run_list ("xml", &status);

  g_assert_true (g_spawn_check_wait_status (status, NULL) == FALSE);
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
}

static void
test_readme_is_generated (void)
{
  int status;
  g_autofree char *out = run_list ("markdown", &status);
  g_autofree char *readme_path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "README.md", NULL);
  g_autofree char *readme = NULL;
  const char *begin, *end;
  g_autofree char *block = NULL;

  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_get_contents (readme_path, &readme, NULL, NULL));
  begin = strstr (readme, "<!-- tools:begin");
  g_assert_nonnull (begin);
  begin = strchr (begin, '\n') + 1;
  end = strstr (begin, "<!-- tools:end -->");
  g_assert_nonnull (end);
  block = g_strndup (begin, end - begin);
  if (!g_str_equal (block, out))
    g_test_message ("README.md's tool reference is out of date: run build-aux/update-tool-docs.sh");
  g_assert_cmpstr (block, ==, out);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/runner/list-tools/text", test_text);
  g_test_add_func ("/sluice/runner/list-tools/bad-format", test_bad_format);
  g_test_add_func ("/sluice/runner/list-tools/readme", test_readme_is_generated);

  return g_test_run ();
}
