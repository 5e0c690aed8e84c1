/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An example plug-in tool written in C: `stamp` sets a field of each item
 * to a fixed text. Build it as a shared object against Sluice's headers
 * (see the README, "Writing a tool") and put it in
 * ~/.local/share/sluice/tools/. */
#include <gio/gio.h>
#include <gmodule.h>

#include "sluice-execution.h"
#include "sluice-plugin.h"
#include "sluice-params.h"

typedef struct
{
  SluiceStep  parent_instance;
  char       *field;
  char       *value;
} StampTool;

typedef SluiceStepClass StampToolClass;

GType stamp_tool_get_type (void);

G_DEFINE_TYPE (StampTool, stamp_tool, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo stamp_params[] = {
  { "field", "The field to set", TRUE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "value", "The text it gets", TRUE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { NULL },
};

static const SluiceToolInfo stamp_info = {
  "stamp", "Stamp a field", "Sets a field of each item to a fixed text", stamp_params,
};

/* Reads the parameters once per run, ${name}s substituted. */
static gboolean
stamp_tool_prepare (SluiceStep *step, SluiceModule *module, SluiceStepContext *context, GError **error)
{
  StampTool *self = (StampTool *) step;
  SluiceExecution *execution = SLUICE_EXECUTION (module);

  self->field = sluice_params_substitute (sluice_execution_lookup_tool_param (execution, "field"),
                                          context->params, FALSE, error);
  if (self->field == NULL)
    return FALSE;
  self->value = sluice_params_substitute (sluice_execution_lookup_tool_param (execution, "value"),
                                          context->params, FALSE, error);
  return self->value != NULL;
}

/* Answers at once: a copy of the item with the field set. */
static void
stamp_tool_process (SluiceStep *step, SluiceStepCall *call)
{
  StampTool *self = (StampTool *) step;
  json_t *item = json_deep_copy (call->item);

  json_object_set_new (item, self->field, json_string (self->value));
  sluice_step_call_emit (call, item);
  sluice_step_call_finish (call);
}

static void
stamp_tool_finalize (GObject *object)
{
  StampTool *self = (StampTool *) object;

  g_free (self->field);
  g_free (self->value);
  G_OBJECT_CLASS (stamp_tool_parent_class)->finalize (object);
}

static void
stamp_tool_class_init (StampToolClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stamp_tool_finalize;
  klass->info = &stamp_info;
  klass->prepare = stamp_tool_prepare;
  klass->process = stamp_tool_process;
}

static void
stamp_tool_init (StampTool *self)
{
}

/* What Sluice looks for in the shared object. */
G_MODULE_EXPORT const guint32 sluice_plugin_abi = SLUICE_PLUGIN_ABI;
G_MODULE_EXPORT gboolean sluice_plugin_register (GError **error);

G_MODULE_EXPORT gboolean
sluice_plugin_register (GError **error)
{
  if (!sluice_step_registry_register ("stamp", stamp_tool_get_type (), SLUICE_STEP_TOOL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "a tool named “stamp” is already there");
      return FALSE;
    }
  return TRUE;
}
