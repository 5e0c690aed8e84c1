/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json-path.h"

G_DEFINE_QUARK (sluice-json-path-error-quark, sluice_json_path_error)

typedef struct
{
  char   *key;     /* NULL for an index */
  gsize   index;
} PathStep;

struct _SluiceJsonPath
{
  char       *text;
  const char *root;    /* "item" or "$": how messages name the start */
  GArray     *steps;   /* of PathStep */
};

static void
path_step_clear (PathStep *step)
{
  g_free (step->key);
}

void
sluice_json_path_free (SluiceJsonPath *path)
{
  if (path == NULL)
    return;
  g_free (path->text);
  g_array_unref (path->steps);
  g_free (path);
}

const char *
sluice_json_path_get_text (const SluiceJsonPath *path)
{
  g_return_val_if_fail (path != NULL, NULL);
  return path->text;
}

static gboolean
syntax_error (GError     **error,
              const char  *root,
              const char  *text,
              gsize        offset,
              const char  *what)
{
  g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_SYNTAX,
               "“%s” is not a path into the %s (at character %" G_GSIZE_FORMAT ": %s); "
               "write it as %s.key.key, %s.list[0] or %s[\"odd key\"]",
               text, g_str_equal (root, "item") ? "item" : "document",
               offset + 1, what, root, root, root);
  return FALSE;
}

/* A bare key after a dot: anything up to the next dot or bracket. */
static gboolean
parse_bare_key (const char **p,
                PathStep    *step)
{
  const char *start = *p;

  while (**p != '\0' && **p != '.' && **p != '[' && **p != ']' && **p != '"')
    (*p)++;
  if (*p == start)
    return FALSE;
  step->key = g_strndup (start, *p - start);
  return TRUE;
}

/* ["key"] or ['key'] with \" (\') and \\ escapes; *p is after the
 * opening @quote. */
static gboolean
parse_quoted_key (const char **p,
                  char         quote,
                  PathStep    *step)
{
  GString *key = g_string_new (NULL);

  while (**p != '\0' && **p != quote)
    {
      if (**p == '\\' && ((*p)[1] == quote || (*p)[1] == '\\'))
        (*p)++;
      g_string_append_c (key, **p);
      (*p)++;
    }
  if (**p != quote)
    {
      g_string_free (key, TRUE);
      return FALSE;
    }
  (*p)++;
  step->key = g_string_free (key, FALSE);
  return TRUE;
}

static gboolean
parse_index (const char **p,
             PathStep    *step)
{
  guint64 value = 0;

  if (!g_ascii_isdigit (**p))
    return FALSE;
  while (g_ascii_isdigit (**p))
    {
      if (value > G_MAXINT32)
        return FALSE;
      value = value * 10 + (guint64) (**p - '0');
      (*p)++;
    }
  step->index = (gsize) value;
  return TRUE;
}

/* The steps after the root: .key, ["key"], ['key'], [N].  A bare first
 * key needs no dot when @bare_first is set ("data.items"). */
static GArray *
parse_steps (const char  *text,
             const char  *root,
             const char  *p,
             gboolean     bare_first,
             GError     **error)
{
  g_autoptr(GArray) steps = g_array_new (FALSE, TRUE, sizeof (PathStep));

  g_array_set_clear_func (steps, (GDestroyNotify) path_step_clear);
  while (*p != '\0')
    {
      PathStep step = { NULL, 0 };
      gsize offset = p - text;

      if (steps->len >= SLUICE_JSON_PATH_MAX_STEPS)
        {
          syntax_error (error, root, text, offset, "too many steps");
          return NULL;
        }
      if (*p == '.' || (bare_first && steps->len == 0 && *p != '['))
        {
          if (*p == '.')
            p++;
          if (!parse_bare_key (&p, &step))
            {
              syntax_error (error, root, text, p - text, "a key is expected here");
              return NULL;
            }
        }
      else if (p[0] == '[' && (p[1] == '"' || p[1] == '\''))
        {
          char quote = p[1];

          p += 2;
          if (!parse_quoted_key (&p, quote, &step) || *p != ']')
            {
              g_free (step.key);
              syntax_error (error, root, text, offset, "a quoted key must end with its quote and ]");
              return NULL;
            }
          p++;
        }
      else if (*p == '[')
        {
          p++;
          if (!parse_index (&p, &step) || *p != ']')
            {
              syntax_error (error, root, text, offset, "an index is a whole number from 0, in brackets");
              return NULL;
            }
          p++;
        }
      else
        {
          syntax_error (error, root, text, offset, "“.” or “[” expected");
          return NULL;
        }
      g_array_append_val (steps, step);
    }
  return g_steal_pointer (&steps);
}

