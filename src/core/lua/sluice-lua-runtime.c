/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-lua-private.h"
#include "sluice-run-state.h"

/* Keys of the registry used as markers. */
static char runtime_key;

/* Reads the runtime from the state's extra space, which every coroutine
 * copies from the main thread: the hook runs often and must be cheap. */
static inline SluiceLuaRuntime *
runtime_of (lua_State *L)
{
  return *(SluiceLuaRuntime **) lua_getextraspace (L);
}

SluiceLuaRuntime *
sluice_lua_runtime_from_state (lua_State *L)
{
  SluiceLuaRuntime *self;

  /* The registry, not the extra space: this is also asked of states that
   * no runtime made, whose extra space holds garbage. */
  lua_rawgetp (L, LUA_REGISTRYINDEX, &runtime_key);
  self = lua_touserdata (L, -1);
  lua_pop (L, 1);
  return self;
}

/* Lua's allocator with a limit. malloc and not g_malloc: running out must
 * fail the item (Lua raises a memory error), not abort the process. Lua
 * never expects a shrinking reallocation to fail, and it does not. Small
 * blocks come from free lists of the state's own (sluice-lua-blocks.c);
 * the limit counts the sizes Lua asked for, as before. */
static void *
alloc_cb (void   *ud,
          void   *ptr,
          size_t  osize,
          size_t  nsize)
{
  SluiceLuaRuntime *self = ud;
  size_t old = ptr != NULL ? osize : 0;
  void *result;

  if (nsize == 0)
    {
      sluice_lua_blocks_free (&self->blocks, ptr, old);
      self->mem_used -= old;
      return NULL;
    }

  if (nsize > old && self->mem_used - old + nsize > self->mem_limit)
    {
      self->mem_refused = TRUE;
      return NULL;
    }

  result = sluice_lua_blocks_realloc (&self->blocks, ptr, old, nsize);
  if (result == NULL)
    return NULL;
  self->mem_used = self->mem_used - old + nsize;
  return result;
}

static int
panic_cb (lua_State *L)
{
  const char *msg = lua_tostring (L, -1);

  /* Only reached by a bug: every call into Lua is protected. */
  g_error ("unprotected Lua error: %s", msg != NULL ? msg : "?");
  return 0;
}

static G_GNUC_NORETURN void
raise_stop (lua_State        *L,
            SluiceLuaRuntime *self)
{
  /* From now on the hook fires at every instruction, in this coroutine
   * and (within a thousand instructions) in every other: when a pcall
   * catches the error, the code it returns to raises it again at once. */
  lua_sethook (L, lua_gethook (L), LUA_MASKCOUNT, 1);
  luaL_error (L, self->timed_out ? "timed out" : "cancelled");
  g_assert_not_reached ();
}

static gboolean
must_stop (SluiceLuaRuntime *self)
{
  if (self->stopping)
    return TRUE;
  if (self->cancel != NULL && g_atomic_int_get (self->cancel))
    self->stopping = TRUE;
  else if (self->deadline != 0 && g_get_monotonic_time () >= self->deadline)
    self->stopping = self->timed_out = TRUE;
  return self->stopping;
}

static inline void
poll_busy (SluiceLuaRuntime *self)
{
  if (G_UNLIKELY (self->busy_wanted != NULL) && g_atomic_int_get (self->busy_wanted))
    self->busy_func (self->busy_data);
}

void
sluice_lua_runtime_set_busy_func (SluiceLuaRuntime *self,
                                  const gint       *wanted,
                                  GSourceFunc       func,
                                  gpointer          user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail ((wanted == NULL) == (func == NULL));

  self->busy_wanted = wanted;
  self->busy_func = func;
  self->busy_data = user_data;
}

static void
hook_cb (lua_State *L,
         lua_Debug *ar)
{
  SluiceLuaRuntime *self = runtime_of (L);

  /* A straight chunk (sluice-lua-straight.c) called something: count.
   * Its own call is the first one the hook hears of. */
  if (G_UNLIKELY (ar->event == LUA_HOOKCALL))
    {
      if (self->entering_straight)
        {
          self->entering_straight = FALSE;
          return;
        }
      lua_sethook (L, hook_cb, LUA_MASKCOUNT, SLUICE_LUA_HOOK_COUNT);
    }
  if (must_stop (self))
    raise_stop (L, self);
  poll_busy (self);
}

void
sluice_lua_check_stop (lua_State *L)
{
  SluiceLuaRuntime *self = sluice_lua_runtime_from_state (L);

  if (self != NULL && must_stop (self))
    raise_stop (L, self);
  /* Lua's pattern matcher backtracking in C asks too. */
  if (self != NULL)
    poll_busy (self);
}

lua_State *
sluice_lua_runtime_get_state (SluiceLuaRuntime *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->L;
}

char *
_sluice_lua_runtime_memory_message (SluiceLuaRuntime *self)
{
  /* In the unit the file would use, and where to change it. */
  if (self->mem_limit % (1024 * 1024) == 0)
    return g_strdup_printf ("memory limit of %" G_GSIZE_FORMAT " MiB reached "
                            "(the pipeline's lua-memory-limit)",
                            self->mem_limit / (1024 * 1024));
  return g_strdup_printf ("memory limit of %" G_GSIZE_FORMAT " KiB reached "
                          "(the pipeline's lua-memory-limit)",
                          (self->mem_limit + 1023) / 1024);
}

