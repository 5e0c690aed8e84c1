/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <lauxlib.h>

#include "sluice-lua-runtime.h"

G_BEGIN_DECLS

/* The hook runs every this many VM instructions: rare enough to cost
 * nothing, frequent enough (a few µs) to stop a runaway loop promptly. */
#define SLUICE_LUA_HOOK_COUNT 1000

/* Free lists of small blocks for one state's allocator
 * (sluice-lua-blocks.c): size classes of SLUICE_LUA_BLOCK_STEP bytes up
 * to SLUICE_LUA_BLOCK_MAX, at most SLUICE_LUA_BLOCKS_KEPT blocks kept
 * per class (a few MiB at most). */
#define SLUICE_LUA_BLOCK_STEP 16
#define SLUICE_LUA_BLOCK_MAX 256
#define SLUICE_LUA_BLOCKS_KEPT 2048

typedef struct
{
  void  *heads[SLUICE_LUA_BLOCK_MAX / SLUICE_LUA_BLOCK_STEP + 1];
  guint  counts[SLUICE_LUA_BLOCK_MAX / SLUICE_LUA_BLOCK_STEP + 1];
} SluiceLuaBlocks;

/* realloc() for a Lua state: @nsize > 0; @osize is the size of @ptr
 * when it is not NULL. NULL when out of memory (never when shrinking). */
void *sluice_lua_blocks_realloc (SluiceLuaBlocks *blocks,
                                 void            *ptr,
                                 size_t           osize,
                                 size_t           nsize);
/* free() of a block of @size bytes (NULL is ignored). */
void  sluice_lua_blocks_free    (SluiceLuaBlocks *blocks,
                                 void            *ptr,
                                 size_t           size);
/* Frees the blocks kept, once the state is closed. */
void  sluice_lua_blocks_clear   (SluiceLuaBlocks *blocks);

/* Keys of objects made from JSON, kept as Lua strings (sluice-lua-convert.c):
 * items of a run mostly share their keys, and fetching a kept string is
 * about half the cost of making it again (hashing and interning it). */
#define SLUICE_LUA_KEY_CACHE_SIZE 64
/* Lua's short strings (LUAI_MAXSHORTLEN); longer keys are not kept. */
#define SLUICE_LUA_KEY_CACHE_MAX 40

typedef struct
{
  guint8 length;                          /* 0: empty entry */
  char   key[SLUICE_LUA_KEY_CACHE_MAX];
} SluiceLuaKeyCacheEntry;

struct _SluiceLuaRuntime
{
  lua_State          *L;
  GPtrArray          *codes;         /* of SluiceLuaCode*, borrowed */
  int                *refs;          /* compiled function per slot, LUA_NOREF until compiled */
  int                *env_refs;      /* environment per slot, LUA_NOREF until compiled */
  int                *item_ups;      /* per slot: the upvalue `item` of its function, 0 = none */
  int                *env_ups;       /* per slot: the upvalue _ENV of its function, 0 = none */
  gboolean           *item_sets;     /* per slot: the chunk may set `item` (replace the item) */
  gboolean           *straight;      /* per slot: runs without the count hook (sluice-lua-straight.c) */
  gboolean           *string_keys;   /* per slot: stores under string constants only (same) */
  gboolean            entering_straight; /* the call hook's next call is that of a straight chunk */
  int                 env_mt_ref;    /* metatable shared by every environment */
  int                 msgh_ref;      /* the message handler */
  int                 item_key_ref;  /* the string "item" */
  int                 sandbox_ref;   /* the table every environment reads through to */
  int                 emitted_ref;   /* table collecting emit() arguments */
  guint               n_emitted;
  guint               running_slot;  /* for print(); G_MAXUINT when none runs */
  gboolean            env_dirty;     /* the running chunk set a global */
  gboolean            item_replaced; /* the running chunk set _ENV.item */

  gint64              deadline;      /* of the running chunk, 0 = none */
  const gint         *cancel;        /* borrowed */
  /* The deadline passed or cancel was set: every hook call raises, so
   * that no pcall can swallow the stop for long. */
  gboolean            stopping;
  gboolean            timed_out;

  gsize               mem_used;      /* bytes the allocator handed out */
  gsize               mem_limit;
  gboolean            mem_refused;   /* the limit refused an allocation */
  SluiceLuaBlocks     blocks;        /* small blocks kept for reuse */

