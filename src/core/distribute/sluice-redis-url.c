/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "sluice-redis-url.h"

static gboolean
parse_port (const char *text,
            guint16    *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

static gboolean
parse_authority (SluiceRedisUrl *url,
                 const char     *authority)
{
  const char *at = strrchr (authority, '@');
  const char *hostport = at != NULL ? at + 1 : authority;
  const char *colon;

  if (at != NULL)
    {
      g_autofree char *userinfo = g_strndup (authority, at - authority);
      char *sep = strchr (userinfo, ':');

      if (sep != NULL)
        {
          *sep = '\0';
          url->password = g_uri_unescape_string (sep + 1, NULL);
          if (userinfo[0] != '\0')
            url->user = g_uri_unescape_string (userinfo, NULL);
        }
      else
        url->password = g_uri_unescape_string (userinfo, NULL);
      if (url->password == NULL)
        return FALSE;
    }

  /* [::1]:6379 */
  if (hostport[0] == '[')
    {
      const char *close = strchr (hostport, ']');

      if (close == NULL)
        return FALSE;
      url->host = g_strndup (hostport + 1, close - hostport - 1);
      colon = close[1] == ':' ? close + 1 : NULL;
      if (close[1] != '\0' && colon == NULL)
        return FALSE;
    }
  else
    {
      colon = strrchr (hostport, ':');
      url->host = colon != NULL ? g_strndup (hostport, colon - hostport) : g_strdup (hostport);
    }

  if (url->host[0] == '\0')
    return FALSE;
  if (colon != NULL && !parse_port (colon + 1, &url->port))
    return FALSE;
  return TRUE;
}

SluiceRedisUrl *
sluice_redis_url_parse (const char  *text,
                        GError     **error)
{
  g_autoptr(SluiceRedisUrl) url = NULL;
  g_autofree char *authority = NULL;
  const char *rest, *slash;

  g_return_val_if_fail (text != NULL, NULL);

  if (g_str_has_prefix (text, "rediss://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s: TLS (rediss://) is not supported by hiredis 0.14; reach Redis through a tunnel (stunnel, ssh -L) and use redis://", text);
      return NULL;
    }
  if (!g_str_has_prefix (text, "redis://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB])", text);
      return NULL;
    }

  url = g_new0 (SluiceRedisUrl, 1);
  url->port = 6379;
  rest = text + strlen ("redis://");
  slash = strchr (rest, '/');
  authority = slash != NULL ? g_strndup (rest, slash - rest) : g_strdup (rest);

  if (!parse_authority (url, authority) ||
      (slash != NULL && slash[1] != '\0' &&
       !g_ascii_string_to_unsigned (slash + 1, 10, 0, 1000000, NULL, NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB])", text);
      return NULL;
    }
  if (slash != NULL && slash[1] != '\0')
    url->database = (guint) g_ascii_strtoull (slash + 1, NULL, 10);

  {
    gboolean v6 = strchr (url->host, ':') != NULL;

    url->display = g_strdup_printf ("redis://%s%s%s%s%s:%u",
                                    url->password != NULL && url->user != NULL ? url->user : "",
                                    url->password != NULL ? ":***@" : "",
                                    v6 ? "[" : "", url->host, v6 ? "]" : "", url->port);
  }
  if (url->database != 0)
    {
      char *with_db = g_strdup_printf ("%s/%u", url->display, url->database);

      g_free (url->display);
      url->display = with_db;
    }
  return g_steal_pointer (&url);
}

SluiceRedisUrl *
sluice_redis_url_copy (const SluiceRedisUrl *url)
{
  SluiceRedisUrl *copy = g_new0 (SluiceRedisUrl, 1);

  copy->host = g_strdup (url->host);
  copy->port = url->port;
  copy->user = g_strdup (url->user);
  copy->password = g_strdup (url->password);
  copy->database = url->database;
  copy->display = g_strdup (url->display);
  return copy;
}

void
sluice_redis_url_free (SluiceRedisUrl *url)
{
  if (url == NULL)
    return;
  g_free (url->host);
  g_free (url->user);
  if (url->password != NULL)
    memset (url->password, 0, strlen (url->password));
  g_free (url->password);
  g_free (url->display);
  g_free (url);
}
