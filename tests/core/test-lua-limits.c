/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "test-lua-common.h"

/* Timeouts, cancel and the memory limit beat whatever a chunk does. */

#define ITEM "{\"id\": 1}"

/* Runs the single chunk @code with a 100 ms timeout; it must fail with
 * @expected in the message, within two seconds. */
static void
check_stopped (const char *code,
               const char *expected)
{
  const char *chunks[] = { code, "item.after = true", NULL };
  g_autoptr(GError) error = NULL;
  TestLua *t = test_lua_new (chunks);
  gint64 start = g_get_monotonic_time ();
  char *out = NULL;

  g_assert_cmpint (test_lua_run (t, 0, ITEM, 100, NULL, &error), ==, SLUICE_LUA_ERROR);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
  if (g_str_equal (expected, "timed out"))
    g_assert_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  /* The state is fine for the next item. */
  g_clear_error (&error);
  g_assert_cmpint (test_lua_run (t, 1, ITEM, 100, &out, &error), ==, SLUICE_LUA_PASS);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "{\"after\":true,\"id\":1}");
  free (out);
  test_lua_free (t);
}

static void
test_timeout_loop (void)
{
  check_stopped ("while true do end", "timed out");
}

static void
test_timeout_pcall (void)
{
  /* pcall catches the first "timed out"; the hook keeps raising. */
  check_stopped ("while true do pcall(function () while true do end end) end", "timed out");
  check_stopped ("while true do xpcall(function () while true do end end, function () while true do end end) end",
                 "timed out");
  check_stopped ("while true do local co = coroutine.create(function () while true do pcall(function () while true do end end) end end) "
                 "coroutine.resume(co) end", "timed out");
}

static void
test_timeout_backtracking (void)
{
  check_stopped ("string.find((\"a\"):rep(30) .. \"b\", (\"a*\"):rep(30) .. \"c\")", "timed out");
  check_stopped ("local s = (\"a\"):rep(30) .. \"b\" while true do pcall(s.match, s, (\"a-\"):rep(30) .. \"c\") end",
                 "timed out");
  check_stopped ("string.gsub((\"a\"):rep(30), (\"a*\"):rep(30) .. \"c\", \"x\")", "timed out");
  check_stopped ("for w in ((\"a\"):rep(30)):gmatch((\"a?\"):rep(30) .. \"c\") do end", "timed out");
}

static void
test_no_finalizers (void)
{
  /* Lua 5.4 runs __gc with hooks off: a looping finalizer could never be
   * stopped, so the sandbox refuses them. */
  check_stopped ("setmetatable({}, {__gc = function () while true do end end})", "__gc is not allowed");
  check_stopped ("setmetatable({}, {__gc = true})", "__gc is not allowed");
}

static void
test_c_loops (void)
{
  /* Loops in C that would call C functions 2^62 times. */
  check_stopped ("local t = setmetatable({}, {__len = function () return 1 << 62 end, __index = rawlen, __newindex = rawequal}) "
                 "table.move(t, 1, #t, 2)", "__index");
  check_stopped ("table.insert(setmetatable({}, {__len = function () return 1 << 62 end}), 1, 1)", "__len");

  /* string.rep of nothing is nothing, at once. */
  {
    const char *chunks[] = { "item.r = string.rep('', 1 << 62) .. ('')['rep']('', 1 << 62, '')", NULL };
    g_autoptr(GError) error = NULL;
    TestLua *t = test_lua_new (chunks);
    char *out = NULL;

    g_assert_cmpint (test_lua_run (t, 0, ITEM, 1000, &out, &error), ==, SLUICE_LUA_PASS);
    g_assert_cmpstr (out, ==, "{\"id\":1,\"r\":\"\"}");
    free (out);
    test_lua_free (t);
  }
}

static gpointer
cancel_later_cb (gpointer data)
{
  TestLua *t = data;

  g_usleep (100 * 1000);
  g_atomic_int_set (&t->cancel, 1);
  return NULL;
}

