/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <lua.h>

G_BEGIN_DECLS

/* One piece of Lua the executor runs: an <execution><lua> chunk or a
 * <condition><when> expression. Immutable once made, so that every worker
 * thread can read it; each runtime compiles it once, on first use. */
typedef struct
{
  char     *module_id;   /* for error messages */
  char     *code;        /* the chunk, or "return (EXPR)" */
  guint     code_line;   /* line of the code's first line in the file, 0 = unknown */
  gboolean  expression;
} SluiceLuaCode;

/* A sandboxed Lua state with the chunks of one executor compiled into it.
 * Not thread-safe: the executor keeps one per worker thread (plus one for
 * the main thread), so each chunk is compiled once per state, not per item.
 *
 * Items live as Lua tables while they pass consecutive Lua steps, so JSON
 * is converted once on entry and once on exit, not per module.
 *
 * What the sandbox guarantees (SPEC 7, "Lua is contained"):
 * - Each chunk runs in its own environment. Globals it sets last until
 *   the end of that item: the next item, and every other module, start
 *   without them. The standard library (string, table, math, utf8,
 *   coroutine) is reached through read-only proxies; the string
 *   metatable and the metatable marking JSON arrays are protected
 *   (getmetatable returns false); so no chunk can change what another
 *   sees, and results do not depend on which state ran an item.
 * - A timeout or a cancel stops a chunk whatever it runs: the hook
 *   checks every 1000 instructions and, once the
 *   deadline has passed, raises at every instruction (pcall cannot
 *   swallow it); xpcall skips its handler for that error; string.find,
 *   match, gmatch and gsub count their steps and stop too (catastrophic
 *   backtracking included); setmetatable refuses __gc (finalizers run
 *   with hooks off); table.insert, remove, move, concat, unpack and sort
 *   refuse tables with __index, __newindex or __len metamethods (they
 *   could loop in C); string.rep of an empty string returns at once.
 * - Each state has a memory limit (the file's lua-memory-limit, or the
 *   default); reaching it fails the item with "memory limit of N MiB
 *   reached (the pipeline's lua-memory-limit)" and the state goes on.
 * - print() goes to the owner's callback, never to standard output. */
typedef struct _SluiceLuaRuntime SluiceLuaRuntime;

typedef enum
{
  SLUICE_LUA_PASS,     /* the item (perhaps changed) goes on */
  SLUICE_LUA_DROP,     /* return false */
  SLUICE_LUA_EMITTED,  /* emit() was called: the emitted tables go on */
  SLUICE_LUA_ERROR,
} SluiceLuaResult;

/* Memory a Lua state may use unless sluice_lua_runtime_set_memory_limit()
 * says otherwise. An item that needs more fails with "memory limit of
 * N MiB reached"; the run goes on. */
#define SLUICE_LUA_DEFAULT_MEMORY_LIMIT (256 * 1024 * 1024)

/* emit() may be called at most this many times for one item: the emitted
 * tables wait on the Lua stack (at most a million slots). */
#define SLUICE_LUA_MAX_EMITS 100000

/* Receives what a chunk prints (the arguments converted as by tostring,
 * separated by tabs, without a final newline) from the thread that runs
 * the runtime. @module_id is that of the chunk. */
typedef void (*SluiceLuaPrintFunc) (const char *module_id,
                                    const char *text,
                                    gsize       length,
                                    gpointer    user_data);

/* @codes: array of SluiceLuaCode*, borrowed (must outlive the runtime).
 * @params: name → value, copied into a read-only `params` table.
 * @cancel: borrowed flag; when it becomes non-zero running chunks stop. */
SluiceLuaRuntime *sluice_lua_runtime_new      (GPtrArray        *codes,
                                               GHashTable       *params,
                                               const gint       *cancel);
void              sluice_lua_runtime_free     (SluiceLuaRuntime *self);
lua_State        *sluice_lua_runtime_get_state(SluiceLuaRuntime *self);

/* @bytes: the most memory the state may hold, 0 for the default. A limit
 * below what the state already holds refuses every new allocation until
 * garbage is collected. */
void              sluice_lua_runtime_set_memory_limit (SluiceLuaRuntime *self,
                                                       gsize             bytes);
gsize             sluice_lua_runtime_get_memory_used  (SluiceLuaRuntime *self);
/* Where print() goes. Without a function, what chunks print is dropped:
 * it never reaches standard output, which carries the items. */
void              sluice_lua_runtime_set_print_func   (SluiceLuaRuntime  *self,
                                                       SluiceLuaPrintFunc func,
                                                       gpointer           user_data);

/* While a chunk runs long, someone else may want to hear from the
 * thread it holds (the designer's run publishes what the window shows):
 * Lua's count hook calls @func (its return value is ignored) whenever
 * *@wanted is set, which another thread does atomically; @func is
 * expected to clear it. It runs inside the chunk's call: it must not
 * touch Lua. The hook reads *@wanted once every thousand instructions,
 * so it costs nothing while nobody wants anything. */
void              sluice_lua_runtime_set_busy_func (SluiceLuaRuntime *self,
                                                    const gint       *wanted,
                                                    GSourceFunc       func,
                                                    gpointer          user_data);

/* Compiles every code; returns FALSE with @error naming the module and
 * the file line of the first one that does not compile. */
gboolean          sluice_lua_runtime_check    (SluiceLuaRuntime *self,
                                               GError          **error);

