/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-json.h"
#include "sluice-line-sink.h"
#include "test-executor-common.h"

/* Items written as text straight from Lua (sluice-lua-text.c) must be
 * the bytes the ordinary way writes (Lua → jansson → sluice_json_write),
 * and whatever the ordinary way refuses must be left to it (FALSE, the
 * buffer as it was), so that its error message is the one users see. */

static const size_t FLAGS = JSON_COMPACT | JSON_SORT_KEYS;

/* The two ways on the value at the top of @L; returns whether the text
 * way wrote it. */
static gboolean
compare_ways (lua_State *L)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) fast = g_string_new ("prefix");
  g_autoptr(GString) slow = g_string_new ("prefix");
  int top = lua_gettop (L);
  json_t *json = sluice_lua_to_json (L, -1, &error);
  gboolean written = sluice_lua_write_item_text (L, -1, fast);

  g_assert_cmpint (lua_gettop (L), ==, top);
  if (json == NULL)
    {
      g_assert_false (written);
      g_assert_cmpstr (fast->str, ==, "prefix");
      return FALSE;
    }
  g_assert_true (sluice_json_write (slow, json, FLAGS, NULL));
  json_decref (json);
  if (!written)
    {
      g_assert_cmpstr (fast->str, ==, "prefix");
      return FALSE;
    }
  g_assert_cmpuint (fast->len, ==, slow->len);
  g_assert_cmpmem (fast->str, fast->len, slow->str, slow->len);
  return TRUE;
}

/* Parses @line, pushes it into Lua as the executor does, compares. */
static gboolean
compare_line (lua_State  *L,
              const char *line,
              gsize       length)
{
  g_autoptr(GError) error = NULL;
  json_t *item = sluice_json_parse_item (line, length, &error);
  gboolean written;

  g_assert_no_error (error);
  g_assert_true (sluice_lua_push_json_checked (L, item, NULL));
  json_decref (item);
  written = compare_ways (L);
  lua_pop (L, 1);
  return written;
}

static void
test_same_bytes (void)
{
  static const char * const lines[] = {
    "{}",
    "{\"id\": 1, \"value\": 2, \"tag\": \"a\"}",
    /* Numbers: shortest reals, integers kept apart from reals, the ends
     * of int64, subnormals, negative zero, exponents. */
    "{\"a\": 0.07, \"b\": 1.4, \"c\": 1e300, \"d\": -0.0, \"e\": 5e-324, \"f\": 1.0, \"g\": 1e22,"
    " \"h\": 9223372036854775807, \"i\": -9223372036854775808, \"j\": 0.1, \"k\": 123456789012345.6,"
    " \"l\": 2.2250738585072014e-308, \"m\": 1.7976931348623157e308, \"n\": -1e-7, \"o\": 0}",
    /* Strings: escapes, control characters, NUL, UTF-8 of every length,
     * U+2028, a key with NUL and one with non-ASCII bytes. */
    "{\"s\": \"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\", \"n\": \"x\\u0000y\","
    " \"u\": \"é€😀\\u2028\", \"ключ\": \"значение\"}",
    /* Containers: empty and nested arrays and objects, arrays of objects. */
    "{\"a\": [], \"b\": [[], [1, [2, [3]]]], \"c\": {\"d\": {}}, \"e\": [{\"z\": 1, \"a\": 2}, null, true, false]}",
    /* Keys sorted byte-wise, a prefix before its extension. */
    "{\"b\": 1, \"a\": 2, \"ab\": 3, \"B\": 4, \"\": 5, \"a\\u007f\": 6}",
  };
  lua_State *L = luaL_newstate ();

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_true (compare_line (L, lines[i], strlen (lines[i])));

  /* An object of 100 keys (sorted on the heap) and one of 40 000. */
  for (guint n = 100; n <= 40000; n *= 400)
    {
      g_autoptr(GString) line = g_string_new ("{");

      for (guint k = 0; k < n; k++)
        g_string_append_printf (line, "%s\"k%u\": %u", k > 0 ? ", " : "", (k * 7919) % n, k);
      g_string_append_c (line, '}');
      g_assert_true (compare_line (L, line->str, line->len));
    }

  /* A huge string (8 MiB, with escapes), and nesting at the limit. */
  {
    g_autoptr(GString) line = g_string_new ("{\"big\": \"");

    for (guint k = 0; k < 1024 * 1024; k++)
      g_string_append (line, k % 64 == 0 ? "\\n\\\"é" : "abcdefgh");
    g_string_append (line, "\"}");
    g_assert_true (compare_line (L, line->str, line->len));
  }
  {
    g_autoptr(GString) line = g_string_new ("{\"a\":");

    for (guint k = 1; k < SLUICE_JSON_MAX_DEPTH; k++)
      g_string_append_c (line, '[');
    for (guint k = 1; k < SLUICE_JSON_MAX_DEPTH; k++)
      g_string_append_c (line, ']');
    g_string_append_c (line, '}');
    g_assert_true (compare_line (L, line->str, line->len));
  }
  lua_close (L);
}

