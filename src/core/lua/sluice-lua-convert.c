/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-lua-private.h"
#include "sluice-run-state.h"

/* JSON ↔ Lua. Both directions run inside a protected call, so that
 * running out of memory (the state's limit) fails the item instead of
 * reaching Lua's panic handler, which aborts; and both are bounded in
 * depth by SLUICE_JSON_MAX_DEPTH and check the Lua stack at every level. */

/* Each value costs this much of the budget of a conversion to JSON, plus
 * the length of its string. */
#define VALUE_COST 16
/* The budget: this much plus four times the Lua heap. Without shared
 * tables the JSON is about the size of the Lua data; a table referenced
 * from many places is written out each time, and `t = {t, t}` sixty
 * times over would otherwise make 2^60 values. */
#define BASE_BUDGET (16 * 1024 * 1024)

static char array_mt_key;
/* Pushed instead of an item that could not be converted to Lua. */
static char push_failed_key;

const void *
sluice_lua_array_marker_key (void)
{
  return &array_mt_key;
}

void
sluice_lua_push_array_marker (lua_State *L)
{
  if (lua_rawgetp (L, LUA_REGISTRYINDEX, &array_mt_key) != LUA_TNIL)
    return;
  lua_pop (L, 1);

  /* Protected, so that one chunk cannot give every array of the state an
   * __index or a __newindex through getmetatable(item.list). */
  lua_createtable (L, 0, 1);
  lua_pushboolean (L, 0);
  lua_setfield (L, -2, "__metatable");
  lua_pushvalue (L, -1);
  lua_rawsetp (L, LUA_REGISTRYINDEX, &array_mt_key);
}

/* The text of the error at the top of the stack after a failed protected
 * call with @status. */
static char *
error_text (lua_State *L,
            int        status)
{
  SluiceLuaRuntime *rt;
  const char *msg;

  if (status == LUA_ERRMEM)
    {
      rt = sluice_lua_runtime_from_state (L);
      if (rt != NULL && rt->mem_refused)
        return _sluice_lua_runtime_memory_message (rt);
      return g_strdup ("out of memory");
    }

  msg = lua_tostring (L, -1);
  return g_strdup (msg != NULL ? msg : "error object is not a string");
}

/* Pushes @key: the kept string when the cache has it, else a new one,
 * then kept (replacing whatever shared its entry). */
static void
push_key (lua_State        *L,
          const char       *key,
          size_t            length,
          SluiceLuaRuntime *rt,
          int               key_cache)
{
  SluiceLuaKeyCacheEntry *entry;
  guint slot;

  if (rt == NULL || length == 0 || length > SLUICE_LUA_KEY_CACHE_MAX)
    {
      lua_pushlstring (L, key, length);
      return;
    }
  slot = (length * 31u + (guint8) key[0] * 7u + (guint8) key[length - 1]) % SLUICE_LUA_KEY_CACHE_SIZE;
  entry = &rt->key_cache[slot];
  if (entry->length == length && memcmp (entry->key, key, length) == 0)
    {
      lua_rawgeti (L, key_cache, slot + 1);
      return;
    }
  lua_pushlstring (L, key, length);
  lua_pushvalue (L, -1);
  /* The table's array part has every slot: this does not allocate. */
  lua_rawseti (L, key_cache, slot + 1);
  memcpy (entry->key, key, length);
  entry->length = length;
}

