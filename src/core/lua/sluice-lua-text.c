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
  int        marker;   /* stack index of the array metatable (or nil); 0 until fetched */
  int        marker_slot; /* where it goes once fetched */
  gsize      cost;
  gsize      budget;
} Writer;

/* What a member's value is. Scalars are read while the table is
 * walked (their strings stay alive in the table), so that only a
 * table's value needs a stack slot of its own. */
typedef enum
{
  MEMBER_TABLE,
  MEMBER_STRING,
  MEMBER_INTEGER,
  MEMBER_REAL,
  MEMBER_TRUE,
  MEMBER_FALSE,
  MEMBER_NULL,
} MemberKind;

typedef struct
{
  const char *key;
  size_t      length;
  MemberKind  kind;
  union
  {
    int         slot;      /* TABLE: stack index of its value */
    struct
    {
      const char *s;
      size_t      length;
    }           string;
    lua_Integer integer;
    double      real;
  } value;
} Member;

static gboolean write_value (Writer *w,
                             int     index,
                             guint   depth);
static gboolean write_table (Writer *w,
                             int     index,
                             guint   depth);

static inline int
compare_members (const Member *ma,
                 const Member *mb)
{
  size_t common = MIN (ma->length, mb->length);
  int cmp;

  /* Most keys differ in their first byte. */
  if (common > 0 && ma->key[0] != mb->key[0])
    return (unsigned char) ma->key[0] < (unsigned char) mb->key[0] ? -1 : 1;
  cmp = memcmp (ma->key, mb->key, common);
  if (cmp != 0)
    return cmp;
  return ma->length < mb->length ? -1 : ma->length > mb->length;
}

static int
compare_members_cb (const void *a,
                    const void *b)
{
  return compare_members (a, b);
}

static void
sort_members (Member *members,
              guint   n)
{
  if (n > 8)
    {
      qsort (members, n, sizeof (Member), compare_members_cb);
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

/* A key as the ordinary way writes it, or FALSE where it gives up or
 * fails (not UTF-8, or a NUL byte, which no JSON line read back can
 * hold). One pass for the usual key: printable ASCII, nothing to
 * escape. */
static gboolean
write_key (GString    *out,
           const char *key,
           size_t      length)
{
  for (size_t i = 0; i < length; i++)
    {
      unsigned char c = key[i];

      if (G_UNLIKELY (c < 0x20 || c == '"' || c == '\\' || c >= 0x80))
        {
          if (!text_is_plain (key, length) || memchr (key, '\0', length) != NULL)
            return FALSE;
          sluice_json_append_string (out, key, length);
          return TRUE;
        }
    }
  sluice_json_append_plain_string (out, key, length);
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

/* Reads the scalar at @index into @m (its string stays alive in the
 * table it came from), charging it; FALSE for what the ordinary way must
 * decide. A table is left to the caller. */
static gboolean
read_scalar (Writer *w,
             int     index,
             int     type,
             Member *m)
{
  lua_State *L = w->L;

  if (!charge (w, VALUE_COST))
    return FALSE;

  switch (type)
    {
    case LUA_TSTRING:
      m->kind = MEMBER_STRING;
      m->value.string.s = lua_tolstring (L, index, &m->value.string.length);
      return charge (w, m->value.string.length) &&
             text_is_plain (m->value.string.s, m->value.string.length);

    case LUA_TNUMBER:
      if (lua_isinteger (L, index))
        {
          m->kind = MEMBER_INTEGER;
          m->value.integer = lua_tointeger (L, index);
          return TRUE;
        }
      m->kind = MEMBER_REAL;
      m->value.real = lua_tonumber (L, index);
      return isfinite (m->value.real);

    case LUA_TBOOLEAN:
      m->kind = lua_toboolean (L, index) ? MEMBER_TRUE : MEMBER_FALSE;
      return TRUE;

    case LUA_TLIGHTUSERDATA:
      /* JSON null; any other light userdata (a failed push) is not ours. */
      m->kind = MEMBER_NULL;
      return lua_touserdata (L, index) == NULL;

    default:
      return FALSE;
    }
}

static void
write_scalar (GString      *out,
              const Member *m)
{
  switch (m->kind)
    {
    case MEMBER_STRING:
      sluice_json_append_string (out, m->value.string.s, m->value.string.length);
      break;
    case MEMBER_INTEGER:
      sluice_json_append_integer (out, m->value.integer);
      break;
    case MEMBER_REAL:
      {
        char buffer[SLUICE_JSON_REAL_BUF_SIZE];
        gsize length = sluice_json_format_real (m->value.real, buffer);

        sluice_json_append_raw (out, buffer, length);
      }
      break;
    case MEMBER_TRUE:
      sluice_json_append_raw (out, "true", 4);
      break;
    case MEMBER_FALSE:
      sluice_json_append_raw (out, "false", 5);
      break;
    case MEMBER_NULL:
      sluice_json_append_raw (out, "null", 4);
      break;
    case MEMBER_TABLE:
    default:
      g_assert_not_reached ();
    }
}

/* Scalars are read as the table is walked and popped; a member whose
 * value is a table keeps it on the stack (with a copy of its key for
 * lua_next) until it is written. Keys point into the table's own
 * strings. */
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
      /* [… key value] */
      int type;

      if (lua_type (L, -2) != LUA_TSTRING)
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
      type = lua_type (L, -1);
      if (type == LUA_TTABLE)
        {
          if (!charge (w, VALUE_COST) || !lua_checkstack (L, 4))
            {
              ok = FALSE;
              break;
            }
          members[n++].kind = MEMBER_TABLE;
          members[n - 1].value.slot = lua_gettop (L);
          /* The pair stays; a copy of the key goes on with lua_next. */
          lua_pushvalue (L, -2);  /* [… key value key] */
          continue;
        }
      if (!read_scalar (w, -1, type, &members[n++]))
        {
          ok = FALSE;
          break;
        }
      lua_pop (L, 1);  /* [… key] */
    }

  if (ok)
    {
      sort_members (members, n);
      sluice_json_append_byte (w->out, '{');
      for (guint i = 0; i < n && ok; i++)
        {
          if (i > 0)
            sluice_json_append_byte (w->out, ',');
          if (!write_key (w->out, members[i].key, members[i].length))
            {
              ok = FALSE;
              break;
            }
          sluice_json_append_byte (w->out, ':');
          if (members[i].kind == MEMBER_TABLE)
            ok = write_table (w, members[i].value.slot, depth + 1);
          else
            write_scalar (w->out, &members[i]);
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
      /* The marker is fetched for the first table that has a metatable
       * only: most items have none (a registry look-up an item). */
      if (w->marker == 0)
        {
          lua_rawgetp (L, LUA_REGISTRYINDEX, sluice_lua_array_marker_key ());
          lua_replace (L, w->marker_slot);
          w->marker = w->marker_slot;
        }
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
  int type = lua_type (w->L, index);
  Member m;

  if (type == LUA_TTABLE)
    return charge (w, VALUE_COST) && write_table (w, index, depth);
  if (!read_scalar (w, index, type, &m))
    return FALSE;
  write_scalar (w->out, &m);
  return TRUE;
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
  lua_pushnil (L);
  w.marker_slot = lua_gettop (L);
  w.marker = 0;

  ok = write_value (&w, index, 1);
  lua_settop (L, top);
  if (!ok)
    g_string_truncate (out, initial_length);
  return ok;
}
