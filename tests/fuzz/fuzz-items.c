/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-core.h"
#include "fuzz-loader.h"

/* libFuzzer entry point for the path of an item: a JSON line goes through
 * the parse helper, into Lua, through a few chunks (one of which uses
 * fields of the item as a string pattern), back to JSON and out through
 * the writer. Besides "no crash, no hang, no undefined behaviour", it
 * checks the promises of that path:
 * - every line is either an object or refused with a SLUICE_JSON_ERROR;
 * - what is written parses back to the same value (numbers included);
 * - JSON → Lua → JSON changes nothing;
 * - the text way from Lua (sluice-lua-text.c) writes the same bytes as
 *   the ordinary way, or leaves the item to it;
 * - every Lua failure is an error, never a crash, and leaves the stack
 *   as it was.
 *
 * Build and run it like fuzz-loader (tests/fuzz/README.md), with its own
 * corpus, which fuzz-items-replay replays in the normal suite:
 *
 *   ninja -C build-fuzz tests/fuzz-items
 *   mkdir -p /tmp/fuzz-items-new
 *   nice -n 19 build-fuzz/tests/fuzz-items -max_total_time=1860 -max_len=4096 \
 *     -timeout=10 -rss_limit_mb=4096 /tmp/fuzz-items-new tests/fuzz/corpus-items
 *
 * Crash reproducers go to tests/fuzz/corpus-items once fixed. */

static const char * const chunks[] = {
  /* 0: the identity: the round trip must change nothing. */
  "",
  /* 1: ordinary work on every field. */
  "local n = 0\n"
  "for k, v in pairs(item) do\n"
  "  n = n + 1\n"
  "  if type(v) == 'string' then\n"
  "    item[k] = v:upper():sub(1, 64) .. #v\n"
  "  elseif math.type(v) == 'integer' then\n"
  "    item[k] = v // 3\n"
  "  elseif type(v) == 'table' then\n"
  "    item[k] = #v\n"
  "  end\n"
  "end\n"
  "item.fields = n\n",
  /* 2: a pattern and a replacement that come from the data. */
  "if type(item.s) == 'string' and type(item.p) == 'string' then\n"
  "  local ok, a, b = pcall(string.find, item.s, item.p)\n"
  "  item.found = ok and a or tostring(a)\n"
  "  local ok2, r = pcall(string.gsub, item.s, item.p, type(item.r) == 'string' and item.r or '<%0>')\n"
  "  item.replaced = ok2 and r or tostring(r)\n"
  "  local words = {}\n"
  "  local ok3 = pcall(function () for w in item.s:gmatch(item.p) do words[#words + 1] = w if #words > 50 then break end end end)\n"
  "  item.words = words\n"
  "end\n",
  /* 3: fan-out of copies. */
  "for i = 1, 3 do local copy = {} for k, v in pairs(item) do copy[k] = v end copy.i = i emit(copy) end\n",
  /* 4: a condition, as the executor makes them. */
  "return (type(item.s) == 'string' and #item.s > 3 or item.p == nil)",
  /* 5: values only Lua makes, from the data, for the text writer
   * (sluice-lua-text.c): reals, numeric keys, bytes of the strings in
   * new orders, nested tables, values JSON cannot hold. */
  "for k, v in pairs(item) do\n"
  "  if type(v) == 'number' then\n"
  "    item[k .. '_r'] = v / 7\n"
  "    if v == math.floor(v) and v > 0 and v < 4 then item[math.floor(v)] = k end\n"
  "    if v > 1e300 then item[k .. '_inf'] = v * v end\n"
  "  elseif type(v) == 'string' then\n"
  "    item[k .. '_rev'] = v:reverse()\n"
  "    item[v:sub(1, 8)] = #v\n"
  "  elseif type(v) == 'table' then\n"
  "    item[k .. '_wrap'] = { v, { v } }\n"
  "  end\n"
  "end\n",
};
#define CONDITION_SLOT 4
/* Each chunk's time-out. A backtracking pattern from the data runs until
 * it: short, so that such inputs (a fifth of the corpus's time) do not
 * crowd out the rest; the time-out path is reached all the same. */
#define CHUNK_DEADLINE_US (2 * 1000)

static SluiceLuaRuntime *runtime;
static GPtrArray *codes;

