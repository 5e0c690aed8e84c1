/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-params.h"
#include "sluice-timescope.h"

G_DEFINE_QUARK (sluice-params-error-quark, sluice_params_error)

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || c == '-';
}

/* Parses the reference starting at text[offset] == '$' followed by '{'.
 * Returns the length of the whole "${name}" or 0 on a malformed one. */
static gsize
parse_reference (const char *text,
                 gsize       offset,
                 GError    **error)
{
  const char *start = text + offset + 2;
  const char *p = start;

  if (!is_name_start (*p))
    {
      g_set_error (error, sluice_params_error_quark (), 0,
                   "malformed parameter reference at offset %" G_GSIZE_FORMAT
                   ": “${” must be followed by a name", offset);
      return 0;
    }

  while (is_name_char (*p))
    p++;

  /* ${table:NAME}: a table name for the run's window (sluice-timescope.h). */
  if (*p == ':' && p - start == 5 && strncmp (start, "table", 5) == 0 && is_name_start (p[1]))
    for (p++; is_name_char (*p); p++)
      ;

  if (*p != '}')
    {
      g_set_error (error, sluice_params_error_quark (), 0,
                   "malformed parameter reference at offset %" G_GSIZE_FORMAT
                   ": “${%.*s” is not closed by “}”",
                   offset, (int) (p - start), start);
      return 0;
    }

  return (gsize) (p - (text + offset)) + 1;
}

/* Walks @text; calls @ref_func for each reference and @literal for every
 * stretch of plain text (with "$$" already collapsed to "$"). */

static gboolean
walk (const char         *text,
      SluiceParamRefFunc  ref_func,
      SluiceParamTextFunc literal,
      gpointer            user_data,
      GError            **error)
{
  gsize i = 0, run = 0;

  while (text[i] != '\0')
    {
      gsize length;

      if (text[i] != '$' || (text[i + 1] != '{' && text[i + 1] != '$'))
        {
          i++;
          continue;
        }

      if (literal != NULL)
        literal (text + run, i - run, user_data);

      if (text[i + 1] == '$')
        {
          if (literal != NULL)
            literal ("$", 1, user_data);
          i += 2;
          run = i;
          continue;
        }

      length = parse_reference (text, i, error);
      if (length == 0)
        return FALSE;

      {
        g_autofree char *name = g_strndup (text + i + 2, length - 3);
        ref_func (name, i, user_data);
      }

      i += length;
      run = i;
    }

  if (literal != NULL)
    literal (text + run, i - run, user_data);

  return TRUE;
}

gboolean
sluice_params_scan_full (const char          *text,
                         SluiceParamRefFunc   func,
                         SluiceParamTextFunc  literal,
                         gpointer             user_data,
                         GError             **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return walk (text, func, literal, user_data, error);
}

gboolean
sluice_params_scan (const char         *text,
                    SluiceParamRefFunc  func,
                    gpointer            user_data,
                    GError            **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return walk (text, func, NULL, user_data, error);
}

typedef struct
{
  GString    *out;
  GHashTable *values;
  gboolean    shell_quote;
  char       *unknown;    /* first name without a value, owned */
  GError     *lookup_error; /* why it has none, owned */
} Substitution;

static void
append_literal (const char *text,
                gsize       length,
                gpointer    user_data)
{
  Substitution *sub = user_data;

  g_string_append_len (sub->out, text, length);
}

char *
sluice_params_lookup (GHashTable  *values,
                      const char  *name,
                      GError     **error)
{
  const char *value;

  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_has_prefix (name, SLUICE_PARAMS_TABLE_PREFIX))
    return sluice_timescope_table_name (name + strlen (SLUICE_PARAMS_TABLE_PREFIX),
                                        g_hash_table_lookup (values, "timescope"),
                                        g_hash_table_lookup (values, "window_start"),
                                        error);

  value = g_hash_table_lookup (values, name);
  if (value == NULL)
    {
      g_set_error (error, sluice_params_error_quark (), 1,
                   "parameter “%s” is not defined", name);
      return NULL;
    }
  return g_strdup (value);
}

static void
append_value (const char *name,
              gsize       offset,
              gpointer    user_data)
{
  Substitution *sub = user_data;
  g_autofree char *value = NULL;

  if (sub->unknown != NULL)
    return;
  value = sluice_params_lookup (sub->values, name, &sub->lookup_error);
  if (value == NULL)
    {
      sub->unknown = g_strdup (name);
      return;
    }

  if (sub->shell_quote)
    {
      g_autofree char *quoted = g_shell_quote (value);
      g_string_append (sub->out, quoted);
    }
  else
    g_string_append (sub->out, value);
}

char *
sluice_params_substitute (const char  *text,
                          GHashTable  *values,
                          gboolean     shell_quote,
                          GError     **error)
{
  Substitution sub = { g_string_new (NULL), values, shell_quote, NULL, NULL };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  if (!walk (text, append_value, append_literal, &sub, error))
    {
      g_string_free (sub.out, TRUE);
      return NULL;
    }

  if (sub.unknown != NULL)
    {
      g_propagate_error (error, sub.lookup_error);
      g_free (sub.unknown);
      g_string_free (sub.out, TRUE);
      return NULL;
    }

  return g_string_free (sub.out, FALSE);
}