void
sluice_lua_runtime_set_memory_limit (SluiceLuaRuntime *self,
                                     gsize             bytes)
{
  g_return_if_fail (self != NULL);

  self->mem_limit = bytes != 0 ? bytes : SLUICE_LUA_DEFAULT_MEMORY_LIMIT;
}

gsize
sluice_lua_runtime_get_memory_used (SluiceLuaRuntime *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->mem_used;
}

void
sluice_lua_runtime_set_print_func (SluiceLuaRuntime   *self,
                                   SluiceLuaPrintFunc  func,
                                   gpointer            user_data)
{
  g_return_if_fail (self != NULL);

  self->print_func = func;
  self->print_data = user_data;
}

/* print(): like Lua's, but to the owner's callback. */
static int
print_cb (lua_State *L)
{
  SluiceLuaRuntime *self = runtime_of (L);
  int n = lua_gettop (L);
  const SluiceLuaCode *code;
  luaL_Buffer b;
  const char *text;
  size_t length;

  luaL_buffinit (L, &b);
  for (int i = 1; i <= n; i++)
    {
      if (i > 1)
        luaL_addchar (&b, '\t');
      luaL_tolstring (L, i, NULL);
      luaL_addvalue (&b);
    }
  luaL_pushresult (&b);

  if (self->print_func == NULL)
    return 0;

  text = lua_tolstring (L, -1, &length);
  code = self->running_slot < self->codes->len
         ? g_ptr_array_index (self->codes, self->running_slot) : NULL;
  self->print_func (code != NULL ? code->module_id : "", text, length, self->print_data);
  return 0;
}

static int
emit_cb (lua_State *L)
{
  SluiceLuaRuntime *self = runtime_of (L);

  luaL_checktype (L, 1, LUA_TTABLE);
  if (self->n_emitted >= SLUICE_LUA_MAX_EMITS)
    return luaL_error (L, "emit called more than %d times for one item", SLUICE_LUA_MAX_EMITS);
  if (sluice_lua_is_json_array (L, 1))
    return luaL_error (L, "emit: an item must be a JSON object, not an array");
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->emitted_ref);
  lua_pushvalue (L, 1);
  lua_rawseti (L, -2, ++self->n_emitted);
  return 0;
}

/* __newindex of every environment: a chunk sets a global. The global
 * lives until the end of this item only (the environment is replaced),
 * so nothing leaks to the next item. `_ENV.item = …` replaces the item,
 * as `item = …` does: in the sandbox (upvalue 2; upvalue 1 is the key
 * "item"), where it is read back; nil is kept as false, so that the key
 * stays (a chunk's `item` is nil, then no longer a table, either way). */
static int
env_newindex_cb (lua_State *L)
{
  SluiceLuaRuntime *self = runtime_of (L);

  lua_settop (L, 3);
  if (lua_rawequal (L, 2, lua_upvalueindex (1)))
    {
      self->item_replaced = TRUE;
      if (lua_isnil (L, 3))
        {
          lua_pushboolean (L, 0);
          lua_replace (L, 3);
        }
      lua_rawset (L, lua_upvalueindex (2));
      return 0;
    }
  self->env_dirty = TRUE;
  lua_rawset (L, 1);
  return 0;
}

/* The message handler of every call: errors raised inside C functions
 * (string.rep with a bad argument…) carry no position, so find the line
 * of the innermost Lua frame of our chunks and add it. */
static int
message_handler_cb (lua_State *L)
{
  const char *msg = lua_tostring (L, 1);
  lua_Debug ar;

  if (msg == NULL)
    {
      lua_pushstring (L, "error object is not a string");
      return 1;
    }

  if (g_str_has_prefix (msg, "chunk:"))
    return 1;

  for (int level = 1; lua_getstack (L, level, &ar); level++)
    {
      lua_getinfo (L, "Sl", &ar);
      if (ar.currentline > 0 && g_str_equal (ar.source, "=chunk"))
        {
          lua_pushfstring (L, "chunk:%d: %s", ar.currentline, msg);
          return 1;
        }
    }

  return 1;
}

/* A fresh environment: empty, reading through to the sandbox (`item` is
 * not a global: see WRAP_BEFORE). */
static void
push_new_env (SluiceLuaRuntime *self)
{
  lua_State *L = self->L;

  lua_createtable (L, 0, 0);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->env_mt_ref);
  lua_setmetatable (L, -2);
}

