/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-text.h"

static gboolean
is_invisible (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
         type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

gunichar
sluice_text_find_invisible (const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_invisible (c))
        return c;
    }
  return 0;
}

char *
sluice_text_escape_unprintable (const char *text)
{
  GString *out;
  const char *p;
  const char *end;

  if (text == NULL)
    return NULL;

  out = g_string_sized_new (strlen (text));
  end = text + strlen (text);
  for (p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02X", (guchar) *p);
          p++;
          continue;
        }
      if (is_invisible (c))
        g_string_append_printf (out, "\\u{%04X}", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

static int
compare_string_pointers (gconstpointer a,
                         gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

void
sluice_sort_strings (GPtrArray *strings)
{
  g_ptr_array_sort (strings, compare_string_pointers);
}

char *
sluice_stamped_line_valist (const char *format,
                            va_list     args)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *message = g_strdup_vprintf (format, args);

  return g_strconcat (stamp, " ", message, NULL);
}

void
sluice_append_lua_string (GString    *code,
                          const char *text)
{
  g_string_append_c (code, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f)
        g_string_append_printf (code, "\\%03u", *p);
      else
        g_string_append_c (code, *p);
    }
  g_string_append_c (code, '"');
}
