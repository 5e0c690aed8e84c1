/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib.h>

/* The console loader through the real sluice-run: a table or JSON on
 * standard error, items passed on (or not) to standard output. */

static char *tmp_dir;

static char *
run (const char  *params,
     const char  *input,
     char       **out)
{
  g_autofree char *sluice_run = g_build_filename (g_getenv ("SLUICE_BUILD_ROOT"), "src", "runner", "sluice-run", NULL);
  g_autofree char *pipeline = g_build_filename (tmp_dir, "console.xml", NULL);
  g_autofree char *input_path = g_build_filename (tmp_dir, "in.jsonl", NULL);
  g_autofree char *xml = g_strdup_printf ("<pipeline format=\"1\" id=\"t\"><controller id=\"c\" mode=\"not-parallel\">"
                                          "<phase id=\"p\"><execution id=\"w\"><use tool=\"console\">%s</use>"
                                          "</execution></phase></controller></pipeline>", params);
  const char *argv[] = { sluice_run, "-q", "-i", input_path, pipeline, NULL };
  g_autoptr(GError) error = NULL;
  char *err = NULL;
  int status;

  g_assert_true (g_file_set_contents (pipeline, xml, -1, NULL));
  g_assert_true (g_file_set_contents (input_path, input, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return err;
}

static void
test_table (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = run ("", "{\"id\":1,\"name\":\"a\\nb\"}\n{\"id\":22,\"extra\":true}\n", &out);

  g_assert_cmpstr (err, ==,
                   "extra  id  name\n"
                   "       1   a\\nb\n"
                   "true   22      \n"
                   "\n");
  /* Passed on unchanged. */
  g_assert_cmpstr (out, ==, "{\"id\":1,\"name\":\"a\\nb\"}\n{\"extra\":true,\"id\":22}\n");
}

static void
test_json_and_end (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = run ("<param name=\"format\">json</param><param name=\"pass\">false</param>"
                              "<param name=\"batch-size\">1</param>",
                              "{\"b\":2,\"a\":1}\n{\"c\":[1,2]}\n", &out);

  g_assert_cmpstr (err, ==, "{\"a\":1,\"b\":2}\n{\"c\":[1,2]}\n");
  g_assert_cmpstr (out, ==, "");
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sluice-console-XXXXXX", NULL);

  g_test_add_func ("/sluice/tools/console/table", test_table);
  g_test_add_func ("/sluice/tools/console/json", test_json_and_end);

  status = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