static int
setup_protected_cb (lua_State *L)
{
  SluiceLuaRuntime *self = lua_touserdata (L, 1);
  GHashTable *params = lua_touserdata (L, 2);
  GHashTableIter iter;
  gpointer key, value;

  lua_settop (L, 0);
  luaL_openlibs (L);

  lua_pushlightuserdata (L, self);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &runtime_key);
  /* Integer references, not light userdata keys: these are read at every
   * step, and the registry's array part is far quicker than its hash. */
  lua_pushcfunction (L, message_handler_cb);
  self->msgh_ref = luaL_ref (L, LUA_REGISTRYINDEX);
  sluice_lua_push_array_marker (L);
  lua_pop (L, 1);

  lua_newtable (L);
  self->emitted_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  /* The sandbox: what every chunk reads, and no chunk can change. */
  sluice_lua_sandbox_open (self);

  lua_pushcfunction (L, emit_cb);
  lua_setfield (L, -2, "emit");
  lua_pushcfunction (L, print_cb);
  lua_setfield (L, -2, "print");

  /* `item` is also readable as _ENV.item (and _ENV["item"]): the
   * sandbox holds the current item (see share_item()). Never nil, so
   * that setting it never allocates. */
  lua_pushliteral (L, "item");
  lua_pushvalue (L, -1);
  self->item_key_ref = luaL_ref (L, LUA_REGISTRYINDEX);
  lua_pushboolean (L, 0);
  lua_rawset (L, -3);
  lua_pushvalue (L, -1);
  self->sandbox_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  /* The key cache's strings (private: in the registry only). */
  lua_createtable (L, SLUICE_LUA_KEY_CACHE_SIZE, 0);
  for (int i = 1; i <= SLUICE_LUA_KEY_CACHE_SIZE; i++)
    {
      lua_pushboolean (L, 0);
      lua_rawseti (L, -2, i);
    }
  self->key_cache_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  /* params: an empty proxy whose __index is the real table. */
  lua_newtable (L);
  lua_newtable (L);
  lua_newtable (L);
  if (params != NULL)
    {
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          lua_pushstring (L, value);
          lua_setfield (L, -2, key);
        }
    }
  lua_setfield (L, -2, "__index");
  lua_pushcfunction (L, sluice_lua_read_only_cb);
  lua_setfield (L, -2, "__newindex");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");
  lua_setmetatable (L, -2);
  lua_setfield (L, -2, "params");

  /* The metatable of every chunk's environment. */
  lua_createtable (L, 0, 3);
  lua_insert (L, -2);
  lua_setfield (L, -2, "__index");
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->item_key_ref);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->sandbox_ref);
  lua_pushcclosure (L, env_newindex_cb, 2);
  lua_setfield (L, -2, "__newindex");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");
  self->env_mt_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  return 0;
}

SluiceLuaRuntime *
sluice_lua_runtime_new (GPtrArray  *codes,
                        GHashTable *params,
                        const gint *cancel)
{
  SluiceLuaRuntime *self;

  g_return_val_if_fail (codes != NULL, NULL);

  self = g_new0 (SluiceLuaRuntime, 1);
  self->codes = codes;
  self->cancel = cancel;
  self->mem_limit = SLUICE_LUA_DEFAULT_MEMORY_LIMIT;
  self->running_slot = G_MAXUINT;
  self->refs = g_new (int, MAX (codes->len, 1));
  self->env_refs = g_new (int, MAX (codes->len, 1));
  self->item_ups = g_new0 (int, MAX (codes->len, 1));
  self->env_ups = g_new0 (int, MAX (codes->len, 1));
  self->item_sets = g_new0 (gboolean, MAX (codes->len, 1));
  self->straight = g_new0 (gboolean, MAX (codes->len, 1));
  self->string_keys = g_new0 (gboolean, MAX (codes->len, 1));
  for (guint i = 0; i < codes->len; i++)
    self->refs[i] = self->env_refs[i] = LUA_NOREF;

  self->L = lua_newstate (alloc_cb, self);
  if (self->L == NULL)
    g_error ("cannot create a Lua state: out of memory");
  *(SluiceLuaRuntime **) lua_getextraspace (self->L) = self;
  lua_atpanic (self->L, panic_cb);
  /* Warnings would go to stderr; the sandbox has no warn() anyway. */
  lua_setwarnf (self->L, NULL, NULL);

  lua_pushcfunction (self->L, setup_protected_cb);
  lua_pushlightuserdata (self->L, self);
  lua_pushlightuserdata (self->L, params);
  if (lua_pcall (self->L, 2, 0, 0) != LUA_OK)
    g_error ("cannot set up a Lua state: %s", lua_tostring (self->L, -1));

  lua_sethook (self->L, hook_cb, LUA_MASKCOUNT, SLUICE_LUA_HOOK_COUNT);

  return self;
}

void
sluice_lua_runtime_free (SluiceLuaRuntime *self)
{
  if (self == NULL)
    return;

  lua_close (self->L);
  sluice_lua_blocks_clear (&self->blocks);
  g_free (self->refs);
  g_free (self->env_refs);
  g_free (self->item_ups);
  g_free (self->env_ups);
  g_free (self->item_sets);
  g_free (self->straight);
  g_free (self->string_keys);
  g_free (self->push_error);
  g_free (self);
}

/* Turns "chunk:N: message" into a message naming the line of the file. */
static void
set_lua_error (const SluiceLuaCode  *code,
               const char           *raw,
               GError              **error)
{
  const char *msg = raw != NULL ? raw : "unknown error";
  guint64 line = 0;

  if (g_str_has_prefix (msg, "chunk:"))
    {
      char *end = NULL;

      line = g_ascii_strtoull (msg + strlen ("chunk:"), &end, 10);
      if (end != NULL && *end == ':')
        msg = end + 1;
      while (*msg == ' ')
        msg++;
    }

  if (line > 0 && code->code_line > 0)
    g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                 "Lua error at line %u: %s",
                 (guint) (code->code_line + line - 1), msg);
  else if (line > 0)
    g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                 "Lua error at line %u of its code: %s",
                 (guint) line, msg);
  else
    g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                 "Lua error: %s", msg);
}

/* The message of the error at the top of the stack after a protected call
 * returned @status. Never converts in place (that could allocate). */
