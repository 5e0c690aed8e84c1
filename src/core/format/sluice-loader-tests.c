/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-comments.h"
#include "sluice-duration.h"
#include "sluice-test-case.h"
#include "sluice-xml-private.h"

/* Builds the <tests> of a document that passed the structural checks and
 * the schema into SluiceTestCase objects. Texts (JSON lines, Lua) are
 * kept verbatim with their line; the validator parses and compiles them,
 * so that a bad item is reported like a bad Lua body, with its line. */

static guint
get_uint_attr (xmlNode    *node,
               const char *name)
{
  g_autofree char *value = sluice_xml_get_attr (node, name);

  return value != NULL ? (guint) MIN (g_ascii_strtoull (value, NULL, 10), G_MAXUINT) : 0;
}

static gint64
get_duration_attr (xmlNode    *node,
                   const char *name)
{
  g_autofree char *value = sluice_xml_get_attr (node, name);
  gint64 ms = 0;

  if (value != NULL && !sluice_duration_parse (value, &ms))
    ms = 0;
  return ms;
}

/* A case's texts are data: a comment there has no place to be saved. */
static char *
text_of (SluiceLoadContext *ctx,
         xmlNode           *element)
{
  GString *text = g_string_new (NULL);

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE)
        g_string_append (text, (const char *) child->content);
      else if (child->type == XML_COMMENT_NODE || child->type == XML_PI_NODE)
        sluice_load_context_warning (ctx, sluice_xml_line (child), NULL,
                                     _("a comment inside <%s> is not kept when the file is saved"),
                                     (const char *) element->name);
    }
  return g_string_free (text, FALSE);
}

/* Comments between the parts of a case (and between a stub's answers)
 * are kept on the case, at the place of the part they precede
 * ("before:stub:1", "before:stub:0/answer:2") or at its end ("end",
 * "in:stub:0"), and written back there. Parts are counted by kind, so
 * that a save, which writes them in the schema's order, keeps each
 * comment with its part. */
static void
keep_comments (SluiceTestCase *test,
               const char     *place,
               GPtrArray      *pending)
{
  if (pending->len == 0)
    return;
  g_ptr_array_add (pending, NULL);
  sluice_comments_set (test, place, (const char * const *) pending->pdata);
  g_ptr_array_set_size (pending, 0);
}

static guint
count_kind (GHashTable *counts,
            const char *kind)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, kind));

  g_hash_table_insert (counts, (gpointer) kind, GUINT_TO_POINTER (n + 1));
  return n;
}

static void
build_stub (SluiceLoadContext *ctx,
            SluiceTestCase    *test,
            xmlNode           *element,
            guint              index)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  guint answers = 0;
  g_autofree char *module = sluice_xml_get_attr (element, "module");
  g_autofree char *real = sluice_xml_get_attr (element, "real");
  g_autofree char *fail = sluice_xml_get_attr (element, "fail");
  SluiceTestStub *stub = sluice_test_stub_new (module, sluice_xml_line (element));

  stub->real = g_strcmp0 (real, "true") == 0;
  if (fail != NULL)
    sluice_stub_fault_from_string (fail, &stub->fault);
  stub->status = get_uint_attr (element, "status");
  stub->times = get_uint_attr (element, "times");
  stub->message = sluice_xml_get_attr (element, "message");
  stub->after_ms = get_duration_attr (element, "after");

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST "answer"))
        {
          g_autofree char *match = sluice_xml_get_attr (child, "match");
          g_autofree char *text = text_of (ctx, child);

          g_autofree char *place = g_strdup_printf ("before:stub:%u/answer:%u", index, answers++);

          sluice_test_stub_add_answer (stub, match, text, sluice_xml_line (child));
          keep_comments (test, place, pending);
        }
      else if (child->type == XML_COMMENT_NODE)
        g_ptr_array_add (pending, g_strdup ((const char *) child->content));
    }
  {
    g_autofree char *place = g_strdup_printf ("in:stub:%u", index);

    keep_comments (test, place, pending);
  }

  sluice_test_case_add_stub (test, stub);
}

