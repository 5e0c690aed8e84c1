/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-test-compare.h"

/* How the outputs of a test case are compared with what it expects. */

#define ITEM_TEXT_LIMIT 300

char *
sluice_test_item_text (json_t *item,
                       gsize   limit)
{
  g_autofree char *text = sluice_json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

  if (text == NULL)
    return g_strdup ("?");
  if (limit > 0 && strlen (text) > limit)
    return g_strdup_printf ("%.*s…", (int) limit, text);
  return g_steal_pointer (&text);
}

static gboolean
item_matches (json_t   *expected,
              json_t   *actual,
              gboolean  subset)
{
  const char *key;
  json_t *value;

  if (!subset)
    return json_equal (expected, actual);

  json_object_foreach (expected, key, value)
    if (!json_equal (json_object_get (actual, key), value))
      return FALSE;
  return TRUE;
}

static void
diff_line (GString    *diff,
           const char *sign,
           json_t     *item)
{
  g_autofree char *text = sluice_test_item_text (item, ITEM_TEXT_LIMIT);

  g_string_append_printf (diff, "    %s %s\n", sign, text);
}

static gboolean
compare_strict (GPtrArray *expected,
                GPtrArray *actual,
                gboolean   subset,
                GString   *diff)
{
  guint shown = 0;
  guint n = MIN (expected->len, actual->len);
  gboolean same = expected->len == actual->len;

  for (guint i = 0; i < n; i++)
    {
      if (item_matches (g_ptr_array_index (expected, i), g_ptr_array_index (actual, i), subset))
        continue;
      same = FALSE;
      if (shown++ >= SLUICE_TEST_DIFF_MAX)
        continue;
      g_string_append_printf (diff, "  item %u differs:\n", i + 1);
      diff_line (diff, "-", g_ptr_array_index (expected, i));
      diff_line (diff, "+", g_ptr_array_index (actual, i));
    }

  if (expected->len > n)
    g_string_append_printf (diff, "  %u expected item(s) missing at the end, from item %u:\n",
                            expected->len - n, n + 1);
  else if (actual->len > n)
    g_string_append_printf (diff, "  %u unexpected item(s) at the end, from item %u:\n",
                            actual->len - n, n + 1);
  for (guint i = n; i < MAX (expected->len, actual->len) && i < n + SLUICE_TEST_DIFF_MAX; i++)
    diff_line (diff, expected->len > n ? "-" : "+",
               g_ptr_array_index (expected->len > n ? expected : actual, i));

  if (shown > SLUICE_TEST_DIFF_MAX)
    g_string_append_printf (diff, "  … and %u more differing item(s)\n", shown - SLUICE_TEST_DIFF_MAX);
  return same;
}

/* Multisets: equal items are counted by their canonical text, so 100,000
 * items compare in linear time; subset matching pairs items greedily, by
 * position first (the usual case), then by search among what is left. */
static gboolean
compare_any (GPtrArray *expected,
             GPtrArray *actual,
             gboolean   subset,
             GString   *diff)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();

  if (!subset)
    {
      g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) firsts = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < actual->len; i++)
        {
          char *text = sluice_test_item_text (g_ptr_array_index (actual, i), 0);
          gpointer count = g_hash_table_lookup (counts, text);

          g_hash_table_insert (counts, text, GUINT_TO_POINTER (GPOINTER_TO_UINT (count) + 1));
        }
      for (guint i = 0; i < expected->len; i++)
        {
          g_autofree char *text = sluice_test_item_text (g_ptr_array_index (expected, i), 0);
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, text));

          if (count == 0)
            g_ptr_array_add (missing, g_ptr_array_index (expected, i));
          else
            g_hash_table_insert (counts, g_strdup (text), GUINT_TO_POINTER (count - 1));
        }
      for (guint i = actual->len; i > 0; i--)
        {
          g_autofree char *text = sluice_test_item_text (g_ptr_array_index (actual, i - 1), 0);
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, text));

          if (count > 0)
            {
              g_ptr_array_insert (extra, 0, g_ptr_array_index (actual, i - 1));
              g_hash_table_insert (counts, g_strdup (text), GUINT_TO_POINTER (count - 1));
            }
        }
    }
  else
    {
      g_autofree gboolean *used = g_new0 (gboolean, actual->len + 1);
      g_autoptr(GPtrArray) left = g_ptr_array_new ();

      for (guint i = 0; i < expected->len; i++)
        {
          if (i < actual->len && item_matches (g_ptr_array_index (expected, i),
                                               g_ptr_array_index (actual, i), TRUE))
            used[i] = TRUE;
          else
            g_ptr_array_add (left, g_ptr_array_index (expected, i));
        }
      for (guint i = 0; i < left->len; i++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < actual->len && !found; j++)
            if (!used[j] && item_matches (g_ptr_array_index (left, i), g_ptr_array_index (actual, j), TRUE))
              used[j] = found = TRUE;
          if (!found)
            g_ptr_array_add (missing, g_ptr_array_index (left, i));
        }
      for (guint j = 0; j < actual->len; j++)
        if (!used[j])
          g_ptr_array_add (extra, g_ptr_array_index (actual, j));
    }

  if (missing->len > 0)
    {
      g_string_append_printf (diff, "  %u expected item(s) not in the outputs:\n", missing->len);
      for (guint i = 0; i < missing->len && i < SLUICE_TEST_DIFF_MAX; i++)
        diff_line (diff, "-", g_ptr_array_index (missing, i));
    }
  if (extra->len > 0)
    {
      g_string_append_printf (diff, "  %u output(s) not expected:\n", extra->len);
      for (guint i = 0; i < extra->len && i < SLUICE_TEST_DIFF_MAX; i++)
        diff_line (diff, "+", g_ptr_array_index (extra, i));
    }
  return missing->len == 0 && extra->len == 0;
}

gboolean
sluice_test_compare_items (GPtrArray *expected,
                           GPtrArray *actual,
                           gboolean   strict,
                           gboolean   subset,
                           GString   *diff)
{
  g_return_val_if_fail (expected != NULL && actual != NULL && diff != NULL, FALSE);

  return strict ? compare_strict (expected, actual, subset, diff)
                : compare_any (expected, actual, subset, diff);
}