static const char *
error_message (SluiceLuaRuntime *self,
               int               status,
               char            **owned)
{
  if (status == LUA_ERRMEM)
    {
      if (self->mem_refused)
        *owned = _sluice_lua_runtime_memory_message (self);
      else
        *owned = g_strdup ("out of memory");
      return *owned;
    }
  if (lua_type (self->L, -1) == LUA_TSTRING)
    return lua_tostring (self->L, -1);
  return "error object is not a string";
}

/* Each chunk runs as a function inside a wrapper that declares `item`:
 *
 *   local item; return function () CODE
 *   end
 *
 * so that `item` is an upvalue of the chunk, set before each call and
 * read back after it (a few instructions), and not a global looked up in
 * the chunk's environment, which would have to be set and read back as a
 * table field at every step of a chain. A global `item` is no longer in
 * the environment: `rawget(_ENV, "item")` is nil. The wrapper is on the
 * code's first line (line numbers stay), and the new line before `end`
 * ends a comment on the code's last line. The function takes no `...`
 * (a vararg function costs ~120 instructions more a call); code that
 * uses `...` (always empty for a chunk) gets a wrapper that has it. */
static const char * const wrappers[] = {
  "local item; return function () ",
  "local item; return function (...) ",
};
#define WRAP_AFTER "\nend"

/* [function] → [function]: the indices of its upvalues `item` and _ENV. */
static void
find_upvalues (SluiceLuaRuntime *self,
               guint             slot)
{
  lua_State *L = self->L;
  const char *name;

  self->item_ups[slot] = self->env_ups[slot] = 0;
  for (int n = 1; (name = lua_getupvalue (L, -1, n)) != NULL; n++)
    {
      lua_pop (L, 1);
      if (strcmp (name, "item") == 0)
        self->item_ups[slot] = n;
      else if (strcmp (name, "_ENV") == 0)
        self->env_ups[slot] = n;
    }
}

static int
compile_protected_cb (lua_State *L)
{
  SluiceLuaRuntime *self = lua_touserdata (L, 1);
  guint slot = lua_tointeger (L, 2);
  const SluiceLuaCode *code = g_ptr_array_index (self->codes, slot);

  /* The code must compile on its own first: its own messages, and a
   * valid block is parsed as the function's body exactly (it has no
   * unmatched `end` that could close the wrapper early and smuggle code
   * into it). */
  lua_settop (L, 0);
  if (luaL_loadbufferx (L, code->code, strlen (code->code), "=chunk", "t") != LUA_OK)
    return lua_error (L);
  for (guint w = 0; w < G_N_ELEMENTS (wrappers); w++)
    {
      g_autofree char *wrapped = g_strconcat (wrappers[w], code->code, WRAP_AFTER, NULL);

      lua_settop (L, 0);
      if (luaL_loadbufferx (L, wrapped, strlen (wrapped), "=chunk", "t") == LUA_OK)
        break;
      if (w + 1 == G_N_ELEMENTS (wrappers))
        return lua_error (L);
    }

  /* [wrapper] → [wrapper env] with the environment as the wrapper's _ENV
   * (which the chunk shares), then the chunk itself: [env function]. */
  push_new_env (self);
  lua_pushvalue (L, -1);
  lua_setupvalue (L, -3, 1);
  lua_insert (L, -2);
  lua_call (L, 0, 1);
  find_upvalues (self, slot);
  self->straight[slot] = sluice_lua_is_straight (L);
  self->string_keys[slot] = sluice_lua_sets_string_keys_only (L);
  self->item_sets[slot] = sluice_lua_may_set_upvalue (L, self->item_ups[slot]);

  lua_insert (L, -2);
  self->env_refs[slot] = luaL_ref (L, LUA_REGISTRYINDEX);
  self->refs[slot] = luaL_ref (L, LUA_REGISTRYINDEX);
  return 0;
}

static gboolean
ensure_compiled (SluiceLuaRuntime  *self,
                 guint              slot,
                 GError           **error)
{
  lua_State *L = self->L;
  int status;

  if (G_LIKELY (self->refs[slot] != LUA_NOREF))
    return TRUE;

  lua_pushcfunction (L, compile_protected_cb);
  lua_pushlightuserdata (L, self);
  lua_pushinteger (L, slot);
  status = lua_pcall (L, 2, 0, 0);
  if (status != LUA_OK)
    {
      g_autofree char *owned = NULL;

      set_lua_error (g_ptr_array_index (self->codes, slot),
                     error_message (self, status, &owned), error);
      lua_pop (L, 1);
      return FALSE;
    }

  return TRUE;
}

gboolean
sluice_lua_runtime_check (SluiceLuaRuntime  *self,
                          GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint i = 0; i < self->codes->len; i++)
    if (!ensure_compiled (self, i, error))
      {
        const SluiceLuaCode *code = g_ptr_array_index (self->codes, i);

        g_prefix_error (error, "module “%s”: ", code->module_id);
        return FALSE;
      }

  return TRUE;
}

static int
reset_env_protected_cb (lua_State *L)
{
  SluiceLuaRuntime *self = lua_touserdata (L, 1);
  guint slot = lua_tointeger (L, 2);

  lua_settop (L, 0);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->refs[slot]);
  push_new_env (self);
  lua_pushvalue (L, -1);
  lua_rawseti (L, LUA_REGISTRYINDEX, self->env_refs[slot]);
  /* A chunk that names no global has no _ENV and sets none. */
  if (self->env_ups[slot] > 0)
    lua_setupvalue (L, 1, self->env_ups[slot]);
  return 0;
}

