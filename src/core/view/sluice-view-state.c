/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <string.h>

#include "sluice-view-state.h"

SluiceViewState *
sluice_view_state_new (void)
{
  SluiceViewState *state = g_new0 (SluiceViewState, 1);

  state->zoom = 1.0;
  state->positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  state->collapsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return state;
}

SluiceViewState *
sluice_view_state_copy (const SluiceViewState *state)
{
  SluiceViewState *copy = sluice_view_state_new ();
  GHashTableIter iter;
  gpointer key, value;

  copy->zoom = state->zoom;
  copy->x = state->x;
  copy->y = state->y;
  g_hash_table_iter_init (&iter, state->positions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->positions, g_strdup (key), g_memdup2 (value, 2 * sizeof (double)));
  g_hash_table_iter_init (&iter, state->collapsed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy->collapsed, g_strdup (key));
  return copy;
}

void
sluice_view_state_free (SluiceViewState *state)
{
  if (state == NULL)
    return;
  g_hash_table_unref (state->positions);
  g_hash_table_unref (state->collapsed);
  g_free (state);
}

void
sluice_view_state_set_position (SluiceViewState *state,
                                const char      *id,
                                double           x,
                                double           y)
{
  double *xy = g_new (double, 2);

  g_return_if_fail (id != NULL);
  xy[0] = x;
  xy[1] = y;
  g_hash_table_insert (state->positions, g_strdup (id), xy);
}

gboolean
sluice_view_state_get_position (const SluiceViewState *state,
                                const char            *id,
                                double                *x,
                                double                *y)
{
  const double *xy;

  if (id == NULL || (xy = g_hash_table_lookup (state->positions, id)) == NULL)
    return FALSE;
  *x = xy[0];
  *y = xy[1];
  return TRUE;
}

static gboolean
read_double (xmlNode    *node,
             const char *name,
             double     *out)
{
  xmlChar *value = xmlGetProp (node, (const xmlChar *) name);
  char *end = NULL;
  double d;

  if (value == NULL)
    return FALSE;
  d = g_ascii_strtod ((const char *) value, &end);
  if (end == (char *) value || *end != '\0' || !isfinite (d))
    {
      xmlFree (value);
      return FALSE;
    }
  xmlFree (value);
  *out = d;
  return TRUE;
}

SluiceViewState *
sluice_view_state_parse (const char *view_xml)
{
  SluiceViewState *state = sluice_view_state_new ();
  xmlDoc *doc;
  xmlNode *root;
  double d;

  if (view_xml == NULL || *view_xml == '\0')
    return state;

  /* Our own element, already checked by the loader; still parse it
   * without network or entity substitution. */
  doc = xmlReadMemory (view_xml, strlen (view_xml), "view.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return state;

  root = xmlDocGetRootElement (doc);
  if (root != NULL && xmlStrEqual (root->name, (const xmlChar *) "view"))
    {
      if (read_double (root, "zoom", &d) && d > 0.01 && d < 100)
        state->zoom = d;
      if (read_double (root, "x", &d))
        state->x = d;
      if (read_double (root, "y", &d))
        state->y = d;

      for (xmlNode *child = root->children; child != NULL; child = child->next)
        {
          xmlChar *id;
          double x, y;

          if (child->type != XML_ELEMENT_NODE)
            continue;
          id = xmlGetProp (child, (const xmlChar *) "id");
          if (id == NULL)
            continue;
          if (xmlStrEqual (child->name, (const xmlChar *) "pos") &&
              read_double (child, "x", &x) && read_double (child, "y", &y))
            sluice_view_state_set_position (state, (const char *) id, x, y);
          else if (xmlStrEqual (child->name, (const xmlChar *) "collapsed"))
            g_hash_table_add (state->collapsed, g_strdup ((const char *) id));
          xmlFree (id);
        }
    }
  xmlFreeDoc (doc);
  return state;
}

static void
append_number (GString    *str,
               const char *name,
               double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* Whole units are plenty for positions; keep files diff-friendly. */
  g_ascii_formatd (buf, sizeof buf, "%.4g", value);
  if (fabs (value) >= 1000)
    g_ascii_formatd (buf, sizeof buf, "%.0f", round (value));
  g_string_append_printf (str, " %s=\"%s\"", name, buf);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

char *
sluice_view_state_to_xml (const SluiceViewState *state)
{
  GString *str = g_string_new ("<view");
  g_autofree const char **pos_ids = NULL;
  g_autofree const char **collapsed_ids = NULL;
  guint n_pos, n_collapsed;

  append_number (str, "zoom", state->zoom);
  append_number (str, "x", state->x);
  append_number (str, "y", state->y);

  pos_ids = (const char **) g_hash_table_get_keys_as_array (state->positions, &n_pos);
  collapsed_ids = (const char **) g_hash_table_get_keys_as_array (state->collapsed, &n_collapsed);
  if (n_pos == 0 && n_collapsed == 0)
    {
      g_string_append (str, "/>");
      return g_string_free (str, FALSE);
    }

  qsort (pos_ids, n_pos, sizeof (char *), compare_strings);
  qsort (collapsed_ids, n_collapsed, sizeof (char *), compare_strings);
  g_string_append (str, ">");
  for (guint i = 0; i < n_pos; i++)
    {
      g_autofree char *id = g_markup_escape_text (pos_ids[i], -1);
      const double *xy = g_hash_table_lookup (state->positions, pos_ids[i]);

      g_string_append_printf (str, "<pos id=\"%s\"", id);
      append_number (str, "x", xy[0]);
      append_number (str, "y", xy[1]);
      g_string_append (str, "/>");
    }
  for (guint i = 0; i < n_collapsed; i++)
    {
      g_autofree char *id = g_markup_escape_text (collapsed_ids[i], -1);

      g_string_append_printf (str, "<collapsed id=\"%s\"/>", id);
    }
  g_string_append (str, "</view>");
  return g_string_free (str, FALSE);
}

gboolean
sluice_view_state_equal (const SluiceViewState *a,
                         const SluiceViewState *b)
{
  g_autofree char *xa = sluice_view_state_to_xml (a);
  g_autofree char *xb = sluice_view_state_to_xml (b);

  return g_strcmp0 (xa, xb) == 0;
}