static void
test_cancel (void)
{
  const char * const codes[] = {
    "while true do end",
    "while true do pcall(function () while true do end end) end",
    "string.find((\"a\"):rep(40) .. \"b\", (\"a*\"):rep(40) .. \"c\")",
  };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      const char *chunks[] = { codes[i], NULL };
      g_autoptr(GError) error = NULL;
      TestLua *t = test_lua_new (chunks);
      GThread *thread = g_thread_new ("cancel", cancel_later_cb, t);
      gint64 start = g_get_monotonic_time ();

      /* No deadline: only the cancel flag stops it. */
      g_assert_cmpint (test_lua_run (t, 0, ITEM, 0, NULL, &error), ==, SLUICE_LUA_ERROR);
      g_assert_nonnull (strstr (error->message, "cancelled"));
      g_assert_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_CANCELLED);
      g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
      g_thread_join (thread);
      test_lua_free (t);
    }
}

static void
check_memory (const char *code,
              gsize       limit)
{
  const char *chunks[] = { code, "item.ok = #string.rep('y', 1000)", NULL };
  g_autoptr(GError) error = NULL;
  TestLua *t = test_lua_new (chunks);
  char *out = NULL;

  if (limit != 0)
    sluice_lua_runtime_set_memory_limit (t->runtime, limit);
  g_assert_cmpint (test_lua_run (t, 0, ITEM, 20000, NULL, &error), ==, SLUICE_LUA_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "memory limit of"));
  g_assert_cmpuint (sluice_lua_runtime_get_memory_used (t->runtime), <=,
                    limit != 0 ? limit : SLUICE_LUA_DEFAULT_MEMORY_LIMIT);

  /* The garbage goes; the next item runs. */
  g_clear_error (&error);
  g_assert_cmpint (test_lua_run (t, 1, ITEM, 1000, &out, &error), ==, SLUICE_LUA_PASS);
  g_assert_cmpstr (out, ==, "{\"id\":1,\"ok\":1000}");
  g_assert_cmpuint (sluice_lua_runtime_get_memory_used (t->runtime), <, 4 * 1024 * 1024);
  free (out);
  test_lua_free (t);
}

static void
test_memory_limit (void)
{
  check_memory ("item.s = string.rep('x', 5e8)", 0);
  check_memory ("local t = {} for i = 1, 1e9 do t[i] = {i} end", 0);
  check_memory ("local t = {} for i = 1, 1e9 do t[#t + 1] = ('x'):rep(100) .. i end", 16 * 1024 * 1024);
  /* Caught by pcall, the error still ends the item when it retries. */
  check_memory ("local s = 'x' while true do local ok, r = pcall(string.rep, s, 2) if ok then s = r else error(r, 0) end end",
                8 * 1024 * 1024);
}

static void
test_emit_limit (void)
{
  const char *chunks[] = { "for i = 1, 1000001 do emit({i = i}) end", "emit({a = 1}) emit({a = 2})", NULL };
  g_autoptr(GError) error = NULL;
  TestLua *t = test_lua_new (chunks);
  char *out = NULL;

  g_assert_cmpint (test_lua_run (t, 0, ITEM, 0, NULL, &error), ==, SLUICE_LUA_ERROR);
  g_assert_nonnull (strstr (error->message, "emit called more than"));

  g_clear_error (&error);
  g_assert_cmpint (test_lua_run (t, 1, ITEM, 0, &out, &error), ==, SLUICE_LUA_EMITTED);
  g_assert_cmpstr (out, ==, "{\"a\":1}");
  free (out);
  test_lua_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/lua/limits/timeout-loop", test_timeout_loop);
  g_test_add_func ("/sluice/lua/limits/timeout-pcall", test_timeout_pcall);
  g_test_add_func ("/sluice/lua/limits/timeout-backtracking", test_timeout_backtracking);
  g_test_add_func ("/sluice/lua/limits/no-finalizers", test_no_finalizers);
  g_test_add_func ("/sluice/lua/limits/c-loops", test_c_loops);
  g_test_add_func ("/sluice/lua/limits/cancel", test_cancel);
  g_test_add_func ("/sluice/lua/limits/memory", test_memory_limit);
  g_test_add_func ("/sluice/lua/limits/emit", test_emit_limit);

  return g_test_run ();
}
