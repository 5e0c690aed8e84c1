/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-combination.h"
#include "sluice-condition.h"
#include "sluice-duration.h"
#include "sluice-execution.h"
#include "sluice-executor-private.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-lua-check.h"
#include "sluice-params.h"

void
sluice_program_free (Program *prog)
{
  if (prog == NULL)
    return;

  for (guint i = 0; i < prog->steps->len; i++)
    sluice_program_free (program_step (prog, i)->sub);
  g_array_unref (prog->steps);
  g_free (prog);
}

static gboolean
parse_tool_duration (SluiceExecutor  *self,
                     SluiceExecution *execution,
                     const char      *name,
                     gint64          *us,
                     GError         **error)
{
  const char *raw = sluice_execution_lookup_tool_param (execution, name);
  g_autofree char *value = NULL;
  gint64 ms;

  if (raw == NULL)
    return FALSE;

  value = sluice_params_substitute (raw, sluice_executor_get_params (self), FALSE, error);
  if (value == NULL)
    return FALSE;

  g_strstrip (value);
  if (!sluice_duration_parse (value, &ms))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: delay parameter “%s” is not a duration: “%s”",
                   sluice_node_get_id (SLUICE_NODE (execution)), name, value);
      return FALSE;
    }

  *us = ms * 1000;
  return TRUE;
}

static gboolean
compile_delay (SluiceExecutor   *self,
               SluiceExecution  *execution,
               ModuleInfo       *info,
               GError          **error)
{
  GError *local = NULL;
  const char *id = sluice_node_get_id (SLUICE_NODE (execution));

  if (parse_tool_duration (self, execution, "duration", &info->delay_min_us, &local))
    {
      info->delay_max_us = info->delay_min_us;
      return TRUE;
    }
  if (local != NULL)
    goto fail;

  if (parse_tool_duration (self, execution, "min", &info->delay_min_us, &local) &&
      parse_tool_duration (self, execution, "max", &info->delay_max_us, &local))
    {
      if (info->delay_max_us < info->delay_min_us)
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: delay min is greater than max", id);
          return FALSE;
        }
      return TRUE;
    }
  if (local != NULL)
    goto fail;

  g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
               "module “%s”: the delay tool needs “duration”, or “min” and “max”", id);
  return FALSE;

fail:
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
compile_execution (SluiceExecutor   *self,
                   SluiceExecution  *execution,
                   ModuleInfo       *info,
                   Step             *step,
                   GError          **error)
{
  const char *id = sluice_node_get_id (SLUICE_NODE (execution));
  const char *tool;

  switch (sluice_execution_get_body_kind (execution))
    {
    case SLUICE_BODY_LUA:
      step->kind = STEP_LUA;
      step->slot = sluice_executor_add_lua (self, id,
                                            sluice_execution_get_code (execution),
                                            sluice_execution_get_code_line (execution),
                                            FALSE);
      info->snapshot = info->retries > 0 || info->on_error == SLUICE_ON_ERROR_CONTINUE;
      return TRUE;

    case SLUICE_BODY_COMMAND:
      step->kind = STEP_COMMAND;
      info->command = sluice_params_substitute (sluice_execution_get_code (execution),
                                                sluice_executor_get_params (self),
                                                TRUE, error);
      if (info->command == NULL)
        {
          g_prefix_error (error, "module “%s”: ", id);
          return FALSE;
        }
      return TRUE;

    case SLUICE_BODY_TOOL:
      tool = sluice_execution_get_tool (execution);
      if (g_strcmp0 (tool, "delay") == 0)
        {
          step->kind = STEP_DELAY;
          return compile_delay (self, execution, info, error);
        }
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: unknown tool “%s”", id, tool ? tool : "");
      return FALSE;

    case SLUICE_BODY_NONE:
    default:
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: an execution needs exactly one body", id);
      return FALSE;
    }
}

