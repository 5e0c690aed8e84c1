/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>

#include <jansson.h>

#include "sluice-json-alloc.h"

/* A thread's cache of freed small blocks for jansson.
 *
 * Items go through the steps breadth first, a few hundred at a time: the
 * extractor makes 256 items (some twenty blocks each: the object, its
 * table, a pair and a string a field) before the first of them is freed.
 * glibc's own per-thread cache keeps 7 blocks a size, so nearly every
 * block of an item went through the arena (its lock, its bins, and
 * malloc_consolidate): a quarter of the run's thread on the file
 * workload. Here a thread keeps up to CACHE_LIMIT freed blocks of each
 * size, without a lock.
 *
 * The blocks are glibc's own (malloc, sized by malloc_usable_size), so a
 * block may still be given to free() — jansson's json_dumps() result is
 * — and a block malloc() made before the cache was installed may come to
 * it. A block freed on another thread than the one that made it goes to
 * the freeing thread's cache. What a thread keeps is bounded
 * (CACHE_LIMIT × the sizes), and given back when the thread ends. */

/* Sizes cached: glibc chunks of 32 to 16 × N_CLASSES bytes (usable
 * sizes 24 to 16 × N_CLASSES − 8). */
#define N_CLASSES 16
/* Blocks kept a size: more than the ~5,000 blocks of a backlog of 256
 * items spread over the few sizes they use. */
#define CACHE_LIMIT 4096

typedef struct
{
  void  *blocks[N_CLASSES][CACHE_LIMIT];
  guint  counts[N_CLASSES];
} Cache;

static void cache_free (gpointer data);

static GPrivate cache_key = G_PRIVATE_INIT (cache_free);
static _Thread_local Cache *thread_cache;
static _Thread_local gboolean thread_ended;

static void
cache_free (gpointer data)
{
  Cache *cache = data;

  for (guint c = 0; c < N_CLASSES; c++)
    for (guint i = 0; i < cache->counts[c]; i++)
      free (cache->blocks[c][i]);
  free (cache);
  /* A block freed after this (another thread-exit destructor) goes
   * straight to free(). */
  thread_cache = NULL;
  thread_ended = TRUE;
}

static Cache *
get_cache (void)
{
  if (G_LIKELY (thread_cache != NULL))
    return thread_cache;
  if (thread_ended)
    return NULL;
  thread_cache = calloc (1, sizeof (Cache));
  if (thread_cache != NULL)
    g_private_set (&cache_key, thread_cache);
  return thread_cache;
}

/* The class of a glibc chunk that holds @size bytes: chunks are 16-byte
 * multiples with 8 bytes of header, at least 32 bytes. */
static inline gsize
class_for_request (gsize size)
{
  gsize chunk = (size + 8 + 15) / 16;

  return chunk < 2 ? 2 : chunk;
}

static void *
cached_malloc (size_t size)
{
  gsize class = class_for_request (size);

  if (G_LIKELY (class < N_CLASSES))
    {
      Cache *cache = get_cache ();

      if (G_LIKELY (cache != NULL && cache->counts[class] > 0))
        return cache->blocks[class][--cache->counts[class]];
      /* Made to the class's full size, so that it fits any request of
       * the class when it comes back. */
      return malloc (class * 16 - 8);
    }
  return malloc (size);
}

static void
cached_free (void *block)
{
  gsize class;
  Cache *cache;

  if (block == NULL)
    return;
  class = (malloc_usable_size (block) + 8) / 16;
  if (G_LIKELY (class < N_CLASSES))
    {
      cache = get_cache ();
      if (G_LIKELY (cache != NULL && cache->counts[class] < CACHE_LIMIT))
        {
          cache->blocks[class][cache->counts[class]++] = block;
          return;
        }
    }
  free (block);
}

void
sluice_json_alloc_install (void)
{
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer must see each block freed, to find a use after. */
  return;
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
  return;
#  endif
#endif
  json_set_alloc_funcs (cached_malloc, cached_free);
}
