/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-memory-size.h"

static const struct
{
  const char *unit;
  guint       shift;
} units[] = {
  { "GiB", 30 },
  { "MiB", 20 },
  { "KiB", 10 },
};

gboolean
sluice_memory_size_parse (const char *text,
                          guint64    *bytes)
{
  guint64 value = 0;
  const char *p = text;

  g_return_val_if_fail (bytes != NULL, FALSE);

  if (text == NULL || !g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      guint digit = *p - '0';

      if (value > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      value = value * 10 + digit;
    }

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (strcmp (p, units[i].unit) == 0)
      {
        if (value > G_MAXUINT64 >> units[i].shift)
          return FALSE;
        *bytes = value << units[i].shift;
        return TRUE;
      }

  return FALSE;
}

char *
sluice_memory_size_format (guint64 bytes)
{
  guint64 kib = (bytes + 1023) >> 10;

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      guint shift = units[i].shift - 10;

      if (kib != 0 && (kib & ((G_GUINT64_CONSTANT (1) << shift) - 1)) == 0)
        return g_strdup_printf ("%" G_GUINT64_FORMAT "%s", kib >> shift, units[i].unit);
    }
  return g_strdup_printf ("%" G_GUINT64_FORMAT "KiB", kib);
}
