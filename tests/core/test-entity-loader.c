/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>

#include "sluice-core.h"

/* The loader refuses external entities for pipeline files, but libxml2's
 * entity loader is process-wide: the designer's other libraries (such as
 * GtkSourceView reading its language definitions) must still be able to
 * load what they ask for after a pipeline has been loaded. */
static void
test_other_parsers_unaffected (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dir = g_dir_make_tmp ("sluice-entity-XXXXXX", &error);
  g_autofree char *entity = g_build_filename (dir, "part.xml", NULL);
  g_autofree char *main_path = g_build_filename (dir, "main.xml", NULL);
  g_autofree char *pipeline_xml = NULL;
  g_autoptr(SluicePipeline) pipeline = NULL;
  xmlDoc *doc;
  xmlChar *text;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (entity, "included-text", -1, NULL));
  pipeline_xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                                  "<!DOCTYPE r [<!ENTITY e SYSTEM \"%s\">]>\n"
                                  "<r>&e;</r>\n", entity);
  g_assert_true (g_file_set_contents (main_path, pipeline_xml, -1, NULL));

  /* As a pipeline, the same bytes are refused and the entity not read. */
  pipeline = sluice_load_file (main_path, problems);
  g_assert_null (pipeline);
  g_assert_cmpuint (problems->len, >, 0);

  /* Another parser that asks for entities still gets them. */
  doc = xmlReadFile (main_path, NULL, XML_PARSE_NOENT | XML_PARSE_NONET);
  g_assert_nonnull (doc);
  text = xmlNodeGetContent (xmlDocGetRootElement (doc));
  g_assert_cmpstr ((const char *) text, ==, "included-text");
  xmlFree (text);
  xmlFreeDoc (doc);

  g_unlink (entity);
  g_unlink (main_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/loader/entity-loader/other-parsers-unaffected",
                   test_other_parsers_unaffected);

  return g_test_run ();
}