/* After a chunk set globals: a fresh environment for the next item. */
static gboolean
reset_env (SluiceLuaRuntime  *self,
           guint              slot,
           GError           **error)
{
  lua_State *L = self->L;
  int status;

  self->env_dirty = FALSE;
  lua_pushcfunction (L, reset_env_protected_cb);
  lua_pushlightuserdata (L, self);
  lua_pushinteger (L, slot);
  status = lua_pcall (L, 2, 0, 0);
  if (status != LUA_OK)
    {
      g_autofree char *owned = NULL;

      set_lua_error (g_ptr_array_index (self->codes, slot),
                     error_message (self, status, &owned), error);
      lua_pop (L, 1);
      /* Keep the dirty one rather than none; try again next time. */
      self->env_dirty = TRUE;
      return FALSE;
    }

  return TRUE;
}

/* Ends a call: whatever a timeout or the memory limit changed goes back
 * to normal for the next item. */
static void
end_call (SluiceLuaRuntime *self)
{
  self->deadline = 0;
  self->running_slot = G_MAXUINT;
  if (G_UNLIKELY (self->stopping))
    {
      self->stopping = self->timed_out = FALSE;
      lua_sethook (self->L, hook_cb, LUA_MASKCOUNT, SLUICE_LUA_HOOK_COUNT);
    }
  if (G_UNLIKELY (self->mem_refused))
    {
      self->mem_refused = FALSE;
      /* The failed item's garbage goes now, not in the middle of the next
       * one. No finalizer can run: the sandbox refuses __gc. */
      lua_gc (self->L, LUA_GCCOLLECT);
    }
}

static gboolean finish_env (SluiceLuaRuntime  *self,
                            guint              slot,
                            GError           **error);

/* _ENV.item := the value at @index (the sandbox always has the key:
 * this never allocates). */
static inline void
share_item (SluiceLuaRuntime *self,
            int               index)
{
  lua_State *L = self->L;

  index = lua_absindex (L, index);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->sandbox_ref);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->item_key_ref);
  lua_pushvalue (L, index);
  lua_rawset (L, -3);
  lua_pop (L, 1);
}

/* `item` of the function of @slot at @function := the value at @value. */
static inline void
set_item (SluiceLuaRuntime *self,
          guint             slot,
          int               function,
          int               value)
{
  lua_State *L = self->L;

  if (self->item_ups[slot] == 0)
    return;
  function = lua_absindex (L, function);
  lua_pushvalue (L, value);
  lua_setupvalue (L, function, self->item_ups[slot]);
}

/* Pushes the item after the chunk of @slot at @function ran: what it
 * set as _ENV.item, or its `item`, or the value at @old when the chunk
 * does not name it (and so cannot change it). */
static inline void
push_item (SluiceLuaRuntime *self,
           guint             slot,
           int               function,
           int               old)
{
  lua_State *L = self->L;

  if (G_UNLIKELY (self->item_replaced))
    {
      lua_rawgeti (L, LUA_REGISTRYINDEX, self->sandbox_ref);
      lua_rawgeti (L, LUA_REGISTRYINDEX, self->item_key_ref);
      lua_rawget (L, -2);
      lua_remove (L, -2);
    }
  else if (self->item_ups[slot] == 0)
    lua_pushvalue (L, old);
  else
    lua_getupvalue (L, function, self->item_ups[slot]);
}

/* Calls compiled @slot with the table at the top as `item`, leaving the
 * chunk's function and its first result on the stack above it; only the
 * item on failure. Nothing here allocates outside the protected call:
 * setting an upvalue does not, and the message handler is in the
 * registry. */
static gboolean
call_slot (SluiceLuaRuntime  *self,
           guint              slot,
           gint64             deadline,
           GError           **error)
{
  lua_State *L = self->L;
  int status;

  if (G_UNLIKELY (!lua_istable (L, -1)))
    {
      set_lua_error (g_ptr_array_index (self->codes, slot),
                     sluice_lua_is_push_failure (L, -1) && self->push_error != NULL
                     ? self->push_error : "item is not a table", error);
      return FALSE;
    }

  if (!ensure_compiled (self, slot, error))
    return FALSE;

  /* The function stays on the stack for the caller to read `item` back
   * from. */
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->refs[slot]);
  set_item (self, slot, -1, -2);
  share_item (self, -2);

  self->deadline = deadline;
  self->running_slot = slot;
  self->env_dirty = FALSE;
  self->item_replaced = FALSE;
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->msgh_ref);
  lua_pushvalue (L, -2);
  status = lua_pcall (L, 0, 1, -2);

  if (G_UNLIKELY (status != LUA_OK))
    {
      g_autofree char *owned = NULL;

      set_lua_error (g_ptr_array_index (self->codes, slot),
                     error_message (self, status, &owned), error);
      /* So that the caller can tell a stop from a failure of the chunk. */
      if (self->stopping && error != NULL && *error != NULL)
        (*error)->code = self->timed_out ? SLUICE_EXECUTOR_ERROR_TIMEOUT
                                         : SLUICE_EXECUTOR_ERROR_CANCELLED;
      lua_pop (L, 3);
      end_call (self);
      finish_env (self, slot, NULL);
      return FALSE;
    }

  end_call (self);
  lua_remove (L, -2);  /* the message handler */
  return TRUE;
}

/* Empties the emit() table in place (setting fields to nil never
 * allocates). */
