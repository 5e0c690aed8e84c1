/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-combination.h"
#include "sluice-node-private.h"

struct _SluiceCombination
{
  SluiceModule  parent_instance;

  GListStore   *modules;   /* of SluiceModule, owned */
};

G_DEFINE_FINAL_TYPE (SluiceCombination, sluice_combination, SLUICE_TYPE_MODULE)

static guint
sluice_combination_get_child_lists (SluiceNode  *node,
                                    GListModel **lists)
{
  lists[0] = G_LIST_MODEL (SLUICE_COMBINATION (node)->modules);
  return 1;
}

static void
sluice_combination_dispose (GObject *object)
{
  SluiceCombination *self = SLUICE_COMBINATION (object);

  if (self->modules != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->modules));
  g_clear_object (&self->modules);

  G_OBJECT_CLASS (sluice_combination_parent_class)->dispose (object);
}

static void
sluice_combination_class_init (SluiceCombinationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceNodeClass *node_class = SLUICE_NODE_CLASS (klass);

  object_class->dispose = sluice_combination_dispose;
  node_class->element_name = "combination";
  node_class->get_child_lists = sluice_combination_get_child_lists;
}

static void
sluice_combination_init (SluiceCombination *self)
{
  self->modules = sluice_node_list_new (SLUICE_TYPE_MODULE);
}

SluiceCombination *
sluice_combination_new (const char *id)
{
  return g_object_new (SLUICE_TYPE_COMBINATION, "id", id, NULL);
}

GListModel *
sluice_combination_get_modules (SluiceCombination *self)
{
  g_return_val_if_fail (SLUICE_IS_COMBINATION (self), NULL);
  return G_LIST_MODEL (self->modules);
}
