/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-commands.h"

/* Set property ----------------------------------------------------------- */

struct _SluiceSetPropertyCommand
{
  SluiceCommand  parent_instance;
  GObject       *object;     /* owned */
  GParamSpec    *pspec;      /* borrowed from the class */
  GValue         old_value;
  GValue         new_value;
};

G_DECLARE_FINAL_TYPE (SluiceSetPropertyCommand, sluice_set_property_command, SLUICE, SET_PROPERTY_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceSetPropertyCommand, sluice_set_property_command, SLUICE_TYPE_COMMAND)

static void
set_property_apply (SluiceCommand *command)
{
  SluiceSetPropertyCommand *self = (SluiceSetPropertyCommand *) command;

  g_object_set_property (self->object, self->pspec->name, &self->new_value);
}

static void
set_property_revert (SluiceCommand *command)
{
  SluiceSetPropertyCommand *self = (SluiceSetPropertyCommand *) command;

  g_object_set_property (self->object, self->pspec->name, &self->old_value);
}

static gboolean
set_property_merge (SluiceCommand *command,
                    SluiceCommand *next)
{
  SluiceSetPropertyCommand *self = (SluiceSetPropertyCommand *) command;
  SluiceSetPropertyCommand *other;

  if (!SLUICE_IS_SET_PROPERTY_COMMAND (next))
    return FALSE;
  other = (SluiceSetPropertyCommand *) next;
  if (other->object != self->object || other->pspec != self->pspec)
    return FALSE;
  g_value_copy (&other->new_value, g_value_reset (&self->new_value));
  return TRUE;
}

static void
sluice_set_property_command_finalize (GObject *object)
{
  SluiceSetPropertyCommand *self = (SluiceSetPropertyCommand *) object;

  g_clear_object (&self->object);
  g_value_unset (&self->old_value);
  g_value_unset (&self->new_value);
  G_OBJECT_CLASS (sluice_set_property_command_parent_class)->finalize (object);
}

static void
sluice_set_property_command_class_init (SluiceSetPropertyCommandClass *klass)
{
  SluiceCommandClass *command_class = SLUICE_COMMAND_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_set_property_command_finalize;
  command_class->apply = set_property_apply;
  command_class->revert = set_property_revert;
  command_class->merge = set_property_merge;
}

static void
sluice_set_property_command_init (SluiceSetPropertyCommand *self)
{
}

SluiceCommand *
sluice_set_property_command_new (GObject      *object,
                                 const char   *property,
                                 const GValue *value)
{
  SluiceSetPropertyCommand *self;
  GParamSpec *pspec;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), property);
  g_return_val_if_fail (pspec != NULL, NULL);

  self = g_object_new (sluice_set_property_command_get_type (), NULL);
  self->object = g_object_ref (object);
  self->pspec = pspec;
  g_value_init (&self->old_value, pspec->value_type);
  g_object_get_property (object, property, &self->old_value);
  g_value_init (&self->new_value, pspec->value_type);
  g_value_transform (value, &self->new_value);
  return SLUICE_COMMAND (self);
}

SluiceCommand *
sluice_set_string_command_new (GObject    *object,
                               const char *property,
                               const char *value)
{
  g_auto(GValue) v = G_VALUE_INIT;

  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, value);
  return sluice_set_property_command_new (object, property, &v);
}

/* Insert and remove ------------------------------------------------------ */

struct _SluiceListCommand
{
  SluiceCommand  parent_instance;
  gboolean       insert;
  SluiceNode    *owner;     /* owned */
  GListModel    *list;      /* borrowed from owner */
  guint          position;
  SluiceNode    *child;     /* owned */
};

G_DECLARE_FINAL_TYPE (SluiceListCommand, sluice_list_command, SLUICE, LIST_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceListCommand, sluice_list_command, SLUICE_TYPE_COMMAND)