  SluiceLuaPrintFunc  print_func;
  gpointer            print_data;

  /* sluice_lua_runtime_set_busy_func() */
  const gint         *busy_wanted;   /* borrowed, atomic */
  GSourceFunc         busy_func;
  gpointer            busy_data;

  char               *push_error;    /* why the last sluice_lua_push_json() failed, owned */

  /* Entry i is the string at [i + 1] of the table key_cache_ref. */
  int                 key_cache_ref;
  SluiceLuaKeyCacheEntry key_cache[SLUICE_LUA_KEY_CACHE_SIZE];
};

/* The runtime of @L (or of the thread's main state), or NULL when @L was
 * not made by sluice_lua_runtime_new(). */
SluiceLuaRuntime *sluice_lua_runtime_from_state (lua_State        *L);

/* Raises "timed out" or "cancelled" when the running chunk must stop;
 * returns otherwise. For C functions that loop without running Lua code
 * (pattern matching), called every few thousand steps. */
void              sluice_lua_check_stop          (lua_State        *L);

/* Whether the compiled chunk on top of the stack is straight: no loop,
 * no call, no function of its own, so that it ends after at most as many
 * instructions as it has and may run without the count hook (under the
 * call hook, which turns the count hook back on when anything is
 * called). FALSE when unsure. */
gboolean          sluice_lua_is_straight         (lua_State        *L);

/* Whether the function on top of the stack stores under string
 * constants only (`t.name = v`, never `t[k] = v` or `t[1] = v`), so that
 * it cannot give a table an integer key. FALSE when unsure. */
gboolean          sluice_lua_sets_string_keys_only (lua_State        *L);

/* Whether the function on top of the stack may set its upvalue number
 * @upvalue (0: none, FALSE): it has a SETUPVAL to it or a function of
 * its own (which might have one). TRUE when unsure. */
gboolean          sluice_lua_may_set_upvalue     (lua_State        *L,
                                                  int               upvalue);

/* Builds the read-only table of everything a chunk may use and leaves it
 * on the stack. */
void              sluice_lua_sandbox_open        (SluiceLuaRuntime *self);

/* Replaces string.find, match, gmatch and gsub with versions whose
 * matcher counts its steps and stops for a timeout or cancel. Operates on
 * the table at the top of the stack. */
void              sluice_lua_pattern_install     (lua_State        *L);

/* Pushes @json as sluice_lua_push_json() does, but raises a Lua error
 * when it cannot: only inside a protected call. @marker is a slot of
 * that call's stack holding nil, where the array marker is put once an
 * array needs it. */
void              _sluice_lua_push_json_value    (lua_State        *L,
                                                  json_t           *json,
                                                  int               marker);
/* The same, with the keys of objects taken from @rt's key cache, whose
 * table is at @key_cache of the stack (see SluiceLuaKeyCacheEntry). */
void              _sluice_lua_push_json_value_cached (lua_State        *L,
                                                      json_t           *json,
                                                      int               marker,
                                                      SluiceLuaRuntime *rt,
                                                      int               key_cache);

/* Whether the value at @index is what sluice_lua_push_json() pushed for
 * an item it could not convert. */
gboolean          sluice_lua_is_push_failure     (lua_State        *L,
                                                  int               index);

/* The registry key (lua_rawgetp) of the metatable that marks tables made
 * from JSON arrays; nil there until the first array was pushed. */
const void       *sluice_lua_array_marker_key    (void);

/* Whether the table at @index becomes a JSON array: it came from one (it
 * carries the marker) or its keys are exactly 1..n, n > 0. Never raises. */
gboolean          sluice_lua_is_json_array       (lua_State        *L,
                                                  int               index);

/* __newindex of read-only tables: raises "NAME is read-only", NAME being
 * the closure's upvalue if it has one. */
int               sluice_lua_read_only_cb        (lua_State        *L);

/* The metatable that marks tables made from JSON arrays. */
void              sluice_lua_push_array_marker   (lua_State        *L);

/* "memory limit of N MiB reached (the pipeline's lua-memory-limit)". */
char *_sluice_lua_runtime_memory_message (SluiceLuaRuntime *self);

G_END_DECLS
