/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-execution.h"
#include "sluice-executor-private.h"
#include "sluice-external.h"

/* Replacing steps before a run: what tests (stubs) and dry runs
 * (recorders) need, kept out of compiling so that a run that replaces
 * nothing is built exactly as before. Only STEP ops are replaced: Lua
 * runs in the executor's own states and is never a side effect. */

static gboolean
is_step_module (SluiceModuleRun *info)
{
  if (info->step != NULL)
    return sluice_step_get_lua (info->step, NULL) == NULL;
  /* No step could be made (an unknown tool): a stub may stand in. */
  return SLUICE_IS_EXTERNAL (info->module) ||
         (SLUICE_IS_EXECUTION (info->module) &&
          sluice_execution_get_body_kind (SLUICE_EXECUTION (info->module)) != SLUICE_BODY_LUA);
}

gboolean
sluice_executor_replace_steps (SluiceExecutor         *self,
                               SluiceStepReplaceFunc   func,
                               gpointer                user_data,
                               GError                **error)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (self->state == SLUICE_RUN_PENDING, FALSE);

  for (guint i = 0; i < self->mods->len; i++)
    {
      SluiceModuleRun *info = module_run (self, i);
      g_autoptr(SluiceStep) step = NULL;

      if (!is_step_module (info))
        continue;
      step = func (info->module, info->step, user_data);
      if (step == NULL)
        continue;
      if (!sluice_step_prepare (step, info->module, &self->step_context, error))
        return FALSE;
      g_set_object (&info->step, step);
      g_clear_pointer (&info->reason, g_free);
    }

  return TRUE;
}
