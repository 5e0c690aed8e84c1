/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-execution.h"
#include "sluice-node-private.h"

struct _SluiceExecution
{
  SluiceModule    parent_instance;

  SluiceBodyKind  body_kind;
  char           *code;          /* Lua chunk or command text */
  guint           code_line;
  char           *tool;
  GPtrArray      *tool_params;   /* of SluiceToolParam, owned */
};

G_DEFINE_FINAL_TYPE (SluiceExecution, sluice_execution, SLUICE_TYPE_MODULE)

enum {
  PROP_0,
  PROP_BODY_KIND,
  PROP_CODE,
  PROP_TOOL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

SluiceToolParam *
sluice_tool_param_new (const char *name,
                       const char *value,
                       guint       line)
{
  SluiceToolParam *param = g_new0 (SluiceToolParam, 1);

  param->name = g_strdup (name);
  param->value = g_strdup (value);
  param->line = line;

  return param;
}

void
sluice_tool_param_free (SluiceToolParam *param)
{
  if (param == NULL)
    return;

  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

static void
sluice_execution_finalize (GObject *object)
{
  SluiceExecution *self = SLUICE_EXECUTION (object);

  g_free (self->code);
  g_free (self->tool);
  g_ptr_array_unref (self->tool_params);

  G_OBJECT_CLASS (sluice_execution_parent_class)->finalize (object);
}

static void
sluice_execution_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SluiceExecution *self = SLUICE_EXECUTION (object);

  switch (prop_id)
    {
    case PROP_BODY_KIND:
      g_value_set_enum (value, self->body_kind);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_TOOL:
      g_value_set_string (value, self->tool);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_execution_class_init (SluiceExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_execution_finalize;
  object_class->get_property = sluice_execution_get_property;
  SLUICE_NODE_CLASS (klass)->element_name = "execution";

  /* Read-only: the body is changed through the set_lua/set_command/
   * set_tool functions, which keep the kind and the text consistent. */
  properties[PROP_BODY_KIND] =
    g_param_spec_enum ("body-kind", NULL, NULL,
                       SLUICE_TYPE_BODY_KIND, SLUICE_BODY_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOL] =
    g_param_spec_string ("tool", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_execution_init (SluiceExecution *self)
{
  self->tool_params = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_tool_param_free);
}

SluiceExecution *
sluice_execution_new (const char *id)
{
  return g_object_new (SLUICE_TYPE_EXECUTION, "id", id, NULL);
}

SluiceBodyKind
sluice_execution_get_body_kind (SluiceExecution *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), SLUICE_BODY_NONE);
  return self->body_kind;
}

const char *
sluice_execution_get_code (SluiceExecution *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), NULL);
  return self->code;
}

guint
sluice_execution_get_code_line (SluiceExecution *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), 0);
  return self->code_line;
}

void
sluice_execution_set_code_line (SluiceExecution *self,
                                guint            line)
{
  g_return_if_fail (SLUICE_IS_EXECUTION (self));
  self->code_line = line;
}

/* Switches the body; a tool body keeps its params only while it stays the
 * same tool. */
static void
set_body (SluiceExecution *self,
          SluiceBodyKind   kind,
          const char      *code,
          const char      *tool)
{
  gboolean kind_changed = self->body_kind != kind;
  gboolean code_changed = sluice_set_string (&self->code, code);
  gboolean tool_changed = sluice_set_string (&self->tool, tool);

  if (!kind_changed && !code_changed && !tool_changed)
    return;

  self->body_kind = kind;
  if (tool_changed)
    g_ptr_array_set_size (self->tool_params, 0);

  if (kind_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY_KIND]);
  if (code_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
  if (tool_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOOL]);
  sluice_node_changed (SLUICE_NODE (self));
}

void
sluice_execution_set_lua (SluiceExecution *self,
                          const char      *code)
{
  g_return_if_fail (SLUICE_IS_EXECUTION (self));
  g_return_if_fail (code != NULL);

  set_body (self, SLUICE_BODY_LUA, code, NULL);
}

void
sluice_execution_set_command (SluiceExecution *self,
                              const char      *command)
{
  g_return_if_fail (SLUICE_IS_EXECUTION (self));
  g_return_if_fail (command != NULL);

  set_body (self, SLUICE_BODY_COMMAND, command, NULL);
}

void
sluice_execution_set_tool (SluiceExecution *self,
                           const char      *tool)
{
  g_return_if_fail (SLUICE_IS_EXECUTION (self));
  g_return_if_fail (tool != NULL);

  set_body (self, SLUICE_BODY_TOOL, NULL, tool);
}

const char *
sluice_execution_get_tool (SluiceExecution *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), NULL);
  return self->tool;
}

GPtrArray *
sluice_execution_get_tool_params (SluiceExecution *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), NULL);
  return self->tool_params;
}

static SluiceToolParam *
find_param (SluiceExecution *self,
            const char      *name,
            guint           *index)
{
  for (guint i = 0; i < self->tool_params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (self->tool_params, i);

      if (g_strcmp0 (param->name, name) == 0)
        {
          if (index != NULL)
            *index = i;
          return param;
        }
    }

  return NULL;
}

void
sluice_execution_set_tool_param (SluiceExecution *self,
                                 const char      *name,
                                 const char      *value)
{
  SluiceToolParam *param;
  guint index = 0;

  g_return_if_fail (SLUICE_IS_EXECUTION (self));
  g_return_if_fail (name != NULL);

  param = find_param (self, name, &index);
  if (value == NULL)
    {
      if (param == NULL)
        return;
      g_ptr_array_remove_index (self->tool_params, index);
    }
  else if (param == NULL)
    g_ptr_array_add (self->tool_params, sluice_tool_param_new (name, value, 0));
  else if (!sluice_set_string (&param->value, value))
    return;

  sluice_node_changed (SLUICE_NODE (self));
}

const char *
sluice_execution_lookup_tool_param (SluiceExecution *self,
                                    const char      *name)
{
  SluiceToolParam *param;

  g_return_val_if_fail (SLUICE_IS_EXECUTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  param = find_param (self, name, NULL);
  return param != NULL ? param->value : NULL;
}
