/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-columns-reshape.h"

static void
flatten_into (json_t     *flat,
              json_t     *object,
              GString    *prefix,
              const char *separator)
{
  gsize length = prefix->len;
  const char *key;
  json_t *value;

  json_object_foreach (object, key, value)
    {
      g_string_truncate (prefix, length);
      g_string_append (prefix, key);
      if (json_is_object (value) && json_object_size (value) > 0)
        {
          g_string_append (prefix, separator);
          flatten_into (flat, value, prefix, separator);
        }
      else
        json_object_setn_nocheck (flat, prefix->str, prefix->len, value);
    }
  g_string_truncate (prefix, length);
}

json_t *
sluice_columns_flatten (json_t     *item,
                        const char *separator)
{
  g_autoptr(GString) prefix = NULL;
  const char *key;
  json_t *value;
  json_t *flat;

  /* Nothing nested: the item as it is. */
  json_object_foreach (item, key, value)
    if (json_is_object (value) && json_object_size (value) > 0)
      break;
  if (key == NULL)
    return item;

  prefix = g_string_new (NULL);
  flat = json_object ();
  flatten_into (flat, item, prefix, separator);
  json_decref (item);
  return flat;
}

/* @parent[@name] as an object this item owns alone: a shared one is
 * copied, anything else replaced by a new one. */
static json_t *
own_object (json_t     *parent,
            const char *name,
            gsize       length)
{
  json_t *child = json_object_getn (parent, name, length);

  if (json_is_object (child) && child->refcount == 1)
    return child;
  child = json_is_object (child) ? json_copy (child) : json_object ();
  json_object_setn_new_nocheck (parent, name, length, child);
  return child;
}

void
sluice_columns_nest (json_t     *item,
                     const char *separator)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gsize sep_length = strlen (separator);
  const char *key;
  json_t *value;

  json_object_foreach (item, key, value)
    if (strstr (key, separator) != NULL)
      g_ptr_array_add (paths, g_strdup (key));

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      json_t *leaf = json_incref (json_object_get (item, path));
      json_t *target = item;
      const char *start = path;
      const char *next;

      json_object_del (item, path);
      while ((next = strstr (start, separator)) != NULL)
        {
          target = own_object (target, start, next - start);
          start = next + sep_length;
        }
      json_object_setn_new_nocheck (target, start, strlen (start), leaf);
    }
}
