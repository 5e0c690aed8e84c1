/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "sluice-http-retry.h"

gboolean
sluice_http_retry_status_is_transient (guint status)
{
  if (status == 429 || status == 408)
    return TRUE;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

gint64
sluice_http_retry_after_parse (const char *value,
                               gint64      now_unix_us)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;
  text = g_strstrip (g_strdup (value));

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seconds, NULL))
    /* Ten days or ten years: the caller caps it; saturate, never wrap. */
    return seconds > G_MAXINT64 / G_USEC_PER_SEC ? G_MAXINT64 : (gint64) seconds * G_USEC_PER_SEC;

  if (text[0] != '\0' && strspn (text, "0123456789") == strlen (text))
    return G_MAXINT64;   /* more digits than 64 bits hold */

  date = soup_date_time_new_from_http_string (text);
  if (date == NULL)
    return -1;
  return MAX (0, g_date_time_to_unix (date) * G_USEC_PER_SEC - now_unix_us);
}

gint64
sluice_http_retry_backoff (gint64 first_us,
                           guint  attempt,
                           gint64 cap_us)
{
  gint64 delay = first_us;

  for (guint i = 0; i < attempt && delay < cap_us; i++)
    delay *= 2;
  return MIN (delay, cap_us);
}