static void
setup (void)
{
  codes = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      SluiceLuaCode *code = g_new0 (SluiceLuaCode, 1);

      code->module_id = g_strdup_printf ("fuzz%u", i);
      code->code = g_strdup (chunks[i]);
      code->expression = i == CONDITION_SLOT;
      g_ptr_array_add (codes, code);
    }
  runtime = sluice_lua_runtime_new (codes, NULL, NULL);
  /* Small, so that the fuzzer reaches the limit often. */
  sluice_lua_runtime_set_memory_limit (runtime, 32 * 1024 * 1024);
  if (!sluice_lua_runtime_check (runtime, NULL))
    abort ();
}

static void
check_written (json_t *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  json_t *again;

  if (!sluice_json_write (out, json, JSON_COMPACT | JSON_SORT_KEYS, &error))
    {
      g_printerr ("an item does not write: %s\n", error->message);
      abort ();
    }
  again = sluice_json_parse_item (out->str, out->len, &error);
  if (again == NULL || !json_equal (json, again))
    {
      g_printerr ("written item does not read back the same: %s\n%s\n",
                  error != NULL ? error->message : "", out->str);
      abort ();
    }
  json_decref (again);
}

/* The text way (sluice-lua-text.c) on the value at the top of @L must
 * write what the ordinary way writes from @json, byte for byte, or leave
 * the item to it; and never write what the ordinary way refused (@json
 * NULL). */
static void
check_text_way (lua_State *L,
                json_t    *json)
{
  g_autoptr(GString) text = g_string_new ("-");
  g_autoptr(GString) out = g_string_new ("-");
  int top = lua_gettop (L);
  gboolean written = sluice_lua_write_item_text (L, -1, text);

  if (lua_gettop (L) != top)
    {
      g_printerr ("the text way left the Lua stack changed\n");
      abort ();
    }
  if (!written)
    {
      if (strcmp (text->str, "-") != 0)
        {
          g_printerr ("the text way gave up but left text behind\n");
          abort ();
        }
      return;
    }
  if (json == NULL)
    {
      g_printerr ("the text way wrote an item the ordinary way refuses: %s\n", text->str);
      abort ();
    }
  if (!sluice_json_write (out, json, JSON_COMPACT | JSON_SORT_KEYS, NULL) ||
      out->len != text->len || memcmp (out->str, text->str, out->len) != 0)
    {
      g_printerr ("the text way wrote other bytes:\n%s\n%s\n", text->str, out->str);
      abort ();
    }
}

static void
run_chunk (lua_State *L,
           json_t    *item,
           guint      slot)
{
  g_autoptr(GError) error = NULL;
  int base = lua_gettop (L);
  SluiceLuaResult result;
  guint n = 0;

  if (!sluice_lua_push_json_checked (L, item, &error))
    return;
  if (slot == CONDITION_SLOT)
    {
      gboolean truth;

      if (!sluice_lua_runtime_test (runtime, slot, g_get_monotonic_time () + CHUNK_DEADLINE_US,
                                    &truth, &error) && error == NULL)
        abort ();
      lua_pop (L, 1);
      if (lua_gettop (L) != base)
        abort ();
      return;
    }
  result = sluice_lua_runtime_run (runtime, slot, g_get_monotonic_time () + CHUNK_DEADLINE_US,
                                   &n, &error);
  if (result == SLUICE_LUA_ERROR && error == NULL)
    abort ();
  if (result == SLUICE_LUA_PASS)
    n = 1;
  else if (result != SLUICE_LUA_EMITTED)
    n = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local = NULL;
      json_t *out = sluice_lua_to_json (L, -1, &local);

      check_text_way (L, out);
      if (out != NULL)
        {
          check_written (out);
          if (slot == 0 && !json_equal (out, item))
            {
              g_printerr ("JSON → Lua → JSON changed the item\n");
              abort ();
            }
          json_decref (out);
        }
      else if (slot == 0 && strstr (local->message, "memory") == NULL)
        {
          g_printerr ("an unchanged item does not convert back: %s\n", local->message);
          abort ();
        }
      lua_pop (L, 1);
    }
  if (lua_gettop (L) != base)
    abort ();
}

