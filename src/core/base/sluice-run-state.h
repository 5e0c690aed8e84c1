/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The states of a run (SPEC section 6): pending → running → completed,
 * or failed or cancelled; running ⇄ paused. */
typedef enum
{
  SLUICE_RUN_PENDING,
  SLUICE_RUN_RUNNING,
  SLUICE_RUN_PAUSED,
  SLUICE_RUN_COMPLETED,
  SLUICE_RUN_FAILED,
  SLUICE_RUN_CANCELLED,
} SluiceRunState;

/* What a viewer shows on a module: idle (nothing yet), running (items in
 * flight), done (the controller finished and the module saw items),
 * failed (it failed the run, or dropped/continued past a failure),
 * skipped (the controller finished and no item ever reached it). */
typedef enum
{
  SLUICE_MODULE_IDLE,
  SLUICE_MODULE_RUNNING,
  SLUICE_MODULE_DONE,
  SLUICE_MODULE_FAILED,
  SLUICE_MODULE_SKIPPED,
} SluiceModuleState;

GType sluice_run_state_get_type (void);
GType sluice_module_state_get_type (void);
#define SLUICE_TYPE_RUN_STATE (sluice_run_state_get_type ())
#define SLUICE_TYPE_MODULE_STATE (sluice_module_state_get_type ())

/* Kebab-case names, as in events. */
const char *sluice_run_state_to_string    (SluiceRunState    state);
const char *sluice_module_state_to_string (SluiceModuleState state);
gboolean    sluice_run_state_is_final     (SluiceRunState    state);

#define SLUICE_EXECUTOR_ERROR (sluice_executor_error_quark ())
GQuark sluice_executor_error_quark (void);

typedef enum
{
  SLUICE_EXECUTOR_ERROR_PARAMETER,  /* missing or unknown parameter */
  SLUICE_EXECUTOR_ERROR_LUA,        /* Lua compile or runtime error */
  SLUICE_EXECUTOR_ERROR_COMMAND,    /* command failed */
  SLUICE_EXECUTOR_ERROR_TIMEOUT,
  SLUICE_EXECUTOR_ERROR_INPUT,      /* bad input line */
  SLUICE_EXECUTOR_ERROR_FAIL,       /* a <fail> module */
  SLUICE_EXECUTOR_ERROR_UNSUPPORTED,
  SLUICE_EXECUTOR_ERROR_TOOL,       /* bad tool parameters */
  SLUICE_EXECUTOR_ERROR_CANCELLED,
} SluiceExecutorError;

G_END_DECLS
