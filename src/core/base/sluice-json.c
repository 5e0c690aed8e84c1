/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-json.h"

#define SHORTEST_PRECISION 15
#define EXACT_PRECISION 17

/* Locale-independent on both sides: the designer runs with the user's
 * LC_NUMERIC, which may use a decimal comma. */
static int
precision_for_real (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  for (int precision = SHORTEST_PRECISION; precision < EXACT_PRECISION; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, value);
      if (g_ascii_strtod (buffer, NULL) == value)
        return precision;
    }

  return EXACT_PRECISION;
}

static int
precision_needed (json_t *json)
{
  int needed = SHORTEST_PRECISION;

  switch (json_typeof (json))
    {
    case JSON_REAL:
      return precision_for_real (json_real_value (json));

    case JSON_OBJECT:
      {
        const char *key;
        json_t *value;

        json_object_foreach (json, key, value)
          {
            needed = MAX (needed, precision_needed (value));
            if (needed == EXACT_PRECISION)
              break;
          }
        return needed;
      }

    case JSON_ARRAY:
      {
        size_t index;
        json_t *value;

        json_array_foreach (json, index, value)
          {
            needed = MAX (needed, precision_needed (value));
            if (needed == EXACT_PRECISION)
              break;
          }
        return needed;
      }

    case JSON_STRING:
    case JSON_INTEGER:
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
    default:
      return needed;
    }
}

size_t
sluice_json_dump_flags (json_t *json,
                        size_t  flags)
{
  g_return_val_if_fail (json != NULL, flags);

  return flags | JSON_REAL_PRECISION (precision_needed (json));
}

char *
sluice_json_dumps (json_t *json,
                   size_t  flags)
{
  g_return_val_if_fail (json != NULL, NULL);

  return json_dumps (json, sluice_json_dump_flags (json, flags));
}