/* Tables only Lua makes: the text way writes what it can exactly as the
 * ordinary way, and leaves to it the rest, errors above all. */
static void
test_lua_values (void)
{
  static const struct
  {
    const char *code;   /* returns the item */
    gboolean    written;
  } cases[] = {
    { "return { x = 1.5, y = 2.0, z = -0.0, w = 2^53, v = math.mininteger }", TRUE },
    { "return { s = 'a\\0b', t = 'tab\\tnew\\nline' }", TRUE },
    { "return { list = { 1, 'two', { three = 3 } }, empty = {} }", TRUE },
    { "return { n = json_null }", TRUE },
    /* Scalars and tables mixed in one object, past the members kept on
     * the C stack, with every kind of scalar. */
    { "local t = {} for i = 1, 70 do t['k' .. i] = (i % 7 == 0) and { i, { x = i } } or (i % 7 == 1) and i * 0.5 or "
      "(i % 7 == 2) and 'v' .. i or (i % 7 == 3) and (i % 2 == 0) or (i % 7 == 4) and json_null or "
      "(i % 7 == 5) and {} or i end return t", TRUE },
    { "return { b = true, c = false, a = { d = { e = false, f = json_null, g = 'é' } } }", TRUE },
    /* A metatable other than the arrays' marker: an object as before. */
    { "return setmetatable ({ a = 1, b = { c = 2 } }, {})", TRUE },
    { "return { a = setmetatable ({ 1, 2 }, {}) }", TRUE },
    /* A key that must be left after tables and scalars were read. */
    { "return { a = { 1 }, b = 'x', c = 2.5, ['z\\255'] = 1 }", FALSE },
    { "local t = {} for i = 1, 40 do t['k' .. i] = { i } end t['\\255'] = 1 return t", FALSE },
    { "return { a = { b = { ['\\0'] = true } }, c = 1 }", FALSE },
    { "return { a = 1, b = { c = 0/0 } }", FALSE },
    /* NUL in a key: a JSON line cannot bring one in (sluice-json.h), so
     * neither way lets one out, where it could not be read back. */
    { "return { ['k\\0ey'] = 1, ['a\\0'] = 2, a = 3 }", FALSE },
    { "return { inner = { ['\\0'] = 1 } }", FALSE },
    /* Refused by the ordinary way: the text way must leave them. */
    { "local t = {} t.self = t return t", FALSE },
    { "return { x = 0/0 }", FALSE },
    { "return { x = math.huge }", FALSE },
    { "return { x = -math.huge }", FALSE },
    { "return { f = print }", FALSE },
    { "return { 1, 2, 3 }", FALSE },
    { "return { s = '\\255' }", FALSE },
    { "return { s = 'caf\\xc3' }", FALSE },
    { "return { ['\\255'] = 1 }", FALSE },
    { "return { s = '\\xed\\xa0\\x80' }", FALSE },                        /* a surrogate */
    { "return { s = '\\xc0\\xaf' }", FALSE },                              /* overlong */
    { "local t = {} local c = t for i = 1, 600 do c.c = {} c = c.c end return t", FALSE },
    { "return { [true] = 1 }", FALSE },
    { "return { co = coroutine.create (print) }", FALSE },
    /* Taken by the ordinary way, left to it by the text way. */
    { "return { [1] = 'a', x = 'b' }", FALSE },
    { "return { [1.5] = 'a' }", FALSE },
    { "return { s = 'x\\0\\xc3\\xa9' }", FALSE },
  };
  lua_State *L = luaL_newstate ();

  luaL_openlibs (L);
  lua_pushlightuserdata (L, NULL);
  lua_setglobal (L, "json_null");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].code);
      g_assert_cmpint (luaL_dostring (L, cases[i].code), ==, LUA_OK);
      g_assert_cmpint (compare_ways (L), ==, cases[i].written);
      lua_pop (L, 1);
    }

  /* An array made from JSON keeps its marker: given a key other than
   * 1..n it is refused by both; emptied, it stays an array. */
  {
    json_t *item = json_pack ("{s:[i,i]}", "list", 1, 2);

    g_assert_true (sluice_lua_push_json_checked (L, item, NULL));
    lua_getfield (L, -1, "list");
    lua_pushinteger (L, 7);
    lua_setfield (L, -2, "extra");
    lua_pop (L, 1);
    g_assert_false (compare_ways (L));
    lua_getfield (L, -1, "list");
    lua_pushnil (L);
    lua_setfield (L, -2, "extra");
    lua_pushnil (L);
    lua_rawseti (L, -2, 2);
    lua_pushnil (L);
    lua_rawseti (L, -2, 1);
    lua_pop (L, 1);
    g_assert_true (compare_ways (L));
    lua_pop (L, 1);
    json_decref (item);
  }
  /* Not a table at all. */
  lua_pushstring (L, "text");
  g_assert_false (compare_ways (L));
  lua_pop (L, 1);
  lua_close (L);
}