static void
do_insert (SluiceListCommand *self)
{
  sluice_node_list_insert (self->owner, self->list, self->position, self->child);
}

static void
do_remove (SluiceListCommand *self)
{
  gint pos;

  /* Where the child is now: earlier commands of a group may have moved
   * its siblings. */
  if (self->owner == NULL)
    {
      SluiceNode *parent = sluice_node_get_parent (self->child);

      g_return_if_fail (parent != NULL);
      self->owner = g_object_ref (parent);
      sluice_node_get_container (self->child, NULL, &self->list, NULL);
    }
  g_return_if_fail (self->list != NULL);
  pos = sluice_node_list_find (self->list, self->child);
  g_return_if_fail (pos >= 0);
  self->position = pos;
  sluice_node_list_remove (self->list, pos);
}

static void
list_apply (SluiceCommand *command)
{
  SluiceListCommand *self = (SluiceListCommand *) command;

  if (self->insert)
    do_insert (self);
  else
    do_remove (self);
}

static void
list_revert (SluiceCommand *command)
{
  SluiceListCommand *self = (SluiceListCommand *) command;

  if (self->insert)
    {
      gint pos = sluice_node_list_find (self->list, self->child);

      g_return_if_fail (pos >= 0);
      sluice_node_list_remove (self->list, pos);
    }
  else
    do_insert (self);
}

static void
sluice_list_command_finalize (GObject *object)
{
  SluiceListCommand *self = (SluiceListCommand *) object;

  g_clear_object (&self->owner);
  g_clear_object (&self->child);
  G_OBJECT_CLASS (sluice_list_command_parent_class)->finalize (object);
}

static void
sluice_list_command_class_init (SluiceListCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_list_command_finalize;
  SLUICE_COMMAND_CLASS (klass)->apply = list_apply;
  SLUICE_COMMAND_CLASS (klass)->revert = list_revert;
}

static void
sluice_list_command_init (SluiceListCommand *self)
{
}

SluiceCommand *
sluice_insert_command_new (SluiceNode *owner,
                           GListModel *list,
                           guint       position,
                           SluiceNode *child)
{
  SluiceListCommand *self = g_object_new (sluice_list_command_get_type (), NULL);

  self->insert = TRUE;
  self->owner = g_object_ref (owner);
  self->list = list;
  self->position = position;
  self->child = g_object_ref (child);
  return SLUICE_COMMAND (self);
}

SluiceCommand *
sluice_remove_command_new (SluiceNode *child)
{
  SluiceListCommand *self = g_object_new (sluice_list_command_get_type (), NULL);

  self->child = g_object_ref (child);
  return SLUICE_COMMAND (self);
}

/* Execution body --------------------------------------------------------- */

typedef struct
{
  SluiceBodyKind  kind;
  char           *code;
  char           *tool;
  GPtrArray      *params;   /* of "name", "value" pairs as two strings */
} Body;

struct _SluiceBodyEditCommand
{
  SluiceCommand    parent_instance;
  SluiceExecution *execution;   /* owned */
  Body             old_body;
  Body             new_body;
  char            *param;       /* for a parameter command: its name */
};

G_DECLARE_FINAL_TYPE (SluiceBodyEditCommand, sluice_body_edit_command, SLUICE, BODY_EDIT_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceBodyEditCommand, sluice_body_edit_command, SLUICE_TYPE_COMMAND)

static void
body_capture (SluiceExecution *execution,
              Body            *body)
{
  GPtrArray *params = sluice_execution_get_tool_params (execution);

  body->kind = sluice_execution_get_body_kind (execution);
  body->code = g_strdup (sluice_execution_get_code (execution));
  body->tool = g_strdup (sluice_execution_get_tool (execution));
  body->params = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *p = params->pdata[i];

      g_ptr_array_add (body->params, g_strdup (p->name));
      g_ptr_array_add (body->params, g_strdup (p->value));
    }
}