static void
build_part (SluiceLoadContext *ctx,
            SluiceTestCase    *test,
            xmlNode           *child,
            guint              index)
{
  const char *kind = (const char *) child->name;
  guint line = sluice_xml_line (child);

  if (g_str_equal (kind, "param"))
    {
      g_autofree char *name = sluice_xml_get_attr (child, "name");
      g_autofree char *value = text_of (ctx, child);

      sluice_test_case_add_param (test, name, value);
    }
  else if (g_str_equal (kind, "input"))
    {
      g_autofree char *file = sluice_xml_get_attr (child, "file");
      g_autofree char *text = file == NULL ? text_of (ctx, child) : NULL;

      sluice_test_case_set_input (test, file == NULL ? text : NULL, file, line);
    }
  else if (g_str_equal (kind, "stub"))
    build_stub (ctx, test, child, index);
  else if (g_str_equal (kind, "expect-items"))
    {
      g_autofree char *file = sluice_xml_get_attr (child, "file");
      g_autofree char *text = file == NULL ? text_of (ctx, child) : NULL;
      g_autofree char *order_text = sluice_xml_get_attr (child, "order");
      g_autofree char *compare_text = sluice_xml_get_attr (child, "compare");
      SluiceTestOrder order = SLUICE_TEST_ORDER_AUTO;
      SluiceTestCompare compare = g_strcmp0 (compare_text, "subset") == 0
                                  ? SLUICE_TEST_COMPARE_SUBSET : SLUICE_TEST_COMPARE_EXACT;

      if (order_text != NULL)
        sluice_test_order_from_string (order_text, &order);
      sluice_test_case_set_expected (test, file == NULL ? text : NULL, file, line, order, compare);
    }
  else if (g_str_equal (kind, "expect-count"))
    {
      g_autofree char *value = sluice_xml_get_attr (child, "value");

      sluice_test_case_set_expected_count (test, (gint64) MIN (g_ascii_strtoull (value, NULL, 10),
                                                               G_MAXINT64), line);
    }
  else if (g_str_equal (kind, "assert"))
    {
      g_autofree char *code = text_of (ctx, child);

      sluice_test_case_add_assert (test, code, line);
    }
  else if (g_str_equal (kind, "expect-failure"))
    {
      g_autofree char *module = sluice_xml_get_attr (child, "module");
      g_autofree char *message = sluice_xml_get_attr (child, "message");

      sluice_test_case_set_expected_failure (test, TRUE, module, message, line);
    }
}

static void
build_case (SluiceLoadContext *ctx,
            SluicePipeline    *pipeline,
            xmlNode           *element,
            GPtrArray         *comments)
{
  g_autofree char *name = sluice_xml_get_attr (element, "name");
  g_autofree char *target = sluice_xml_get_attr (element, "target");
  g_autoptr(SluiceTestCase) test = sluice_test_case_new (name);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);

  sluice_test_case_set_target (test, target);
  sluice_test_case_set_line (test, sluice_xml_line (element));
  sluice_test_case_set_timeout_ms (test, get_duration_attr (element, "timeout"));
  if (comments->len > 0)
    {
      g_ptr_array_add (comments, NULL);
      sluice_comments_set (test, SLUICE_COMMENTS_BEFORE, (const char * const *) comments->pdata);
      g_ptr_array_remove_index (comments, comments->len - 1);
    }

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_ELEMENT_NODE)
        {
          const char *kind = g_intern_string ((const char *) child->name);
          guint index = count_kind (counts, kind);
          g_autofree char *place = g_strdup_printf ("before:%s:%u", kind, index);

          build_part (ctx, test, child, index);
          keep_comments (test, place, pending);
        }
      else if (child->type == XML_COMMENT_NODE)
        g_ptr_array_add (pending, g_strdup ((const char *) child->content));
    }
  keep_comments (test, SLUICE_COMMENTS_END, pending);

  g_list_store_append (sluice_pipeline_get_tests (pipeline), test);
}

GStrv
sluice_loader_build_tests (SluiceLoadContext *ctx,
                           xmlNode           *element,
                           SluicePipeline    *pipeline)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);

  for (xmlNode *child = element->children; child != NULL; child = child->next)
    {
      if (child->type == XML_COMMENT_NODE)
        g_ptr_array_add (pending, g_strdup ((const char *) child->content));
      else if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST "case"))
        {
          build_case (ctx, pipeline, child, pending);
          g_ptr_array_set_size (pending, 0);
        }
    }

  if (pending->len == 0)
    return NULL;
  g_ptr_array_add (pending, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&pending), FALSE);
}
