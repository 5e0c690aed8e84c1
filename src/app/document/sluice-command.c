/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-command.h"

typedef struct
{
  char *description;
} SluiceCommandPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (SluiceCommand, sluice_command, G_TYPE_OBJECT)

static gboolean
sluice_command_real_merge (SluiceCommand *self,
                           SluiceCommand *next)
{
  return FALSE;
}

static void
sluice_command_finalize (GObject *object)
{
  SluiceCommandPrivate *priv = sluice_command_get_instance_private (SLUICE_COMMAND (object));

  g_free (priv->description);
  G_OBJECT_CLASS (sluice_command_parent_class)->finalize (object);
}

static void
sluice_command_class_init (SluiceCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_command_finalize;
  klass->merge = sluice_command_real_merge;
}

static void
sluice_command_init (SluiceCommand *self)
{
}

void
sluice_command_apply (SluiceCommand *self)
{
  g_return_if_fail (SLUICE_IS_COMMAND (self));
  SLUICE_COMMAND_GET_CLASS (self)->apply (self);
}

void
sluice_command_revert (SluiceCommand *self)
{
  g_return_if_fail (SLUICE_IS_COMMAND (self));
  SLUICE_COMMAND_GET_CLASS (self)->revert (self);
}

gboolean
sluice_command_merge (SluiceCommand *self,
                      SluiceCommand *next)
{
  g_return_val_if_fail (SLUICE_IS_COMMAND (self), FALSE);
  return SLUICE_COMMAND_GET_CLASS (self)->merge (self, next);
}

const char *
sluice_command_get_description (SluiceCommand *self)
{
  SluiceCommandPrivate *priv = sluice_command_get_instance_private (self);

  return priv->description;
}

void
sluice_command_set_description (SluiceCommand *self,
                                const char    *description)
{
  SluiceCommandPrivate *priv = sluice_command_get_instance_private (self);

  g_free (priv->description);
  priv->description = g_strdup (description);
}

/* The stack ------------------------------------------------------------ */

struct _SluiceCommandStack
{
  GObject    parent_instance;
  GPtrArray *commands;   /* owned SluiceCommands; [0, position) are applied */
  guint      position;
  /* Position at the last save; -1 when that state is gone for good. */
  gint       saved;
  gboolean   sealed;
};

enum {
  PROP_0,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_MODIFIED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SluiceCommandStack, sluice_command_stack, G_TYPE_OBJECT)

static void
sluice_command_stack_finalize (GObject *object)
{
  SluiceCommandStack *self = SLUICE_COMMAND_STACK (object);

  g_ptr_array_unref (self->commands);
  G_OBJECT_CLASS (sluice_command_stack_parent_class)->finalize (object);
}

static void
sluice_command_stack_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SluiceCommandStack *self = SLUICE_COMMAND_STACK (object);

  switch (prop_id)
    {
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, sluice_command_stack_get_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, sluice_command_stack_get_can_redo (self));
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, sluice_command_stack_get_modified (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_command_stack_class_init (SluiceCommandStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_command_stack_finalize;
  object_class->get_property = sluice_command_stack_get_property;

  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_command_stack_init (SluiceCommandStack *self)
{
  self->commands = g_ptr_array_new_with_free_func (g_object_unref);
}

SluiceCommandStack *
sluice_command_stack_new (void)
{
  return g_object_new (SLUICE_TYPE_COMMAND_STACK, NULL);
}

typedef struct
{
  gboolean can_undo, can_redo, modified;
} StackState;

static StackState
stack_state (SluiceCommandStack *self)
{
  return (StackState) { sluice_command_stack_get_can_undo (self),
                        sluice_command_stack_get_can_redo (self),
                        sluice_command_stack_get_modified (self) };
}

static void
notify_changes (SluiceCommandStack *self,
                StackState          before)
{
  StackState after = stack_state (self);

  if (before.can_undo != after.can_undo)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (before.can_redo != after.can_redo)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
  if (before.modified != after.modified)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

void
sluice_command_stack_push (SluiceCommandStack *self,
                           SluiceCommand      *command)
{
  StackState before = stack_state (self);
  g_autoptr(SluiceCommand) owned = g_object_ref_sink (command);

  g_return_if_fail (SLUICE_IS_COMMAND_STACK (self));

  sluice_command_apply (command);

  /* Drop the redo history; a saved state in it is gone. */
  if (self->position < self->commands->len)
    {
      if (self->saved > (gint) self->position)
        self->saved = -1;
      g_ptr_array_set_size (self->commands, self->position);
    }

  /* Merging into the saved state would hide the change from "modified". */
  if (!self->sealed && self->position > 0 && self->saved != (gint) self->position &&
      sluice_command_merge (self->commands->pdata[self->position - 1], command))
    {
      notify_changes (self, before);
      return;
    }

  g_ptr_array_add (self->commands, g_steal_pointer (&owned));
  self->position++;
  self->sealed = FALSE;
  notify_changes (self, before);
}

gboolean
sluice_command_stack_undo (SluiceCommandStack *self)
{
  StackState before = stack_state (self);

  if (self->position == 0)
    return FALSE;
  self->position--;
  self->sealed = TRUE;
  sluice_command_revert (self->commands->pdata[self->position]);
  notify_changes (self, before);
  return TRUE;
}

gboolean
sluice_command_stack_redo (SluiceCommandStack *self)
{
  StackState before = stack_state (self);

  if (self->position >= self->commands->len)
    return FALSE;
  sluice_command_apply (self->commands->pdata[self->position]);
  self->position++;
  self->sealed = TRUE;
  notify_changes (self, before);
  return TRUE;
}

gboolean
sluice_command_stack_get_can_undo (SluiceCommandStack *self)
{
  return self->position > 0;
}

gboolean
sluice_command_stack_get_can_redo (SluiceCommandStack *self)
{
  return self->position < self->commands->len;
}

gboolean
sluice_command_stack_get_modified (SluiceCommandStack *self)
{
  return self->saved != (gint) self->position;
}

void
sluice_command_stack_set_saved (SluiceCommandStack *self,
                                gboolean            saved)
{
  StackState before = stack_state (self);

  self->saved = saved ? (gint) self->position : -1;
  self->sealed = TRUE;
  notify_changes (self, before);
}

void
sluice_command_stack_seal (SluiceCommandStack *self)
{
  self->sealed = TRUE;
}

void
sluice_command_stack_clear (SluiceCommandStack *self)
{
  StackState before = stack_state (self);
  gboolean was_saved = !sluice_command_stack_get_modified (self);

  g_ptr_array_set_size (self->commands, 0);
  self->position = 0;
  self->saved = was_saved ? 0 : -1;
  notify_changes (self, before);
}