static gboolean
compile_into (SluiceExecutor  *self,
              Program         *prog,
              GListModel      *modules,
              guint            ctl,
              GError         **error)
{
  guint n = g_list_model_get_n_items (modules);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceModule) module = g_list_model_get_item (modules, i);
      guint mod = sluice_executor_add_module (self, module, ctl);
      ModuleInfo *info = sluice_executor_get_module_info (self, mod);
      Step step = { 0 };
      guint pc = prog->steps->len;

      step.mod = mod;

      if (SLUICE_IS_EXECUTION (module))
        {
          if (!compile_execution (self, SLUICE_EXECUTION (module), info, &step, error))
            return FALSE;
          step.next = pc + 1;
          g_array_append_val (prog->steps, step);
        }
      else if (SLUICE_IS_CONDITION (module))
        {
          SluiceCondition *cond = SLUICE_CONDITION (module);
          g_autofree char *expr =
            sluice_lua_expression_source (sluice_condition_get_expression (cond));
          guint jump_pc;

          step.kind = STEP_COND;
          step.slot = sluice_executor_add_lua (self, info->id, expr,
                                               sluice_condition_get_expression_line (cond),
                                               TRUE);
          g_array_append_val (prog->steps, step);
          if (!compile_into (self, prog, sluice_condition_get_then_modules (cond), ctl, error))
            return FALSE;
          jump_pc = prog->steps->len;
          {
            Step jump = { .kind = STEP_JUMP, .mod = step.mod };
            g_array_append_val (prog->steps, jump);
          }
          program_step (prog, pc)->target = prog->steps->len;
          if (!compile_into (self, prog, sluice_condition_get_else_modules (cond), ctl, error))
            return FALSE;
          program_step (prog, jump_pc)->target = prog->steps->len;
          program_step (prog, jump_pc)->next = prog->steps->len;
          program_step (prog, pc)->next = prog->steps->len;
        }
      else if (SLUICE_IS_COMBINATION (module))
        {
          step.kind = STEP_COMBO;
          step.sub = sluice_program_compile (self,
                                             sluice_combination_get_modules (SLUICE_COMBINATION (module)),
                                             ctl, error);
          if (step.sub == NULL)
            return FALSE;
          step.next = pc + 1;
          g_array_append_val (prog->steps, step);
        }
      else if (SLUICE_IS_FAIL (module))
        {
          const char *reason = sluice_fail_get_reason (SLUICE_FAIL (module));

          step.kind = STEP_FAIL;
          info->reason = g_strdup (reason != NULL && *reason ? reason : "failed by a <fail> module");
          step.next = pc + 1;
          g_array_append_val (prog->steps, step);
        }
      else
        {
          step.kind = STEP_EXTERNAL;
          step.next = pc + 1;
          g_array_append_val (prog->steps, step);
        }
    }

  return TRUE;
}

Program *
sluice_program_compile (SluiceExecutor  *self,
                        GListModel      *modules,
                        guint            ctl,
                        GError         **error)
{
  Program *prog = g_new0 (Program, 1);

  prog->steps = g_array_new (FALSE, TRUE, sizeof (Step));
  if (!compile_into (self, prog, modules, ctl, error))
    {
      sluice_program_free (prog);
      return NULL;
    }

  return prog;
}

static inline void
stat_add (guint64 *counter,
          guint64  value)
{
  __atomic_fetch_add (counter, value, __ATOMIC_RELAXED);
}

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

static Token *
failed_token (Token       *origin,
              json_t      *item,
              guint        pc,
              guint        attempt,
              const char  *message)
{
  Token *token = sluice_token_new (item, origin->job, pc);

  token->attempt = attempt;
  token->error = g_strdup (message);
  return token;
}

/* Records the @n tables on top of the Lua stack in the data preview. */
static void
preview_lua (Preview   *preview,
             gboolean   outputs,
             lua_State *L,
             guint      n,
             gint64     now)
{
  if (!sluice_preview_due (preview, outputs, now))
    return;
  /* The first one produced is the deepest. */
  for (guint i = n; i > 0; i--)
    {
      json_t *item = sluice_lua_to_json (L, -(int) i, NULL);

      sluice_preview_record (preview, outputs, item, now);
      if (item != NULL)
        json_decref (item);
    }
}

