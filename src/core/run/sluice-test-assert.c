/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-lua-check.h"
#include "sluice-lua-runtime.h"
#include "sluice-test-assert.h"

/* The assertion runs as a run's Lua does, so it is contained the same
 * way (no io, os, require; a memory limit; a deadline that stops a loop
 * whatever it runs). The names an assertion reads are taken from the
 * `item` the runtime gives a chunk, on the chunk's first line so that
 * the lines of errors stay those of the file. */

#define PRELUDE "local outputs, recorded, failure = item.outputs, item.recorded, item.failure; "
#define ASSERT_MEMORY_LIMIT (512 * 1024 * 1024)

static gboolean
is_expression (const char *code)
{
  g_autoptr(SluiceLuaCheck) check = sluice_lua_check_new ();
  g_autofree char *message = NULL;
  guint line = 0;

  return sluice_lua_check_expression (check, code, &line, &message);
}

gboolean
sluice_test_assert (const char  *code,
                    guint        line,
                    json_t      *outputs,
                    json_t      *recorded,
                    json_t      *failure,
                    GHashTable  *params,
                    char       **message)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expression = NULL;
  SluiceLuaCode lua = { (char *) "assert", NULL, line, FALSE };
  SluiceLuaRuntime *rt;
  json_t *globals;
  lua_State *L;
  gboolean ok = FALSE;
  gint cancel = 0;
  int top;

  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  lua.expression = is_expression (code);
  if (lua.expression)
    {
      expression = sluice_lua_expression_source (code);
      lua.code = g_strconcat (PRELUDE, expression, NULL);
    }
  else
    lua.code = g_strconcat (PRELUDE, code, NULL);
  g_ptr_array_add (codes, &lua);

  rt = sluice_lua_runtime_new (codes, params, &cancel);
  sluice_lua_runtime_set_memory_limit (rt, ASSERT_MEMORY_LIMIT);
  if (!sluice_lua_runtime_check (rt, &error))
    {
      *message = g_strdup_printf ("the assertion does not compile: %s", error->message);
      goto out;
    }

  globals = json_pack ("{sOsOsO}", "outputs", outputs, "recorded", recorded,
                       "failure", failure != NULL ? failure : json_null ());
  L = sluice_lua_runtime_get_state (rt);
  top = lua_gettop (L);
  sluice_lua_push_json (L, globals);
  json_decref (globals);

  if (lua.expression)
    {
      gboolean result = FALSE;

      if (!sluice_lua_runtime_test (rt, 0, g_get_monotonic_time () + SLUICE_TEST_ASSERT_TIME_LIMIT_US,
                                    &result, &error))
        *message = g_strdup_printf ("the assertion failed with an error: %s", error->message);
      else if (!result)
        *message = g_strdup ("the assertion is false");
      ok = result && error == NULL;
    }
  else
    {
      guint n_emitted = 0;

      switch (sluice_lua_runtime_run (rt, 0, g_get_monotonic_time () + SLUICE_TEST_ASSERT_TIME_LIMIT_US,
                                      &n_emitted, &error))
        {
        case SLUICE_LUA_DROP:
          *message = g_strdup ("the assertion returned false");
          break;
        case SLUICE_LUA_ERROR:
          *message = g_strdup_printf ("the assertion failed with an error: %s", error->message);
          break;
        case SLUICE_LUA_PASS:
        case SLUICE_LUA_EMITTED:
        default:
          ok = TRUE;
        }
    }
  lua_settop (L, top);

out:
  sluice_lua_runtime_free (rt);
  g_free (lua.code);
  return ok;
}
