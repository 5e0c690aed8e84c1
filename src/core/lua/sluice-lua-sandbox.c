/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <lualib.h>

#include "sluice-lua-private.h"

/* What a chunk sees. Every chunk gets its own environment (see the
 * runtime); they all read through to one table built here, which no chunk
 * can reach to change: the standard library tables are read-only proxies,
 * the string metatable and the array marker are protected, and the
 * functions that could run where no hook fires are wrapped:
 *
 * - xpcall does not call its message handler for the error that stops a
 *   chunk: that error is raised by the hook, and Lua calls the handler
 *   before it unwinds, with hooks still off, so a looping handler could
 *   never be stopped;
 * - setmetatable refuses __gc (Lua 5.4 runs finalizers with hooks off, so
 *   a looping finalizer could never be stopped);
 * - string.rep("", n) returns at once instead of looping n times;
 * - string.find, match, gmatch and gsub count their steps (see
 *   sluice-lua-pattern.c);
 * - table.insert, remove, move, concat, unpack and sort refuse tables
 *   with __index, __newindex or __len metamethods, through which they
 *   could loop in C for 2^63 iterations calling C functions. */

/* Plain functions a chunk may use. Everything else (os, io, require,
 * load, dofile, debug, package, collectgarbage, rawset…) is not there. */
static const char * const safe_functions[] = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select",
  "tonumber", "tostring", "type", "rawequal", "rawlen", "rawget",
  "getmetatable", "_VERSION",
  NULL
};

/* Library tables, given to chunks as read-only proxies. */
static const char * const libraries[] = {
  "string", "table", "math", "utf8", "coroutine",
  NULL
};

static const char * const guarded_table_functions[] = {
  "insert", "remove", "move", "concat", "unpack", "sort",
  NULL
};

int
sluice_lua_read_only_cb (lua_State *L)
{
  const char *name = lua_tostring (L, lua_upvalueindex (1));

  return luaL_error (L, "%s is read-only", name != NULL ? name : "this table");
}

/* pairs() over a proxy walks the real table. */
static int
read_only_pairs_cb (lua_State *L)
{
  lua_pushvalue (L, lua_upvalueindex (1));  /* next */
  lua_pushvalue (L, lua_upvalueindex (2));  /* the real table */
  lua_pushnil (L);
  return 3;
}

static void
push_read_only (lua_State  *L,
                const char *name)
{
  lua_newtable (L);
  lua_createtable (L, 0, 4);
  lua_getglobal (L, name);
  lua_setfield (L, -2, "__index");
  lua_pushfstring (L, "%s (the standard library, shared by every module)", name);
  lua_pushcclosure (L, sluice_lua_read_only_cb, 1);
  lua_setfield (L, -2, "__newindex");
  lua_getglobal (L, "next");
  lua_getglobal (L, name);
  lua_pushcclosure (L, read_only_pairs_cb, 2);
  lua_setfield (L, -2, "__pairs");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");
  lua_setmetatable (L, -2);
}

static int
setmetatable_cb (lua_State *L)
{
  int type = lua_type (L, 2);

  luaL_checktype (L, 1, LUA_TTABLE);
  luaL_argexpected (L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");

  if (type == LUA_TTABLE)
    {
      lua_pushliteral (L, "__gc");
      if (lua_rawget (L, 2) != LUA_TNIL)
        return luaL_error (L, "setmetatable: __gc is not allowed (a finalizer runs "
                              "where no timeout can stop it)");
      lua_pop (L, 1);
    }

  if (lua_getmetatable (L, 1))
    {
      gboolean protected;

      /* The marker of JSON arrays is protected against changes, not
       * against being replaced. */
      sluice_lua_push_array_marker (L);
      if (lua_rawequal (L, -1, -2))
        protected = FALSE;
      else
        {
          lua_pushliteral (L, "__metatable");
          protected = lua_rawget (L, -3) != LUA_TNIL;
          lua_pop (L, 1);
        }
      lua_pop (L, 2);
      if (protected)
        return luaL_error (L, "cannot change a protected metatable");
    }

  lua_settop (L, 2);
  lua_setmetatable (L, 1);
  return 1;
}

static int
xpcall_handler_cb (lua_State *L)
{
  SluiceLuaRuntime *self = sluice_lua_runtime_from_state (L);

  if (self != NULL && self->stopping)
    return 1;  /* the error as it is */

  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, lua_gettop (L) - 1, 1);
  return 1;
}

