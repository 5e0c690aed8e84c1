/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sluice-core.h"

/* Templates: the built-in ones load and validate; templates from the
 * data folders (plug-ins) are found, and broken, shadowed, oddly named
 * or hostile ones are reported and skipped, never a hang. The tests run
 * with isolated XDG folders (G_TEST_OPTION_ISOLATE_DIRS). */

static const char *built_in[] = { "conditional", "el", "etl", "parallel", "retry", "sequential", "strategy" };

static SluiceTemplate *
find (GPtrArray  *templates,
      const char *name)
{
  for (guint i = 0; i < templates->len; i++)
    if (g_str_equal (((SluiceTemplate *) templates->pdata[i])->name, name))
      return templates->pdata[i];
  return NULL;
}

static guint
count_errors (GPtrArray *problems)
{
  guint n = 0;

  for (guint i = 0; i < problems->len; i++)
    if (sluice_problem_get_severity (problems->pdata[i]) == SLUICE_SEVERITY_ERROR)
      {
        g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

        g_test_message ("%s", line);
        n++;
      }
  return n;
}

/* Each built-in template is listed with what the user must fill in, and
 * is a valid pipeline. */
static void
test_built_in (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) templates = sluice_templates_list (problems);

  g_assert_cmpuint (problems->len, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (built_in); i++)
    {
      SluiceTemplate *template = find (templates, built_in[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) xml = sluice_template_get_xml (built_in[i], &error);
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = NULL;
      gsize length;
      const char *data;

      g_assert_nonnull (template);
      g_assert_cmpstr (template->origin, ==, "built-in");
      g_assert_cmpstr (template->title, !=, "");
      g_assert_cmpstr (template->description, !=, "");
      /* Each leaves something to fill in, and says so. */
      g_assert_nonnull (template->to_fill[0]);
      g_assert_no_error (error);
      data = g_bytes_get_data (xml, &length);
      pipeline = sluice_load_data (data, length, built_in[i], found);
      g_assert_nonnull (pipeline);
      sluice_validate (pipeline, built_in[i], found);
      g_assert_cmpuint (count_errors (found), ==, 0);
    }
  /* Sorted by name. */
  for (guint i = 1; i < templates->len; i++)
    g_assert_cmpint (g_strcmp0 (((SluiceTemplate *) templates->pdata[i - 1])->name,
                                ((SluiceTemplate *) templates->pdata[i])->name), <, 0);
}

static void
test_bad_names (void)
{
  const char *names[] = { "../sequential", "/etc/passwd", "Sequential", "a b", "", "-x", "x.xml", "é" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) xml = sluice_template_get_xml (names[i], &error);

      g_assert_null (xml);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) xml = sluice_template_get_xml ("no-such-template", &error);

    g_assert_null (xml);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }
}

static char *
user_folder (void)
{
  char *folder = g_build_filename (g_get_user_data_dir (), "sluice", "templates", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  return folder;
}

static void
write_file (const char *folder,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static gboolean
problems_mention (GPtrArray  *problems,
                  const char *text)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      if (strstr (line, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A plug-in's templates join the list; the broken ones are named and
 * skipped, the rest still load. */
static void
test_plug_in_templates (void)
{
  g_autofree char *folder = user_folder ();
  g_autofree char *fifo = g_build_filename (folder, "fifo.xml", NULL);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GError) error = NULL;
  SluiceTemplate *mine;

  write_file (folder, "mine.xml",
              "<pipeline format='1' id='mine' name='Mine'><description>Ours</description>"
              "<parameters><parameter name='p'/></parameters>"
              "<controller id='c' mode='not-parallel'><phase id='p1'>"
              "<execution id='m'><lua>item.p = params.p</lua></execution></phase></controller></pipeline>");
  write_file (folder, "broken.xml", "<pipeline format='1' id='b'><controller");
  write_file (folder, "Bad Name.xml", "<pipeline/>");
  write_file (folder, "notes.txt", "not a template");
  /* Shadowed by the built-in one of that name. */
  write_file (folder, "sequential.xml",
              "<pipeline format='1' id='s' name='Other'><controller id='c' mode='not-parallel'><phase id='p1'>"
              "<execution id='m'><lua>item.x = 1</lua></execution></phase></controller></pipeline>");
  /* A FIFO would block a plain read forever. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  templates = sluice_templates_list (problems);
  mine = find (templates, "mine");
  g_assert_nonnull (mine);
  g_assert_cmpstr (mine->title, ==, "Mine");
  g_assert_cmpstr (mine->description, ==, "Ours");
  g_assert_cmpstrv (mine->to_fill, ((const char *[]) { "p", NULL }));
  g_assert_true (g_str_has_suffix (mine->origin, "/sluice/templates/mine.xml"));
  g_assert_null (find (templates, "broken"));
  g_assert_null (find (templates, "fifo"));
  g_assert_cmpstr (find (templates, "sequential")->origin, ==, "built-in");
  g_assert_true (problems_mention (problems, "broken.xml"));
  g_assert_true (problems_mention (problems, "Bad Name.xml"));
  g_assert_true (problems_mention (problems, "fifo.xml: warning: skipped: not a regular file"));
  g_assert_true (problems_mention (problems, "sequential.xml: warning: template “sequential” skipped: built-in has"));
  g_assert_false (problems_mention (problems, "notes.txt"));

  xml = sluice_template_get_xml ("mine", &error);
  g_assert_no_error (error);
  g_assert_nonnull (xml);
  g_clear_pointer (&xml, g_bytes_unref);
  xml = sluice_template_get_xml ("fifo", &error);
  g_assert_null (xml);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sluice/templates/built-in", test_built_in);
  g_test_add_func ("/sluice/templates/bad-names", test_bad_names);
  g_test_add_func ("/sluice/templates/plug-in", test_plug_in_templates);
  return g_test_run ();
}
