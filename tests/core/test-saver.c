/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sluice-core.h"

static char *
read_data_file (const char *name,
                gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "xml", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static SluicePipeline *
load_data_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "xml", name, NULL);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *pipeline = sluice_load_file (path, problems);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", text);
    }
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  return pipeline;
}

static SluicePipeline *
reload (const char *data,
        gsize       length)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *pipeline = sluice_load_data (data, length, "saved.xml", problems);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("%s", text);
    }
  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  return pipeline;
}

/* A canonical file using every element and attribute saves to itself. */
static void
test_round_trip_everything (void)
{
  g_autoptr(SluicePipeline) pipeline = load_data_file ("everything.xml");
  g_autofree char *expected = NULL;
  g_autofree char *saved = NULL;
  gsize expected_length, saved_length;

  expected = read_data_file ("everything.xml", &expected_length);
  saved = sluice_save_to_data (pipeline, &saved_length);
  g_assert_cmpstr (saved, ==, expected);
  g_assert_cmpuint (saved_length, ==, expected_length);
}

/* The examples are what users copy from: each is already canonical, so
 * opening and saving one in the designer changes nothing. */
static void
test_examples_canonical (void)
{
  const char *examples[] = { "strategy.xml", "modes.xml", "etl.xml", "double.xml", "calls-double.xml" };

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"),
                                                "data", "examples", examples[i], NULL);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = sluice_load_file (path, problems);
      g_autofree char *expected = NULL;
      g_autofree char *saved = NULL;
      gsize saved_length;

      g_assert_nonnull (pipeline);
      g_assert_true (g_file_get_contents (path, &expected, NULL, NULL));
      saved = sluice_save_to_data (pipeline, &saved_length);
      g_assert_cmpstr (saved, ==, expected);
    }
}

/* Comments in every place the format keeps them. */
static void
test_round_trip_comments (void)
{
  g_autoptr(SluicePipeline) pipeline = load_data_file ("comments.xml");
  g_autofree char *expected = read_data_file ("comments.xml", NULL);
  g_autofree char *saved = sluice_save_to_data (pipeline, NULL);

  g_assert_cmpstr (saved, ==, expected);
}

/* A hand-written file saves to the expected canonical text, which is a
 * fixed point. */
static void
test_normalise (void)
{
  g_autoptr(SluicePipeline) pipeline = load_data_file ("non-canonical.xml");
  g_autoptr(SluicePipeline) again = NULL;
  g_autofree char *expected = read_data_file ("non-canonical.expected.xml", NULL);
  g_autofree char *saved = sluice_save_to_data (pipeline, NULL);
  g_autofree char *saved_again = NULL;

  g_assert_cmpstr (saved, ==, expected);

  again = reload (saved, strlen (saved));
  saved_again = sluice_save_to_data (again, NULL);
  g_assert_cmpstr (saved_again, ==, saved);
}

/* Values only a program can produce (control characters, "--" in
 * comments, "]]>" and carriage returns in code) still give a well-formed
 * file that loads back to the same values where XML can carry them. */
static void
test_awkward_values (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluicePipeline) loaded = NULL;
  g_autoptr(SluiceController) controller = sluice_controller_new ("c", SLUICE_MODE_NO_ORDER);
  g_autoptr(SluicePhase) phase = sluice_phase_new ("p");
  g_autoptr(SluiceExecution) exec = sluice_execution_new ("e");
  g_autoptr(SluiceParameter) parameter = sluice_parameter_new ("x", "tab\there \"q\" <a> & \r\n");
  const char *comments[] = { "a -- b -", NULL };
  const char *code = "s = 'a]]>b' -- x < y & z\r\nreturn true\n";
  g_autofree char *saved = NULL;
  SluiceExecution *loaded_exec;
  SluiceParameter *loaded_param;

  sluice_pipeline_set_format (pipeline, 1);
  sluice_node_set_name (SLUICE_NODE (pipeline), "ctl\001char");
  sluice_execution_set_lua (exec, code);
  sluice_module_set_backoff (SLUICE_MODULE (exec), 0.1);
  sluice_module_set_timeout_ms (SLUICE_MODULE (exec), 90000);
  sluice_node_set_comments (SLUICE_NODE (exec), comments);
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (exec));
  sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller), SLUICE_NODE (phase));
  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (controller));
  g_list_store_append (sluice_pipeline_get_parameters (pipeline), parameter);

  saved = sluice_save_to_data (pipeline, NULL);
  g_test_message ("%s", saved);
  g_assert_nonnull (strstr (saved, "<!--a - - b - -->"));
  g_assert_nonnull (strstr (saved, "timeout=\"90s\""));
  g_assert_nonnull (strstr (saved, "backoff=\"0.1\""));

  loaded = reload (saved, strlen (saved));
  g_assert_cmpstr (sluice_node_get_name (SLUICE_NODE (loaded)), ==, "ctlchar");
  loaded_exec = SLUICE_EXECUTION (sluice_pipeline_find_node (loaded, "e"));
  g_assert_nonnull (loaded_exec);
  g_assert_cmpstr (sluice_execution_get_code (loaded_exec), ==, code);
  g_assert_cmpfloat (sluice_module_get_backoff (SLUICE_MODULE (loaded_exec)), ==, 0.1);
  g_assert_cmpint (sluice_module_get_timeout_ms (SLUICE_MODULE (loaded_exec)), ==, 90000);
  loaded_param = sluice_pipeline_find_parameter (loaded, "x");
  g_assert_nonnull (loaded_param);
  g_assert_cmpstr (sluice_parameter_get_default_value (loaded_param), ==,
                   "tab\there \"q\" <a> & \r\n");
}

/* sluice_save_file replaces the file as a whole and leaves no temporary
 * file behind. */
static void
test_save_file (void)
{
  g_autoptr(SluicePipeline) pipeline = load_data_file ("everything.xml");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-saver-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *expected = read_data_file ("everything.xml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  guint entries = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "out.xml", NULL);
  g_assert_true (g_file_set_contents (path, "old contents", -1, NULL));

  g_assert_true (sluice_save_file (pipeline, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    entries++;
  g_assert_cmpuint (entries, ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_save_file_error (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sluice_save_file (pipeline, "/nonexistent-dir/sub/out.xml", &error));
  g_assert_nonnull (error);
}

/* A pipeline made in the designer, with nothing set, is still a file the
 * loader accepts. */
static void
test_empty_pipeline (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluicePipeline) loaded = NULL;
  g_autofree char *saved = sluice_save_to_data (pipeline, NULL);

  g_assert_cmpstr (saved, ==,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<pipeline format=\"1\"/>\n");
  loaded = reload (saved, strlen (saved));
  g_assert_cmpuint (g_list_model_get_n_items (sluice_pipeline_get_controllers (loaded)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/xml/saver/round-trip-everything", test_round_trip_everything);
  g_test_add_func ("/sluice/xml/saver/round-trip-comments", test_round_trip_comments);
  g_test_add_func ("/sluice/xml/saver/examples-canonical", test_examples_canonical);
  g_test_add_func ("/sluice/xml/saver/normalise", test_normalise);
  g_test_add_func ("/sluice/xml/saver/awkward-values", test_awkward_values);
  g_test_add_func ("/sluice/xml/saver/save-file", test_save_file);
  g_test_add_func ("/sluice/xml/saver/save-file-error", test_save_file_error);
  g_test_add_func ("/sluice/xml/saver/empty-pipeline", test_empty_pipeline);

  return g_test_run ();
}
