/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-command-line.h"
#include "sluice-params.h"

/* Where the shell stands at the end of the text written so far. */
typedef enum
{
  OUTSIDE,
  IN_SINGLE,
  IN_DOUBLE,
} QuoteState;

typedef struct
{
  GString    *out;
  GHashTable *values;
  GPtrArray  *env;
  GHashTable *numbers;   /* name → index+1 in @env */
  QuoteState  state;
  gboolean    escaped;   /* the last character was an unquoted or double-quoted backslash */
  char       *unknown;   /* first name without a value, owned */
} Builder;

static void
follow_quotes (Builder    *builder,
               const char *text,
               gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (builder->escaped)
        {
          builder->escaped = FALSE;
          continue;
        }

      switch (builder->state)
        {
        case OUTSIDE:
          if (c == '\\')
            builder->escaped = TRUE;
          else if (c == '\'')
            builder->state = IN_SINGLE;
          else if (c == '"')
            builder->state = IN_DOUBLE;
          break;

        case IN_SINGLE:
          if (c == '\'')
            builder->state = OUTSIDE;
          break;

        case IN_DOUBLE:
        default:
          if (c == '\\')
            builder->escaped = TRUE;
          else if (c == '"')
            builder->state = OUTSIDE;
          break;
        }
    }
}

static void
literal_cb (const char *text,
            gsize       length,
            gpointer    user_data)
{
  Builder *builder = user_data;

  g_string_append_len (builder->out, text, length);
  follow_quotes (builder, text, length);
}

static void
reference_cb (const char *name,
              gsize       offset,
              gpointer    user_data)
{
  Builder *builder = user_data;
  g_autofree char *value = sluice_params_lookup (builder->values, name, NULL);
  guint number = GPOINTER_TO_UINT (g_hash_table_lookup (builder->numbers, name));

  if (value == NULL)
    {
      if (builder->unknown == NULL)
        builder->unknown = g_strdup (name);
      return;
    }

  if (number == 0)
    {
      g_ptr_array_add (builder->env, g_strdup_printf ("SLUICE_PARAM_%u=%s", builder->env->len, value));
      number = builder->env->len;
      g_hash_table_insert (builder->numbers, g_strdup (name), GUINT_TO_POINTER (number));
    }

  /* A backslash just before the reference would escape what we write:
   * give it a newline to join lines with, which the shell removes. The
   * braces keep the name apart from what follows in every case. */
  if (builder->escaped)
    g_string_append_c (builder->out, '\n');

  switch (builder->state)
    {
    case OUTSIDE:
      g_string_append_printf (builder->out, "\"${SLUICE_PARAM_%u}\"", number - 1);
      break;
    case IN_DOUBLE:
      g_string_append_printf (builder->out, "${SLUICE_PARAM_%u}", number - 1);
      break;
    case IN_SINGLE:
    default:
      g_string_append_printf (builder->out, "'\"${SLUICE_PARAM_%u}\"'", number - 1);
      break;
    }
  builder->escaped = FALSE;
}

char *
sluice_command_line_build (const char  *text,
                           GHashTable  *values,
                           GPtrArray   *env,
                           GError     **error)
{
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Builder builder = { g_string_new (NULL), values, env, numbers, OUTSIDE, FALSE, NULL };

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (env != NULL, NULL);

  if (!sluice_params_scan_full (text, reference_cb, literal_cb, &builder, error))
    {
      g_string_free (builder.out, TRUE);
      return NULL;
    }

  if (builder.unknown != NULL)
    {
      /* Looked up again for the reason (undefined, or no window for a table name). */
      g_free (sluice_params_lookup (values, builder.unknown, error));
      g_free (builder.unknown);
      g_string_free (builder.out, TRUE);
      return NULL;
    }

  return g_string_free (builder.out, FALSE);
}
