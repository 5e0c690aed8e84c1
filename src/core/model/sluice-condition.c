/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-condition.h"
#include "sluice-node-private.h"

struct _SluiceCondition
{
  SluiceModule  parent_instance;

  char         *expression;
  guint         expression_line;
  GListStore   *then_modules;   /* of SluiceModule, owned */
  GListStore   *else_modules;   /* of SluiceModule, owned */
};

G_DEFINE_FINAL_TYPE (SluiceCondition, sluice_condition, SLUICE_TYPE_MODULE)

enum {
  PROP_0,
  PROP_EXPRESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
sluice_condition_get_child_lists (SluiceNode  *node,
                                  GListModel **lists)
{
  SluiceCondition *self = SLUICE_CONDITION (node);

  lists[0] = G_LIST_MODEL (self->then_modules);
  lists[1] = G_LIST_MODEL (self->else_modules);
  return 2;
}

static void
sluice_condition_dispose (GObject *object)
{
  SluiceCondition *self = SLUICE_CONDITION (object);

  if (self->then_modules != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->then_modules));
  if (self->else_modules != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->else_modules));
  g_clear_object (&self->then_modules);
  g_clear_object (&self->else_modules);

  G_OBJECT_CLASS (sluice_condition_parent_class)->dispose (object);
}

static void
sluice_condition_finalize (GObject *object)
{
  g_free (SLUICE_CONDITION (object)->expression);

  G_OBJECT_CLASS (sluice_condition_parent_class)->finalize (object);
}

static void
sluice_condition_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_EXPRESSION:
      g_value_set_string (value, SLUICE_CONDITION (object)->expression);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_condition_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_EXPRESSION:
      sluice_condition_set_expression (SLUICE_CONDITION (object),
                                       g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_condition_class_init (SluiceConditionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceNodeClass *node_class = SLUICE_NODE_CLASS (klass);

  object_class->dispose = sluice_condition_dispose;
  object_class->finalize = sluice_condition_finalize;
  object_class->get_property = sluice_condition_get_property;
  object_class->set_property = sluice_condition_set_property;

  node_class->element_name = "condition";
  node_class->get_child_lists = sluice_condition_get_child_lists;

  properties[PROP_EXPRESSION] =
    g_param_spec_string ("expression", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_condition_init (SluiceCondition *self)
{
  self->then_modules = sluice_node_list_new (SLUICE_TYPE_MODULE);
  self->else_modules = sluice_node_list_new (SLUICE_TYPE_MODULE);
}

SluiceCondition *
sluice_condition_new (const char *id,
                      const char *expression)
{
  return g_object_new (SLUICE_TYPE_CONDITION,
                       "id", id,
                       "expression", expression,
                       NULL);
}

const char *
sluice_condition_get_expression (SluiceCondition *self)
{
  g_return_val_if_fail (SLUICE_IS_CONDITION (self), NULL);
  return self->expression;
}

void
sluice_condition_set_expression (SluiceCondition *self,
                                 const char      *expression)
{
  g_return_if_fail (SLUICE_IS_CONDITION (self));

  if (sluice_set_string (&self->expression, expression))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPRESSION]);
      sluice_node_changed (SLUICE_NODE (self));
    }
}

guint
sluice_condition_get_expression_line (SluiceCondition *self)
{
  g_return_val_if_fail (SLUICE_IS_CONDITION (self), 0);
  return self->expression_line;
}

void
sluice_condition_set_expression_line (SluiceCondition *self,
                                      guint            line)
{
  g_return_if_fail (SLUICE_IS_CONDITION (self));
  self->expression_line = line;
}

GListModel *
sluice_condition_get_then_modules (SluiceCondition *self)
{
  g_return_val_if_fail (SLUICE_IS_CONDITION (self), NULL);
  return G_LIST_MODEL (self->then_modules);
}

GListModel *
sluice_condition_get_else_modules (SluiceCondition *self)
{
  g_return_val_if_fail (SLUICE_IS_CONDITION (self), NULL);
  return G_LIST_MODEL (self->else_modules);
}