/* A chain of chunks 0 and 1 given the item as JSON (made a table inside
 * the chain's protected call) must end as the same chain on the item
 * pushed first: the same result, item, message and stack. */
static char *
chain_outcome (lua_State *L,
               json_t    *item,
               gboolean   from_json)
{
  /* No deadline: both chunks end (1 loops over the fields once), and a
   * time-out under load would tell the two ways apart. */
  SluiceLuaStep steps[2] = { { 0, 0, 0 }, { 1, 0, 0 } };
  g_autoptr(GError) error = NULL;
  int base = lua_gettop (L);
  guint ran = 0, n = 0;
  SluiceLuaResult result;
  char *outcome;

  if (from_json)
    result = sluice_lua_runtime_run_chain_json (runtime, item, steps, 2, g_get_monotonic_time (),
                                                &ran, &n, &error);
  else
    {
      sluice_lua_push_json (L, item);
      result = sluice_lua_runtime_run_chain (runtime, steps, 2, g_get_monotonic_time (), TRUE,
                                             &ran, &n, &error);
    }
  if (result == SLUICE_LUA_PASS)
    {
      g_autoptr(GError) local = NULL;
      json_t *out = sluice_lua_to_json (L, -1, &local);
      g_autofree char *text = out != NULL ? sluice_json_dumps (out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

      outcome = g_strdup_printf ("pass %u %s", ran, text != NULL ? text : local->message);
      if (out != NULL)
        json_decref (out);
      lua_pop (L, 1);
    }
  else if (result == SLUICE_LUA_ERROR)
    outcome = g_strdup_printf ("error %u %s", ran, error != NULL ? error->message : "(none)");
  else
    {
      outcome = g_strdup_printf ("result %d %u %u", result, ran, n);
      lua_pop (L, (int) n);
    }
  if (lua_gettop (L) != base)
    abort ();
  return outcome;
}

static void
check_chain_json (lua_State *L,
                  json_t    *item)
{
  g_autofree char *pushed = chain_outcome (L, item, FALSE);
  g_autofree char *made = chain_outcome (L, item, TRUE);

  /* Only the memory limit may tell them apart (a collection between). */
  if (strcmp (pushed, made) != 0 && strstr (pushed, "memory") == NULL && strstr (made, "memory") == NULL)
    {
      g_printerr ("a chain from JSON ended otherwise:\n%s\n%s\n", pushed, made);
      abort ();
    }
}

/* The parse helper's fast path must read every line as jansson does:
 * the same object, or a refusal where jansson refuses (or finds no object,
 * or one deeper than the limit). */
static void
check_same_as_jansson (const uint8_t *data,
                       size_t         size,
                       json_t        *item,
                       GError        *error)
{
  json_error_t jerror;
  json_t *theirs = json_loadb ((const char *) data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerror);

  if (item != NULL && (theirs == NULL || !json_equal (item, theirs)))
    {
      g_printerr ("the item differs from what jansson reads\n");
      abort ();
    }
  if (item == NULL && theirs != NULL && json_is_object (theirs) &&
      !g_error_matches (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_TOO_DEEP))
    {
      g_printerr ("an object jansson reads was refused: %s\n", error != NULL ? error->message : "");
      abort ();
    }
  if (theirs != NULL)
    json_decref (theirs);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  lua_State *L;
  json_t *item;

  if (runtime == NULL)
    setup ();
  L = sluice_lua_runtime_get_state (runtime);

  item = sluice_json_parse_item ((const char *) data, size, &error);
  check_same_as_jansson (data, size, item, error);
  if (item == NULL)
    {
      if (error == NULL || error->domain != SLUICE_JSON_ERROR)
        abort ();
      return 0;
    }

  check_written (item);
  for (guint slot = 0; slot < codes->len; slot++)
    run_chunk (L, item, slot);
  check_chain_json (L, item);

  json_decref (item);
  /* What this input made in Lua goes now. libFuzzer runs LeakSanitizer
   * over the whole heap after every input that freed less than it
   * allocated, and a Lua state collects lazily: without this, nearly
   * every input paid a full leak scan (two thirds of the time; about a
   * hundred inputs a second). Leaks are still found: an input that
   * really leaks allocates more than this frees. */
  lua_gc (L, LUA_GCCOLLECT);
  return 0;
}
