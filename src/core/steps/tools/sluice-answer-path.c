/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "sluice-answer-path.h"

typedef struct
{
  char   *name;    /* a member, or NULL for an index */
  gsize   index;
} Step;

struct _SluiceAnswerPath
{
  char   *text;
  GArray *steps;   /* of Step */
};

static void
step_clear (Step *step)
{
  g_free (step->name);
}

static gboolean
fail (GError    **error,
      const char *text,
      gsize       at,
      const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "bad JSON path “%s” at character %" G_GSIZE_FORMAT ": %s", text, at + 1, why);
  return FALSE;
}

/* Reads [N] or ['name'] / ["name"] at *p (just past the '['). */
static gboolean
parse_bracket (const char  *text,
               const char **p,
               Step        *step,
               GError     **error)
{
  const char *start = *p;

  if (*start == '\'' || *start == '"')
    {
      const char *end = strchr (start + 1, *start);

      if (end == NULL || end[1] != ']')
        return fail (error, text, start - text, "a quoted name must end with its quote and ]");
      step->name = g_strndup (start + 1, end - start - 1);
      *p = end + 2;
      return TRUE;
    }

  if (g_ascii_isdigit (*start))
    {
      char *end = NULL;
      guint64 index = g_ascii_strtoull (start, &end, 10);

      if (*end != ']' || index > G_MAXINT32)
        return fail (error, text, start - text, "an index is a number followed by ]");
      step->index = index;
      *p = end + 1;
      return TRUE;
    }

  return fail (error, text, start - text, "expected a number or a quoted name after [");
}

SluiceAnswerPath *
sluice_answer_path_new (const char  *text,
                      GError     **error)
{
  g_autoptr(SluiceAnswerPath) path = g_new0 (SluiceAnswerPath, 1);
  const char *p = text;

  path->text = g_strdup (text);
  path->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  g_array_set_clear_func (path->steps, (GDestroyNotify) step_clear);

  if (*p == '$')
    p++;
  while (*p != '\0')
    {
      Step step = { NULL, 0 };

      if (*p == '[')
        {
          p++;
          if (!parse_bracket (text, &p, &step, error))
            return NULL;
        }
      else
        {
          const char *start;

          /* The first name may come without its dot: "data.items". */
          if (*p == '.')
            p++;
          else if (p != text)
            {
              fail (error, text, p - text, "expected . or [");
              return NULL;
            }
          start = p;
          while (*p != '\0' && *p != '.' && *p != '[' && *p != ']')
            p++;
          if (p == start)
            {
              fail (error, text, start - text, "empty name");
              return NULL;
            }
          step.name = g_strndup (start, p - start);
        }
      g_array_append_val (path->steps, step);
    }

  return g_steal_pointer (&path);
}

void
sluice_answer_path_free (SluiceAnswerPath *path)
{
  if (path == NULL)
    return;
  g_free (path->text);
  g_array_unref (path->steps);
  g_free (path);
}

const char *
sluice_answer_path_text (SluiceAnswerPath *path)
{
  return path->text;
}

json_t *
sluice_answer_path_lookup (SluiceAnswerPath *path,
                         json_t         *root)
{
  json_t *at = root;

  for (guint i = 0; i < path->steps->len && at != NULL; i++)
    {
      Step *step = &g_array_index (path->steps, Step, i);

      if (step->name != NULL)
        at = json_is_object (at) ? json_object_get (at, step->name) : NULL;
      else
        at = json_is_array (at) ? json_array_get (at, step->index) : NULL;
    }
  return at;
}