static void
body_restore (SluiceExecution *execution,
              const Body      *body)
{
  switch (body->kind)
    {
    case SLUICE_BODY_LUA:
      sluice_execution_set_lua (execution, body->code ? body->code : "");
      break;
    case SLUICE_BODY_COMMAND:
      sluice_execution_set_command (execution, body->code ? body->code : "");
      break;
    case SLUICE_BODY_TOOL:
      sluice_execution_set_tool (execution, body->tool ? body->tool : "");
      {
        /* Drop parameters that the body did not have, then set its own. */
        GPtrArray *now = sluice_execution_get_tool_params (execution);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

        for (guint i = 0; i < now->len; i++)
          g_ptr_array_add (names, g_strdup (((SluiceToolParam *) now->pdata[i])->name));
        for (guint i = 0; i < names->len; i++)
          sluice_execution_set_tool_param (execution, names->pdata[i], NULL);
        for (guint i = 0; i + 1 < body->params->len; i += 2)
          sluice_execution_set_tool_param (execution, body->params->pdata[i], body->params->pdata[i + 1]);
      }
      break;
    case SLUICE_BODY_NONE:
    default:
      break;
    }
}

static void
body_clear (Body *body)
{
  g_clear_pointer (&body->code, g_free);
  g_clear_pointer (&body->tool, g_free);
  g_clear_pointer (&body->params, g_ptr_array_unref);
}

static void
body_apply (SluiceCommand *command)
{
  SluiceBodyEditCommand *self = (SluiceBodyEditCommand *) command;

  body_restore (self->execution, &self->new_body);
}

static void
body_revert (SluiceCommand *command)
{
  SluiceBodyEditCommand *self = (SluiceBodyEditCommand *) command;

  body_restore (self->execution, &self->old_body);
}

static gboolean
body_merge (SluiceCommand *command,
            SluiceCommand *next)
{
  SluiceBodyEditCommand *self = (SluiceBodyEditCommand *) command;
  SluiceBodyEditCommand *other = (SluiceBodyEditCommand *) next;

  /* Typing in the code editor: one step per burst of edits. */
  if (!SLUICE_IS_BODY_EDIT_COMMAND (next) || other->execution != self->execution ||
      g_strcmp0 (other->param, self->param) != 0 || other->new_body.kind != self->new_body.kind)
    return FALSE;
  body_clear (&self->new_body);
  body_capture (self->execution, &self->new_body);
  return TRUE;
}

static void
sluice_body_edit_command_finalize (GObject *object)
{
  SluiceBodyEditCommand *self = (SluiceBodyEditCommand *) object;

  g_clear_object (&self->execution);
  body_clear (&self->old_body);
  body_clear (&self->new_body);
  g_free (self->param);
  G_OBJECT_CLASS (sluice_body_edit_command_parent_class)->finalize (object);
}

static void
sluice_body_edit_command_class_init (SluiceBodyEditCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_body_edit_command_finalize;
  SLUICE_COMMAND_CLASS (klass)->apply = body_apply;
  SLUICE_COMMAND_CLASS (klass)->revert = body_revert;
  SLUICE_COMMAND_CLASS (klass)->merge = body_merge;
}

static void
sluice_body_edit_command_init (SluiceBodyEditCommand *self)
{
}

/* Builds the new body by applying the change to a scratch execution. */
static SluiceBodyEditCommand *
body_command_new (SluiceExecution *execution)
{
  SluiceBodyEditCommand *self = g_object_new (sluice_body_edit_command_get_type (), NULL);

  self->execution = g_object_ref (execution);
  body_capture (execution, &self->old_body);
  return self;
}