/* Pushes @json as a Lua table (or value) on the stack, in a protected
 * call: it never raises. Returns FALSE with @error, pushing nothing, when
 * @json is deeper than SLUICE_JSON_MAX_DEPTH or memory runs out. Arrays
 * get a protected marker metatable so that an empty one goes back out as
 * []. JSON null is the light userdata `null`. */
gboolean          sluice_lua_push_json_checked (lua_State       *L,
                                                json_t          *json,
                                                GError         **error);
/* The same, always pushing one value: on failure a placeholder that
 * sluice_lua_runtime_run() and _test() refuse with the reason, so that
 * the item fails and the stack stays balanced. */
void              sluice_lua_push_json        (lua_State        *L,
                                               json_t           *json);
/* Converts the item at @index, which must be a table that is not an
 * array, to a JSON object, in a protected call (it never raises). NULL
 * with @error (SLUICE_EXECUTOR_ERROR_LUA) when it cannot be represented:
 * functions, NaN, non-UTF-8 strings, an array instead of an object,
 * nesting deeper than SLUICE_JSON_MAX_DEPTH levels or a table that
 * contains itself, more than a million values plus one per 4 bytes of
 * Lua heap (tables shared many times over), or out of memory. The error
 * does not name the module: the caller adds it. */
json_t           *sluice_lua_to_json          (lua_State        *L,
                                               int               index,
                                               GError          **error);
/* Appends the item at @index as one line of JSON text (no newline)
 * exactly as sluice_lua_to_json() and then sluice_json_write() with
 * JSON_COMPACT | JSON_SORT_KEYS would write it, straight from the Lua
 * table: no JSON values are built, no protected call is made, nothing is
 * allocated in Lua. It takes the usual item (string keys, strings that are
 * valid UTF-8, finite numbers, nesting within SLUICE_JSON_MAX_DEPTH) and
 * returns FALSE, with @out as it was, on anything else, even what the
 * ordinary way takes (numeric keys, a string with both NUL and non-ASCII
 * bytes): the caller then converts the ordinary way, which also gives
 * every error its usual message. Never raises. */
gboolean          sluice_lua_write_item_text  (lua_State        *L,
                                               int               index,
                                               GString          *out);
/* Like sluice_lua_to_json() for any value (a string, a number, an array…),
 * for callers that convert parts of items. */
json_t           *sluice_lua_value_to_json    (lua_State        *L,
                                               int               index,
                                               GError          **error);

/* Runs chunk @slot with the table on top of the stack as `item`. The
 * item must stay a table that is not an array, and emitted items must
 * be such tables: otherwise the result is ERROR. On
 * return the stack holds, instead of that table: for PASS the (possibly
 * replaced) item table; for EMITTED the emitted tables, @n_emitted of
 * them in order; nothing for DROP and ERROR (@error set). @deadline is a
 * monotonic time in µs after which the chunk is stopped, 0 for none.
 * Errors are SLUICE_EXECUTOR_ERROR_LUA, or _TIMEOUT when @deadline
 * stopped the chunk, or _CANCELLED when the cancel flag did. */
SluiceLuaResult   sluice_lua_runtime_run      (SluiceLuaRuntime *self,
                                               guint             slot,
                                               gint64            deadline,
                                               guint            *n_emitted,
                                               GError          **error);
/* One chunk of a chain. */
typedef struct
{
  guint   slot;
  gint64  timeout_us;  /* 0 = none; its deadline counts from its start */
  gint64  ended;       /* set: monotonic µs when it ended */
} SluiceLuaStep;

/* Runs the chunks of @steps one after the other on the item on top of
 * the stack, in one protected call: what sluice_lua_runtime_run() does
 * for each, without its fixed cost per chunk. @start: monotonic µs at
 * which the first starts. @fresh: the item was just pushed from JSON and
 * nothing ran on it since (it holds no function and no metatable of a
 * chunk's). It stops after the first chunk whose item does
 * not simply go on (dropped, emitted, failed, or one that needs a closer
 * look): @n_ran says how many ran, all but the last passed the item on,
 * and the result and stack are those sluice_lua_runtime_run() gives for
 * the last. A chunk that stopped the chain and still passed returns PASS
 * with @n_ran < @n. */
SluiceLuaResult   sluice_lua_runtime_run_chain (SluiceLuaRuntime *self,
                                                SluiceLuaStep    *steps,
                                                guint             n,
                                                gint64            start,
                                                gboolean          fresh,
                                                guint            *n_ran,
                                                guint            *n_emitted,
                                                GError          **error);
/* sluice_lua_runtime_run_chain() on @json, which is first made into a
 * table (as sluice_lua_push_json() would: the item on top of the stack
 * is then as if pushed before the call), within the chain's protected
 * call: one protected call less per item. */
SluiceLuaResult   sluice_lua_runtime_run_chain_json (SluiceLuaRuntime *self,
                                                     json_t           *json,
                                                     SluiceLuaStep    *steps,
                                                     guint             n,
                                                     gint64            start,
                                                     guint            *n_ran,
                                                     guint            *n_emitted,
                                                     GError          **error);
/* Evaluates expression @slot with the table on top of the stack as
 * `item`; the table stays. Returns FALSE with @error on a runtime error,
 * otherwise sets @result to the truth of the value. */
gboolean          sluice_lua_runtime_test     (SluiceLuaRuntime *self,
                                               guint             slot,
                                               gint64            deadline,
                                               gboolean         *result,
                                               GError          **error);

G_END_DECLS
