/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <lauxlib.h>
#include <string.h>

#include "sluice-lua-private.h"

/* Straight chunks: a chunk whose own code has no loop (no backward jump,
 * no for), defines no function and calls none ends after at most as many
 * instructions as it has. It needs no count hook while it runs, and the
 * count hook costs every instruction a call into the debug machinery
 * (a third of the time of a chunk like `item.value = item.value + 1`).
 * Whatever such a chunk could still reach that runs Lua code (a
 * metamethod, a function an earlier chunk stored in the item) is a call,
 * which the call hook sees and turns the count hook back on for; C
 * functions of the sandbox bound their own work.
 *
 * The test reads the chunk's bytecode (lua_dump) and knows Lua 5.4's
 * opcodes; a self-test on known chunks at first use turns it off for any
 * Lua whose bytecode it does not recognise. */

/* Lua 5.4's opcodes (lopcodes.h) that make a chunk not straight. */
enum
{
  OP_SETUPVAL = 10,
  OP_SETTABLE = 16,    /* t[k] = v, k in a register: maybe an integer */
  OP_SETI = 17,        /* t[i] = v, i an integer constant */
  OP_JMP = 56,
  OP_CALL = 68,
  OP_TAILCALL = 69,
  OP_FORLOOP = 73,
  OP_FORPREP = 74,
  OP_TFORPREP = 75,
  OP_TFORCALL = 76,
  OP_TFORLOOP = 77,
  OP_CLOSURE = 79,
  OP_TBC = 55,         /* to-be-closed: runs __close */
  NUM_OPCODES = 83,
};
#define OFFSET_SJ ((1 << 24) - 1)

static int
dump_writer_cb (lua_State  *L,
                const void *p,
                size_t      sz,
                void       *ud)
{
  g_byte_array_append (ud, p, sz);
  return 0;
}

/* Lua's dumped sizes: 7 bits a byte, most significant first, the last
 * byte marked with 0x80. */
static gboolean
read_size (const guint8 **p,
           const guint8  *end,
           gsize         *size)
{
  gsize x = 0;

  while (*p < end)
    {
      guint8 b = *(*p)++;

      if (x > G_MAXSIZE >> 7)
        return FALSE;
      x = (x << 7) | (b & 0x7f);
      if (b & 0x80)
        {
          *size = x;
          return TRUE;
        }
    }
  return FALSE;
}

typedef enum
{
  STRAIGHT,
  NOT_STRAIGHT,
  UNKNOWN,      /* bytecode not recognised */
} Shape;

/* @upvalue (1-based), or 0: the shape is NOT_STRAIGHT when the code may
 * set that upvalue (SETUPVAL to it, or a function of its own, which
 * might), whatever else it does. KEYS_ONLY: NOT_STRAIGHT when the code
 * may store under a key that is not a string constant (SETTABLE, SETI). */
#define KEYS_ONLY (-1)

static Shape
shape_of_dump (const guint8 *data,
               gsize         length,
               int           upvalue)
{
  static const guint8 header[] = { 0x1b, 'L', 'u', 'a', 0x54, 0,
                                   0x19, 0x93, '\r', '\n', 0x1a, '\n',
                                   4, 8, 8 };
  const guint8 *p = data, *end = data + length;
  gsize skip, n_code;

  /* Header, LUAC_INT and LUAC_NUM, the main closure's upvalue count. */
  if (length < sizeof header + 8 + 8 + 1 || memcmp (data, header, sizeof header) != 0)
    return UNKNOWN;
  p += sizeof header + 8 + 8 + 1;
  /* Source (stripped: none), first and last line, three bytes. */
  if (!read_size (&p, end, &skip) || (skip > 0 && (gsize) (end - p) < skip - 1))
    return UNKNOWN;
  if (skip > 0)
    p += skip - 1;
  if (!read_size (&p, end, &skip) || !read_size (&p, end, &skip) || end - p < 3)
    return UNKNOWN;
  p += 3;
  if (!read_size (&p, end, &n_code) || n_code > (gsize) (end - p) / 4)
    return UNKNOWN;

  for (gsize i = 0; i < n_code; i++, p += 4)
    {
      guint32 ins;
      guint op;

      memcpy (&ins, p, 4);
      op = ins & 0x7f;
      if (op >= NUM_OPCODES)
        return UNKNOWN;
      if (upvalue == KEYS_ONLY)
        {
          if (op == OP_SETTABLE || op == OP_SETI)
            return NOT_STRAIGHT;
          continue;
        }
      if (upvalue > 0)
        {
          /* iABC: B is bits 16 to 23, the upvalue's index from 0. */
          if ((op == OP_SETUPVAL && (int) ((ins >> 16) & 0xff) == upvalue - 1) || op == OP_CLOSURE)
            return NOT_STRAIGHT;
          continue;
        }
      switch (op)
        {
        case OP_JMP:
          if ((gint32) (ins >> 7) - OFFSET_SJ < 0)
            return NOT_STRAIGHT;
          break;
        case OP_CALL: case OP_TAILCALL: case OP_FORLOOP: case OP_FORPREP:
        case OP_TFORPREP: case OP_TFORCALL: case OP_TFORLOOP: case OP_CLOSURE:
        case OP_TBC:
          return NOT_STRAIGHT;
        default:
          break;
        }
    }
  return STRAIGHT;
}

