/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-module.h"
#include "sluice-step.h"
#include "sluice-tool.h"

G_BEGIN_DECLS

/* Typed tool parameters (SluiceToolParamInfo): one check of a value
 * against its declared type, shared by the validator (before any run,
 * with the line) and by the tools (at prepare, after ${name}
 * substitution), and the values a tool reads for a run. */

/* NULL when @value fits @info's type, else a sentence saying why not
 * (free it). */
char        *sluice_tool_param_check_value (const SluiceToolParamInfo *info,
                                            const char                *value);
/* true/false, yes/no, on/off, 1/0 (any case). */
gboolean     sluice_tool_param_parse_bool  (const char                *value,
                                            gboolean                  *result);
const char  *sluice_tool_param_type_name   (SluiceToolParamType        type);
const SluiceToolParamInfo *sluice_tool_info_find_param (const SluiceToolInfo *info,
                                                        const char           *name);

/* A tool's parameters for one run: the module's values (or the
 * declared defaults), ${name}s substituted, each checked by type. */
typedef struct _SluiceToolParams SluiceToolParams;

SluiceToolParams *sluice_tool_params_new      (SluiceStep          *step,
                                               SluiceModule        *module,
                                               SluiceStepContext   *context,
                                               GError             **error);
void         sluice_tool_params_free          (SluiceToolParams    *params);
/* NULL when neither given nor defaulted. */
const char  *sluice_tool_params_get           (SluiceToolParams    *params,
                                               const char          *name);
gboolean     sluice_tool_params_has           (SluiceToolParams    *params,
                                               const char          *name);
gint64       sluice_tool_params_get_int       (SluiceToolParams    *params,
                                               const char          *name);
double       sluice_tool_params_get_float     (SluiceToolParams    *params,
                                               const char          *name);
gboolean     sluice_tool_params_get_bool      (SluiceToolParams    *params,
                                               const char          *name);
gint64       sluice_tool_params_get_duration_us (SluiceToolParams  *params,
                                               const char          *name);
/* A path resolved against the pipeline's folder (the context's base
 * directory, known from the first item on: call it in process(), not
 * in prepare()); NULL when not given. */
char        *sluice_tool_params_get_path      (SluiceToolParams    *params,
                                               const char          *name);
/* An error about parameter @name, naming the module and tool. */
void         sluice_tool_params_set_error     (SluiceToolParams    *params,
                                               GError             **error,
                                               const char          *name,
                                               const char          *format,
                                               ...) G_GNUC_PRINTF (4, 5);
const char  *sluice_tool_params_get_module_id (SluiceToolParams    *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceToolParams, sluice_tool_params_free)

G_END_DECLS