/* A run of varied items through Lua, written by a line sink: not-parallel
 * takes the text way, order-by-sequence with the modules in a
 * combination (whose outputs are jansson items) the ordinary one. The
 * files must be the same, byte for byte, with and without the sink's
 * thread. */
static char *
run_to_file (const char *mode,
             const char *input,
             gboolean    threaded)
{
  gboolean group = g_str_equal (mode, "order-by-sequence");
  g_autofree char *body = g_strdup_printf (
    "<controller id=\"c\" mode=\"%s\" workers=\"1\"><phase id=\"p\">%s"
    "<execution id=\"touch\"><lua>if item.n then item.n2 = item.n * 3 end "
    "item.half = (item.id or 0) / 2 item.s2 = (item.s or '') .. '\\0' .. 'é'</lua></execution>"
    "<execution id=\"keep\"><lua>item.kept = true</lua></execution>"
    "%s</phase></controller>", mode, group ? "<combination id=\"g\">" : "", group ? "</combination>" : "");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  SluiceLineSink *sink;
  TestRun *run;
  char *contents = NULL;
  int fd;

  fd = g_file_open_tmp ("sluice-lua-text-XXXXXX", &path, &error);
  g_assert_no_error (error);
  sink = sluice_line_sink_new (fd, TRUE);
  if (threaded)
    sluice_line_sink_set_threaded (sink);
  run = test_run_new (pipeline, input, NULL, FALSE);
  sluice_executor_set_sink (run->executor, SLUICE_ITEM_SINK (sink));
  g_object_unref (sink);
  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  test_run_free (run);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_unlink (path);
  return contents;
}

static void
test_run_same_file (void)
{
  g_autoptr(GString) input = g_string_new (NULL);

  for (guint i = 0; i < 3000; i++)
    {
      switch (i % 6)
        {
        case 0:
          g_string_append_printf (input, "{\"id\": %u, \"n\": 0.%u, \"s\": \"x\\u0000y\"}\n", i, i);
          break;
        case 1:
          g_string_append_printf (input, "{\"id\": %u, \"list\": [1, [], {}], \"s\": \"é€\"}\n", i);
          break;
        case 2:
          g_string_append_printf (input, "{\"id\": %u, \"n\": 9007199254740993, \"deep\": [[[[{\"a\": null}]]]]}\n", i);
          break;
        case 3:
          g_string_append_printf (input, "{\"id\": %u, \"n\": 1e300, \"s\": \"q\\\"\\\\\\n\"}\n", i);
          break;
        case 4:
          g_string_append_printf (input, "{\"id\": %u, \"\": \"\", \"z\": false, \"a\": -1.5e-7}\n", i);
          break;
        default:
          g_string_append_printf (input, "{\"id\": %u}\n", i);
          break;
        }
    }

  for (int threaded = 0; threaded <= 1; threaded++)
    {
      g_autofree char *text_way = run_to_file ("not-parallel", input->str, threaded);
      g_autofree char *json_way = run_to_file ("order-by-sequence", input->str, threaded);

      g_assert_cmpuint (strlen (text_way), >, 3000 * 20);
      g_assert_cmpstr (text_way, ==, json_way);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua-text/same-bytes", test_same_bytes);
  g_test_add_func ("/sluice/lua-text/lua-values", test_lua_values);
  g_test_add_func ("/sluice/lua-text/run-same-file", test_run_same_file);

  return g_test_run ();
}