/* The shape of the function on top of the stack (with @upvalue, see
 * shape_of_dump()). Never raises. */
static Shape
shape_of_top (lua_State *L,
              int        upvalue)
{
  g_autoptr(GByteArray) dump = g_byte_array_new ();

  if (lua_dump (L, dump_writer_cb, dump, 1) != 0)
    return UNKNOWN;
  return shape_of_dump (dump->data, dump->len, upvalue);
}

static Shape
shape_of_code (lua_State  *L,
               const char *code)
{
  Shape shape;

  if (luaL_loadstring (L, code) != LUA_OK)
    return UNKNOWN;
  shape = shape_of_top (L, 0);
  lua_pop (L, 1);
  return shape;
}

static Shape
keys_of_code (lua_State  *L,
              const char *code)
{
  Shape shape;

  if (luaL_loadstring (L, code) != LUA_OK)
    return UNKNOWN;
  shape = shape_of_top (L, KEYS_ONLY);
  lua_pop (L, 1);
  return shape;
}

/* Whether the function that @code returns may set its first upvalue. */
static Shape
sets_of_code (lua_State  *L,
              const char *code)
{
  Shape shape;

  if (luaL_loadstring (L, code) != LUA_OK || lua_pcall (L, 0, 1, 0) != LUA_OK ||
      !lua_isfunction (L, -1) || g_strcmp0 (lua_getupvalue (L, -1, 1), "item") != 0)
    return UNKNOWN;
  lua_pop (L, 1);
  shape = shape_of_top (L, 1);
  lua_pop (L, 1);
  return shape;
}

/* Whether this Lua's bytecode is what the test expects: each kind of
 * chunk it must tell apart is told apart. */
static gboolean
self_test (void)
{
  lua_State *L = luaL_newstate ();
  gboolean ok;

  if (L == NULL)
    return FALSE;
  ok = shape_of_code (L, "item.value = item.value + 1") == STRAIGHT &&
       keys_of_code (L, "item.value = item.value + 1 item.s = 'x' x = item") == STRAIGHT &&
       keys_of_code (L, "item[1] = 2") == NOT_STRAIGHT &&
       keys_of_code (L, "item[item.k] = 2") == NOT_STRAIGHT &&
       keys_of_code (L, "item.sub[3] = 2") == NOT_STRAIGHT &&
       shape_of_code (L, "if item.a then item.b = 1 else return false end") == STRAIGHT &&
       shape_of_code (L, "local s = 0 for i = 1, 3 do s = s + i end") == NOT_STRAIGHT &&
       shape_of_code (L, "for k in next, item do end") == NOT_STRAIGHT &&
       shape_of_code (L, "while item.x do end") == NOT_STRAIGHT &&
       shape_of_code (L, "::again:: if item.x then goto again end") == NOT_STRAIGHT &&
       shape_of_code (L, "repeat until item.x") == NOT_STRAIGHT &&
       shape_of_code (L, "item.f = function () end") == NOT_STRAIGHT &&
       shape_of_code (L, "item.n = #tostring (item)") == NOT_STRAIGHT &&
       shape_of_code (L, "return item.f ()") == NOT_STRAIGHT &&
       shape_of_code (L, "local x <close> = item") == NOT_STRAIGHT &&
       sets_of_code (L, "local item return function () item.a = item.b end") == STRAIGHT &&
       sets_of_code (L, "local item return function () item = {} end") == NOT_STRAIGHT &&
       sets_of_code (L, "local item return function () item.f = function () item = 1 end end") == NOT_STRAIGHT;
  lua_close (L);
  return ok;
}

static gboolean
bytecode_usable (void)
{
  static gsize tested = 0;
  static gboolean usable = FALSE;

  if (g_once_init_enter (&tested))
    {
      usable = self_test ();
      if (!usable)
        g_debug ("Lua bytecode not recognised: every chunk runs with the count hook");
      g_once_init_leave (&tested, 1);
    }
  return usable;
}

gboolean
sluice_lua_is_straight (lua_State *L)
{
  return bytecode_usable () && shape_of_top (L, 0) == STRAIGHT;
}

gboolean
sluice_lua_may_set_upvalue (lua_State *L,
                            int        upvalue)
{
  if (upvalue == 0)
    return FALSE;
  return !bytecode_usable () || shape_of_top (L, upvalue) != STRAIGHT;
}

gboolean
sluice_lua_sets_string_keys_only (lua_State *L)
{
  return bytecode_usable () && shape_of_top (L, KEYS_ONLY) == STRAIGHT;
}
