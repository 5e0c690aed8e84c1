/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Blocks of one size (the executor's jobs and origins) kept for reuse by
 * the run's thread. Origins are made up to a queue's length (512) ahead
 * of their jobs and freed one by one, which overflows malloc's
 * per-thread cache (7 blocks a size) and sends both ways down malloc's
 * slow paths, ~300 instructions an item each; a free list of the run's
 * own costs a few. Blocks come from g_malloc() and may still be freed
 * with g_free() elsewhere (the run's end, an executor's finalize). At
 * most SLUICE_FREE_LIST_MAX blocks are kept. Run's thread only. Under
 * AddressSanitizer none are: a use after free is still found. */

#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_FREE_LIST_MAX 0
#else
#define SLUICE_FREE_LIST_MAX 2048
#endif

typedef struct
{
  gpointer head;   /* each kept block starts with the next one's address */
  guint    length;
} SluiceFreeList;

static inline gpointer
sluice_free_list_take (SluiceFreeList *list,
                       gsize           size)
{
  gpointer block = list->head;

  if (block == NULL)
    return g_malloc (size);
  list->head = *(gpointer *) block;
  list->length--;
  return block;
}

static inline void
sluice_free_list_give (SluiceFreeList *list,
                       gpointer        block)
{
  if (list->length >= SLUICE_FREE_LIST_MAX)
    {
      g_free (block);
      return;
    }
  *(gpointer *) block = list->head;
  list->head = block;
  list->length++;
}

static inline void
sluice_free_list_clear (SluiceFreeList *list)
{
  while (list->head != NULL)
    {
      gpointer block = list->head;

      list->head = *(gpointer *) block;
      g_free (block);
    }
  list->length = 0;
}

G_END_DECLS
