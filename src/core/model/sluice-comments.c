/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-comments.h"

#define STORE_KEY "sluice-comments"

/* place → GStrv, one table per object, made on first use. */
static GHashTable *
store_of (gpointer object,
          gboolean create)
{
  GHashTable *store = g_object_get_data (G_OBJECT (object), STORE_KEY);

  if (store == NULL && create)
    {
      store = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
      g_object_set_data_full (G_OBJECT (object), STORE_KEY, store, (GDestroyNotify) g_hash_table_unref);
    }
  return store;
}

const char * const *
sluice_comments_get (gpointer    object,
                     const char *place)
{
  GHashTable *store;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);
  g_return_val_if_fail (place != NULL, NULL);

  store = store_of (object, FALSE);
  return store != NULL ? g_hash_table_lookup (store, place) : NULL;
}

gboolean
sluice_comments_set (gpointer            object,
                     const char         *place,
                     const char * const *comments)
{
  const char * const *old;

  g_return_val_if_fail (G_IS_OBJECT (object), FALSE);
  g_return_val_if_fail (place != NULL, FALSE);

  if (comments != NULL && comments[0] == NULL)
    comments = NULL;
  old = sluice_comments_get (object, place);
  if (old == NULL && comments == NULL)
    return FALSE;
  if (old != NULL && comments != NULL && g_strv_equal (old, comments))
    return FALSE;

  if (comments == NULL)
    g_hash_table_remove (store_of (object, TRUE), place);
  else
    g_hash_table_insert (store_of (object, TRUE), g_strdup (place), g_strdupv ((char **) comments));
  return TRUE;
}
