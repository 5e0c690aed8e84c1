/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sluice-core.h"
#include "test-executor-common.h"

/* Plug-in tools: the example Lua tool and C plug-in load from the user's
 * folder and from a pipeline's tools/ folder, then validate and run like
 * built-in tools; every kind of broken plug-in is named with its path
 * and skipped, the others still load. The steps run in order: the first
 * loads the plug-ins for the process (they cannot be unloaded). */

static char *pipeline_dir;
static GPtrArray *problems;

static void
write_file (const char *folder,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
copy_file (const char *from,
           const char *folder,
           const char *name)
{
  g_autofree char *contents = NULL;
  g_autofree char *path = g_build_filename (folder, name, NULL);
  gsize length;

  g_assert_nonnull (from);
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static gboolean
problem_about (const char *file,
               const char *text)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      if (strstr (line, file) != NULL && strstr (line, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_load_plugins (void)
{
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "sluice", "tools", NULL);
  g_autofree char *beside = NULL;
  g_autofree char *upper = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", "plugins", "upper.lua", NULL);
  g_autofree char *fifo = g_build_filename (user, "fifo.lua", NULL);
  guint n_problems;

  pipeline_dir = g_dir_make_tmp ("sluice-plugins-XXXXXX", NULL);
  beside = g_build_filename (pipeline_dir, "tools", NULL);
  g_assert_cmpint (g_mkdir_with_parents (user, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (beside, 0700), ==, 0);

  copy_file (upper, user, "upper.lua");
  write_file (user, "times.lua",
              "--- tool: times\n--- param: n int default=2: How many times\n--- param: loud bool optional: Shout\n"
              "item.value = item.value * args.n\nif args.loud then item.loud = true end\n");
  write_file (user, "broken.lua", "--- tool: broken\nitem.x = = 1\n");
  write_file (user, "no-manifest.lua", "item.x = 1\n");
  write_file (user, "bad-param.lua", "--- tool: bad-param\n--- param: x nosuchtype required: y\n");
  write_file (user, "bad-name.lua", "--- tool: Bad Name\n");
  write_file (user, "zz-again.lua", "--- tool: upper\nitem.x = 1\n");
  write_file (user, "garbage.so", "this is not an ELF file");
  write_file (user, "notes.txt", "ignored");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  copy_file (g_getenv ("SLUICE_STAMP_PLUGIN"), beside, "stamp-tool.so");
  copy_file (g_getenv ("SLUICE_OTHER_ABI_PLUGIN"), beside, "other-abi.so");
  copy_file (g_getenv ("SLUICE_NO_SYMBOLS_PLUGIN"), beside, "no-symbols.so");

  problems = g_ptr_array_new_with_free_func (g_object_unref);
  sluice_plugins_load_installed (problems);
  sluice_plugins_load_beside (pipeline_dir, problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      g_test_message ("%s", line);
    }

  /* The good ones, with where they came from. */
  g_assert_nonnull (sluice_tool_lookup ("upper"));
  g_assert_cmpstr (sluice_tool_lookup ("upper")->title, ==, "Upper-case a field");
  g_assert_true (g_str_has_suffix (sluice_tool_get_origin ("upper"), "/sluice/tools/upper.lua"));
  g_assert_nonnull (sluice_tool_lookup ("times"));
  g_assert_nonnull (sluice_tool_lookup ("stamp"));
  g_assert_true (g_str_has_suffix (sluice_tool_get_origin ("stamp"), "/tools/stamp-tool.so"));
  g_assert_cmpstr (sluice_tool_get_origin ("delay"), ==, "built-in");

  /* The broken ones, each named. */
  g_assert_true (problem_about ("broken.lua", "broken.lua:2"));
  g_assert_true (problem_about ("no-manifest.lua", "no “--- tool: NAME” line"));
  g_assert_true (problem_about ("bad-param.lua", "bad-param.lua:2"));
  g_assert_true (problem_about ("bad-name.lua", "lower-case"));
  g_assert_true (problem_about ("zz-again.lua", "a tool named “upper” is already there"));
  g_assert_true (problem_about ("garbage.so", "plug-in skipped"));
  g_assert_true (problem_about ("fifo.lua", "not a regular file"));
  g_assert_true (problem_about ("other-abi.so", "ABI 999"));
  g_assert_true (problem_about ("no-symbols.so", "does not export"));
  g_assert_false (problem_about ("notes.txt", ""));
  g_assert_null (sluice_tool_lookup ("broken"));

  /* Loading again loads and reports nothing new. */
  n_problems = problems->len;
  sluice_plugins_load_installed (problems);
  sluice_plugins_load_beside (pipeline_dir, problems);
  g_assert_cmpuint (problems->len, ==, n_problems);
}

/* They run like built-in tools, parameters substituted and typed. */
static void
test_run (void)
{
  TestRun *run = test_run_body (
    "<parameters><parameter name='who' default='plug-in'/></parameters>"
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='up'><use tool='upper'><param name='field'>name</param><param name='suffix'>!</param></use></execution>"
    "<execution id='st'><use tool='stamp'><param name='field'>by</param><param name='value'>${who}</param></use></execution>"
    "<execution id='x3'><use tool='times'><param name='n'>3</param><param name='loud'>true</param></use></execution>"
    "</phase></controller>",
    "{\"name\": \"ada\", \"value\": 2}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 1);
  g_assert_cmpstr (json_string_value (json_object_get (test_output (run, 0), "name")), ==, "ADA!");
  g_assert_cmpstr (json_string_value (json_object_get (test_output (run, 0), "by")), ==, "plug-in");
  g_assert_cmpint (test_output_int (run, 0, "value"), ==, 6);
  g_assert_true (json_is_true (json_object_get (test_output (run, 0), "loud")));
  test_run_free (run);
}

/* A value can never become Lua code: quotes, brackets, newlines and
 * comment marks arrive as the text they are. */
static void
test_hostile_values (void)
{
  const char *hostile = "a\"b'c]]--[[\n\\0\xc3\xa9 os.exit()";
  g_autofree char *escaped = g_markup_escape_text (hostile, -1);
  g_autofree char *body = g_strdup_printf (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='up'><use tool='upper'><param name='field'>name</param><param name='suffix'>%s</param></use></execution>"
    "</phase></controller>", escaped);
  g_autofree char *expected = g_strconcat ("X", hostile, NULL);
  TestRun *run = test_run_body (body, "{\"name\": \"x\"}\n");

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpstr (json_string_value (json_object_get (test_output (run, 0), "name")), ==, expected);
  test_run_free (run);
}

/* The validator knows their parameters: a required one missing, an
 * unknown one, a number that is not one at run time. */
static void
test_validate (void)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = test_load_body (
    "<controller id='c' mode='not-parallel'><phase id='p'>"
    "<execution id='up'><use tool='upper'><param name='suffix'>!</param><param name='colour'>red</param></use></execution>"
    "</phase></controller>");
  gboolean missing = FALSE, unknown = FALSE;

  sluice_validate (pipeline, "t.xml", found);
  for (guint i = 0; i < found->len; i++)
    {
      const char *message = sluice_problem_get_message (found->pdata[i]);

      missing |= strstr (message, "field") != NULL;
      unknown |= strstr (message, "colour") != NULL;
    }
  g_assert_true (missing);
  g_assert_true (unknown);

  /* Known only once ${n} is substituted: the run is refused before it
   * starts, naming the module. */
  {
    g_autoptr(SluicePipeline) bad = test_load_body (
      "<parameters><parameter name='n' default='three'/></parameters>"
      "<controller id='c' mode='not-parallel'><phase id='p'>"
      "<execution id='x'><use tool='times'><param name='n'>${n}</param></use></execution>"
      "</phase></controller>");
    g_autoptr(GError) error = NULL;
    g_autoptr(SluiceExecutor) executor = sluice_executor_new (bad, NULL, &error);

    g_assert_null (executor);
    g_assert_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL);
    g_assert_nonnull (strstr (error->message, "module “x”: `n` is not a number: “three”"));
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/sluice/plugins/load", test_load_plugins);
  g_test_add_func ("/sluice/plugins/run", test_run);
  g_test_add_func ("/sluice/plugins/hostile-values", test_hostile_values);
  g_test_add_func ("/sluice/plugins/validate", test_validate);
  status = g_test_run ();
  g_clear_pointer (&problems, g_ptr_array_unref);
  return status;
}
