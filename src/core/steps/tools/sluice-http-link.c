/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-http-link.h"

/* TRUE when the parameters after a link's <…> include rel=next (the
 * relation may be one of several: rel="next last"). */
static gboolean
params_say_next (const char *params)
{
  g_auto(GStrv) parts = g_strsplit (params, ";", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      g_auto(GStrv) words = NULL;

      if (g_ascii_strncasecmp (part, "rel", 3) != 0)
        continue;
      part = g_strstrip (part + 3);
      if (*part != '=')
        continue;
      part = g_strstrip (part + 1);
      if (*part == '"')
        {
          char *end = strchr (part + 1, '"');

          part++;
          if (end != NULL)
            *end = '\0';
        }
      words = g_strsplit_set (part, " \t", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (g_ascii_strcasecmp (words[j], "next") == 0)
          return TRUE;
    }
  return FALSE;
}

char *
sluice_http_link_find_next (const char *header,
                            const char *base)
{
  const char *p = header;

  if (header == NULL)
    return NULL;

  while ((p = strchr (p, '<')) != NULL)
    {
      const char *end = strchr (p, '>');
      const char *params_end;
      g_autofree char *target = NULL;
      g_autofree char *params = NULL;

      if (end == NULL)
        return NULL;
      target = g_strndup (p + 1, end - p - 1);
      /* The parameters run to the next link (a comma before '<'). */
      params_end = strchr (end, '<');
      if (params_end == NULL)
        params_end = end + strlen (end);
      params = g_strndup (end + 1, params_end - end - 1);
      g_strdelimit (params, ",", ' ');

      if (params_say_next (params))
        return g_uri_resolve_relative (base, g_strstrip (target), G_URI_FLAGS_ENCODED, NULL);
      p = end + 1;
    }
  return NULL;
}

gboolean
sluice_http_link_same_origin (const char *url,
                              const char *origin)
{
  /* Normalised, so that an explicit default port equals none. */
  g_autoptr(GUri) a = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  g_autoptr(GUri) b = g_uri_parse (origin, G_URI_FLAGS_ENCODED | G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  const char *host_a, *host_b;

  if (a == NULL || b == NULL)
    return FALSE;
  host_a = g_uri_get_host (a);
  host_b = g_uri_get_host (b);
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         host_a != NULL && host_b != NULL && g_ascii_strcasecmp (host_a, host_b) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}