static int
finish_pcall (lua_State     *L,
              int            status,
              lua_KContext   extra)
{
  if (status != LUA_OK && status != LUA_YIELD)
    {
      lua_pushboolean (L, 0);
      lua_pushvalue (L, -2);
      return 2;
    }
  return lua_gettop (L) - (int) extra;
}

/* xpcall (f, msgh, ...), with msgh behind xpcall_handler_cb. */
static int
xpcall_cb (lua_State *L)
{
  int n = lua_gettop (L);
  int status;

  luaL_checktype (L, 2, LUA_TFUNCTION);
  lua_pushvalue (L, 2);
  lua_pushcclosure (L, xpcall_handler_cb, 1);
  lua_replace (L, 2);
  /* f, handler, args… → f, handler, true, f, args… */
  lua_pushboolean (L, 1);
  lua_pushvalue (L, 1);
  lua_rotate (L, 3, 2);
  status = lua_pcallk (L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
  return finish_pcall (L, status, 2);
}

static int
string_rep_cb (lua_State *L)
{
  size_t length, sep_length;

  luaL_checklstring (L, 1, &length);
  luaL_checkinteger (L, 2);
  luaL_optlstring (L, 3, "", &sep_length);

  /* Lua's own loops n times even when there is nothing to copy. */
  if (length + sep_length == 0)
    {
      lua_pushliteral (L, "");
      return 1;
    }

  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, lua_gettop (L) - 1, 1);
  return 1;
}

static int
table_guard_cb (lua_State *L)
{
  static const char * const fields[] = { "__index", "__newindex", "__len" };
  int n = lua_gettop (L);

  for (int i = 1; i <= n; i++)
    {
      if (lua_type (L, i) != LUA_TTABLE || !lua_getmetatable (L, i))
        continue;
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          lua_pushstring (L, fields[f]);
          if (lua_rawget (L, -2) != LUA_TNIL)
            return luaL_error (L, "table.%s does not take a table with an %s "
                                  "metamethod in the sandbox",
                               lua_tostring (L, lua_upvalueindex (2)), fields[f]);
          lua_pop (L, 1);
        }
      lua_pop (L, 1);
    }

  lua_pushvalue (L, lua_upvalueindex (1));
  lua_insert (L, 1);
  lua_call (L, n, LUA_MULTRET);
  return lua_gettop (L);
}

void
sluice_lua_sandbox_open (SluiceLuaRuntime *self)
{
  lua_State *L = self->L;

  /* Changed in the real tables: methods of strings reach them through
   * the string metatable, not through the proxies. */
  lua_getglobal (L, "string");
  lua_getfield (L, -1, "rep");
  lua_pushcclosure (L, string_rep_cb, 1);
  lua_setfield (L, -2, "rep");
  sluice_lua_pattern_install (L);
  lua_pop (L, 1);

  lua_getglobal (L, "table");
  for (guint i = 0; guarded_table_functions[i] != NULL; i++)
    {
      lua_getfield (L, -1, guarded_table_functions[i]);
      lua_pushstring (L, guarded_table_functions[i]);
      lua_pushcclosure (L, table_guard_cb, 2);
      lua_setfield (L, -2, guarded_table_functions[i]);
    }
  lua_pop (L, 1);

  /* getmetatable("").__index would be the real string table. */
  lua_pushliteral (L, "");
  if (lua_getmetatable (L, -1))
    {
      lua_pushboolean (L, 0);
      lua_setfield (L, -2, "__metatable");
      lua_pop (L, 1);
    }
  lua_pop (L, 1);

  lua_newtable (L);
  for (guint i = 0; safe_functions[i] != NULL; i++)
    {
      lua_getglobal (L, safe_functions[i]);
      lua_setfield (L, -2, safe_functions[i]);
    }
  for (guint i = 0; libraries[i] != NULL; i++)
    {
      push_read_only (L, libraries[i]);
      lua_setfield (L, -2, libraries[i]);
    }

  lua_pushcfunction (L, setmetatable_cb);
  lua_setfield (L, -2, "setmetatable");
  lua_pushcfunction (L, xpcall_cb);
  lua_setfield (L, -2, "xpcall");

  lua_pushlightuserdata (L, NULL);
  lua_setfield (L, -2, "null");
}