SluiceCommand *
sluice_body_command_new (SluiceExecution *execution,
                         SluiceBodyKind   kind,
                         const char      *text)
{
  SluiceBodyEditCommand *self = body_command_new (execution);
  g_autoptr(SluiceExecution) scratch = sluice_execution_new ("scratch");

  body_restore (scratch, &self->old_body);
  if (kind == SLUICE_BODY_LUA)
    sluice_execution_set_lua (scratch, text ? text : "");
  else if (kind == SLUICE_BODY_COMMAND)
    sluice_execution_set_command (scratch, text ? text : "");
  else if (kind == SLUICE_BODY_TOOL)
    sluice_execution_set_tool (scratch, text ? text : "");
  body_capture (scratch, &self->new_body);
  return SLUICE_COMMAND (self);
}

SluiceCommand *
sluice_tool_param_command_new (SluiceExecution *execution,
                               const char      *name,
                               const char      *value)
{
  SluiceBodyEditCommand *self = body_command_new (execution);
  g_autoptr(SluiceExecution) scratch = sluice_execution_new ("scratch");

  self->param = g_strdup (name);
  body_restore (scratch, &self->old_body);
  sluice_execution_set_tool_param (scratch, name, value);
  body_capture (scratch, &self->new_body);
  return SLUICE_COMMAND (self);
}

/* Plain list stores -------------------------------------------------------- */

struct _SluiceStoreCommand
{
  SluiceCommand  parent_instance;
  GListStore    *store;   /* owned */
  GObject       *item;    /* owned */
  guint          position;
  gboolean       insert;
};

G_DECLARE_FINAL_TYPE (SluiceStoreCommand, sluice_store_command, SLUICE, STORE_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceStoreCommand, sluice_store_command, SLUICE_TYPE_COMMAND)

static void
store_do (SluiceStoreCommand *self,
          gboolean            insert)
{
  if (insert)
    g_list_store_insert (self->store, MIN (self->position, g_list_model_get_n_items (G_LIST_MODEL (self->store))), self->item);
  else
    {
      guint pos;

      if (g_list_store_find (self->store, self->item, &pos))
        {
          self->position = pos;
          g_list_store_remove (self->store, pos);
        }
    }
}

static void
store_apply (SluiceCommand *command)
{
  store_do ((SluiceStoreCommand *) command, ((SluiceStoreCommand *) command)->insert);
}

static void
store_revert (SluiceCommand *command)
{
  store_do ((SluiceStoreCommand *) command, !((SluiceStoreCommand *) command)->insert);
}

