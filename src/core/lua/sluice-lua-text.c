/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-lua-private.h"

/* Lua table → JSON text in one pass, for an item that leaves the run
 * right after Lua (sluice-run's output): what sluice_lua_to_json() and
 * sluice_json_write() do in two, without the jansson values in between
 * (about a third of the per-item cost of a Lua run was building them and
 * freeing them on the writer's thread). It gives up (FALSE) on anything
 * unusual, so that the ordinary way decides, with its messages; when it
 * writes, it writes the same bytes (fuzz-items compares both). */

/* The budget of sluice-lua-convert.c, counted the same way, so that an
 * item too large for it is never written here. */
#define VALUE_COST 16
#define BASE_BUDGET (16 * 1024 * 1024)
/* Members of an object sorted on the C stack; larger ones on the heap. */
#define INLINE_MEMBERS 32

typedef struct
{
  lua_State *L;
  GString   *out;
  int        marker;   /* stack index of the array metatable (or nil) */
  gsize      cost;
  gsize      budget;
} Writer;

typedef struct
{
  const char *key;
  size_t      length;
  int         value;   /* stack index of its value */
} Member;

static gboolean write_value (Writer *w,
                             int     index,
                             guint   depth);

static int
compare_members (const void *a,
                 const void *b)
{
  const Member *ma = a, *mb = b;
  int cmp = memcmp (ma->key, mb->key, MIN (ma->length, mb->length));

  if (cmp != 0)
    return cmp;
  return ma->length < mb->length ? -1 : ma->length > mb->length;
}

static void
sort_members (Member *members,
              guint   n)
{
  if (n > 8)
    {
      qsort (members, n, sizeof (Member), compare_members);
      return;
    }
  /* The usual item has a handful of keys: insertion sort. */
  for (guint i = 1; i < n; i++)
    {
      Member m = members[i];
      guint j = i;

      for (; j > 0 && compare_members (&members[j - 1], &m) > 0; j--)
        members[j] = members[j - 1];
      members[j] = m;
    }
}

/* Valid UTF-8 as jansson checks it (no overlong forms, no surrogates,
 * nothing past U+10FFFF). GLib also refuses NUL, which jansson keeps:
 * such a string is left to the ordinary way. */
static gboolean
text_is_plain (const char *s,
               size_t      length)
{
  for (size_t i = 0; i < length; i++)
    if ((unsigned char) s[i] >= 0x80)
      return g_utf8_validate_len (s, length, NULL);
  return TRUE;
}

static gboolean
charge (Writer *w,
        gsize   cost)
{
  w->cost += cost;
  return w->cost <= w->budget;
}

static gboolean
write_array (Writer *w,
             int     index,
             size_t  n,
             guint   depth)
{
  lua_State *L = w->L;

  sluice_json_append_byte (w->out, '[');
  for (size_t i = 1; i <= n; i++)
    {
      gboolean ok;

      if (i > 1)
        sluice_json_append_byte (w->out, ',');
      lua_rawgeti (L, index, (lua_Integer) i);
      ok = write_value (w, lua_gettop (L), depth + 1);
      lua_pop (L, 1);
      if (!ok)
        return FALSE;
    }
  sluice_json_append_byte (w->out, ']');
  return TRUE;
}

/* The members' values stay on the stack while the members are sorted
 * and written: keys point into the table's own strings. */
static gboolean
write_object (Writer *w,
              int     index,
              guint   depth)
{
  lua_State *L = w->L;
  Member inline_members[INLINE_MEMBERS];
  Member *members = inline_members;
  guint n = 0, size = INLINE_MEMBERS;
  int base = lua_gettop (L);
  gboolean ok = TRUE;

  lua_pushnil (L);
  while (lua_next (L, index) != 0)
    {
      /* [… pairs key value] */
      if (lua_type (L, -2) != LUA_TSTRING || !lua_checkstack (L, 4))
        {
          /* Numeric keys become text by lua_tolstring, which may
           * allocate: the ordinary way. */
          ok = FALSE;
          break;
        }
      if (n == size)
        {
          size *= 2;
          if (members == inline_members)
            members = g_memdup2 (inline_members, sizeof inline_members);
          members = g_renew (Member, members, size);
        }
      members[n].key = lua_tolstring (L, -2, &members[n].length);
      members[n].value = lua_gettop (L);
      n++;
      /* The pair stays; a copy of the key goes on with lua_next. */
      lua_pushvalue (L, -2);  /* [… pairs key value key] */
    }

  if (ok)
    {
      sort_members (members, n);
      sluice_json_append_byte (w->out, '{');
      for (guint i = 0; i < n && ok; i++)
        {
          if (i > 0)
            sluice_json_append_byte (w->out, ',');
          if (!text_is_plain (members[i].key, members[i].length) ||
              memchr (members[i].key, '\0', members[i].length) != NULL)
            {
              ok = FALSE;
              break;
            }
          sluice_json_append_string (w->out, members[i].key, members[i].length);
          sluice_json_append_byte (w->out, ':');
          ok = write_value (w, members[i].value, depth + 1);
        }
      sluice_json_append_byte (w->out, '}');
    }

  lua_settop (L, base);
  if (members != inline_members)
    g_free (members);
  return ok;
}

