/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-duration.h"

typedef struct
{
  const char *suffix;
  gint64      milliseconds;
} DurationUnit;

/* Largest first: sluice_duration_format() picks the first exact one. "ms"
 * comes before "m" when parsing so that "250ms" is not read as minutes. */
static const DurationUnit units[] = {
  { "h", 60 * 60 * 1000 },
  { "m", 60 * 1000 },
  { "s", 1000 },
  { "ms", 1 },
};

static const DurationUnit *
lookup_unit (const char *suffix)
{
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (units[i].suffix, suffix) == 0)
      return &units[i];
  return NULL;
}

gboolean
sluice_duration_parse (const char *text,
                       gint64     *milliseconds)
{
  const DurationUnit *unit;
  guint64 count = 0;
  const char *p;

  g_return_val_if_fail (milliseconds != NULL, FALSE);

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;

  for (p = text; g_ascii_isdigit (*p); p++)
    {
      count = count * 10 + (guint64) (*p - '0');
      if (count > G_MAXINT64 / (60 * 60 * 1000))
        return FALSE;
    }

  unit = lookup_unit (p);
  if (unit == NULL)
    return FALSE;

  /* Beyond the limit a duration in µs would overflow somewhere down the
   * line and quietly become no wait at all. */
  if (count > (guint64) (SLUICE_DURATION_MAX_MS / unit->milliseconds))
    return FALSE;

  *milliseconds = (gint64) count * unit->milliseconds;
  return TRUE;
}

char *
sluice_duration_format (gint64 milliseconds)
{
  g_return_val_if_fail (milliseconds >= 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (milliseconds != 0 && milliseconds % units[i].milliseconds == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "%s",
                              milliseconds / units[i].milliseconds,
                              units[i].suffix);

  return g_strdup ("0ms");
}
