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
 * is converted once on entry and once on exit, not per module. */
typedef struct _SluiceLuaRuntime SluiceLuaRuntime;

typedef enum
{
  SLUICE_LUA_PASS,     /* the item (perhaps changed) goes on */
  SLUICE_LUA_DROP,     /* return false */
  SLUICE_LUA_EMITTED,  /* emit() was called: the emitted tables go on */
  SLUICE_LUA_ERROR,
} SluiceLuaResult;

/* @codes: array of SluiceLuaCode*, borrowed (must outlive the runtime).
 * @params: name → value, copied into a read-only `params` table.
 * @cancel: borrowed flag; when it becomes non-zero running chunks stop. */
SluiceLuaRuntime *sluice_lua_runtime_new      (GPtrArray        *codes,
                                               GHashTable       *params,
                                               const gint       *cancel);
void              sluice_lua_runtime_free     (SluiceLuaRuntime *self);
lua_State        *sluice_lua_runtime_get_state(SluiceLuaRuntime *self);

/* Compiles every code; returns FALSE with @error naming the module and
 * the file line of the first one that does not compile. */
gboolean          sluice_lua_runtime_check    (SluiceLuaRuntime *self,
                                               GError          **error);

/* Pushes @json as a Lua table (or value) on the stack. */
void              sluice_lua_push_json        (lua_State        *L,
                                               json_t           *json);
/* Converts the value at @index to JSON; NULL with @error when it cannot
 * be represented (functions, cycles, NaN, …). */
json_t           *sluice_lua_to_json          (lua_State        *L,
                                               int               index,
                                               GError          **error);

/* Runs chunk @slot with the table on top of the stack as `item`. On
 * return the stack holds, instead of that table: for PASS the (possibly
 * replaced) item table; for EMITTED the emitted tables, @n_emitted of
 * them in order; nothing for DROP and ERROR (@error set). @deadline is a
 * monotonic time in µs after which the chunk is stopped, 0 for none. */
SluiceLuaResult   sluice_lua_runtime_run      (SluiceLuaRuntime *self,
                                               guint             slot,
                                               gint64            deadline,
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
