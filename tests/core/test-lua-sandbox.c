/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test-lua-common.h"

/* Isolation: what one chunk does to its globals or the standard library
 * reaches no other module and no other item; print() goes to the
 * runtime's owner; string patterns mean what they mean in Lua. */

#define ITEM "{\"id\": 1}"
#define ITEM_COMPACT "{\"id\":1}"

static void
check_pass (TestLua    *t,
            guint       slot,
            const char *input,
            const char *expected)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  SluiceLuaResult result = test_lua_run (t, slot, input, 1000, &out, &error);

  g_assert_no_error (error);
  g_assert_cmpint (result, ==, SLUICE_LUA_PASS);
  g_assert_cmpstr (out, ==, expected);
  free (out);
}

static void
check_error_on (TestLua    *t,
                guint       slot,
                const char *input,
                const char *expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (test_lua_run (t, slot, input, 1000, NULL, &error), ==, SLUICE_LUA_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
check_error (TestLua    *t,
             guint       slot,
             const char *expected)
{
  check_error_on (t, slot, ITEM, expected);
}

static void
test_globals_per_item (void)
{
  const char *chunks[] = {
    "count = (count or 0) + 1 item.count = count function helper () return 1 end",
    "item.seen = tostring(count) .. tostring(helper)",
    NULL
  };
  TestLua *t = test_lua_new (chunks);

  /* Each item starts afresh… */
  check_pass (t, 0, ITEM, "{\"count\":1,\"id\":1}");
  check_pass (t, 0, ITEM, "{\"count\":1,\"id\":1}");
  /* …and another module never sees them. */
  check_pass (t, 1, ITEM, "{\"id\":1,\"seen\":\"nilnil\"}");
  test_lua_free (t);
}

static void
test_stdlib_read_only (void)
{
  const char *chunks[] = {
    "string.upper = function () return 'pwned' end",
    "item.u = ('abc'):upper() .. string.upper('d')",
    "getmetatable('').__index.upper = nil",
    "math.floor = nil",
    "item.f = math.floor(2.5) item.n = 0 for k in pairs(string) do item.n = item.n + 1 end",
    "setmetatable(string, nil)",
    "table.insert = print",
    "getmetatable(_ENV).__index.string = {}",
    "_ENV.string = {upper = function () return 'local' end} item.u = string.upper('x')",
    NULL
  };
  TestLua *t = test_lua_new (chunks);

  check_error (t, 0, "read-only");
  check_pass (t, 1, ITEM, "{\"id\":1,\"u\":\"ABCD\"}");
  check_error (t, 2, "attempt to index a boolean value");
  check_error (t, 3, "read-only");
  check_pass (t, 4, ITEM, "{\"f\":2,\"id\":1,\"n\":17}");
  check_error (t, 5, "protected metatable");
  check_error (t, 6, "read-only");
  check_error (t, 7, "attempt to index a boolean value");
  /* A chunk may shadow a library in its own environment, for this item. */
  check_pass (t, 8, ITEM, "{\"id\":1,\"u\":\"local\"}");
  check_pass (t, 1, ITEM, "{\"id\":1,\"u\":\"ABCD\"}");
  test_lua_free (t);
}

static void
test_array_marker (void)
{
  const char *chunks[] = {
    "getmetatable(item.l).__index = function () return 'x' end",
    "item.m = tostring(getmetatable(item.l)) setmetatable(item.l, nil) item.n = #item.l",
    "item.first = item.l[1] item.missing = item.l[5] == nil",
    NULL
  };
  TestLua *t = test_lua_new (chunks);

  check_error_on (t, 0, "{\"l\":[]}", "attempt to index a boolean value");
  /* Without the marker an empty table is an object. */
  check_pass (t, 1, "{\"l\":[]}", "{\"l\":{},\"m\":\"false\",\"n\":0}");
  check_pass (t, 2, "{\"l\":[7]}", "{\"first\":7,\"l\":[7],\"missing\":true}");
  test_lua_free (t);
}

typedef struct
{
  GString *text;
  guint    calls;
} Printed;

static void
print_cb (const char *module_id,
          const char *text,
          gsize       length,
          gpointer    user_data)
{
  Printed *printed = user_data;

  printed->calls++;
  g_string_append_printf (printed->text, "%s:", module_id);
  g_string_append_len (printed->text, text, length);
  g_string_append_c (printed->text, '|');
}

static void
test_print (void)
{
  const char *chunks[] = {
    "print('a', 1, nil, 2.5, true) print()",
    "print(setmetatable({}, {__tostring = function () return 'T' end}))",
    NULL
  };
  TestLua *t = test_lua_new (chunks);
  Printed printed = { g_string_new (NULL), 0 };

  /* Without a callback nothing is printed anywhere, least of all on
   * standard output, which carries the items. */
  {
    g_autofree char *path = NULL;
    g_autofree char *contents = NULL;
    int fd = g_file_open_tmp ("sluice-print-XXXXXX", &path, NULL);
    int saved = dup (STDOUT_FILENO);

    g_assert_cmpint (fd, >=, 0);
    fflush (stdout);
    dup2 (fd, STDOUT_FILENO);
    check_pass (t, 0, ITEM, ITEM_COMPACT);
    fflush (stdout);
    dup2 (saved, STDOUT_FILENO);
    close (saved);
    close (fd);
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "");
    g_unlink (path);
  }

  sluice_lua_runtime_set_print_func (t->runtime, print_cb, &printed);
  check_pass (t, 0, ITEM, ITEM_COMPACT);
  check_pass (t, 1, ITEM, ITEM_COMPACT);
  g_assert_cmpuint (printed.calls, ==, 3);
  g_assert_cmpstr (printed.text->str, ==, "m0:a\t1\tnil\t2.5\ttrue|m0:|m1:T|");
  g_string_free (printed.text, TRUE);
  test_lua_free (t);
}

/* Each row: code setting item.r, expected item.r as JSON. */
static const char * const pattern_cases[][2] = {
  { "item.r = {string.find('hello world', 'o w')}", "[5,7]" },
  { "item.r = {string.find('hello', 'l+')}", "[3,4]" },
  { "item.r = {string.find('a.b', '.', 1, true)}", "[2,2]" },
  { "item.r = {string.find('abc', 'b', -1)}", "{}" },
  { "item.r = {string.find('abc', '', 10)}", "{}" },
  { "item.r = {string.find('abc', '', 4)}", "[4,3]" },
  { "item.r = {string.match('key = value', '(%w+)%s*=%s*(%w+)')}", "[\"key\",\"value\"]" },
  { "item.r = {string.match('hello', '()ll()')}", "[3,5]" },
  { "item.r = {string.match('  trim  ', '^%s*(.-)%s*$')}", "[\"trim\"]" },
  { "item.r = {string.match('x = \"a\" \"b\"', '([\"\\'])(.-)%1')}", "[\"\\\"\",\"a\"]" },
  { "item.r = {string.match('f(a(b)c)d', '%b()')}", "[\"(a(b)c)\"]" },
  { "item.r = {string.gsub('THE (quick) fox', '%f[%a]%a+', '<%0>')}", "[\"<THE> (<quick>) <fox>\",3]" },
  { "item.r = {string.gsub('hello world', '(%w+)', '%1 %1', 1)}", "[\"hello hello world\",1]" },
  { "item.r = {string.gsub('abc', '', '-')}", "[\"-a-b-c-\",4]" },
  { "item.r = {string.gsub('$name is $age', '%$(%w+)', {name = 'Ann', age = 7})}", "[\"Ann is 7\",2]" },
  { "item.r = {string.gsub('a b', '%w', function (c) return c:upper() end)}", "[\"A B\",2]" },
  { "item.r = {string.gsub('a,b', ',', '%%')}", "[\"a%b\",1]" },
  { "item.r = {string.gsub('abc', '^a', 'x')}", "[\"xbc\",1]" },
  { "item.r = {string.gsub('a\\0b', '%z', 'z')}", "[\"a\\u0000b\",0]" },
  { "item.r = {string.match('[x]', '[]x[]+')}", "[\"[x]\"]" },
  { "item.r = {string.match('a-b', '[%a-]+')}", "[\"a-b\"]" },
  { "item.r = {string.match('2024-01-05', '(%d+)-(%d+)-(%d+)')}", "[\"2024\",\"01\",\"05\"]" },
  { "item.r = {string.match('aaa', 'a-b')}", "{}" },
  { "item.r = {string.match('xyz', 'y?z')}", "[\"yz\"]" },
  { "item.r = {} for k, v in string.gmatch('a=1, b=2', '(%w+)=(%w+)') do item.r[#item.r + 1] = k .. v end", "[\"a1\",\"b2\"]" },
  { "item.r = {} for w in string.gmatch('one two three', '%a+', 5) do item.r[#item.r + 1] = w end", "[\"two\",\"three\"]" },
  { "item.r = {} for p in ('abc'):gmatch('()') do item.r[#item.r + 1] = p end", "[1,2,3,4]" },
  { "item.r = {pcall(string.find, 'a', '%')}", "[false,\"malformed pattern (ends with '%')\"]" },
  { "item.r = {pcall(string.find, 'a', '[a')}", "[false,\"malformed pattern (missing ']')\"]" },
  { "item.r = {pcall(string.find, 'a', '(()')}", "[false,\"unfinished capture\"]" },
  { "item.r = {pcall(string.find, 'a', '%1')}", "[false,\"invalid capture index %1\"]" },
  { "item.r = {pcall(string.gsub, 'a', 'a', '%2')}", "[false,\"invalid capture index %2\"]" },
  { "item.r = {pcall(string.rep)}", "[false,\"bad argument #1 to 'string.rep' (string expected, got no value)\"]" },
};

static void
test_patterns (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (pattern_cases); i++)
    {
      const char *chunks[] = { pattern_cases[i][0], NULL };
      g_autofree char *expected = g_strdup_printf ("{\"id\":1,\"r\":%s}", pattern_cases[i][1]);
      TestLua *t = test_lua_new (chunks);

      g_test_message ("%s", pattern_cases[i][0]);
      check_pass (t, 0, ITEM, expected);
      test_lua_free (t);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua/sandbox/globals-per-item", test_globals_per_item);
  g_test_add_func ("/sluice/lua/sandbox/stdlib-read-only", test_stdlib_read_only);
  g_test_add_func ("/sluice/lua/sandbox/array-marker", test_array_marker);
  g_test_add_func ("/sluice/lua/sandbox/print", test_print);
  g_test_add_func ("/sluice/lua/sandbox/patterns", test_patterns);

  return g_test_run ();
}
