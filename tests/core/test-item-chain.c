/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-lua-private.h"
#include "test-executor-common.h"
#include "test-lua-common.h"

/* Consecutive Lua modules run as one chain (one protected call), and
 * straight chunks run without the count hook: the outcomes, counters,
 * errors, timeouts and cancel are those of running each module alone. */

#define INPUT "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n{\"id\": 4}\n{\"id\": 5}\n{\"id\": 6}\n"

static const char * const outcome_modules[][2] = {
  { "a", "item.a = 1" },
  { "b", "if item.id == 2 then return false end" },
  { "c", "if item.id == 3 then emit({id = 30}) emit({id = 31}) end" },
  { "d", "item.had = g ~= nil if item.id == 4 then g = 7 item.g = g end" },
  { "e", "if item.id == 5 then item = {id = 50, replaced = true} end" },
  { "f", "item.n = (item.n or 0) + 1" },
};

/* The six modules in one not-parallel controller; @attributes go on each
 * execution. */
static char *
outcome_body (const char *attributes)
{
  GString *body = g_string_new ("<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">");

  for (guint i = 0; i < G_N_ELEMENTS (outcome_modules); i++)
    g_string_append_printf (body, "<execution id=\"%s\" %s><lua>%s</lua></execution>",
                            outcome_modules[i][0], attributes, outcome_modules[i][1]);
  g_string_append (body, "</phase></controller>");
  return g_string_free (body, FALSE);
}

static void
test_outcomes (void)
{
  static const char * const expected[] = {
    "{\"a\":1,\"had\":false,\"id\":1,\"n\":1}",
    "{\"had\":false,\"id\":30,\"n\":1}",
    "{\"had\":false,\"id\":31,\"n\":1}",
    "{\"a\":1,\"g\":7,\"had\":false,\"id\":4,\"n\":1}",
    "{\"id\":50,\"n\":1,\"replaced\":true}",
    "{\"a\":1,\"had\":false,\"id\":6,\"n\":1}",
  };
  /* retries="1" keeps a copy of each item per module, which runs every
   * module alone: the reference. */
  g_autofree char *chained = outcome_body ("");
  g_autofree char *alone = outcome_body ("retries=\"1\"");
  TestRun *runs[2] = { test_run_body (chained, INPUT), test_run_body (alone, INPUT) };

  for (guint r = 0; r < 2; r++)
    {
      g_assert_cmpint (sluice_executor_get_state (runs[r]->executor), ==, SLUICE_RUN_COMPLETED);
      g_assert_cmpuint (runs[r]->outputs->len, ==, G_N_ELEMENTS (expected));
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        g_assert_cmpstr (g_ptr_array_index (runs[r]->outputs, i), ==, expected[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (outcome_modules); i++)
    {
      SluiceModuleStats chain, single;

      g_assert_true (sluice_executor_get_module_stats (runs[0]->executor, outcome_modules[i][0], &chain));
      g_assert_true (sluice_executor_get_module_stats (runs[1]->executor, outcome_modules[i][0], &single));
      g_test_message ("%s: in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT,
                      outcome_modules[i][0], chain.items_in, chain.items_out, chain.dropped);
      g_assert_cmpuint (chain.items_in, ==, single.items_in);
      g_assert_cmpuint (chain.items_out, ==, single.items_out);
      g_assert_cmpuint (chain.dropped, ==, single.dropped);
      g_assert_cmpuint (chain.failed, ==, 0);
    }
  {
    SluiceModuleStats b, c;

    sluice_executor_get_module_stats (runs[0]->executor, "b", &b);
    sluice_executor_get_module_stats (runs[0]->executor, "c", &c);
    g_assert_cmpuint (b.items_in, ==, 6);
    g_assert_cmpuint (b.dropped, ==, 1);
    g_assert_cmpuint (c.items_out, ==, 6);
  }
  test_run_free (runs[0]);
  test_run_free (runs[1]);
}

/* Events of a chain: each module starts and finishes each item, as when
 * it runs alone. */
static void
test_events (void)
{
  g_autofree char *body = outcome_body ("");
  g_autoptr(SluicePipeline) pipeline = test_load_body (body);
  TestRun *run = test_run_new (pipeline, INPUT, NULL, TRUE);
  guint finished_f = 0;

  g_assert_cmpint (test_run_wait (run), ==, SLUICE_RUN_COMPLETED);
  for (guint i = 0; i < run->events->len; i++)
    {
      const char *line = g_ptr_array_index (run->events, i);

      if (strstr (line, "\"event\":\"module-finished\"") != NULL && strstr (line, "\"module\":\"f\"") != NULL)
        finished_f++;
    }
  g_assert_cmpuint (finished_f, ==, 6);
  test_run_free (run);
}

/* A module in the middle of a chain fails: the run names it and its line;
 * with on-error="drop" only that item goes. */
static void
test_errors (void)
{
#define FAILING(ATTRIBUTES) \
    "<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">" \
    "<execution id=\"a\"><lua>item.a = 1</lua></execution>" \
    "<execution id=\"boom\" " ATTRIBUTES "><lua>item.b = 2\nif item.id == 3 then error('three') end</lua></execution>" \
    "<execution id=\"z\"><lua>item.z = 3</lua></execution>" \
    "</phase></controller>"
  const char *fails = FAILING ("");
  const char *drops = FAILING ("on-error=\"drop\"");
  TestRun *run = test_run_body (fails, INPUT);
  SluiceModuleStats stats;

  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "three"));
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "line"));
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "boom");
  test_run_free (run);

  run = test_run_body (drops, INPUT);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
  g_assert_cmpuint (run->outputs->len, ==, 5);
  for (guint i = 0; i < run->outputs->len; i++)
    {
      g_assert_nonnull (strstr (g_ptr_array_index (run->outputs, i), "\"z\":3"));
      g_assert_null (strstr (g_ptr_array_index (run->outputs, i), "\"id\":3"));
    }
  g_assert_true (sluice_executor_get_module_stats (run->executor, "boom", &stats));
  g_assert_cmpuint (stats.failed, ==, 1);
  g_assert_true (sluice_executor_get_module_stats (run->executor, "z", &stats));
  g_assert_cmpuint (stats.items_in, ==, 5);
  test_run_free (run);

  /* An item turned into an array in the middle of a chain. */
  run = test_run_body ("<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">"
                       "<execution id=\"a\"><lua>item.a = 1</lua></execution>"
                       "<execution id=\"arr\"><lua>if item.id == 2 then item = {1, 2} end</lua></execution>"
                       "<execution id=\"z\"><lua>item.z = 3</lua></execution>"
                       "</phase></controller>", INPUT);
  g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
  g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "array"));
  g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "arr");
  test_run_free (run);
}