void
sluice_program_run_segment (SluiceExecutor   *self,
                            SluiceLuaRuntime *rt,
                            Token            *token,
                            GPtrArray        *out,
                            GArray           *records)
{
  lua_State *L = sluice_lua_runtime_get_state (rt);
  Program *prog = token->job->prog;
  guint n_steps = prog->steps->len;
  int base = lua_gettop (L);
  GArray *pcs = NULL;
  guint pc = token->pc;
  guint last_lua = pc;
  guint64 seq = token->job->seq;
  /* One clock read per step: a step's end is the next one's start. */
  gint64 now = g_get_monotonic_time ();

  sluice_lua_push_json (L, token->item);

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      while (pc < n_steps && step_is_lua (program_step (prog, pc)))
        {
          Step *step = program_step (prog, pc);
          ModuleInfo *info = sluice_executor_get_module_info (self, step->mod);
          guint attempt = pc == token->pc ? token->attempt : 0;
          gint64 t0, deadline = 0;

          if (step->kind == STEP_JUMP)
            {
              pc = step->target;
              continue;
            }

          t0 = now;
          if (info->timeout_us > 0)
            deadline = t0 + info->timeout_us;
          if (attempt == 0)
            stat_add (&info->stats.items_in, 1);
          if (G_UNLIKELY (info->preview != NULL))
            preview_lua (info->preview, FALSE, L, 1, t0);

          if (step->kind == STEP_COND)
            {
              gboolean truth;
              json_t *snapshot = info->retries > 0 || info->on_error == SLUICE_ON_ERROR_CONTINUE
                                 ? sluice_lua_to_json (L, -1, NULL) : NULL;

              if (!sluice_lua_runtime_test (rt, step->slot, deadline, &truth, &error))
                {
                  lua_pop (L, 1);
                  g_ptr_array_add (out, failed_token (token, snapshot, pc, attempt, error->message));
                  goto next_work;
                }
              if (snapshot != NULL)
                json_decref (snapshot);
              now = g_get_monotonic_time ();
              stat_add (&info->stats.items_out, 1);
              stat_add (&info->stats.time_us, now - t0);
              pc = truth ? pc + 1 : step->target;
              continue;
            }
          else
            {
              json_t *snapshot = info->snapshot ? sluice_lua_to_json (L, -1, NULL) : NULL;
              guint n_emitted = 0;
              SluiceLuaResult result;
              gint64 dt;

              result = sluice_lua_runtime_run (rt, step->slot, deadline, &n_emitted, &error);
              now = g_get_monotonic_time ();
              dt = now - t0;
              stat_add (&info->stats.time_us, dt);
              last_lua = pc;

              if (result == SLUICE_LUA_ERROR)
                {
                  g_ptr_array_add (out, failed_token (token, snapshot, pc, attempt, error->message));
                  goto next_work;
                }
              if (snapshot != NULL)
                json_decref (snapshot);

              if (records != NULL)
                {
                  StepRecord rec = { step->mod, seq, t0, dt,
                                     result == SLUICE_LUA_PASS ? 1 : result == SLUICE_LUA_DROP ? 0 : n_emitted };
                  g_array_append_val (records, rec);
                }

              if (G_UNLIKELY (info->preview != NULL) && result != SLUICE_LUA_DROP)
                preview_lua (info->preview, TRUE, L,
                             result == SLUICE_LUA_PASS ? 1 : n_emitted, now);

              if (result == SLUICE_LUA_PASS)
                {
                  stat_add (&info->stats.items_out, 1);
                  pc++;
                  continue;
                }
              if (result == SLUICE_LUA_DROP)
                {
                  stat_add (&info->stats.dropped, 1);
                  goto next_work;
                }

              /* Emitted: the tables are on the stack; each goes on. */
              stat_add (&info->stats.items_out, n_emitted);
              reverse_top (L, n_emitted);
              if (pcs == NULL)
                pcs = g_array_new (FALSE, FALSE, sizeof (guint));
              for (guint i = 0; i < n_emitted; i++)
                {
                  guint next_pc = pc + 1;
                  g_array_append_val (pcs, next_pc);
                }
              goto next_work;
            }
        }

      /* At an asynchronous step or the end: back to JSON. */
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
          g_ptr_array_add (out, sluice_token_new (item, token->job, pc));
      }

    next_work:
      if (pcs == NULL || pcs->len == 0)
        break;
      pc = g_array_index (pcs, guint, pcs->len - 1);
      g_array_set_size (pcs, pcs->len - 1);
    }

  g_assert (lua_gettop (L) == base);
  if (pcs != NULL)
    g_array_unref (pcs);
  sluice_token_free (token);
}
