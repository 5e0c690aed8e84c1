/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-comments.h"
#include "sluice-test-case.h"
#include "sluice-xml-private.h"

/* Writes <tests>: the cases as the loader reads them
 * (sluice-loader-tests.c), texts verbatim, attributes only when they
 * differ from the default, so that a file saved unchanged is the same
 * file. */

static void
write_text (GString    *out,
            guint       depth,
            const char *name,
            const char *attrs,
            const char *text)
{
  sluice_xml_write_indent (out, depth);
  g_string_append_printf (out, "<%s%s", name, attrs);
  if (text == NULL || *text == '\0')
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append_c (out, '>');
  sluice_xml_write_escaped (out, text, FALSE);
  g_string_append_printf (out, "</%s>\n", name);
}

static char *
attr (const char *name,
      const char *value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  sluice_xml_write_attr (out, name, value);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* JSON in an attribute reads better in single quotes, as people write
 * it: used when the value has double quotes and no single ones. */
static char *
json_attr (const char *name,
           const char *value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (value == NULL || strchr (value, '"') == NULL || strchr (value, '\'') != NULL)
    return attr (name, value);

  g_string_append_printf (out, " %s='", name);
  {
    g_autoptr(GString) escaped = g_string_new (NULL);

    sluice_xml_write_escaped (escaped, value, TRUE);
    g_string_replace (escaped, "&quot;", "\"", 0);
    g_string_append (out, escaped->str);
  }
  g_string_append_c (out, '\'');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
write_items (GString               *out,
             guint                  depth,
             const char            *name,
             const char            *extra,
             const SluiceTestItems *items)
{
  g_autofree char *file = attr ("file", items->file);
  g_autofree char *attrs = g_strconcat (file, extra, NULL);

  write_text (out, depth, name, attrs, items->text);
}

static void
write_duration (GString    *out,
                const char *name,
                gint64      ms)
{
  g_autofree char *text = NULL;

  if (ms <= 0)
    return;
  if (ms % 3600000 == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "h", ms / 3600000);
  else if (ms % 60000 == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "m", ms / 60000);
  else if (ms % 1000 == 0)
    text = g_strdup_printf ("%" G_GINT64_FORMAT "s", ms / 1000);
  else
    text = g_strdup_printf ("%" G_GINT64_FORMAT "ms", ms);
  sluice_xml_write_attr (out, name, text);
}

/* The comments kept before part @index of @kind (sluice-loader-tests.c). */
static void
write_comments_before (GString        *out,
                       guint           depth,
                       SluiceTestCase *test,
                       const char     *kind,
                       guint           index)
{
  g_autofree char *place = g_strdup_printf ("before:%s:%u", kind, index);

  sluice_xml_write_comments (out, depth, sluice_comments_get (test, place));
}

static void
write_stub (GString        *out,
            guint           depth,
            SluiceTestCase *test,
            guint           index,
            SluiceTestStub *stub)
{
  g_autofree char *end = g_strdup_printf ("in:stub:%u", index);
  const char * const *trailing = sluice_comments_get (test, end);

  sluice_xml_write_indent (out, depth);
  g_string_append (out, "<stub");
  sluice_xml_write_attr (out, "module", stub->module);
  if (stub->real)
    sluice_xml_write_attr (out, "real", "true");
  if (stub->fault != SLUICE_STUB_FAULT_NONE)
    sluice_xml_write_attr (out, "fail", sluice_stub_fault_to_string (stub->fault));
  if (stub->status > 0)
    g_string_append_printf (out, " status=\"%u\"", stub->status);
  if (stub->times > 0)
    g_string_append_printf (out, " times=\"%u\"", stub->times);
  sluice_xml_write_attr (out, "message", stub->message);
  write_duration (out, "after", stub->after_ms);

  if (stub->answers->len == 0 && trailing == NULL)
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append (out, ">\n");
  for (guint i = 0; i < stub->answers->len; i++)
    {
      SluiceStubAnswer *answer = g_ptr_array_index (stub->answers, i);
      g_autofree char *match = json_attr ("match", answer->match);
      g_autofree char *kind = g_strdup_printf ("stub:%u/answer", index);

      write_comments_before (out, depth + 1, test, kind, i);
      write_text (out, depth + 1, "answer", match, answer->text);
    }
  sluice_xml_write_comments (out, depth + 1, trailing);
  sluice_xml_write_indent (out, depth);
  g_string_append (out, "</stub>\n");
}

static void
write_case (GString        *out,
            guint           depth,
            SluiceTestCase *test)
{
  GPtrArray *params = sluice_test_case_get_params (test);
  GPtrArray *stubs = sluice_test_case_get_stubs (test);
  GPtrArray *asserts = sluice_test_case_get_asserts (test);
  const SluiceTestItems *expected;
  SluiceTestOrder order;
  SluiceTestCompare compare;
  const char *fail_module, *fail_message;
  gint64 count;

  sluice_xml_write_comments (out, depth, sluice_comments_get (test, SLUICE_COMMENTS_BEFORE));
  sluice_xml_write_indent (out, depth);
  g_string_append (out, "<case");
  sluice_xml_write_attr (out, "name", sluice_test_case_get_name (test));
  sluice_xml_write_attr (out, "target", sluice_test_case_get_target (test));
  write_duration (out, "timeout", sluice_test_case_get_timeout_ms (test));
  g_string_append (out, ">\n");

  for (guint i = 0; i < params->len; i++)
    {
      SluiceTestParam *param = g_ptr_array_index (params, i);
      g_autofree char *name = attr ("name", param->name);

      write_comments_before (out, depth + 1, test, "param", i);
      write_text (out, depth + 1, "param", name, param->value);
    }

  if (sluice_test_case_get_input (test) != NULL)
    {
      write_comments_before (out, depth + 1, test, "input", 0);
      write_items (out, depth + 1, "input", "", sluice_test_case_get_input (test));
    }

  for (guint i = 0; i < stubs->len; i++)
    {
      write_comments_before (out, depth + 1, test, "stub", i);
      write_stub (out, depth + 1, test, i, g_ptr_array_index (stubs, i));
    }

  expected = sluice_test_case_get_expected (test, &order, &compare);
  if (expected != NULL)
    {
      g_autofree char *order_attr = order != SLUICE_TEST_ORDER_AUTO
                                    ? attr ("order", sluice_test_order_to_string (order))
                                    : g_strdup ("");
      g_autofree char *extra = g_strconcat (order_attr,
                                            compare == SLUICE_TEST_COMPARE_SUBSET
                                            ? " compare=\"subset\"" : "", NULL);

      write_comments_before (out, depth + 1, test, "expect-items", 0);
      write_items (out, depth + 1, "expect-items", extra, expected);
    }

  count = sluice_test_case_get_expected_count (test, NULL);
  if (count >= 0)
    {
      write_comments_before (out, depth + 1, test, "expect-count", 0);
      sluice_xml_write_indent (out, depth + 1);
      g_string_append_printf (out, "<expect-count value=\"%" G_GINT64_FORMAT "\"/>\n", count);
    }

  for (guint i = 0; i < asserts->len; i++)
    {
      write_comments_before (out, depth + 1, test, "assert", i);
      write_text (out, depth + 1, "assert", "",
                  ((SluiceTestAssert *) g_ptr_array_index (asserts, i))->code);
    }

  if (sluice_test_case_get_expected_failure (test, &fail_module, &fail_message, NULL))
    {
      write_comments_before (out, depth + 1, test, "expect-failure", 0);
      sluice_xml_write_indent (out, depth + 1);
      g_string_append (out, "<expect-failure");
      sluice_xml_write_attr (out, "module", fail_module);
      sluice_xml_write_attr (out, "message", fail_message);
      g_string_append (out, "/>\n");
    }

  sluice_xml_write_comments (out, depth + 1, sluice_comments_get (test, SLUICE_COMMENTS_END));
  sluice_xml_write_indent (out, depth);
  g_string_append (out, "</case>\n");
}

void
sluice_saver_write_tests (GString        *out,
                          guint           depth,
                          SluicePipeline *pipeline)
{
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  guint n = g_list_model_get_n_items (tests);
  const char * const *before = sluice_comments_get (pipeline, SLUICE_XML_BEFORE_KEY_PREFIX "tests");
  const char * const *inside = sluice_comments_get (pipeline, SLUICE_XML_TRAILING_KEY_PREFIX "tests");

  if (n == 0 && inside == NULL)
    return;

  sluice_xml_write_comments (out, depth, before);
  sluice_xml_write_indent (out, depth);
  g_string_append (out, "<tests>\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      write_case (out, depth + 1, test);
    }
  sluice_xml_write_comments (out, depth + 1, inside);
  sluice_xml_write_indent (out, depth);
  g_string_append (out, "</tests>\n");
}