static void
clear_emitted (SluiceLuaRuntime *self,
               guint             n)
{
  lua_State *L = self->L;

  self->n_emitted = 0;
  if (G_LIKELY (n == 0))
    return;
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->emitted_ref);
  for (guint i = 1; i <= n; i++)
    {
      lua_pushnil (L);
      lua_rawseti (L, -2, i);
    }
  lua_pop (L, 1);
  self->n_emitted = 0;
}

/* After a call: a fresh environment if the chunk set a global, so that
 * nothing reaches the next item. */
static gboolean
finish_env (SluiceLuaRuntime  *self,
            guint              slot,
            GError           **error)
{
  if (G_LIKELY (!self->env_dirty))
    return TRUE;
  return reset_env (self, slot, error);
}

/* After a chunk returned normally, with [item, function, result] on
 * top of the stack: what became of the item (see sluice_lua_runtime_run()
 * for what stays on the stack). */
static SluiceLuaResult
finish_run (SluiceLuaRuntime  *self,
            guint              slot,
            guint             *n_emitted,
            GError           **error)
{
  lua_State *L = self->L;
  gboolean dropped;
  guint n;

  dropped = lua_isboolean (L, -1) && !lua_toboolean (L, -1);
  lua_pop (L, 1);  /* the result: the old item and the function remain */

  n = self->n_emitted;
  if (n > 0 || dropped)
    lua_pop (L, 2);
  if (n > 0)
    {
      /* lua_checkstack, unlike luaL_checkstack, reports instead of
       * raising: there is no protected call around this. */
      if (!lua_checkstack (L, n + 1))
        {
          clear_emitted (self, n);
          finish_env (self, slot, NULL);
          set_lua_error (g_ptr_array_index (self->codes, slot),
                         "too many emitted items to hold at once", error);
          return SLUICE_LUA_ERROR;
        }
      lua_rawgeti (L, LUA_REGISTRYINDEX, self->emitted_ref);
      for (guint i = 1; i <= n; i++)
        lua_rawgeti (L, -(int) i, i);
      lua_remove (L, -(int) n - 1);
      clear_emitted (self, n);
      if (!finish_env (self, slot, error))
        {
          lua_pop (L, (int) n);
          return SLUICE_LUA_ERROR;
        }
      *n_emitted = n;
      return SLUICE_LUA_EMITTED;
    }

  if (dropped)
    return finish_env (self, slot, error) ? SLUICE_LUA_DROP : SLUICE_LUA_ERROR;

  /* The old item and the function → the item. */
  push_item (self, slot, -1, -2);
  lua_replace (L, -3);
  lua_pop (L, 1);
  if (G_UNLIKELY (!lua_istable (L, -1) || sluice_lua_is_json_array (L, -1)))
    {
      set_lua_error (g_ptr_array_index (self->codes, slot),
                     lua_istable (L, -1)
                     ? "item became an array (keys 1 to n), but an item must be a JSON object"
                     : "item is no longer a table: an item must be a JSON object",
                     error);
      lua_pop (L, 1);
      finish_env (self, slot, NULL);
      return SLUICE_LUA_ERROR;
    }

  /* `item` is a table, so only a global set needs a fresh environment. */
  if (G_UNLIKELY (self->env_dirty) && !reset_env (self, slot, error))
    {
      lua_pop (L, 1);
      return SLUICE_LUA_ERROR;
    }

  return SLUICE_LUA_PASS;
}

SluiceLuaResult
sluice_lua_runtime_run (SluiceLuaRuntime  *self,
                        guint              slot,
                        gint64             deadline,
                        guint             *n_emitted,
                        GError           **error)
{
  lua_State *L;

  g_return_val_if_fail (self != NULL, SLUICE_LUA_ERROR);
  g_return_val_if_fail (slot < self->codes->len, SLUICE_LUA_ERROR);

  L = self->L;
  *n_emitted = 0;
  self->n_emitted = 0;

  if (!call_slot (self, slot, deadline, error))
    {
      lua_pop (L, 1);
      clear_emitted (self, self->n_emitted);
      return SLUICE_LUA_ERROR;
    }

  return finish_run (self, slot, n_emitted, error);
}

/* ---- Chains: consecutive chunks in one protected call. */

typedef struct
{
  SluiceLuaRuntime *self;
  SluiceLuaStep    *steps;
  guint             n;
  guint             current;  /* the step running, or n when all passed */
  gint64            start;
  gboolean          clean;    /* only straight chunks ran on the item since it left JSON */
  guint             timed;    /* steps whose end time is set */
  gint64            timed_at; /* the last clock reading (start at first) */
  json_t           *json;     /* the item, to push first; NULL once pushed */
  gboolean          plain;    /* the item is known to have no metatable and no [1] */
} Chain;

/* Reads the clock once for the steps before @upto whose end is not set
 * yet: straight chunks in a row (a few instructions each, ended long
 * before a deadline could matter) are timed together and share the time
 * evenly, which spares a clock reading per chunk (5 % of a W1 item). */
static gint64
chain_clock (Chain *chain,
             guint  upto)
{
  gint64 now;
  guint n;

  if (upto <= chain->timed)
    return chain->timed_at;
  now = g_get_monotonic_time ();
  n = upto - chain->timed;
  for (guint k = 1; k <= n; k++)
    chain->steps[chain->timed + k - 1].ended = chain->timed_at + (now - chain->timed_at) * k / n;
  chain->timed = upto;
  chain->timed_at = now;
  return now;
}