static void
push_value (lua_State        *L,
            json_t           *json,
            int               marker,
            SluiceLuaRuntime *rt,
            int               key_cache,
            guint             depth)
{
  switch (json_typeof (json))
    {
    case JSON_OBJECT:
      {
        const char *key;
        json_t *value;
        size_t key_len;

        /* Three slots a container: itself, a key, a value (a scalar
         * value needs no check of its own). */
        if (!lua_checkstack (L, 3))
          luaL_error (L, "item is nested too deeply for the Lua stack");
        if (depth > SLUICE_JSON_MAX_DEPTH)
          luaL_error (L, "item is nested deeper than %d levels", SLUICE_JSON_MAX_DEPTH);
        lua_createtable (L, 0, json_object_size (json));
        json_object_keylen_foreach (json, key, key_len, value)
          {
            push_key (L, key, key_len, rt, key_cache);
            push_value (L, value, marker, rt, key_cache, depth + 1);
            lua_rawset (L, -3);
          }
      }
      break;

    case JSON_ARRAY:
      {
        size_t n = json_array_size (json);

        if (!lua_checkstack (L, 3))
          luaL_error (L, "item is nested too deeply for the Lua stack");
        if (depth > SLUICE_JSON_MAX_DEPTH)
          luaL_error (L, "item is nested deeper than %d levels", SLUICE_JSON_MAX_DEPTH);
        lua_createtable (L, n, 0);
        for (size_t i = 0; i < n; i++)
          {
            push_value (L, json_array_get (json, i), marker, rt, key_cache, depth + 1);
            lua_rawseti (L, -2, i + 1);
          }
        /* The marker waits at @marker of the protected call's stack,
         * fetched for the first array only: most items have none. */
        if (lua_isnil (L, marker))
          {
            sluice_lua_push_array_marker (L);
            lua_replace (L, marker);
          }
        lua_pushvalue (L, marker);
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

static int
push_protected_cb (lua_State *L)
{
  json_t *json = lua_touserdata (L, 1);

  lua_pop (L, 1);
  lua_pushnil (L);  /* the array marker, when needed */
  push_value (L, json, 1, NULL, 0, 1);
  return 1;
}

void
_sluice_lua_push_json_value (lua_State *L,
                             json_t    *json,
                             int        marker)
{
  push_value (L, json, marker, NULL, 0, 1);
}

void
_sluice_lua_push_json_value_cached (lua_State        *L,
                                    json_t           *json,
                                    int               marker,
                                    SluiceLuaRuntime *rt,
                                    int               key_cache)
{
  push_value (L, json, marker, rt, key_cache, 1);
}

gboolean
sluice_lua_push_json_checked (lua_State  *L,
                              json_t     *json,
                              GError    **error)
{
  int status;

  g_return_val_if_fail (L != NULL, FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  /* Neither push allocates: a light C function and a light userdata. */
  lua_pushcfunction (L, push_protected_cb);
  lua_pushlightuserdata (L, json);
  status = lua_pcall (L, 1, 1, 0);
  if (status != LUA_OK)
    {
      g_autofree char *text = error_text (L, status);

      lua_pop (L, 1);
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                   "cannot pass the item to Lua: %s", text);
      return FALSE;
    }

  return TRUE;
}

void
sluice_lua_push_json (lua_State *L,
                      json_t    *json)
{
  g_autoptr(GError) error = NULL;
  SluiceLuaRuntime *rt;

  if (sluice_lua_push_json_checked (L, json, &error))
    return;

  rt = sluice_lua_runtime_from_state (L);
  if (rt != NULL)
    {
      g_free (rt->push_error);
      rt->push_error = g_strdup (error->message);
    }
  lua_pushlightuserdata (L, &push_failed_key);
}

gboolean
sluice_lua_is_push_failure (lua_State *L,
                            int        index)
{
  return lua_touserdata (L, index) == &push_failed_key;
}

typedef struct
{
  int          index;       /* of the value, in the protected call */
  gboolean     any;         /* any value, not only an object, at the top */
  json_t      *root;        /* owned; everything made so far hangs from it */
  gsize        cost;
  gsize        budget;
  GError      *error;
  const void  *path[SLUICE_JSON_MAX_DEPTH + 1];  /* tables from the root down */
} ToJson;

static gboolean
fail (ToJson     *job,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (ToJson     *job,
      const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  job->error = g_error_new_valist (SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                                   format, args);
  va_end (args);
  return FALSE;
}

/* Whether the table at @index becomes a JSON array: it carries the array
 * marker (it came from one) or its keys are exactly 1..n, n > 0. */
static gboolean
is_array (lua_State *L,
          ToJson    *job,
          int        index,
          gboolean  *is_array_out)
{
  size_t n = lua_rawlen (L, index);
  size_t count = 0;
  gboolean marked = FALSE;

  if (lua_getmetatable (L, index))
    {
      sluice_lua_push_array_marker (L);
      marked = lua_rawequal (L, -1, -2);
      lua_pop (L, 2);
    }

  if (n == 0 && !marked)
    {
      *is_array_out = FALSE;
      return TRUE;
    }

  lua_pushnil (L);
  while (lua_next (L, index) != 0)
    {
      lua_pop (L, 1);
      count++;
    }

  if (marked && count != n)
    return fail (job, "an array has keys other than 1 to %" G_GSIZE_FORMAT, n);

  *is_array_out = count == n;
  return TRUE;
}

gboolean
sluice_lua_is_json_array (lua_State *L,
                          int        index)
{
  size_t n = lua_rawlen (L, index);
  size_t count = 0;
  gboolean marked = FALSE;

  index = lua_absindex (L, index);
  if (lua_getmetatable (L, index))
    {
      lua_rawgetp (L, LUA_REGISTRYINDEX, &array_mt_key);
      marked = lua_rawequal (L, -1, -2);
      lua_pop (L, 2);
    }
  if (n == 0)
    return marked;

  lua_pushnil (L);
  while (lua_next (L, index) != 0)
    {
      lua_pop (L, 1);
      count++;
    }
  return marked || count == n;
}

/* Attaches @value where it belongs before it is filled, so that whatever
 * is made is reachable from job->root if a memory error unwinds. */
static gboolean
attach (ToJson     *job,
        json_t     *parent,
        const char *key,
        size_t      key_len,
        json_t     *value)
{
  if (value == NULL)
    return fail (job, "out of memory");
  if (parent == NULL)
    job->root = value;
  else if (key == NULL)
    {
      if (json_array_append_new (parent, value) != 0)
        return fail (job, "out of memory");
    }
  else if (memchr (key, '\0', key_len) != NULL)
    {
      /* One policy for NUL (sluice-json.h): a line cannot bring such a
       * key in, so none goes out, where it could not be read back. */
      json_decref (value);
      return fail (job, "item has a key with a NUL byte (JSON lines cannot hold one)");
    }
  else if (json_object_setn_new (parent, key, key_len, value) != 0)
    return fail (job, g_utf8_validate_len (key, key_len, NULL)
                      ? "out of memory" : "item has a key that is not valid UTF-8");
  return TRUE;
}

static gboolean
convert (lua_State  *L,
         ToJson     *job,
         int         index,
         guint       depth,
         json_t     *parent,
         const char *key,
         size_t      key_len)
{
  json_t *container;
  gboolean array = FALSE;

  job->cost += VALUE_COST;
  if (job->cost > job->budget)
    return fail (job, "item is too large to write as JSON (a table shared many times over?)");

  switch (lua_type (L, index))
    {
    case LUA_TNIL:
      return attach (job, parent, key, key_len, json_null ());

    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata (L, index) == NULL)
        return attach (job, parent, key, key_len, json_null ());
      if (sluice_lua_is_push_failure (L, index))
        {
          SluiceLuaRuntime *rt = sluice_lua_runtime_from_state (L);

          return fail (job, "%s", rt != NULL && rt->push_error != NULL
                                  ? rt->push_error : "the item could not be passed to Lua");
        }
      break;

    case LUA_TBOOLEAN:
      return attach (job, parent, key, key_len, json_boolean (lua_toboolean (L, index)));

    case LUA_TNUMBER:
      if (lua_isinteger (L, index))
        return attach (job, parent, key, key_len, json_integer (lua_tointeger (L, index)));
      else
        {
          double d = lua_tonumber (L, index);

          if (!isfinite (d))
            return fail (job, "item holds a number JSON cannot represent (%g)", d);
          return attach (job, parent, key, key_len, json_real (d));
        }

    case LUA_TSTRING:
      {
        size_t len;
        const char *s = lua_tolstring (L, index, &len);
        json_t *str;

        job->cost += len;
        if (job->cost > job->budget)
          return fail (job, "item is too large to write as JSON (a string shared many times over?)");
        /* Lua strings are bytes; JSON strings must be UTF-8. */
        str = json_stringn (s, len);
        if (str == NULL)
          return fail (job, "item holds a string that is not valid UTF-8");
        return attach (job, parent, key, key_len, str);
      }

    case LUA_TTABLE:
      if (depth > SLUICE_JSON_MAX_DEPTH)
        {
          /* A table that contains itself always ends here. */
          const void *p = lua_topointer (L, index);

          for (guint i = 0; i < SLUICE_JSON_MAX_DEPTH; i++)
            if (job->path[i] == p)
              return fail (job, "item contains itself (a table inside itself cannot be written as JSON)");
          return fail (job, "item is nested deeper than %d levels", SLUICE_JSON_MAX_DEPTH);
        }
      job->path[depth - 1] = lua_topointer (L, index);

      /* The key, the value and a copy of the key, plus is_array's two. */
      if (!lua_checkstack (L, 4))
        return fail (job, "item is nested too deeply for the Lua stack");
      if (!is_array (L, job, index, &array))
        return FALSE;

      if (depth == 1 && !job->any && array)
        return fail (job, "item is an array (its keys are 1 to %u), not a JSON object",
                     (guint) lua_rawlen (L, index));

      container = array ? json_array () : json_object ();
      if (!attach (job, parent, key, key_len, container))
        return FALSE;

      if (array)
        {
          size_t n = lua_rawlen (L, index);

          for (size_t i = 1; i <= n; i++)
            {
              gboolean ok;

              lua_rawgeti (L, index, i);
              ok = convert (L, job, lua_gettop (L), depth + 1, container, NULL, 0);
              lua_pop (L, 1);
              if (!ok)
                return FALSE;
            }
          return TRUE;
        }

      lua_pushnil (L);
      while (lua_next (L, index) != 0)
        {
          const char *k;
          size_t k_len;
          int type = lua_type (L, -2);
          gboolean ok;

          if (type == LUA_TSTRING)
            {
              k = lua_tolstring (L, -2, &k_len);
              ok = convert (L, job, lua_gettop (L), depth + 1, container, k, k_len);
              lua_pop (L, 1);
            }
          else if (type == LUA_TNUMBER)
            {
              /* On a copy: lua_tolstring would change the key in place
               * and break lua_next. */
              lua_pushvalue (L, -2);
              k = lua_tolstring (L, -1, &k_len);
              ok = convert (L, job, lua_gettop (L) - 1, depth + 1, container, k, k_len);
              lua_pop (L, 2);
            }
          else
            {
              lua_pop (L, 2);
              return fail (job, "item has a key that is a %s: JSON keys are strings",
                           lua_typename (L, type));
            }
          if (!ok)
            {
              lua_pop (L, 1);
              return FALSE;
            }
        }
      return TRUE;

    default:
      break;
    }

  return fail (job, "item holds a %s, which JSON cannot represent", luaL_typename (L, index));
}

static int
to_json_protected_cb (lua_State *L)
{
  ToJson *job = lua_touserdata (L, 1);

  if (!job->any && !lua_istable (L, job->index) &&
      !sluice_lua_is_push_failure (L, job->index))
    {
      fail (job, "item is a %s, not a table", luaL_typename (L, job->index));
      return 0;
    }

  convert (L, job, job->index, 1, NULL, NULL, 0);
  return 0;
}

static json_t *
to_json (lua_State  *L,
         int         index,
         gboolean    any,
         GError    **error)
{
  /* On the stack, and not zeroed: path[] is written before it is read. */
  ToJson job_storage;
  ToJson *job = &job_storage;
  int status;

  job->root = NULL;
  job->cost = 0;
  job->error = NULL;
  /* A protected call sees only its arguments: the value is the second. */
  job->index = 2;
  job->any = any;
  job->budget = BASE_BUDGET + 4 * (gsize) lua_gc (L, LUA_GCCOUNT, 0) * 1024;

  index = lua_absindex (L, index);
  lua_pushcfunction (L, to_json_protected_cb);
  lua_pushlightuserdata (L, job);
  lua_pushvalue (L, index);
  status = lua_pcall (L, 2, 0, 0);
  if (status != LUA_OK)
    {
      g_autofree char *text = error_text (L, status);

      lua_pop (L, 1);
      g_clear_error (&job->error);
      job->error = g_error_new (SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_LUA,
                                "cannot write the item as JSON: %s", text);
    }

  if (job->error != NULL)
    {
      g_clear_pointer (&job->root, json_decref);
      g_propagate_error (error, job->error);
      return NULL;
    }

  return job->root;
}

json_t *
sluice_lua_to_json (lua_State  *L,
                    int         index,
                    GError    **error)
{
  g_return_val_if_fail (L != NULL, NULL);

  return to_json (L, index, FALSE, error);
}

json_t *
sluice_lua_value_to_json (lua_State  *L,
                          int         index,
                          GError    **error)
{
  g_return_val_if_fail (L != NULL, NULL);

  return to_json (L, index, TRUE, error);
}
