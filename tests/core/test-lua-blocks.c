/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-lua-private.h"
#include "test-lua-common.h"

/* The small-block allocator of Lua states (sluice-lua-blocks.c): blocks
 * keep their bytes whatever they grow or shrink through (small to
 * small, small to large and back, in place and moved), and a state on it
 * runs and keeps its memory limit as one on malloc did. */

#define N_BLOCKS 512

static void
fill (guint8 *p,
      gsize   n,
      guint   seed)
{
  for (gsize i = 0; i < n; i++)
    p[i] = (guint8) (seed * 31 + i);
}

static gboolean
holds (const guint8 *p,
       gsize         n,
       guint         seed)
{
  for (gsize i = 0; i < n; i++)
    if (p[i] != (guint8) (seed * 31 + i))
      return FALSE;
  return TRUE;
}

static void
test_blocks_keep_bytes (void)
{
  SluiceLuaBlocks blocks = { { NULL }, { 0 } };
  void *ptrs[N_BLOCKS] = { NULL };
  gsize sizes[N_BLOCKS] = { 0 };
  guint seeds[N_BLOCKS] = { 0 };
  GRand *rand = g_rand_new_with_seed (9);

  for (guint round = 0; round < 40000; round++)
    {
      guint i = g_rand_int_range (rand, 0, N_BLOCKS);
      /* Mostly small (the classes), some across the boundary and large. */
      gsize size = g_rand_int_range (rand, 0, 8) == 0
                   ? (gsize) g_rand_int_range (rand, 1, 4096)
                   : (gsize) g_rand_int_range (rand, 1, SLUICE_LUA_BLOCK_MAX + 40);

      if (ptrs[i] != NULL)
        g_assert_true (holds (ptrs[i], sizes[i], seeds[i]));
      if (ptrs[i] != NULL && g_rand_int_range (rand, 0, 4) == 0)
        {
          sluice_lua_blocks_free (&blocks, ptrs[i], sizes[i]);
          ptrs[i] = NULL;
          sizes[i] = 0;
          continue;
        }
      ptrs[i] = sluice_lua_blocks_realloc (&blocks, ptrs[i], sizes[i], size);
      g_assert_nonnull (ptrs[i]);
      /* What was there is kept, up to the smaller size. */
      g_assert_true (holds (ptrs[i], MIN (sizes[i], size), seeds[i]));
      sizes[i] = size;
      seeds[i] = round;
      fill (ptrs[i], size, round);
    }

  for (guint i = 0; i < N_BLOCKS; i++)
    if (ptrs[i] != NULL)
      {
        g_assert_true (holds (ptrs[i], sizes[i], seeds[i]));
        sluice_lua_blocks_free (&blocks, ptrs[i], sizes[i]);
      }
  /* At most so many kept per class; clear gives them all back. */
  for (guint k = 0; k < G_N_ELEMENTS (blocks.counts); k++)
    g_assert_cmpuint (blocks.counts[k], <=, SLUICE_LUA_BLOCKS_KEPT);
  sluice_lua_blocks_clear (&blocks);
  for (guint k = 0; k < G_N_ELEMENTS (blocks.counts); k++)
    {
      g_assert_null (blocks.heads[k]);
      g_assert_cmpuint (blocks.counts[k], ==, 0);
    }
  g_rand_free (rand);
}

/* Tables and strings of every size, grown and shrunk by Lua itself (array
 * parts resized, rehashes), through many collections: the results are
 * exact, and the memory counted goes back down once they are garbage. */
static void
test_blocks_under_lua (void)
{
  const char *chunks[] = {
    "local t, s = {}, {}\n"
    "for i = 1, 3000 do t[i] = i s['k' .. i] = ('x'):rep(i % 300) end\n"
    "local sum, len = 0, 0\n"
    "for i = 1, 3000 do sum = sum + t[i] len = len + #s['k' .. i] end\n"
    "for i = 3000, 2, -1 do t[i] = nil s['k' .. i] = nil end\n"
    "item.sum = sum item.len = len item.left = #t",
    NULL
  };
  TestLua *t = test_lua_new (chunks);
  gsize before = 0;

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_assert_cmpint (test_lua_run (t, 0, "{\"id\": 1}", 0, &out, &error), ==, SLUICE_LUA_PASS);
      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, "{\"id\":1,\"left\":1,\"len\":448500,\"sum\":4501500}");
      lua_gc (t->L, LUA_GCCOLLECT);
      if (round == 1)
        before = sluice_lua_runtime_get_memory_used (t->runtime);
    }
  /* Nothing accumulates from round to round. */
  g_assert_cmpuint (sluice_lua_runtime_get_memory_used (t->runtime), <=, before + 64 * 1024);
  test_lua_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua-blocks/keep-bytes", test_blocks_keep_bytes);
  g_test_add_func ("/sluice/lua-blocks/under-lua", test_blocks_under_lua);

  return g_test_run ();
}
