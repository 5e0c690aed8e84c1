/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* Running Lua: an item enters Lua once and stays a Lua table across
 * consecutive Lua ops (conditions included), on whichever thread runs
 * the segment; it becomes JSON again only at an op that is not Lua, at
 * the end of the program, or when it fails. */

/* Reverses the top @n values of the stack, so that emitted items are
 * processed in the order they were emitted. */
static void
reverse_top (lua_State *L,
             int        n)
{
  int top = lua_gettop (L);

  for (int i = 0; i < n / 2; i++)
    {
      int a = top - n + 1 + i;
      int b = top - i;

      lua_pushvalue (L, a);
      lua_pushvalue (L, b);
      lua_replace (L, a);
      lua_replace (L, b);
    }
}

/* An emitted table waiting on the Lua stack: where it goes on, and its id. */
typedef struct
{
  guint pc;
  guint child;
  guint parent;
} Pending;

static SluiceToken *
failed_token (SluiceToken *origin,
              json_t      *item,
              guint        pc,
              guint        attempt,
              const char  *message)
{
  SluiceToken *token = _sluice_token_new (item, origin->job, pc);

  token->child = origin->child;
  token->parent = origin->parent;
  token->attempt = attempt;
  token->error = g_strdup (message);
  return token;
}

/* The preview text of the item on top of the stack, kept from a
 * module's output to the next module's input (the same table, unless Lua
 * ran in between): one text for both. */
typedef struct
{
  GString  *text;
  gboolean  valid;
} PreviewText;

/* Records the @n tables on top of the Lua stack in the data preview. */
static void
preview_lua (SluicePreview *preview,
             gboolean       outputs,
             lua_State     *L,
             guint          n,
             gint64         now,
             PreviewText   *cache)
{
  if (!sluice_preview_due (preview, outputs, now))
    return;
  if (n == 1 && cache->valid)
    {
      sluice_preview_record_text (preview, outputs, cache->text->str, cache->text->len);
      return;
    }
  /* The first one produced is the deepest. Written as text straight
   * from the table where it can be (no JSON values built). */
  for (guint i = n; i > 0; i--)
    {
      json_t *item;

      if (cache->text == NULL)
        cache->text = g_string_sized_new (256);
      g_string_truncate (cache->text, 0);
      if (sluice_lua_write_item_text (L, -(int) i, cache->text))
        {
          sluice_preview_record_text (preview, outputs, cache->text->str, cache->text->len);
          cache->valid = n == 1;
          continue;
        }
      item = sluice_lua_to_json (L, -(int) i, NULL);
      sluice_preview_record (preview, outputs, item, now);
      if (item != NULL)
        json_decref (item);
    }
}

