/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "test-lua-common.h"

static void
code_free (gpointer data)
{
  SluiceLuaCode *code = data;

  g_free (code->module_id);
  g_free (code->code);
  g_free (code);
}

TestLua *
test_lua_new (const char * const *chunks)
{
  TestLua *t = g_new0 (TestLua, 1);

  t->codes = g_ptr_array_new_with_free_func (code_free);
  for (guint i = 0; chunks[i] != NULL; i++)
    {
      SluiceLuaCode *code = g_new0 (SluiceLuaCode, 1);

      code->module_id = g_strdup_printf ("m%u", i);
      code->code = g_strdup (chunks[i]);
      g_ptr_array_add (t->codes, code);
    }
  t->runtime = sluice_lua_runtime_new (t->codes, NULL, &t->cancel);
  t->L = sluice_lua_runtime_get_state (t->runtime);
  return t;
}

void
test_lua_free (TestLua *t)
{
  sluice_lua_runtime_free (t->runtime);
  g_ptr_array_unref (t->codes);
  g_free (t);
}

SluiceLuaResult
test_lua_run (TestLua     *t,
              guint        slot,
              const char  *json_text,
              guint        timeout_ms,
              char       **out,
              GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  json_t *item = sluice_json_parse_item (json_text, strlen (json_text), &parse_error);
  int base = lua_gettop (t->L);
  SluiceLuaResult result;
  gint64 deadline = timeout_ms > 0 ? g_get_monotonic_time () + timeout_ms * 1000 : 0;
  guint n = 0;

  g_assert_no_error (parse_error);
  if (out != NULL)
    *out = NULL;

  sluice_lua_push_json (t->L, item);
  json_decref (item);
  result = sluice_lua_runtime_run (t->runtime, slot, deadline, &n, error);

  if (result == SLUICE_LUA_PASS)
    n = 1;
  else if (result != SLUICE_LUA_EMITTED)
    n = 0;
  g_assert_cmpint (lua_gettop (t->L), ==, base + (int) n);

  for (guint i = 0; i < n; i++)
    {
      if (i == n - 1 && out != NULL)
        {
          g_autoptr(GError) local = NULL;
          /* The first emitted is the deepest. */
          json_t *json = sluice_lua_to_json (t->L, -(int) n, &local);

          g_assert_no_error (local);
          *out = sluice_json_dumps (json, JSON_COMPACT | JSON_SORT_KEYS);
          json_decref (json);
        }
    }
  lua_pop (t->L, (int) n);

  return result;
}