/* As is_array() in sluice-lua-convert.c: marked, or keys exactly 1..n. */
static gboolean
write_table (Writer *w,
             int     index,
             guint   depth)
{
  lua_State *L = w->L;
  size_t n;
  gboolean marked = FALSE;

  if (depth > SLUICE_JSON_MAX_DEPTH || !lua_checkstack (L, 4))
    return FALSE;

  n = lua_rawlen (L, index);
  if (lua_getmetatable (L, index))
    {
      marked = lua_rawequal (L, -1, w->marker);
      lua_pop (L, 1);
    }
  if (n > 0 || marked)
    {
      size_t count = 0;

      lua_pushnil (L);
      while (lua_next (L, index) != 0)
        {
          lua_pop (L, 1);
          count++;
        }
      if (count == n)
        return depth > 1 && write_array (w, index, n, depth);
      if (marked)
        return FALSE;
    }
  return write_object (w, index, depth);
}

static gboolean
write_value (Writer *w,
             int     index,
             guint   depth)
{
  lua_State *L = w->L;

  if (!charge (w, VALUE_COST))
    return FALSE;

  switch (lua_type (L, index))
    {
    case LUA_TTABLE:
      return write_table (w, index, depth);

    case LUA_TSTRING:
      {
        size_t length;
        const char *s = lua_tolstring (L, index, &length);

        if (!charge (w, length) || !text_is_plain (s, length))
          return FALSE;
        sluice_json_append_string (w->out, s, length);
        return TRUE;
      }

    case LUA_TNUMBER:
      if (lua_isinteger (L, index))
        sluice_json_append_integer (w->out, lua_tointeger (L, index));
      else
        {
          char buffer[SLUICE_JSON_REAL_BUF_SIZE];
          double d = lua_tonumber (L, index);
          gsize length;

          if (!isfinite (d))
            return FALSE;
          length = sluice_json_format_real (d, buffer);
          sluice_json_append_raw (w->out, buffer, length);
        }
      return TRUE;

    case LUA_TBOOLEAN:
      if (lua_toboolean (L, index))
        sluice_json_append_raw (w->out, "true", 4);
      else
        sluice_json_append_raw (w->out, "false", 5);
      return TRUE;

    case LUA_TLIGHTUSERDATA:
      /* JSON null; any other light userdata (a failed push) is not ours. */
      if (lua_touserdata (L, index) != NULL)
        return FALSE;
      sluice_json_append_raw (w->out, "null", 4);
      return TRUE;

    default:
      return FALSE;
    }
}

gboolean
sluice_lua_write_item_text (lua_State *L,
                            int        index,
                            GString   *out)
{
  Writer w;
  gsize initial_length;
  int top;
  gboolean ok;

  g_return_val_if_fail (L != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (lua_type (L, index) != LUA_TTABLE || !lua_checkstack (L, 8))
    return FALSE;

  top = lua_gettop (L);
  index = lua_absindex (L, index);
  initial_length = out->len;
  w.L = L;
  w.out = out;
  w.cost = 0;
  w.budget = BASE_BUDGET + 4 * (gsize) lua_gc (L, LUA_GCCOUNT, 0) * 1024;
  lua_rawgetp (L, LUA_REGISTRYINDEX, sluice_lua_array_marker_key ());
  w.marker = lua_gettop (L);

  ok = write_value (&w, index, 1);
  lua_settop (L, top);
  if (!ok)
    g_string_truncate (out, initial_length);
  return ok;
}
