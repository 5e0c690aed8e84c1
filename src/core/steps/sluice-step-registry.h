/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* Which step does a module's work. Built-in steps are registered by name
 * at first use (one line each in sluice-step-registry.c); a plug-in
 * registers its own. Names: "lua" and "command" for those bodies, the
 * tool's name for <use tool="NAME">, "external" for <external>.
 * Conditions, groups and <fail> are not steps: they are the flow that
 * the executor compiles around steps. Main thread only. */

typedef enum
{
  SLUICE_STEP_BODY,   /* a body of its own: <lua>, <command>, <external> */
  SLUICE_STEP_TOOL,   /* <use tool="NAME">, listed by sluice_tool_list() */
} SluiceStepKind;

/* FALSE when @name is taken: the first registration wins. */
gboolean    sluice_step_registry_register  (const char     *name,
                                            GType           type,
                                            SluiceStepKind  kind);
/* The same, saying where the step came from (a plug-in's path) for
 * sluice-run --list-tools. */
gboolean    sluice_step_registry_register_from (const char     *name,
                                                GType           type,
                                                SluiceStepKind  kind,
                                                const char     *origin);
/* G_TYPE_INVALID when nothing is registered under @name. */
GType       sluice_step_registry_lookup    (const char     *name);
/* The name of the step @module needs, or NULL for the kinds that are not
 * steps (conditions, groups, <fail>) and an execution without a body. */
const char *sluice_step_registry_name_for  (SluiceModule   *module);
/* A new step for @module, or NULL with @error when no step of that name
 * is registered. */
SluiceStep *sluice_step_registry_new_step  (SluiceModule   *module,
                                            GError        **error);
/* The class registered under @name (a reference held by the registry),
 * or NULL. */
SluiceStepClass *sluice_step_registry_lookup_class (const char *name);

G_END_DECLS
