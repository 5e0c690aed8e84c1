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
  gsize length;

  if (*buffer == NULL)
    {
      *size = 4096;
      *buffer = g_malloc (*size);
    }

  /* Shortest reals that read back exactly (sluice-json.h). */
  length = sluice_json_dumpb (item, *buffer, *size, flags);
  if (length > *size)
    {
      *size = MAX (length, *size * 2);
      *buffer = g_realloc (*buffer, *size);
      length = sluice_json_dumpb (item, *buffer, *size, flags);
    }

  return length;
}
