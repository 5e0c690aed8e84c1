/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-lua-private.h"

/* Under AddressSanitizer a kept block is poisoned but for its link, so
 * that a use after Lua freed it is still found. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION ((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION ((p), (n))
#else
#define POISON(p, n) ((void) (p), (void) (n))
#define UNPOISON(p, n) ((void) (p), (void) (n))
#endif

/* Small blocks for one Lua state: every item makes a table or two and
 * the collector frees them in bursts, which overflows malloc's per-thread
 * cache and sends each free and the next malloc down its slow paths
 * (about 800 instructions an item of W1 in malloc, free and realloc).
 * Blocks of up to SLUICE_LUA_BLOCK_MAX bytes are kept on a free list per
 * size class instead, taken and given back in a few instructions.
 *
 * Only the state's own thread calls this (a state is never used by two
 * threads at once), so nothing is locked. Every block is still one
 * malloc() of its own, so any block may also go back with free().
 *
 * The invariant: a block whose requested size s is at most
 * SLUICE_LUA_BLOCK_MAX holds at least class_size (s) bytes. Blocks of a
 * class are allocated with exactly that size, and a small block is kept
 * in place when it shrinks (so it may hold more). Shrinking never fails,
 * as Lua requires. Lua never asks for zero bytes (that is a free), so
 * class 0 stays empty. */

static inline guint
class_of (size_t size)
{
  return (guint) ((size + SLUICE_LUA_BLOCK_STEP - 1) / SLUICE_LUA_BLOCK_STEP);
}

static inline size_t
class_size (guint klass)
{
  return (size_t) klass * SLUICE_LUA_BLOCK_STEP;
}

static inline void
give_back (SluiceLuaBlocks *blocks,
           void            *ptr,
           size_t           size)
{
  guint klass = class_of (size);

  if (blocks->counts[klass] >= SLUICE_LUA_BLOCKS_KEPT)
    {
      free (ptr);
      return;
    }
  *(void **) ptr = blocks->heads[klass];
  POISON ((char *) ptr + sizeof (void *), class_size (klass) - sizeof (void *));
  blocks->heads[klass] = ptr;
  blocks->counts[klass]++;
}

static inline void *
take (SluiceLuaBlocks *blocks,
      size_t           size)
{
  guint klass = class_of (size);
  void *ptr = blocks->heads[klass];

  if (G_LIKELY (ptr != NULL))
    {
      UNPOISON (ptr, class_size (klass));
      blocks->heads[klass] = *(void **) ptr;
      blocks->counts[klass]--;
      return ptr;
    }
  return malloc (class_size (klass));
}

void
sluice_lua_blocks_free (SluiceLuaBlocks *blocks,
                        void            *ptr,
                        size_t           size)
{
  if (ptr == NULL)
    return;
  if (size != 0 && size <= SLUICE_LUA_BLOCK_MAX)
    give_back (blocks, ptr, size);
  else
    free (ptr);
}

void *
sluice_lua_blocks_realloc (SluiceLuaBlocks *blocks,
                           void            *ptr,
                           size_t           osize,
                           size_t           nsize)
{
  void *result;

  g_assert (nsize > 0);

  if (ptr == NULL)
    return nsize <= SLUICE_LUA_BLOCK_MAX ? take (blocks, nsize) : malloc (nsize);

  if (osize <= SLUICE_LUA_BLOCK_MAX)
    {
      /* Shrinking, or growing within what the block holds: in place. */
      if (nsize <= class_size (class_of (osize)))
        return ptr;
      result = nsize <= SLUICE_LUA_BLOCK_MAX ? take (blocks, nsize) : malloc (nsize);
      if (result == NULL)
        return NULL;
      memcpy (result, ptr, osize);
      give_back (blocks, ptr, osize);
      return result;
    }

  if (nsize > SLUICE_LUA_BLOCK_MAX)
    return realloc (ptr, nsize);

  /* A large block becomes small: into its class, so that a large one is
   * not held for a few bytes; in place (it holds more than enough) in
   * the unlikely case that there is no memory for that. */
  result = take (blocks, nsize);
  if (result == NULL)
    return ptr;
  memcpy (result, ptr, nsize);
  free (ptr);
  return result;
}

void
sluice_lua_blocks_clear (SluiceLuaBlocks *blocks)
{
  for (guint klass = 0; klass < G_N_ELEMENTS (blocks->heads); klass++)
    {
      while (blocks->heads[klass] != NULL)
        {
          void *ptr = blocks->heads[klass];

          UNPOISON (ptr, class_size (klass));
          blocks->heads[klass] = *(void **) ptr;
          free (ptr);
        }
      blocks->counts[klass] = 0;
    }
}
