/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"
#include "sluice-step-registry.h"

G_BEGIN_DECLS

/* What a plug-in written in C exports. A plug-in is a shared object in a
 * tools folder (see sluice-plugins.h) that implements one or more steps
 * (SluiceStep subclasses, sluice-step.h) and exports two symbols:
 *
 *   const guint32 sluice_plugin_abi = SLUICE_PLUGIN_ABI;
 *   gboolean      sluice_plugin_register (GError **error);
 *
 * sluice_plugin_register() registers its steps with
 * sluice_step_registry_register (NAME, TYPE, SLUICE_STEP_TOOL) and
 * returns FALSE with @error when it cannot (a name taken: register
 * returns FALSE). A plug-in built for another ABI is refused unloaded.
 * The ABI changes whenever SluiceStepClass, SluiceStepCall,
 * SluiceStepContext or SluiceToolInfo change layout. */
#define SLUICE_PLUGIN_ABI 1

typedef gboolean (*SluicePluginRegisterFunc) (GError **error);

G_END_DECLS
