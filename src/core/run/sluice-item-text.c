/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-item-text.h"
#include "sluice-json.h"

gsize
sluice_item_to_text (json_t  *item,
                     char   **buffer,
                     gsize   *size)
{
  const size_t flags = JSON_COMPACT | JSON_SORT_KEYS;
  GString text;

  if (*buffer == NULL)
    {
      *size = 4096;
      *buffer = g_malloc (*size);
    }

  /* Written straight into the caller's buffer, grown as needed: a GString
   * over it (its fields are public), so no copy and no allocation per
   * item. Shortest reals that read back exactly (sluice-json.h). */
  text.str = *buffer;
  text.str[0] = '\0';
  text.len = 0;
  text.allocated_len = *size;
  if (!sluice_json_write (&text, item, flags, NULL))
    text.len = 0;
  *buffer = text.str;
  *size = text.allocated_len;

  return text.len;
}
