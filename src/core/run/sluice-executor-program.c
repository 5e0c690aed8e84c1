/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-combination.h"
#include "sluice-condition.h"
#include "sluice-executor-private.h"
#include "sluice-fail.h"
#include "sluice-lua-check.h"
#include "sluice-step-registry.h"

/* Compiling a controller: its modules in order become a flat program of
 * ops. Steps become LUA ops (Lua code) or STEP ops (anything else);
 * conditions, groups and <fail> are the flow around them. */

void
_sluice_program_free (SluiceProgram *prog)
{
  if (prog == NULL)
    return;

  for (guint i = 0; i < prog->ops->len; i++)
    _sluice_program_free (program_op (prog, i)->sub);
  g_array_unref (prog->ops);
  g_free (prog);
}

/* A module that does something to items: its step decides how. A step
 * that cannot be had makes the module fail its items at run time, as a
 * run of a pipeline that validates must get as far as it can. */
static gboolean
compile_step (SluiceExecutor   *self,
              SluiceModule     *module,
              SluiceModuleRun  *info,
              SluiceOp         *op,
              GError          **error)
{
  g_autoptr(GError) local = NULL;
  const char *lua;
  guint line = 0;

  op->kind = SLUICE_OP_STEP;
  info->step = sluice_step_registry_new_step (module, &local);
  if (info->step == NULL)
    {
      info->reason = g_strdup (local->message);
      return TRUE;
    }

  if (!sluice_step_prepare (info->step, module, &self->step_context, error))
    return FALSE;

  lua = sluice_step_get_lua (info->step, &line);
  if (lua != NULL)
    {
      op->kind = SLUICE_OP_LUA;
      op->slot = _sluice_executor_add_lua (self, info->id, lua, line, FALSE);
      info->snapshot = info->retries > 0 || info->on_error == SLUICE_ON_ERROR_CONTINUE;
    }

  return TRUE;
}

static gboolean compile_into (SluiceExecutor  *self,
                              SluiceProgram   *prog,
                              GListModel      *modules,
                              guint            ctl,
                              GError         **error);

/* A condition: the test, then-branch, a jump over the else-branch, the
 * else-branch. */
static gboolean
compile_condition (SluiceExecutor   *self,
                   SluiceProgram    *prog,
                   SluiceCondition  *cond,
                   SluiceOp         *op,
                   guint             ctl,
                   GError          **error)
{
  g_autofree char *expr = sluice_lua_expression_source (sluice_condition_get_expression (cond));
  SluiceModuleRun *info = module_run (self, op->mod);
  guint pc = prog->ops->len;
  SluiceOp jump = { .kind = SLUICE_OP_JUMP, .mod = op->mod };
  guint jump_pc;

  op->kind = SLUICE_OP_COND;
  op->slot = _sluice_executor_add_lua (self, info->id, expr,
                                       sluice_condition_get_expression_line (cond), TRUE);
  g_array_append_val (prog->ops, *op);
  if (!compile_into (self, prog, sluice_condition_get_then_modules (cond), ctl, error))
    return FALSE;

  jump_pc = prog->ops->len;
  g_array_append_val (prog->ops, jump);
  program_op (prog, pc)->target = prog->ops->len;
  if (!compile_into (self, prog, sluice_condition_get_else_modules (cond), ctl, error))
    return FALSE;

  program_op (prog, jump_pc)->target = prog->ops->len;
  program_op (prog, jump_pc)->next = prog->ops->len;
  program_op (prog, pc)->next = prog->ops->len;
  return TRUE;
}

static gboolean
compile_into (SluiceExecutor  *self,
              SluiceProgram   *prog,
              GListModel      *modules,
              guint            ctl,
              GError         **error)
{
  guint n = g_list_model_get_n_items (modules);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceModule) module = g_list_model_get_item (modules, i);
      guint mod = _sluice_executor_add_module (self, module, ctl);
      SluiceModuleRun *info = module_run (self, mod);
      SluiceOp op = { .mod = mod, .next = prog->ops->len + 1 };

      if (SLUICE_IS_CONDITION (module))
        {
          if (!compile_condition (self, prog, SLUICE_CONDITION (module), &op, ctl, error))
            return FALSE;
          continue;
        }

      if (SLUICE_IS_COMBINATION (module))
        {
          op.kind = SLUICE_OP_GROUP;
          op.sub = _sluice_executor_compile (self,
                                             sluice_combination_get_modules (SLUICE_COMBINATION (module)),
                                             ctl, error);
          if (op.sub == NULL)
            return FALSE;
        }
      else if (SLUICE_IS_GATE (module))
        {
          op.kind = SLUICE_OP_GATE;
          if (!_sluice_executor_compile_gate (self, SLUICE_GATE (module), info, error))
            return FALSE;
        }
      else if (SLUICE_IS_FAIL (module))
        {
          const char *reason = sluice_fail_get_reason (SLUICE_FAIL (module));

          op.kind = SLUICE_OP_FAIL;
          info->reason = g_strdup (reason != NULL && *reason ? reason : "failed by a <fail> module");
        }
      else if (!compile_step (self, module, info, &op, error))
        return FALSE;

      g_array_append_val (prog->ops, op);
    }

  return TRUE;
}

SluiceProgram *
_sluice_executor_compile (SluiceExecutor  *self,
                          GListModel      *modules,
                          guint            ctl,
                          GError         **error)
{
  SluiceProgram *prog = g_new0 (SluiceProgram, 1);

  prog->ops = g_array_new (FALSE, TRUE, sizeof (SluiceOp));
  if (!compile_into (self, prog, modules, ctl, error))
    {
      _sluice_program_free (prog);
      return NULL;
    }

  return prog;
}
