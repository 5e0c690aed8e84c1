/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <string.h>

#include "sluice-lua-runtime.h"
#include "sluice-run-state.h"

/* Deeper nesting is refused: it also catches tables that contain
 * themselves. */
#define MAX_DEPTH 128
/* The hook that enforces time-outs and cancellation runs every this many
 * VM instructions: rare enough to cost nothing, frequent enough (a few µs)
 * to stop a runaway loop promptly. */
#define HOOK_COUNT 1000

struct _SluiceLuaRuntime
{
  lua_State  *L;
  GPtrArray  *codes;        /* of SluiceLuaCode*, borrowed */
  int        *refs;         /* compiled function per slot, LUA_NOREF until compiled */
  int         env_ref;      /* the sandbox _ENV table */
  int         emitted_ref;  /* table collecting emit() arguments */
  guint       n_emitted;
  gint64      deadline;     /* of the running chunk, 0 = none */
  const gint *cancel;       /* borrowed */
};

/* Keys of the registry used as markers. */
static char array_mt_key;
static char runtime_key;

/* Globals a chunk may use. Everything else (os, io, require, load,
 * loadstring, dofile, loadfile, debug, package, collectgarbage, rawset on
 * the environment…) is simply not there. */
static const char * const safe_globals[] = {
  "assert", "error", "ipairs", "next", "pairs", "pcall", "select",
  "tonumber", "tostring", "type", "xpcall", "rawequal", "rawlen", "rawget",
  "setmetatable", "getmetatable", "print", "_VERSION",
  "string", "table", "math", "utf8", "coroutine",
  NULL
};

static void
hook_cb (lua_State *L,
         lua_Debug *ar)
{
  SluiceLuaRuntime *self;

  lua_rawgetp (L, LUA_REGISTRYINDEX, &runtime_key);
  self = lua_touserdata (L, -1);
  lua_pop (L, 1);

  if (self->cancel != NULL && g_atomic_int_get (self->cancel))
    luaL_error (L, "cancelled");
  if (self->deadline != 0 && g_get_monotonic_time () >= self->deadline)
    luaL_error (L, "timed out");
}

static int
emit_cb (lua_State *L)
{
  SluiceLuaRuntime *self = lua_touserdata (L, lua_upvalueindex (1));

  luaL_checktype (L, 1, LUA_TTABLE);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->emitted_ref);
  lua_pushvalue (L, 1);
  lua_rawseti (L, -2, ++self->n_emitted);
  lua_pop (L, 1);

  return 0;
}

static int
params_newindex_cb (lua_State *L)
{
  return luaL_error (L, "params are read-only");
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

lua_State *
sluice_lua_runtime_get_state (SluiceLuaRuntime *self)
{
  return self->L;
}

static void
setup_sandbox (SluiceLuaRuntime *self,
               GHashTable       *params)
{
  lua_State *L = self->L;
  GHashTableIter iter;
  gpointer key, value;

  luaL_openlibs (L);

  lua_pushlightuserdata (L, self);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &runtime_key);

  /* Marks tables that came from JSON arrays, so that an empty array goes
   * back out as [] rather than {}. */
  lua_newtable (L);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &array_mt_key);

  lua_newtable (L);  /* env */
  for (guint i = 0; safe_globals[i] != NULL; i++)
    {
      lua_getglobal (L, safe_globals[i]);
      lua_setfield (L, -2, safe_globals[i]);
    }
  /* string's metatable index points at the real string table, which is
   * fine: it holds no dangerous function. */

  lua_pushlightuserdata (L, NULL);
  lua_setfield (L, -2, "null");

  lua_pushlightuserdata (L, self);
  lua_pushcclosure (L, emit_cb, 1);
  lua_setfield (L, -2, "emit");

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
  lua_pushcfunction (L, params_newindex_cb);
  lua_setfield (L, -2, "__newindex");
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");
  lua_setmetatable (L, -2);
  lua_setfield (L, -2, "params");

  self->env_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  lua_newtable (L);
  self->emitted_ref = luaL_ref (L, LUA_REGISTRYINDEX);

  lua_pushcfunction (L, message_handler_cb);
  lua_rawseti (L, LUA_REGISTRYINDEX, LUA_RIDX_LAST + 1);

  lua_sethook (L, hook_cb, LUA_MASKCOUNT, HOOK_COUNT);
}

SluiceLuaRuntime *
sluice_lua_runtime_new (GPtrArray  *codes,
                        GHashTable *params,
                        const gint *cancel)
{
  SluiceLuaRuntime *self = g_new0 (SluiceLuaRuntime, 1);

  self->L = luaL_newstate ();
  self->codes = codes;
  self->cancel = cancel;
  self->refs = g_new (int, MAX (codes->len, 1));
  for (guint i = 0; i < codes->len; i++)
    self->refs[i] = LUA_NOREF;

  setup_sandbox (self, params);

  return self;
}

void
sluice_lua_runtime_free (SluiceLuaRuntime *self)
{
  if (self == NULL)
    return;

  lua_close (self->L);
  g_free (self->refs);
  g_free (self);
}

