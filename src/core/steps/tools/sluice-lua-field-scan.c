/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-lua-field-scan.h"

/* A deliberately small Lua lexer: it knows enough to find every
 * identifier outside short strings and every `=` that is an assignment,
 * and gives up (FALSE) on anything it does not fully understand, which
 * only costs speed (the whole item is pushed), never correctness. */

/* Names that reach the item, or change a table, without `item.NAME`. */
static const char * const unsafe_names[] = {
  "_ENV", "_G", "load", "loadstring", "dofile", "require", "rawset", "rawget",
  "table", "emit", "debug", "setmetatable", "getmetatable", NULL,
};

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
    p++;
  return p;
}

/* A short string starting at @p (a quote); its end (after the closing
 * quote) and, when it has no escapes, its text. NULL when it is not
 * closed on this line. */
static const char *
skip_string (const char  *p,
             char       **text)
{
  char quote = *p++;
  const char *start = p;
  gboolean escapes = FALSE;

  for (; *p != quote; p++)
    {
      if (*p == '\0' || *p == '\n')
        return NULL;
      if (*p == '\\')
        {
          escapes = TRUE;
          if (p[1] == '\0')
            return NULL;
          p++;
        }
    }
  if (text != NULL)
    *text = escapes ? NULL : g_strndup (start, p - start);
  return p + 1;
}

static void
add_field (GPtrArray  *fields,
           char       *name)
{
  for (guint i = 0; i < fields->len; i++)
    if (g_str_equal (g_ptr_array_index (fields, i), name))
      {
        g_free (name);
        return;
      }
  g_ptr_array_add (fields, name);
}

/* After `item` at @p: `.NAME` or `["NAME"]`; the end, or NULL. */
static const char *
item_access (const char *p,
             GPtrArray  *fields)
{
  p = skip_space (p);
  if (*p == '.' && p[1] != '.')
    {
      const char *start;

      p = skip_space (p + 1);
      if (!is_name_start (*p))
        return NULL;
      start = p;
      while (is_name_char (*p))
        p++;
      add_field (fields, g_strndup (start, p - start));
      return p;
    }
  if (*p == '[')
    {
      char *name = NULL;

      p = skip_space (p + 1);
      if (*p != '"' && *p != '\'')
        return NULL;
      p = skip_string (p, &name);
      if (p == NULL || name == NULL)
        return NULL;
      p = skip_space (p);
      if (*p != ']')
        {
          g_free (name);
          return NULL;
        }
      add_field (fields, name);
      return p + 1;
    }
  return NULL;
}

gboolean
sluice_lua_field_scan (const char *expression,
                       GPtrArray  *fields)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  const char *p = expression;
  char previous = '\0';   /* the last non-space character before a name */

  g_return_val_if_fail (expression != NULL, FALSE);

  while (*(p = skip_space (p)) != '\0')
    {
      if (is_name_start (*p))
        {
          const char *start = p;
          g_autofree char *name = NULL;

          while (is_name_char (*p))
            p++;
          name = g_strndup (start, p - start);
          /* `x.item` and `x:item` are fields of something else. */
          if (previous == '.' || previous == ':')
            {
              previous = 'a';
              continue;
            }
          if (g_strv_contains (unsafe_names, name))
            return FALSE;
          if (g_str_equal (name, "item"))
            {
              p = item_access (p, found);
              if (p == NULL)
                return FALSE;
            }
          previous = 'a';
          continue;
        }
      if (*p == '"' || *p == '\'')
        {
          p = skip_string (p, NULL);
          if (p == NULL)
            return FALSE;
          previous = '"';
          continue;
        }
      /* Comments and long strings: not worth a lexer of their own. */
      if ((p[0] == '-' && p[1] == '-') || (p[0] == '[' && (p[1] == '[' || p[1] == '=')))
        return FALSE;
      if (p[0] == '=')
        {
          if (p[1] != '=')
            return FALSE;   /* an assignment, or a named table field */
          p += 2;
          previous = '=';
          continue;
        }
      if ((p[0] == '~' || p[0] == '<' || p[0] == '>') && p[1] == '=')
        {
          p += 2;
          previous = '=';
          continue;
        }
      if (p[0] == '.' && p[1] == '.')
        {
          p += p[2] == '.' ? 3 : 2;
          previous = '+';
          continue;
        }
      if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
        {
          /* A number, with its exponent sign and hex digits. */
          while (g_ascii_isalnum (*p) || *p == '.' ||
                 ((*p == '+' || *p == '-') && (p[-1] == 'e' || p[-1] == 'E' || p[-1] == 'p' || p[-1] == 'P')))
            p++;
          previous = '0';
          continue;
        }
      if ((guchar) *p >= 0x80)
        return FALSE;
      previous = *p++;
    }

  for (guint i = 0; i < found->len; i++)
    add_field (fields, g_strdup (g_ptr_array_index (found, i)));
  return TRUE;
}