/* Whether step @i may leave its end time to a later reading: it and the
 * next are straight and run without any hook (nothing they reach runs
 * Lua code, so they end within a few instructions), and the next has no
 * deadline that would count from it. */
static inline gboolean
chain_defers_clock (Chain *chain,
                    guint  i)
{
  SluiceLuaRuntime *self = chain->self;

  return chain->clean && i + 1 < chain->n && self->straight[chain->steps[i].slot] &&
         self->straight[chain->steps[i + 1].slot] && chain->steps[i + 1].timeout_us == 0;
}

/* The fast path of every chunk of a chain: set `item`, call, read `item`
 * back, all within the one protected call. A step whose outcome needs
 * more than that (dropped, emitted, set a global, `item` no longer an
 * object) stops the chain with [item, environment, result] for
 * finish_run(); otherwise the chain ends with the item. */
static int
chain_protected_cb (lua_State *L)
{
  Chain *chain = lua_touserdata (L, 1);
  SluiceLuaRuntime *self = chain->self;
  gint64 now = chain->start;
  gboolean stopped = FALSE;
  int want;

  /* [item] at 1 for the whole chain. */
  if (chain->json != NULL)
    {
      /* [chain nil] → [item]: the item made here, in this protected
       * call rather than one of its own. The nil is the slot for the
       * array marker while it is made. */
      lua_rawgeti (L, LUA_REGISTRYINDEX, self->key_cache_ref);
      _sluice_lua_push_json_value_cached (L, chain->json, 2, self, 3);
      /* An object from JSON: string keys, no metatable. */
      chain->plain = json_is_object (chain->json);
      lua_replace (L, 1);
      lua_settop (L, 1);
      chain->json = NULL;
    }
  else
    lua_remove (L, 1);
  share_item (self, 1);
  for (guint i = 0; i < chain->n; i++)
    {
      SluiceLuaStep *step = &chain->steps[i];
      guint slot = step->slot;

      chain->current = i;
      lua_rawgeti (L, LUA_REGISTRYINDEX, self->refs[slot]);
      set_item (self, slot, 2, 1);
      lua_pushvalue (L, 2);  /* [item function function] */

      self->deadline = step->timeout_us > 0 ? now + step->timeout_us : 0;
      self->running_slot = slot;
      self->env_dirty = FALSE;
      self->item_replaced = FALSE;
      self->n_emitted = 0;
      /* Straight chunks (sluice-lua-straight.c) run under the call hook,
       * or with no hook at all while only straight chunks have run on
       * an item fresh from JSON: nothing they can reach then runs Lua
       * code (no function in the item, no metamethod but the sandbox's C
       * ones). The others run counted. The call hook may have switched
       * to counting by itself: ask the state. */
      want = !self->straight[slot] ? LUA_MASKCOUNT : chain->clean ? 0 : LUA_MASKCALL;
      if (!self->straight[slot])
        chain->clean = FALSE;
      if (lua_gethookmask (L) != want)
        lua_sethook (L, hook_cb, want, want == LUA_MASKCOUNT ? SLUICE_LUA_HOOK_COUNT : 0);
      self->entering_straight = want == LUA_MASKCALL;
      lua_call (L, 0, 1);  /* [item function result] */
      if (!chain_defers_clock (chain, i))
        now = chain_clock (chain, i + 1);
      end_call (self);

      if (self->n_emitted > 0 || self->env_dirty ||
          (lua_type (L, 3) == LUA_TBOOLEAN && !lua_toboolean (L, 3)))
        {
          chain_clock (chain, i + 1);
          stopped = TRUE;
          break;
        }
      /* A table without a metatable and without [1] is an object;
       * anything else gets the closer look. A chunk that cannot set
       * `item` left it as it was. */
      if (self->item_sets[slot] || self->item_replaced)
        {
          push_item (self, slot, 2, 1);  /* [item function result item'] */
          if (lua_rawequal (L, 1, 4))
            lua_pop (L, 1);
          else if (lua_type (L, 4) != LUA_TTABLE || lua_getmetatable (L, 4) || lua_rawlen (L, 4) > 0)
            stopped = TRUE;
          else
            {
              lua_replace (L, 1);
              share_item (self, 1);
              goto next;
            }
        }
      /* A straight chunk that ran where nothing can call Lua code (clean:
       * no metamethod of the item's runs Lua), kept the item and stores
       * under string constants only cannot have given it a metatable (a
       * call) or a [1]: the item is as plain as it was (~90 instructions
       * a step of a chain spared). */
      if (!stopped && chain->plain && chain->clean && self->string_keys[slot] &&
          !self->item_sets[slot] && !self->item_replaced)
        goto next;
      if (!stopped && (lua_getmetatable (L, 1) || lua_rawlen (L, 1) > 0))
        stopped = TRUE;
      chain->plain = !stopped;
      if (stopped)
        {
          chain_clock (chain, i + 1);
          lua_settop (L, 3);
          break;
        }
    next:
      lua_settop (L, 1);
    }

  if (stopped)
    /* Stopped at chain->current: [item function result] for finish_run(). */
    return 3;
  chain->current = chain->n;
  lua_settop (L, 1);
  return 1;
}

/* The chain on the item on top of the stack, or with @json, on @json
 * made into a table first (within the chain's protected call). */