/* Turns "chunk:N: message" into a message naming the module and the line
 * of the file. */
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

static gboolean
ensure_compiled (SluiceLuaRuntime  *self,
                 guint              slot,
                 GError           **error)
{
  const SluiceLuaCode *code;
  lua_State *L = self->L;

  if (G_LIKELY (self->refs[slot] != LUA_NOREF))
    return TRUE;

  code = g_ptr_array_index (self->codes, slot);
  if (luaL_loadbufferx (L, code->code, strlen (code->code), "=chunk", "t") != LUA_OK)
    {
      set_lua_error (code, lua_tostring (L, -1), error);
      lua_pop (L, 1);
      return FALSE;
    }

  lua_rawgeti (L, LUA_REGISTRYINDEX, self->env_ref);
  lua_setupvalue (L, -2, 1);
  self->refs[slot] = luaL_ref (L, LUA_REGISTRYINDEX);

  return TRUE;
}

gboolean
sluice_lua_runtime_check (SluiceLuaRuntime  *self,
                          GError           **error)
{
  for (guint i = 0; i < self->codes->len; i++)
    if (!ensure_compiled (self, i, error))
      {
        const SluiceLuaCode *code = g_ptr_array_index (self->codes, i);

        g_prefix_error (error, "module “%s”: ", code->module_id);
        return FALSE;
      }

  return TRUE;
}

void
sluice_lua_push_json (lua_State *L,
                      json_t    *json)
{
  switch (json_typeof (json))
    {
    case JSON_OBJECT:
      {
        const char *key;
        json_t *value;
        size_t key_len;

        lua_createtable (L, 0, json_object_size (json));
        json_object_keylen_foreach (json, key, key_len, value)
          {
            lua_pushlstring (L, key, key_len);
            sluice_lua_push_json (L, value);
            lua_rawset (L, -3);
          }
      }
      break;

    case JSON_ARRAY:
      {
        size_t n = json_array_size (json);

        lua_createtable (L, n, 0);
        for (size_t i = 0; i < n; i++)
          {
            sluice_lua_push_json (L, json_array_get (json, i));
            lua_rawseti (L, -2, i + 1);
          }
        lua_rawgetp (L, LUA_REGISTRYINDEX, &array_mt_key);
        lua_setmetatable (L, -2);
      }
      break;

    case JSON_STRING:
      lua_pushlstring (L, json_string_value (json), json_string_length (json));
      break;

    case JSON_INTEGER:
      lua_pushinteger (L, json_integer_value (json));
      break;

    case JSON_REAL:
      lua_pushnumber (L, json_real_value (json));
      break;

    case JSON_TRUE:
      lua_pushboolean (L, 1);
      break;

    case JSON_FALSE:
      lua_pushboolean (L, 0);
      break;

    case JSON_NULL:
    default:
      lua_pushlightuserdata (L, NULL);
      break;
    }
}

static gboolean
is_array (lua_State *L,
          int        index,
          size_t    *length)
{
  size_t n = lua_rawlen (L, index);
  size_t count = 0;

  *length = n;

  if (lua_getmetatable (L, index))
    {
      gboolean marked;

      lua_rawgetp (L, LUA_REGISTRYINDEX, &array_mt_key);
      marked = lua_rawequal (L, -1, -2);
      lua_pop (L, 2);
      if (marked)
        return TRUE;
    }

  if (n == 0)
    return FALSE;

  lua_pushnil (L);
  while (lua_next (L, index) != 0)
    {
      lua_pop (L, 1);
      count++;
    }

  return count == n;
}

static json_t *
to_json (lua_State  *L,
         int         index,
         guint       depth,
         GError    **error)
{
  index = lua_absindex (L, index);

  switch (lua_type (L, index))
    {
    case LUA_TNIL:
      return json_null ();

    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata (L, index) == NULL)
        return json_null ();
      break;

    case LUA_TBOOLEAN:
      return json_boolean (lua_toboolean (L, index));

    case LUA_TNUMBER:
      if (lua_isinteger (L, index))
        return json_integer (lua_tointeger (L, index));
      else
        {
          double d = lua_tonumber (L, index);

          if (!isfinite (d))
            {
              g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                           "item holds a number JSON cannot represent (%g)", d);
              return NULL;
            }
          return json_real (d);
        }

    case LUA_TSTRING:
      {
        size_t len;
        const char *s = lua_tolstring (L, index, &len);
        json_t *str = json_stringn (s, len);

        /* Lua strings are bytes; JSON strings must be UTF-8. */
        if (str == NULL)
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                       "item holds a string that is not valid UTF-8");
        return str;
      }

    case LUA_TTABLE:
      {
        size_t n;
        json_t *result;

        if (depth >= MAX_DEPTH)
          {
            g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                         "item is nested too deeply (or contains itself)");
            return NULL;
          }

        if (is_array (L, index, &n))
          {
            result = json_array ();
            for (size_t i = 1; i <= n; i++)
              {
                json_t *value;

                lua_rawgeti (L, index, i);
                value = to_json (L, -1, depth + 1, error);
                lua_pop (L, 1);
                if (value == NULL)
                  {
                    json_decref (result);
                    return NULL;
                  }
                json_array_append_new (result, value);
              }
            return result;
          }

        result = json_object ();
        lua_pushnil (L);
        while (lua_next (L, index) != 0)
          {
            json_t *value;
            size_t key_len;
            const char *key;

            /* Copy the key: lua_tolstring on a number key would change it
             * in place and break lua_next. */
            lua_pushvalue (L, -2);
            key = lua_tolstring (L, -1, &key_len);
            if (key == NULL)
              {
                lua_pop (L, 3);
                json_decref (result);
                g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                             "item has a key that is neither a string nor a number");
                return NULL;
              }
            value = to_json (L, -2, depth + 1, error);
            if (value == NULL)
              {
                lua_pop (L, 3);
                json_decref (result);
                return NULL;
              }
            if (json_object_setn_new (result, key, key_len, value) != 0)
              {
                lua_pop (L, 3);
                json_decref (result);
                g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                             "item has a key that is not valid UTF-8");
                return NULL;
              }
            lua_pop (L, 2);
          }
        return result;
      }

    default:
      break;
    }

  g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
               "item holds a %s, which JSON cannot represent",
               luaL_typename (L, index));
  return NULL;
}

