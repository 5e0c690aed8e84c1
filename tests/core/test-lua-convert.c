/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "test-lua-common.h"

/* JSON ↔ Lua: cycles, depth, shared tables, items that stop being
 * objects, and values that go through unchanged. */

#define ITEM "{\"id\": 1}"

static char *
nested (guint depth)
{
  GString *s = g_string_new ("{\"a\":");

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

/* A jansson value @depth levels deep, made without the parser (which
 * refuses it), as a command or a future caller might hand one over. */
static json_t *
nested_value (guint depth)
{
  json_t *value = json_array ();

  for (guint i = 1; i < depth; i++)
    {
      json_t *outer = json_array ();

      json_array_append_new (outer, value);
      value = outer;
    }
  return value;
}

static void
check_to_json_error (const char *code,
                     const char *expected)
{
  const char *chunks[] = { code, NULL };
  g_autoptr(GError) error = NULL;
  TestLua *t = test_lua_new (chunks);
  gint64 start = g_get_monotonic_time ();
  json_t *item = json_pack ("{si}", "id", 1);
  guint n = 0;

  sluice_lua_push_json (t->L, item);
  json_decref (item);
  g_assert_cmpint (sluice_lua_runtime_run (t->runtime, 0, 0, &n, &error), ==, SLUICE_LUA_PASS);
  g_assert_no_error (error);

  g_assert_null (sluice_lua_to_json (t->L, -1, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
  /* Generous for valgrind: what matters is that it ends (2^60 values would not). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 60 * G_USEC_PER_SEC);
  lua_pop (t->L, 1);
  g_assert_cmpint (lua_gettop (t->L), ==, 0);
  test_lua_free (t);
}

static void
test_cycles (void)
{
  check_to_json_error ("item.self = item", "contains itself");
  check_to_json_error ("local a, b = {}, {} a.b = b b.a = a item.a = a", "contains itself");
  check_to_json_error ("local t = item for i = 1, 100000 do t.c = {} t = t.c end",
                       "nested deeper than 512 levels");
  /* Shared, not cyclic: written out each time, but not 2^60 times. */
  check_to_json_error ("local t = {1} for i = 1, 60 do t = {t, t} end item.t = t", "too large");
  check_to_json_error ("local s = ('x'):rep(1e7) local t = {} for i = 1, 100 do t[i] = s end item.t = t",
                       "too large");
  check_to_json_error ("item.f = print", "function");
  check_to_json_error ("item.n = 0/0", "cannot represent");
  check_to_json_error ("item.s = '\\xff'", "UTF-8");
  check_to_json_error ("item[true] = 1", "key that is a boolean");
}

static void
test_not_objects (void)
{
  const char *chunks[] = {
    "item[1] = 'x'",
    "emit({'x'})",
    "emit('x')",
    "item = 'x'",
    "item = nil",
    "item = {} item.ok = true",
    NULL
  };
  TestLua *t = test_lua_new (chunks);
  const char *expected[] = {
    "item became an array", "not an array", "table expected", "no longer a table",
    "no longer a table",
  };
  char *out = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;

      /* On {}, item[1] = 'x' would have written ["x"]. */
      g_assert_cmpint (test_lua_run (t, i, "{}", 0, NULL, &error), ==, SLUICE_LUA_ERROR);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, expected[i]));
    }

  /* `item = nil` left the environment able to take the next item. */
  g_assert_cmpint (test_lua_run (t, 4, "{}", 0, NULL, NULL), ==, SLUICE_LUA_ERROR);
  g_assert_cmpint (test_lua_run (t, 5, "{}", 0, &out, NULL), ==, SLUICE_LUA_PASS);
  g_assert_cmpstr (out, ==, "{\"ok\":true}");
  free (out);
  test_lua_free (t);
}