static SluiceLuaResult
run_chain (SluiceLuaRuntime  *self,
           json_t            *json,
           SluiceLuaStep     *steps,
           guint              n,
           gint64             start,
           gboolean           fresh,
           guint             *n_ran,
           guint             *n_emitted,
           GError           **error)
{
  lua_State *L = self->L;
  Chain chain = { self, steps, n, 0, start, fresh, 0, start, json };
  guint compiled = 0;
  int status;

  *n_emitted = 0;
  self->n_emitted = 0;

  /* Compiled first, outside the chain; a chunk that does not compile
   * fails when its turn comes, after the ones before it ran. */
  while (compiled < n && ensure_compiled (self, steps[compiled].slot, NULL))
    compiled++;
  if (json != NULL && compiled < n)
    {
      sluice_lua_push_json (L, json);
      json = chain.json = NULL;
    }
  if (compiled < n || (json == NULL && !lua_istable (L, -1)))
    {
      if (compiled > 0 && lua_istable (L, -1))
        return run_chain (self, NULL, steps, compiled, start, fresh, n_ran, n_emitted, error);
      *n_ran = 1;
      self->deadline = steps[0].timeout_us > 0 ? start + steps[0].timeout_us : 0;
      return sluice_lua_runtime_run (self, steps[0].slot, self->deadline, n_emitted, error);
    }

  /* [item] → [item msgh f chain item], or with @json, a nil for the item
   * (replaced by the results as the item would be) and a nil argument. */
  if (json != NULL)
    lua_pushnil (L);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->msgh_ref);
  lua_pushcfunction (L, chain_protected_cb);
  lua_pushlightuserdata (L, &chain);
  lua_pushvalue (L, -4);
  status = lua_pcall (L, 2, 3, -4);
  if (G_UNLIKELY (status != LUA_OK && chain.json != NULL))
    {
      /* The item could not be made a table: as the ordinary way does it,
       * with its messages. */
      lua_pop (L, 3);
      sluice_lua_push_json (L, json);
      return run_chain (self, NULL, steps, n, start, fresh, n_ran, n_emitted, error);
    }
  self->entering_straight = FALSE;
  /* Back to counting for whatever runs next. */
  if (lua_gethookmask (L) != LUA_MASKCOUNT)
    lua_sethook (L, hook_cb, LUA_MASKCOUNT, SLUICE_LUA_HOOK_COUNT);

  if (G_UNLIKELY (status != LUA_OK))
    {
      guint slot = steps[chain.current].slot;
      g_autofree char *owned = NULL;

      chain_clock (&chain, chain.current + 1);
      set_lua_error (g_ptr_array_index (self->codes, slot),
                     error_message (self, status, &owned), error);
      if (self->stopping && error != NULL && *error != NULL)
        (*error)->code = self->timed_out ? SLUICE_EXECUTOR_ERROR_TIMEOUT
                                         : SLUICE_EXECUTOR_ERROR_CANCELLED;
      lua_pop (L, 3);  /* the error, the handler and the item */
      end_call (self);
      finish_env (self, slot, NULL);
      clear_emitted (self, self->n_emitted);
      *n_ran = chain.current + 1;
      return SLUICE_LUA_ERROR;
    }

  if (chain.current == n)
    {
      /* [item msgh item' nil nil] → [item'] */
      lua_pop (L, 2);
      lua_replace (L, -3);
      lua_pop (L, 1);
      *n_ran = n;
      return SLUICE_LUA_PASS;
    }

  /* [item msgh item' env result] → [item' env result] */
  lua_rotate (L, -5, -2);
  lua_pop (L, 2);
  *n_ran = chain.current + 1;
  return finish_run (self, steps[chain.current].slot, n_emitted, error);
}

SluiceLuaResult
sluice_lua_runtime_run_chain (SluiceLuaRuntime  *self,
                              SluiceLuaStep     *steps,
                              guint              n,
                              gint64             start,
                              gboolean           fresh,
                              guint             *n_ran,
                              guint             *n_emitted,
                              GError           **error)
{
  g_return_val_if_fail (self != NULL, SLUICE_LUA_ERROR);
  g_return_val_if_fail (n > 0, SLUICE_LUA_ERROR);

  return run_chain (self, NULL, steps, n, start, fresh, n_ran, n_emitted, error);
}

SluiceLuaResult
sluice_lua_runtime_run_chain_json (SluiceLuaRuntime  *self,
                                   json_t            *json,
                                   SluiceLuaStep     *steps,
                                   guint              n,
                                   gint64             start,
                                   guint             *n_ran,
                                   guint             *n_emitted,
                                   GError           **error)
{
  g_return_val_if_fail (self != NULL, SLUICE_LUA_ERROR);
  g_return_val_if_fail (json != NULL, SLUICE_LUA_ERROR);
  g_return_val_if_fail (n > 0, SLUICE_LUA_ERROR);

  return run_chain (self, json, steps, n, start, TRUE, n_ran, n_emitted, error);
}

gboolean
sluice_lua_runtime_test (SluiceLuaRuntime  *self,
                         guint              slot,
                         gint64             deadline,
                         gboolean          *result,
                         GError           **error)
{
  lua_State *L;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (slot < self->codes->len, FALSE);

  L = self->L;
  self->n_emitted = 0;
  if (!call_slot (self, slot, deadline, error))
    {
      clear_emitted (self, self->n_emitted);
      return FALSE;
    }

  *result = lua_toboolean (L, -1);
  lua_pop (L, 2);  /* the result and the function */
  clear_emitted (self, self->n_emitted);

  return finish_env (self, slot, error);
}