json_t *
sluice_lua_to_json (lua_State  *L,
                    int         index,
                    GError    **error)
{
  return to_json (L, index, 0, error);
}

/* Calls compiled @slot with the table at the top as `item`, leaving the
 * chunk's first result on the stack above it. */
static gboolean
call_slot (SluiceLuaRuntime  *self,
           guint              slot,
           gint64             deadline,
           GError           **error)
{
  lua_State *L = self->L;
  int status;

  if (!ensure_compiled (self, slot, error))
    return FALSE;

  lua_rawgeti (L, LUA_REGISTRYINDEX, self->env_ref);
  lua_pushvalue (L, -2);
  lua_setfield (L, -2, "item");
  lua_pop (L, 1);

  self->deadline = deadline;
  lua_rawgeti (L, LUA_REGISTRYINDEX, LUA_RIDX_LAST + 1);
  lua_rawgeti (L, LUA_REGISTRYINDEX, self->refs[slot]);
  status = lua_pcall (L, 0, 1, -2);
  self->deadline = 0;

  if (status != LUA_OK)
    {
      set_lua_error (g_ptr_array_index (self->codes, slot),
                     lua_tostring (L, -1), error);
      lua_pop (L, 2);
      return FALSE;
    }

  lua_remove (L, -2);  /* the message handler */
  return TRUE;
}

SluiceLuaResult
sluice_lua_runtime_run (SluiceLuaRuntime  *self,
                        guint              slot,
                        gint64             deadline,
                        guint             *n_emitted,
                        GError           **error)
{
  lua_State *L = self->L;
  gboolean dropped;

  *n_emitted = 0;
  self->n_emitted = 0;

  if (!call_slot (self, slot, deadline, error))
    {
      lua_pop (L, 1);
      self->n_emitted = 0;
      lua_newtable (L);
      lua_rawseti (L, LUA_REGISTRYINDEX, self->emitted_ref);
      return SLUICE_LUA_ERROR;
    }

  dropped = lua_isboolean (L, -1) && !lua_toboolean (L, -1);
  lua_pop (L, 2);  /* the result and the old item */

  if (self->n_emitted > 0)
    {
      guint n = self->n_emitted;

      lua_rawgeti (L, LUA_REGISTRYINDEX, self->emitted_ref);
      luaL_checkstack (L, n + 1, "too many emitted items");
      for (guint i = 1; i <= n; i++)
        lua_rawgeti (L, -1 - (int) (i - 1), i);
      lua_remove (L, -(int) n - 1);
      /* A fresh table: the old one still references the items. */
      lua_newtable (L);
      lua_rawseti (L, LUA_REGISTRYINDEX, self->emitted_ref);
      self->n_emitted = 0;
      *n_emitted = n;
      return SLUICE_LUA_EMITTED;
    }

  if (dropped)
    return SLUICE_LUA_DROP;

  lua_rawgeti (L, LUA_REGISTRYINDEX, self->env_ref);
  lua_getfield (L, -1, "item");
  lua_remove (L, -2);
  if (!lua_istable (L, -1))
    {
      const SluiceLuaCode *code = g_ptr_array_index (self->codes, slot);

      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                   "Lua error: item is a %s, not a table", luaL_typename (L, -1));
      (void) code;
      lua_pop (L, 1);
      return SLUICE_LUA_ERROR;
    }

  return SLUICE_LUA_PASS;
}

gboolean
sluice_lua_runtime_test (SluiceLuaRuntime  *self,
                         guint              slot,
                         gint64             deadline,
                         gboolean          *result,
                         GError           **error)
{
  lua_State *L = self->L;

  if (!call_slot (self, slot, deadline, error))
    return FALSE;

  *result = lua_toboolean (L, -1);
  lua_pop (L, 1);

  return TRUE;
}
