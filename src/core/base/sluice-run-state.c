/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-run-state.h"

G_DEFINE_QUARK (sluice-executor-error-quark, sluice_executor_error)

static const GEnumValue run_state_values[] = {
  { SLUICE_RUN_PENDING, "SLUICE_RUN_PENDING", "pending" },
  { SLUICE_RUN_RUNNING, "SLUICE_RUN_RUNNING", "running" },
  { SLUICE_RUN_PAUSED, "SLUICE_RUN_PAUSED", "paused" },
  { SLUICE_RUN_COMPLETED, "SLUICE_RUN_COMPLETED", "completed" },
  { SLUICE_RUN_FAILED, "SLUICE_RUN_FAILED", "failed" },
  { SLUICE_RUN_CANCELLED, "SLUICE_RUN_CANCELLED", "cancelled" },
  { 0, NULL, NULL },
};

static const GEnumValue module_state_values[] = {
  { SLUICE_MODULE_IDLE, "SLUICE_MODULE_IDLE", "idle" },
  { SLUICE_MODULE_RUNNING, "SLUICE_MODULE_RUNNING", "running" },
  { SLUICE_MODULE_DONE, "SLUICE_MODULE_DONE", "done" },
  { SLUICE_MODULE_FAILED, "SLUICE_MODULE_FAILED", "failed" },
  { SLUICE_MODULE_SKIPPED, "SLUICE_MODULE_SKIPPED", "skipped" },
  { 0, NULL, NULL },
};

GType
sluice_run_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("SluiceRunState", run_state_values));

  return type;
}

GType
sluice_module_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("SluiceModuleState", module_state_values));

  return type;
}

const char *
sluice_run_state_to_string (SluiceRunState state)
{
  g_return_val_if_fail (state <= SLUICE_RUN_CANCELLED, NULL);
  return run_state_values[state].value_nick;
}

const char *
sluice_module_state_to_string (SluiceModuleState state)
{
  g_return_val_if_fail (state <= SLUICE_MODULE_SKIPPED, NULL);
  return module_state_values[state].value_nick;
}

gboolean
sluice_run_state_is_final (SluiceRunState state)
{
  return state == SLUICE_RUN_COMPLETED ||
         state == SLUICE_RUN_FAILED ||
         state == SLUICE_RUN_CANCELLED;
}