static SluiceJsonPath *
path_new (const char *text,
          const char *root,
          GArray     *steps)
{
  SluiceJsonPath *path = g_new0 (SluiceJsonPath, 1);

  path->text = g_strdup (text);
  path->root = root;
  path->steps = steps;
  return path;
}

SluiceJsonPath *
sluice_json_path_parse (const char  *text,
                        GError     **error)
{
  GArray *steps;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_str_has_prefix (text, "item") || g_ascii_isalnum (text[4]) || text[4] == '_')
    {
      syntax_error (error, "item", text, 0, "it must start with “item”");
      return NULL;
    }
  steps = parse_steps (text, "item", text + 4, FALSE, error);
  return steps != NULL ? path_new (text, "item", steps) : NULL;
}

SluiceJsonPath *
sluice_json_path_parse_document (const char  *text,
                                 GError     **error)
{
  const char *p = text;
  GArray *steps;

  g_return_val_if_fail (text != NULL, NULL);

  if (*p == '$')
    p++;
  steps = parse_steps (text, "$", p, p == text, error);
  return steps != NULL ? path_new (text, "$", steps) : NULL;
}

static const char *
type_name (json_t *value)
{
  switch (json_typeof (value))
    {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER:
    case JSON_REAL:    return "a number";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:
    default:           return "null";
    }
}

/* The path up to (not including) step @n, for messages. */
static char *
prefix_text (const SluiceJsonPath *path,
             guint                 n)
{
  GString *s = g_string_new (path->root);

  for (guint i = 0; i < n; i++)
    {
      const PathStep *step = &g_array_index (path->steps, PathStep, i);

      if (step->key != NULL)
        g_string_append_printf (s, ".%s", step->key);
      else
        g_string_append_printf (s, "[%" G_GSIZE_FORMAT "]", step->index);
    }
  return g_string_free (s, FALSE);
}

json_t *
sluice_json_path_lookup (const SluiceJsonPath  *path,
                         json_t                *item,
                         GError               **error)
{
  json_t *value = item;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (item != NULL, NULL);

  for (guint i = 0; i < path->steps->len; i++)
    {
      const PathStep *step = &g_array_index (path->steps, PathStep, i);
      g_autofree char *where = NULL;
      json_t *next;

      if (step->key != NULL)
        {
          if (!json_is_object (value))
            {
              where = prefix_text (path, i);
              g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_TYPE,
                           "%s: %s is %s, not an object with the key “%s”",
                           path->text, where, type_name (value), step->key);
              return NULL;
            }
          next = json_object_get (value, step->key);
          if (next == NULL)
            {
              where = prefix_text (path, i);
              g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_MISSING,
                           "%s: %s has no key “%s”", path->text, where, step->key);
              return NULL;
            }
        }
      else
        {
          if (!json_is_array (value))
            {
              where = prefix_text (path, i);
              g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_TYPE,
                           "%s: %s is %s, not an array", path->text, where, type_name (value));
              return NULL;
            }
          next = json_array_get (value, step->index);
          if (next == NULL)
            {
              where = prefix_text (path, i);
              g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_MISSING,
                           "%s: %s has no element %" G_GSIZE_FORMAT " (it has %" G_GSIZE_FORMAT ")",
                           path->text, where, step->index, json_array_size (value));
              return NULL;
            }
        }
      value = next;
    }

  return value;
}

gboolean
sluice_json_path_get_number (const SluiceJsonPath  *path,
                             json_t                *item,
                             double                *number,
                             GError               **error)
{
  json_t *value = sluice_json_path_lookup (path, item, error);

  if (value == NULL)
    return FALSE;
  if (!json_is_number (value))
    {
      g_set_error (error, SLUICE_JSON_PATH_ERROR, SLUICE_JSON_PATH_ERROR_TYPE,
                   "%s is %s, not a number", path->text, type_name (value));
      return FALSE;
    }
  *number = json_number_value (value);
  return TRUE;
}