static void
sluice_store_command_finalize (GObject *object)
{
  SluiceStoreCommand *self = (SluiceStoreCommand *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (sluice_store_command_parent_class)->finalize (object);
}

static void
sluice_store_command_class_init (SluiceStoreCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_store_command_finalize;
  SLUICE_COMMAND_CLASS (klass)->apply = store_apply;
  SLUICE_COMMAND_CLASS (klass)->revert = store_revert;
}

static void
sluice_store_command_init (SluiceStoreCommand *self)
{
}

SluiceCommand *
sluice_store_insert_command_new (GListStore *store,
                                 guint       position,
                                 GObject    *item)
{
  SluiceStoreCommand *self = g_object_new (sluice_store_command_get_type (), NULL);

  self->store = g_object_ref (store);
  self->item = g_object_ref (item);
  self->position = position;
  self->insert = TRUE;
  return SLUICE_COMMAND (self);
}

SluiceCommand *
sluice_store_remove_command_new (GListStore *store,
                                 GObject    *item)
{
  SluiceStoreCommand *self = g_object_new (sluice_store_command_get_type (), NULL);

  self->store = g_object_ref (store);
  self->item = g_object_ref (item);
  return SLUICE_COMMAND (self);
}

/* Groups -------------------------------------------------------------------- */

struct _SluiceGroupCommand
{
  SluiceCommand  parent_instance;
  GPtrArray     *commands;
};

G_DECLARE_FINAL_TYPE (SluiceGroupCommand, sluice_group_command, SLUICE, GROUP_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceGroupCommand, sluice_group_command, SLUICE_TYPE_COMMAND)

static void
group_apply (SluiceCommand *command)
{
  SluiceGroupCommand *self = (SluiceGroupCommand *) command;

  for (guint i = 0; i < self->commands->len; i++)
    sluice_command_apply (self->commands->pdata[i]);
}

static void
group_revert (SluiceCommand *command)
{
  SluiceGroupCommand *self = (SluiceGroupCommand *) command;

  for (guint i = self->commands->len; i > 0; i--)
    sluice_command_revert (self->commands->pdata[i - 1]);
}

static void
sluice_group_command_finalize (GObject *object)
{
  g_ptr_array_unref (((SluiceGroupCommand *) object)->commands);
  G_OBJECT_CLASS (sluice_group_command_parent_class)->finalize (object);
}

static void
sluice_group_command_class_init (SluiceGroupCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_group_command_finalize;
  SLUICE_COMMAND_CLASS (klass)->apply = group_apply;
  SLUICE_COMMAND_CLASS (klass)->revert = group_revert;
}

static void
sluice_group_command_init (SluiceGroupCommand *self)
{
  self->commands = g_ptr_array_new_with_free_func (g_object_unref);
}

SluiceCommand *
sluice_group_command_new (const char *description)
{
  SluiceCommand *self = g_object_new (sluice_group_command_get_type (), NULL);

  sluice_command_set_description (self, description);
  return self;
}

void
sluice_group_command_add (SluiceCommand *group,
                          SluiceCommand *command)
{
  g_return_if_fail (SLUICE_IS_GROUP_COMMAND (group));
  g_ptr_array_add (((SluiceGroupCommand *) group)->commands, command);
}

guint
sluice_group_command_get_size (SluiceCommand *group)
{
  g_return_val_if_fail (SLUICE_IS_GROUP_COMMAND (group), 0);
  return ((SluiceGroupCommand *) group)->commands->len;
}

/* Outside state ---------------------------------------------------------- */

struct _SluiceStateCommand
{
  SluiceCommand    parent_instance;
  /* Borrowed: the target (the document) owns the history that owns this
   * command; a reference would be a cycle. */
  gpointer         target;
  SluiceStateFunc  func;
  gpointer         old_data;
  gpointer         new_data;
  GDestroyNotify   free_func;
};

G_DECLARE_FINAL_TYPE (SluiceStateCommand, sluice_state_command, SLUICE, STATE_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceStateCommand, sluice_state_command, SLUICE_TYPE_COMMAND)

static void
state_apply (SluiceCommand *command)
{
  SluiceStateCommand *self = (SluiceStateCommand *) command;

  self->func (self->target, self->new_data);
}

static void
state_revert (SluiceCommand *command)
{
  SluiceStateCommand *self = (SluiceStateCommand *) command;

  self->func (self->target, self->old_data);
}

static void
sluice_state_command_finalize (GObject *object)
{
  SluiceStateCommand *self = (SluiceStateCommand *) object;

  self->free_func (self->old_data);
  self->free_func (self->new_data);
  G_OBJECT_CLASS (sluice_state_command_parent_class)->finalize (object);
}

static void
sluice_state_command_class_init (SluiceStateCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_state_command_finalize;
  SLUICE_COMMAND_CLASS (klass)->apply = state_apply;
  SLUICE_COMMAND_CLASS (klass)->revert = state_revert;
}

static void
sluice_state_command_init (SluiceStateCommand *self)
{
}

SluiceCommand *
sluice_state_command_new (gpointer        target,
                          SluiceStateFunc func,
                          gpointer        old_data,
                          gpointer        new_data,
                          GDestroyNotify  free_func)
{
  SluiceStateCommand *self = g_object_new (sluice_state_command_get_type (), NULL);

  self->target = target;
  self->func = func;
  self->old_data = old_data;
  self->new_data = new_data;
  self->free_func = free_func;
  return SLUICE_COMMAND (self);
}