/* A straight chunk reaching a Lua function that an earlier chunk put
 * within its reach (a metatable) runs counted again: its timeout fires. */
static void
test_straight_reaches_lua (void)
{
  static const char * const setups[] = {
    "setmetatable(item, {__index = function () while true do end end})",
    "item.t = setmetatable({}, {__index = function () while true do end end})",
    "item.t = setmetatable({}, {__add = function () while true do end end})",
  };
  static const char * const straight[] = {
    "item.y = item.missing",
    "item.y = item.t.q",
    "item.y = item.t + 1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (setups); i++)
    {
      g_autofree char *body =
        g_strdup_printf ("<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">"
                         "<execution id=\"setup\"><lua>%s</lua></execution>"
                         "<execution id=\"plain\"><lua>item.p = 1</lua></execution>"
                         "<execution id=\"straight\" timeout=\"200ms\"><lua>%s</lua></execution>"
                         "</phase></controller>", setups[i], straight[i]);
      gint64 start = g_get_monotonic_time ();
      TestRun *run = test_run_body (body, "{\"id\": 1}\n");

      g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_FAILED);
      g_assert_nonnull (strstr (sluice_executor_get_error (run->executor), "timed out"));
      g_assert_cmpstr (sluice_executor_get_failed_module (run->executor), ==, "straight");
      /* Generous: the point is that it ends. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
      test_run_free (run);
    }
}

static gpointer
cancel_later_cb (gpointer data)
{
  g_usleep (100 * 1000);
  g_atomic_int_set ((gint *) data, 1);
  return NULL;
}

/* The same without a timeout: the cancel flag (set from another thread,
 * as a signal handler's would be) stops it; the stack stays balanced and
 * the chain says which chunk was running. */
static void
test_straight_cancel (void)
{
  const char *chunks[] = { "setmetatable(item, {__index = function () while true do end end})",
                           "item.p = 1",
                           "item.y = item.missing",
                           NULL };
  TestLua *t = test_lua_new (chunks);
  SluiceLuaStep steps[3] = { { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 0 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  json_t *item = sluice_json_parse_item ("{\"id\": 1}", 9, &parse_error);
  int base = lua_gettop (t->L);
  GThread *thread;
  guint ran = 0, n_emitted = 0;
  SluiceLuaResult result;
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (parse_error);
  sluice_lua_push_json (t->L, item);
  json_decref (item);
  thread = g_thread_new ("cancel", cancel_later_cb, &t->cancel);
  /* An item with a metatable gets the closer look after each chunk, so
   * the chain stops there; the rest runs as a further chain, no longer
   * on a fresh item, as the executor runs it. */
  for (guint done = 0;;)
    {
      result = sluice_lua_runtime_run_chain (t->runtime, steps + done, 3 - done, start, done == 0,
                                             &ran, &n_emitted, &error);
      done += ran;
      if (result != SLUICE_LUA_PASS || done == 3)
        break;
    }
  g_assert_cmpint (result, ==, SLUICE_LUA_ERROR);
  g_thread_join (thread);
  g_assert_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_CANCELLED);
  g_assert_cmpuint (ran, ==, 1);
  g_assert_cmpint (lua_gettop (t->L), ==, base);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  test_lua_free (t);
}

/* A chain given the item as JSON makes the table itself (in its own
 * protected call): the same outcome, stack and messages as pushing it
 * first, for every kind of item, including those that cannot become a
 * table (too deep) and chunks that do not compile. */
static void
test_chain_from_json (void)
{
  static const char * const items[] = {
    "{\"id\": 1, \"value\": 2, \"tag\": \"a\"}",
    "{\"list\": [1, [2, {\"x\": null}], []], \"r\": 0.07, \"s\": \"x\\u0000y\", \"t\": true}",
    "{}",
    NULL,  /* nested deeper than SLUICE_JSON_MAX_DEPTH, made below */
  };
  const char *chunks[] = { "item.value = (item.value or 0) + 1",
                           "if item.list then item.n = #item.list end",
                           "item.k = item.t and 1 or 2",
                           "item.broken = (",
                           NULL };
  TestLua *t = test_lua_new (chunks);
  int base = lua_gettop (t->L);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    for (guint n = 1; n <= 4; n++)
      {
        SluiceLuaStep steps[2][4];
        char *texts[2] = { NULL, NULL };
        GError *errors[2] = { NULL, NULL };
        SluiceLuaResult results[2];
        guint ran[2], emitted[2];
        json_t *item;

        if (items[i] != NULL)
          item = sluice_json_parse_item (items[i], strlen (items[i]), NULL);
        else
          {
            item = json_object ();
            for (guint d = 0; d < SLUICE_JSON_MAX_DEPTH + 5; d++)
              {
                json_t *outer = json_object ();

                json_object_set_new (outer, "a", item);
                item = outer;
              }
          }
        g_assert_nonnull (item);
        for (guint way = 0; way < 2; way++)
          {
            for (guint s = 0; s < n; s++)
              steps[way][s] = (SluiceLuaStep) { s, 0, 0 };
            if (way == 0)
              {
                sluice_lua_push_json (t->L, item);
                results[way] = sluice_lua_runtime_run_chain (t->runtime, steps[way], n, g_get_monotonic_time (),
                                                             TRUE, &ran[way], &emitted[way], &errors[way]);
              }
            else
              results[way] = sluice_lua_runtime_run_chain_json (t->runtime, item, steps[way], n,
                                                                g_get_monotonic_time (), &ran[way],
                                                                &emitted[way], &errors[way]);
            if (results[way] == SLUICE_LUA_PASS)
              {
                json_t *out = sluice_lua_to_json (t->L, -1, NULL);

                texts[way] = json_dumps (out, JSON_COMPACT | JSON_SORT_KEYS);
                json_decref (out);
                lua_pop (t->L, 1);
              }
            g_assert_cmpint (lua_gettop (t->L), ==, base);
          }
        g_test_message ("item %u, %u chunks: %s / %s", i, n,
                        texts[0] != NULL ? texts[0] : errors[0]->message,
                        texts[1] != NULL ? texts[1] : errors[1]->message);
        g_assert_cmpint (results[0], ==, results[1]);
        g_assert_cmpuint (ran[0], ==, ran[1]);
        g_assert_cmpstr (texts[0], ==, texts[1]);
        if (errors[0] != NULL || errors[1] != NULL)
          {
            g_assert_nonnull (errors[0]);
            g_assert_nonnull (errors[1]);
            g_assert_cmpstr (errors[0]->message, ==, errors[1]->message);
          }
        if (items[i] == NULL)
          g_assert_nonnull (strstr (errors[1]->message, "cannot pass the item to Lua"));
        /* The chunk that does not compile stops the chain before it. */
        if (n == 4 && items[i] != NULL)
          g_assert_cmpuint (ran[1], ==, 3);
        for (guint way = 0; way < 2; way++)
          {
            free (texts[way]);
            g_clear_error (&errors[way]);
          }
        json_decref (item);
      }
  test_lua_free (t);
}

/* After a chunk that cannot have changed it (straight, run clean, string
 * keys only, item kept), a chain does not look at the item's metatable
 * and [1] again: a chain of two chunks ends exactly as the two run one
 * after the other, including when the second gives the item a [1] or the
 * first a metatable. */
static void
test_plain_after_straight (void)
{
  static const char * const pairs[][2] = {
    { "item.a = 1", "item[1] = 'x'" },
    /* The item becomes an array: an error, not an item. */
    { "item.id = nil item.value = nil", "item[1] = 'x'" },
    { "item.id = nil item.value = nil", "local k = 1 item[k] = 'x'" },
    { "item.a = 1", "local k = 1 item[k] = 2" },
    { "item.a = 1", "local k = 1.0 item[k] = 2" },
    { "item.a = 1", "item.t = {1} item.u = {x = {2}}" },
    { "item.s = 'x'", "item.sub = {} item.sub[1] = 1" },
    { "item['1'] = 'one'", "item.b = 3" },
    { "setmetatable(item, {})", "item.b = 1" },
    { "rawset(item, 1, 'z')", "item.c = 1" },
    { "item.a = 1", "item.b = item.value .. ''" },
    { "item.a = 1", "_ENV.item = {1}" },
    { "item.a = 1", "item = {2}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const char *chunks[] = { pairs[i][0], pairs[i][1], NULL };
      TestLua *t = test_lua_new (chunks);
      const char *input = "{\"id\": 1, \"value\": 2}";
      g_autoptr(GError) first_error = NULL;
      g_autoptr(GError) second_error = NULL;
      g_autoptr(GError) chain_error = NULL;
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      g_autofree char *chained = NULL;
      SluiceLuaResult one_by_one, together;
      SluiceLuaStep steps[2] = { { 0, 0, 0 }, { 1, 0, 0 } };
      json_t *item = sluice_json_parse_item (input, strlen (input), NULL);
      guint ran, emitted;

      one_by_one = test_lua_run (t, 0, input, 0, &first, &first_error);
      if (one_by_one == SLUICE_LUA_PASS)
        one_by_one = test_lua_run (t, 1, first, 0, &second, &second_error);
      together = sluice_lua_runtime_run_chain_json (t->runtime, item, steps, 2, g_get_monotonic_time (),
                                                    &ran, &emitted, &chain_error);
      if (together == SLUICE_LUA_PASS)
        {
          json_t *out = sluice_lua_to_json (t->L, -1, NULL);

          chained = json_dumps (out, JSON_COMPACT | JSON_SORT_KEYS);
          json_decref (out);
          lua_pop (t->L, 1);
        }
      /* A chain that stops early (an item it cannot vouch for) leaves the
       * rest to the ordinary way, as the executor does. */
      if (together == SLUICE_LUA_PASS && ran < 2)
        {
          g_autofree char *rest = NULL;

          together = test_lua_run (t, ran, chained, 0, &rest, &chain_error);
          g_free (chained);
          chained = g_steal_pointer (&rest);
        }
      g_test_message ("%s | %s: %s / %s", pairs[i][0], pairs[i][1],
                      second != NULL ? second : first_error != NULL ? first_error->message :
                      second_error != NULL ? second_error->message : "?",
                      chained != NULL ? chained : chain_error != NULL ? chain_error->message : "?");
      g_assert_cmpint (together, ==, one_by_one);
      if (together == SLUICE_LUA_PASS)
        g_assert_cmpstr (chained, ==, second);
      else if (together == SLUICE_LUA_ERROR)
        {
          GError *alone = first_error != NULL ? first_error : second_error;

          g_assert_nonnull (alone);
          g_assert_nonnull (chain_error);
          g_assert_cmpstr (chain_error->message, ==, alone->message);
        }
      json_decref (item);
      test_lua_free (t);
    }
}

/* Keys of items made from JSON come from a cache of Lua strings
 * (sluice-lua-convert.c): whatever keys share a cache entry (same length,
 * first and last byte), are too long for it, empty, not ASCII, nested or
 * thousands to an item, every table has exactly the item's keys. */
static void
test_key_cache (void)
{
  const char *chunks[] = { "item.cached = true", NULL };
  TestLua *t = test_lua_new (chunks);
  int base = lua_gettop (t->L);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  g_autofree char *long40 = g_strnfill (40, 'k');
  g_autofree char *long41 = g_strnfill (41, 'k');

  /* Keys that share an entry, one after the other and in one item. */
  g_ptr_array_add (items, json_pack ("{s:i, s:i}", "aXb", 1, "aYb", 2));
  g_ptr_array_add (items, json_pack ("{s:i}", "aZb", 3));
  g_ptr_array_add (items, json_pack ("{s:i, s:{s:i, s:i}}", "aXb", 4, "aYb", "aZb", 5, "aXb", 6));
  /* At and past the length kept, empty, not ASCII. */
  g_ptr_array_add (items, json_pack ("{s:i, s:i, s:i, s:i}", long40, 1, long41, 2, "", 3, "ключ", 4));
  g_ptr_array_add (items, json_pack ("{s:i, s:i}", long41, 5, long40, 6));
  /* Many distinct keys, twice (every entry replaced, then found). */
  for (guint round = 0; round < 2; round++)
    {
      json_t *many = json_object ();

      for (guint k = 0; k < 3000; k++)
        {
          char key[32];

          g_snprintf (key, sizeof key, "k%u%c", (k * 7919) % 3000, 'a' + k % 26);
          json_object_set_new (many, key, json_integer (k));
        }
      g_ptr_array_add (items, many);
      g_ptr_array_add (items, json_pack ("{s:i, s:i}", "aYb", 7, "aXb", 8));
    }

  for (guint i = 0; i < items->len; i++)
    {
      json_t *item = g_ptr_array_index (items, i);
      SluiceLuaStep step = { 0, 0, 0 };
      g_autoptr(GError) error = NULL;
      guint ran, emitted;
      json_t *out;

      g_assert_cmpint (sluice_lua_runtime_run_chain_json (t->runtime, item, &step, 1, g_get_monotonic_time (),
                                                          &ran, &emitted, &error), ==, SLUICE_LUA_PASS);
      g_assert_no_error (error);
      out = sluice_lua_to_json (t->L, -1, NULL);
      g_assert_nonnull (out);
      lua_pop (t->L, 1);
      g_assert_true (json_is_true (json_object_get (out, "cached")));
      json_object_del (out, "cached");
      g_assert_true (json_equal (out, item));
      json_decref (out);
      g_assert_cmpint (lua_gettop (t->L), ==, base);
    }
  test_lua_free (t);
}

/* `item` is an upvalue of each chunk (the chunk is the body of a
 * function in a wrapper that declares it): what a chunk can do with
 * `item` is what it could as a global, alone and in a chain, and the
 * wrapper cannot be escaped. */
static void
test_item_upvalue (void)
{
  static const struct { const char *code; SluiceLuaResult result; const char *out; } cases[] = {
    /* `...` is valid (and empty), as in a chunk of its own. */
    { "item.n = select('#', ...)", SLUICE_LUA_PASS, "{\"id\":1,\"n\":0}" },
    { "item = {id = item.id + 1, replaced = true}", SLUICE_LUA_PASS, "{\"id\":2,\"replaced\":true}" },
    { "local f = function () item = {f = 1} end f()", SLUICE_LUA_PASS, "{\"f\":1}" },
    { "item = nil", SLUICE_LUA_ERROR, "no longer a table" },
    { "item = 5", SLUICE_LUA_ERROR, "no longer a table" },
    { "item = {1, 2}", SLUICE_LUA_ERROR, "array" },
    { "item.a = 1 -- a comment on the last line", SLUICE_LUA_PASS, "{\"a\":1,\"id\":1}" },
    /* _ENV.item is the item too (but not a field of the environment). */
    { "item.g = rawget(_ENV, 'item') == nil and _ENV.item == item and _ENV['item'].id == 1", SLUICE_LUA_PASS,
      "{\"g\":true,\"id\":1}" },
    { "_ENV.item = {e = item.id}", SLUICE_LUA_PASS, "{\"e\":1}" },
    { "_ENV.item = nil", SLUICE_LUA_ERROR, "no longer a table" },
    { "return false", SLUICE_LUA_DROP, NULL },
    { "x = 1 item.x = x", SLUICE_LUA_PASS, "{\"id\":1,\"x\":1}" },
    /* Syntax errors keep the code's own message and line. */
    { "item.a = 1\nitem.b = = 2", SLUICE_LUA_ERROR, "line 2 of its code" },
    { "item.a = 1\nif item.a then", SLUICE_LUA_ERROR, "'end' expected" },
    /* Code that would close the wrapper's function and run in the
     * wrapper does not compile on its own, so it never runs. */
    { "end, (function () item.smuggled = 1 error('smuggled') end)(), function ()", SLUICE_LUA_ERROR, "near 'end'" },
    { "end local item = 1 return function ()", SLUICE_LUA_ERROR, "near 'end'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *chunks[] = { cases[i].code, NULL };
      TestLua *t = test_lua_new (chunks);
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      SluiceLuaResult result = test_lua_run (t, 0, "{\"id\": 1}", 0, &out, &error);

      g_test_message ("%s: %s", cases[i].code, out != NULL ? out : error != NULL ? error->message : "dropped");
      g_assert_cmpint (result, ==, cases[i].result);
      if (result == SLUICE_LUA_PASS)
        g_assert_cmpstr (out, ==, cases[i].out);
      else if (result == SLUICE_LUA_ERROR)
        {
          g_assert_nonnull (strstr (error->message, cases[i].out));
          g_assert_null (strstr (error->message, "smuggled"));
        }
      /* The same item on again: nothing of the last one is left. */
      if (result == SLUICE_LUA_PASS && i == 2)
        {
          g_clear_pointer (&out, g_free);
          g_assert_cmpint (test_lua_run (t, 0, "{\"id\": 7}", 0, &out, NULL), ==, SLUICE_LUA_PASS);
          g_assert_cmpstr (out, ==, "{\"f\":1}");
        }
      test_lua_free (t);
    }

  /* In a chain: a replaced item goes on to the next chunk, which sees the
   * new one; the globals of one chunk are not another's. */
  {
    TestRun *run = test_run_body ("<controller id=\"c1\" mode=\"not-parallel\"><phase id=\"p\">"
                                  "<execution id=\"a\"><lua>item = {was = item.id}</lua></execution>"
                                  "<execution id=\"b\"><lua>item.b = select('#', ...) y = 2</lua></execution>"
                                  "<execution id=\"c\"><lua>item.c = (y == nil) item.d = item.was * 10</lua></execution>"
                                  "<execution id=\"e\"><lua>_ENV.item = {was = _ENV.item.was, b = item.b, c = item.c, d = item.d}</lua></execution>"
                                  "<execution id=\"f\"><lua>item.f = _ENV.item == item</lua></execution>"
                                  "</phase></controller>", "{\"id\": 1}\n{\"id\": 2}\n");

    g_assert_cmpint (sluice_executor_get_state (run->executor), ==, SLUICE_RUN_COMPLETED);
    g_assert_cmpuint (run->outputs->len, ==, 2);
    g_assert_cmpstr (g_ptr_array_index (run->outputs, 0), ==, "{\"b\":0,\"c\":true,\"d\":10,\"f\":true,\"was\":1}");
    g_assert_cmpstr (g_ptr_array_index (run->outputs, 1), ==, "{\"b\":0,\"c\":true,\"d\":20,\"f\":true,\"was\":2}");
    test_run_free (run);
  }
}

/* The bytecode test tells straight chunks from the others (its self-test
 * at first use must pass on this Lua, or nothing runs without counting). */
static void
test_straight_shapes (void)
{
  static const struct { const char *code; gboolean straight; } cases[] = {
    { "item.value = item.value + 1", TRUE },
    { "if item.a then item.b = item.a .. 'x' elseif item.c then return false else item.d = #item end", TRUE },
    { "item.t = {1, 2, {a = 3}}", TRUE },
    { "local x = item.a and item.b or item.c item.r = x", TRUE },
    { "while true do end", FALSE },
    { "repeat item.a = 1 until item.b", FALSE },
    { "for i = 1, 3 do item.a = i end", FALSE },
    { "for k, v in pairs(item) do end", FALSE },
    { "::top:: if item.a then goto top end", FALSE },
    { "item.f = function () end", FALSE },
    { "print(item.a)", FALSE },
    { "return emit(item)", FALSE },
    { "item.s = ('x'):rep(3)", FALSE },
    { "local c <close> = nil", FALSE },
  };
  lua_State *L = luaL_newstate ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (luaL_loadstring (L, cases[i].code), ==, LUA_OK);
      g_test_message ("%s", cases[i].code);
      g_assert_cmpint (sluice_lua_is_straight (L), ==, cases[i].straight);
      lua_pop (L, 1);
    }

  /* Whether a chunk stores under string constants only. */
  {
    static const struct { const char *code; gboolean only; } keys[] = {
      { "item.value = item.value + 1", TRUE },
      { "item.t = {1, 2, {a = 3}} x = item", TRUE },
      { "item[1] = 1", FALSE },
      { "local k = 'a' item[k] = 1", FALSE },
      { "item.t = {} item.t[2] = 1", FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_assert_cmpint (luaL_loadstring (L, keys[i].code), ==, LUA_OK);
        g_test_message ("%s", keys[i].code);
        g_assert_cmpint (sluice_lua_sets_string_keys_only (L), ==, keys[i].only);
        lua_pop (L, 1);
      }
  }

  /* Whether a chunk may replace the item (set its upvalue `item`): only
   * then is `item` read back after it in a chain. */
  {
    static const struct { const char *code; gboolean sets; } sets[] = {
      { "item.value = item.value + 1", FALSE },
      { "if item.a then item.b = {item.a} end", FALSE },
      { "item = {}", TRUE },
      { "if item.a then item = nil end", TRUE },
      { "local f = function () item = 1 end", TRUE },
      { "local t = item t.x = 1", FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
      {
        g_autofree char *wrapped = g_strconcat ("local item; return function () ", sets[i].code, "\nend", NULL);
        const char *name;

        g_assert_cmpint (luaL_loadstring (L, wrapped), ==, LUA_OK);
        g_assert_cmpint (lua_pcall (L, 0, 1, 0), ==, LUA_OK);
        name = lua_getupvalue (L, -1, 1);
        g_assert_cmpstr (name, ==, "item");
        lua_pop (L, 1);
        g_test_message ("%s", sets[i].code);
        g_assert_cmpint (sluice_lua_may_set_upvalue (L, 1), ==, sets[i].sets);
        lua_pop (L, 1);
      }
  }
  lua_close (L);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/item-chain/outcomes", test_outcomes);
  g_test_add_func ("/sluice/item-chain/events", test_events);
  g_test_add_func ("/sluice/item-chain/errors", test_errors);
  g_test_add_func ("/sluice/item-chain/straight-reaches-lua", test_straight_reaches_lua);
  g_test_add_func ("/sluice/item-chain/straight-cancel", test_straight_cancel);
  g_test_add_func ("/sluice/item-chain/straight-shapes", test_straight_shapes);
  g_test_add_func ("/sluice/item-chain/chain-from-json", test_chain_from_json);
  g_test_add_func ("/sluice/item-chain/key-cache", test_key_cache);
  g_test_add_func ("/sluice/item-chain/plain-after-straight", test_plain_after_straight);
  g_test_add_func ("/sluice/item-chain/item-upvalue", test_item_upvalue);

  return g_test_run ();
}