static void
free_scratch (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Each thread's buffer for output text, kept from item to item. */
static GPrivate scratch_text = G_PRIVATE_INIT (free_scratch);

/* A token carrying the item on top of the stack as its output line, or
 * NULL when the item needs the ordinary way (sluice-lua-text.c). */
static SluiceToken *
output_text (lua_State   *L,
             SluiceToken *token,
             guint        pc)
{
  GString *text = g_private_get (&scratch_text);
  SluiceToken *next;

  if (G_UNLIKELY (text == NULL))
    {
      text = g_string_sized_new (256);
      g_private_set (&scratch_text, text);
    }
  g_string_truncate (text, 0);
  if (!sluice_lua_write_item_text (L, -1, text))
    return NULL;

  next = _sluice_token_new (NULL, token->job, pc);
  next->child = token->child;
  next->parent = token->parent;
  next->text = g_memdup2 (text->str, text->len + 1);
  next->text_length = text->len;
  /* A buffer grown by one huge item is not kept for the rest of the run. */
  if (text->allocated_len > 1024 * 1024)
    {
      g_private_replace (&scratch_text, g_string_sized_new (256));
    }
  return next;
}

/* Makes the item a Lua table on top of the stack, if it is not yet. */
static inline void
push_pending (lua_State  *L,
              json_t    **pending)
{
  if (*pending != NULL)
    sluice_lua_push_json (L, g_steal_pointer (pending));
}

/* The most chunks run as one chain. */
#define MAX_CHAIN 32

/* How many Lua ops from @pc on can run as one chain: plain chunks (no
 * condition, no jump between them) that need nothing per op but counters
 * (no snapshot to retry with, no preview due). */
static guint
chain_length (SluiceExecutor *self,
              SluiceProgram  *prog,
              guint           pc,
              gint64          now)
{
  guint n = 0;

  while (pc + n < prog->ops->len && n < MAX_CHAIN)
    {
      SluiceOp *op = program_op (prog, pc + n);
      SluiceModuleRun *info;

      if (op->kind != SLUICE_OP_LUA)
        break;
      info = module_run (self, op->mod);
      /* A module whose preview is not due now needs no op of its own
       * (the designer previews every module). */
      if (info->snapshot || sluice_preview_wanted (info->preview, now))
        break;
      n++;
    }
  return n;
}

/* The deadline of an op that starts at @t0: the module's own timeout, or
 * on the main thread, the limit it may hold it (*@limited then). */
static gint64
op_deadline (SluiceExecutor   *self,
             SluiceLuaRuntime *rt,
             SluiceModuleRun  *info,
             gint64            t0,
             gboolean         *limited)
{
  *limited = FALSE;
  if (info->timeout_us > 0)
    return t0 + info->timeout_us;
  if (G_UNLIKELY (self->main_lua_limit_us > 0) && rt == self->main_rt)
    {
      *limited = TRUE;
      return t0 + self->main_lua_limit_us;
    }
  return 0;
}

/* The message of an op stopped by the main thread's limit. */
static void
explain_limit (SluiceExecutor   *self,
               SluiceModuleRun  *info,
               gboolean          limited,
               GError           *error)
{
  if (!limited || !g_error_matches (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TIMEOUT))
    return;
  self->yield_now = TRUE;
  g_free (error->message);
  error->message = g_strdup_printf ("module “%s”: Lua ran for more than %.1f s on the window's thread and was "
                                    "stopped, so that the window stays usable (give the module a timeout "
                                    "to let it run longer)",
                                    info->id, self->main_lua_limit_us / (double) G_USEC_PER_SEC);
}

gint64
_sluice_executor_run_segment (SluiceExecutor   *self,
                              SluiceLuaRuntime *rt,
                              SluiceToken      *token,
                              GPtrArray        *out,
                              GArray           *records,
                              gint64           *ended)
{
  lua_State *L = sluice_lua_runtime_get_state (rt);
  SluiceProgram *prog = token->job->prog;
  guint n_ops = prog->ops->len;
  int base = lua_gettop (L);
  GArray *pcs = NULL;   /* of Pending */
  guint pc = token->pc;
  guint last_lua = pc;
  gboolean fresh;
  /* The item, until it is a Lua table on the stack: a chain that comes
   * first makes it one within its own protected call. */
  json_t *unpushed = token->item;
  SluiceOrigin *origin = token->job->origin;
  /* Only this thread counts for the modules of a not-parallel controller,
   * and for cheap Lua of any mode run on the run's thread while no worker
   * has a segment (then plain adds, not locked ones: ~30 an item). */
  gboolean sole = token->job->ctl->mode == SLUICE_MODE_NOT_PARALLEL ||
                  (rt == self->main_rt && self->segments_out == 0);
  /* One clock read per op: a op's end is the next one's start. */
  gint64 now = g_get_monotonic_time ();
  gint64 segment_start = now;
  PreviewText preview_text = { NULL, FALSE };

  /* Nothing ran on the item yet: it holds only what JSON can. */
  fresh = TRUE;

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      while (pc < n_ops && op_is_lua (program_op (prog, pc)))
        {
          SluiceOp *op = program_op (prog, pc);
          SluiceModuleRun *info = module_run (self, op->mod);
          guint attempt = pc == token->pc ? token->attempt : 0;
          gint64 t0, deadline;
          gboolean limited;

          if (op->kind == SLUICE_OP_JUMP)
            {
              pc = op->target;
              continue;
            }

          t0 = now;
          deadline = op_deadline (self, rt, info, t0, &limited);
          if (attempt == 0)
            stat_add_sole (sole, &info->stats->items_in, 1);
          if (G_UNLIKELY (info->preview != NULL))
            {
              push_pending (L, &unpushed);
              preview_lua (info->preview, FALSE, L, 1, t0, &preview_text);
            }
          /* Lua runs on the item from here. */
          preview_text.valid = FALSE;

          if (op->kind == SLUICE_OP_COND)
            {
              gboolean truth;
              json_t *snapshot;

              push_pending (L, &unpushed);
              snapshot = info->retries > 0 || info->on_error == SLUICE_ON_ERROR_CONTINUE
                         ? sluice_lua_to_json (L, -1, NULL) : NULL;

              fresh = FALSE;
              if (!sluice_lua_runtime_test (rt, op->slot, deadline, &truth, &error))
                {
                  explain_limit (self, info, limited, error);
                  lua_pop (L, 1);
                  g_ptr_array_add (out, failed_token (token, snapshot, pc, attempt, error->message));
                  /* What it cost counts (a timeout is dear). */
                  now = g_get_monotonic_time ();
                  goto next_work;
                }
              if (snapshot != NULL)
                json_decref (snapshot);
              now = g_get_monotonic_time ();
              stat_add_sole (sole, &info->stats->items_out, 1);
              stat_add_sole (sole, &info->stats->time_us, now - t0);
              pc = truth ? pc + 1 : op->target;
              continue;
            }
          else
            {
              json_t *snapshot = NULL;
              guint n_emitted = 0;
              guint chain;
              SluiceLuaResult result;
              gint64 dt;

              if (info->snapshot)
                {
                  push_pending (L, &unpushed);
                  snapshot = sluice_lua_to_json (L, -1, NULL);
                }
              chain = attempt == 0 && snapshot == NULL ? chain_length (self, prog, pc, t0) : 0;

              if (chain >= 1)
                {
                  /* Consecutive chunks in one protected call; the ops
                   * that passed the item on are counted here, the last
                   * one that ran below like any other. */
                  SluiceLuaStep steps[MAX_CHAIN];
                  guint ran = 0;

                  for (guint i = 0; i < chain; i++)
                    {
                      SluiceOp *step_op = program_op (prog, pc + i);
                      gboolean step_limited;

                      steps[i].slot = step_op->slot;
                      steps[i].ended = 0;   /* left so where a chain falls back to one run */
                      steps[i].timeout_us = op_deadline (self, rt, module_run (self, step_op->mod), 0, &step_limited);
                    }
                  if (unpushed != NULL)
                    result = sluice_lua_runtime_run_chain_json (rt, g_steal_pointer (&unpushed), steps, chain,
                                                                t0, &ran, &n_emitted, &error);
                  else
                    result = sluice_lua_runtime_run_chain (rt, steps, chain, t0, fresh, &ran, &n_emitted, &error);
                  for (guint i = 0; i + 1 < ran; i++)
                    {
                      SluiceOp *passed = program_op (prog, pc + i);
                      SluiceModuleRun *passed_info = module_run (self, passed->mod);
                      gint64 start = i == 0 ? t0 : steps[i - 1].ended;

                      if (i > 0)
                        stat_add_sole (sole, &passed_info->stats->items_in, 1);
                      stat_add_sole (sole, &passed_info->stats->items_out, 1);
                      stat_add_sole (sole, &passed_info->stats->time_us, steps[i].ended - start);
                      if (records != NULL)
                        {
                          SluiceStepRecord rec = { passed->mod, token->child, token->parent,
                                                   start, steps[i].ended - start, 1 };
                          g_array_append_val (records, rec);
                        }
                    }
                  if (ran > 1)
                    {
                      /* The last that ran is the op at hand from here on. */
                      pc += ran - 1;
                      op = program_op (prog, pc);
                      info = module_run (self, op->mod);
                      t0 = steps[ran - 2].ended;
                      op_deadline (self, rt, info, t0, &limited);
                      stat_add_sole (sole, &info->stats->items_in, 1);
                    }
                  now = G_LIKELY (steps[ran - 1].ended != 0) ? steps[ran - 1].ended : g_get_monotonic_time ();
                }
              else
                {
                  push_pending (L, &unpushed);
                  result = sluice_lua_runtime_run (rt, op->slot, deadline, &n_emitted, &error);
                  now = g_get_monotonic_time ();
                }
              dt = now - t0;
              stat_add_sole (sole, &info->stats->time_us, dt);
              /* The main loop gets its turn after each slow op, not only
               * every few dozen items (the designer's window). */
              if (G_UNLIKELY (dt > 4000) && rt == self->main_rt)
                self->yield_now = TRUE;
              last_lua = pc;
              fresh = FALSE;

              if (result == SLUICE_LUA_ERROR)
                {
                  explain_limit (self, info, limited, error);
                  g_ptr_array_add (out, failed_token (token, snapshot, pc, attempt, error->message));
                  goto next_work;
                }
              if (snapshot != NULL)
                json_decref (snapshot);

              if (records != NULL)
                {
                  SluiceStepRecord rec = { op->mod, token->child, token->parent, t0, dt,
                                           result == SLUICE_LUA_PASS ? 1 : result == SLUICE_LUA_DROP ? 0 : n_emitted };
                  g_array_append_val (records, rec);
                }

              if (G_UNLIKELY (info->preview != NULL) && result != SLUICE_LUA_DROP)
                preview_lua (info->preview, TRUE, L,
                             result == SLUICE_LUA_PASS ? 1 : n_emitted, now, &preview_text);

              if (result == SLUICE_LUA_PASS)
                {
                  stat_add_sole (sole, &info->stats->items_out, 1);
                  pc++;
                  continue;
                }
              if (result == SLUICE_LUA_DROP)
                {
                  stat_add_sole (sole, &info->stats->dropped, 1);
                  goto next_work;
                }

              /* Emitted: the tables are on the stack, the first one on
               * top; each goes on with an id of its own. */
              stat_add_sole (sole, &info->stats->items_out, n_emitted);
              reverse_top (L, n_emitted);
              if (pcs == NULL)
                pcs = g_array_new (FALSE, FALSE, sizeof (Pending));
              if (n_emitted > 0)
                {
                  guint first = origin != NULL ? _sluice_origin_new_ids (origin, n_emitted) : 1;

                  for (guint i = 0; i < n_emitted; i++)
                    {
                      Pending pending = { pc + 1, first + n_emitted - 1 - i, token->child };
                      g_array_append_val (pcs, pending);
                    }
                }
              goto next_work;
            }
        }

      /* A jump straight to the end leaves the item as it came. */
      push_pending (L, &unpushed);

      /* At the end, on its way to a sink of lines: written as text
       * straight from the table, when it can be. */
      if (pc >= n_ops && _sluice_executor_wants_text (self, token->job))
        {
          SluiceToken *next = output_text (L, token, pc);

          if (next != NULL)
            {
              lua_pop (L, 1);
              g_ptr_array_add (out, next);
              goto next_work;
            }
        }

      /* At an asynchronous op or the end: back to JSON. */
      {
        json_t *item = sluice_lua_to_json (L, -1, &error);

        lua_pop (L, 1);
        if (item == NULL)
          {
            /* The failure is reported against the last Lua module, which
             * adds its id to the message. */
            g_ptr_array_add (out, failed_token (token, NULL, last_lua, G_MAXUINT, error->message));
          }
        else
          {
            SluiceToken *next = _sluice_token_new (item, token->job, pc);

            next->child = token->child;
            next->parent = token->parent;
            g_ptr_array_add (out, next);
          }
      }

    next_work:
      preview_text.valid = FALSE;
      if (pcs == NULL || pcs->len == 0)
        break;
      {
        Pending *pending = &g_array_index (pcs, Pending, pcs->len - 1);

        pc = pending->pc;
        token->child = pending->child;
        token->parent = pending->parent;
        g_array_set_size (pcs, pcs->len - 1);
      }
    }

  g_assert (lua_gettop (L) == base);
  if (preview_text.text != NULL)
    g_string_free (preview_text.text, TRUE);
  if (pcs != NULL)
    g_array_unref (pcs);
  _sluice_token_free (token);
  if (ended != NULL)
    *ended = now;
  return now - segment_start;
}
