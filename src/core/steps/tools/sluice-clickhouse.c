/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-clickhouse.h"

#define ERROR_QUOTE 500

void
sluice_clickhouse_server_clear (SluiceClickhouseServer *server)
{
  g_clear_pointer (&server->url, g_free);
  g_clear_pointer (&server->database, g_free);
  g_clear_pointer (&server->user, g_free);
  if (server->password != NULL)
    memset (server->password, 0, strlen (server->password));
  g_clear_pointer (&server->password, g_free);
}

char *
sluice_clickhouse_quote_name (const char *name)
{
  GString *out = g_string_new ("`");

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '`' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '`');
  return g_string_free (out, FALSE);
}

char *
sluice_clickhouse_table_name (SluiceClickhouseServer *server,
                              const char             *table)
{
  g_autofree char *database = sluice_clickhouse_quote_name (server->database);
  g_autofree char *name = sluice_clickhouse_quote_name (table);

  return g_strdup_printf ("%s.%s", database, name);
}

gboolean
sluice_clickhouse_type_is_safe (const char *type)
{
  gboolean quoted = FALSE;
  int depth = 0;

  if (type == NULL || *type == '\0')
    return FALSE;
  for (const char *p = type; *p != '\0'; p++)
    {
      if (*p == '\'')
        quoted = !quoted;
      else if (quoted)
        {
          if (*p == '\\' || (guchar) *p < 0x20)
            return FALSE;
        }
      else if (*p == '(')
        depth++;
      else if (*p == ')')
        {
          if (--depth < 0)
            return FALSE;
        }
      else if (!g_ascii_isalnum (*p) && *p != '_' && *p != ',' && *p != ' ')
        return FALSE;
    }
  return !quoted && depth == 0;
}

SoupMessage *
sluice_clickhouse_message_new (SluiceClickhouseServer *server,
                               const char             *sql,
                               const char * const     *settings,
                               GBytes                 *body)
{
  GString *url = g_string_new (server->url);
  g_autoptr(GBytes) statement = NULL;
  SoupMessage *msg;

  if (url->len == 0 || url->str[url->len - 1] != '/')
    g_string_append_c (url, '/');
  g_string_append (url, "?database=");
  g_string_append_uri_escaped (url, server->database, NULL, FALSE);
  if (body != NULL)
    {
      g_string_append (url, "&query=");
      g_string_append_uri_escaped (url, sql, NULL, FALSE);
    }
  for (guint i = 0; settings != NULL && settings[i] != NULL && settings[i + 1] != NULL; i += 2)
    {
      g_string_append_printf (url, "&%s=", settings[i]);
      g_string_append_uri_escaped (url, settings[i + 1], NULL, FALSE);
    }

  msg = soup_message_new ("POST", url->str);
  g_string_free (url, TRUE);
  g_return_val_if_fail (msg != NULL, NULL);

  if (server->user != NULL)
    {
      g_autofree char *pair = g_strdup_printf ("%s:%s", server->user, server->password ? server->password : "");
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *value = g_strdup_printf ("Basic %s", encoded);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
      memset (pair, 0, strlen (pair));
    }

  if (body == NULL)
    body = statement = g_bytes_new (sql, strlen (sql));
  soup_message_set_request_body_from_bytes (msg, "text/plain; charset=utf-8", body);
  return msg;
}

char *
sluice_clickhouse_error_text (guint   status,
                              GBytes *body)
{
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  g_autofree char *text = NULL;
  char *newline;

  if (size == 0)
    return g_strdup_printf ("HTTP %u without a message", status);
  text = g_utf8_make_valid (data, MIN (size, ERROR_QUOTE));
  /* "…, e.what() = DB::Exception" on the second line says nothing more. */
  newline = strchr (text, '\n');
  if (newline != NULL)
    *newline = '\0';
  return g_strdup_printf ("HTTP %u: %s", status, g_strstrip (text));
}