static void
test_deep_input (void)
{
  const char *chunks[] = { "item.seen = true", NULL };
  TestLua *t = test_lua_new (chunks);

  /* 80 levels segfaulted (no lua_checkstack); 512 is the limit. */
  for (guint depth = 80; depth <= 511; depth += 431)
    {
      g_autofree char *text = nested (depth);
      g_autoptr(GError) error = NULL;
      json_t *item = sluice_json_parse_item (text, strlen (text), &error);
      json_t *back;
      guint n;

      g_assert_no_error (error);
      g_assert_true (sluice_lua_push_json_checked (t->L, item, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sluice_lua_runtime_run (t->runtime, 0, 0, &n, &error), ==, SLUICE_LUA_PASS);
      back = sluice_lua_to_json (t->L, -1, &error);
      g_assert_no_error (error);
      json_object_del (back, "seen");
      g_assert_true (json_equal (back, item));
      lua_pop (t->L, 1);
      json_decref (back);
      json_decref (item);
    }

  /* Deeper than the limit: refused by the parser, and by Lua if it gets
   * there another way. */
  {
    g_autofree char *text = nested (1000);
    g_autoptr(GError) error = NULL;
    json_t *deep = nested_value (1000);
    guint n;

    g_assert_null (sluice_json_parse_item (text, strlen (text), &error));
    g_assert_error (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_TOO_DEEP);
    g_clear_error (&error);

    g_assert_false (sluice_lua_push_json_checked (t->L, deep, &error));
    g_assert_nonnull (strstr (error->message, "nested deeper than 512"));
    g_assert_cmpint (lua_gettop (t->L), ==, 0);
    g_clear_error (&error);

    /* The old entry point pushes a placeholder the run refuses. */
    sluice_lua_push_json (t->L, deep);
    g_assert_cmpint (lua_gettop (t->L), ==, 1);
    g_assert_cmpint (sluice_lua_runtime_run (t->runtime, 0, 0, &n, &error), ==, SLUICE_LUA_ERROR);
    g_assert_nonnull (strstr (error->message, "nested deeper than 512"));
    g_assert_cmpint (lua_gettop (t->L), ==, 0);
    json_decref (deep);
  }
  test_lua_free (t);
}

static void
test_round_trip (void)
{
  const char *chunks[] = { "", NULL };
  const char * const items[] = {
    "{\"a\":\"x\\u0000y\",\"k\":\"\\u0000\"}",
    "{\"a\":0.07,\"b\":1.4,\"c\":0.30000000000000004,\"d\":-0.0,\"e\":1e300,\"f\":5e-324}",
    "{\"i\":9223372036854775807,\"j\":-9223372036854775808,\"r\":1.0}",
    "{\"e\":{},\"l\":[],\"n\":null,\"nested\":[[],{\"x\":[null,true,false]}]}",
    "{\"1\":\"string key\",\"2\":2}",
  };
  TestLua *t = test_lua_new (chunks);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GError) error = NULL;
      json_t *item = sluice_json_parse_item (items[i], strlen (items[i]), &error);
      char *out = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (test_lua_run (t, 0, items[i], 0, &out, &error), ==, SLUICE_LUA_PASS);
      g_assert_cmpstr (out, ==, items[i]);
      free (out);
      json_decref (item);
    }
  test_lua_free (t);
}

static void
test_memory_in_conversion (void)
{
  const char *chunks[] = { "", NULL };
  TestLua *t = test_lua_new (chunks);
  g_autoptr(GError) error = NULL;
  json_t *big = json_object ();
  char *blob = g_malloc (4 * 1024 * 1024);

  memset (blob, 'x', 4 * 1024 * 1024);
  json_object_set_new (big, "blob", json_stringn (blob, 4 * 1024 * 1024));
  g_free (blob);

  /* Converting an item bigger than the limit fails that item; it does
   * not abort through Lua's panic handler. */
  sluice_lua_runtime_set_memory_limit (t->runtime, 2 * 1024 * 1024);
  g_assert_false (sluice_lua_push_json_checked (t->L, big, &error));
  g_assert_nonnull (strstr (error->message, "memory limit of 2 MiB"));
  g_assert_cmpint (lua_gettop (t->L), ==, 0);

  sluice_lua_runtime_set_memory_limit (t->runtime, 0);
  g_clear_error (&error);
  g_assert_true (sluice_lua_push_json_checked (t->L, big, &error));
  lua_pop (t->L, 1);
  json_decref (big);
  test_lua_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua/convert/cycles", test_cycles);
  g_test_add_func ("/sluice/lua/convert/not-objects", test_not_objects);
  g_test_add_func ("/sluice/lua/convert/deep-input", test_deep_input);
  g_test_add_func ("/sluice/lua/convert/round-trip", test_round_trip);
  g_test_add_func ("/sluice/lua/convert/memory", test_memory_in_conversion);

  return g_test_run ();
}
