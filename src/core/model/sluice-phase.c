/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-module.h"
#include "sluice-node-private.h"
#include "sluice-phase.h"

struct _SluicePhase
{
  SluiceNode  parent_instance;

  GListStore *modules;   /* of SluiceModule, owned */
};

G_DEFINE_FINAL_TYPE (SluicePhase, sluice_phase, SLUICE_TYPE_NODE)

static guint
sluice_phase_get_child_lists (SluiceNode  *node,
                              GListModel **lists)
{
  lists[0] = G_LIST_MODEL (SLUICE_PHASE (node)->modules);
  return 1;
}

static void
sluice_phase_dispose (GObject *object)
{
  SluicePhase *self = SLUICE_PHASE (object);

  if (self->modules != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->modules));
  g_clear_object (&self->modules);

  G_OBJECT_CLASS (sluice_phase_parent_class)->dispose (object);
}

static void
sluice_phase_class_init (SluicePhaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceNodeClass *node_class = SLUICE_NODE_CLASS (klass);

  object_class->dispose = sluice_phase_dispose;
  node_class->element_name = "phase";
  node_class->get_child_lists = sluice_phase_get_child_lists;
}

static void
sluice_phase_init (SluicePhase *self)
{
  self->modules = sluice_node_list_new (SLUICE_TYPE_MODULE);
}

SluicePhase *
sluice_phase_new (const char *id)
{
  return g_object_new (SLUICE_TYPE_PHASE, "id", id, NULL);
}

GListModel *
sluice_phase_get_modules (SluicePhase *self)
{
  g_return_val_if_fail (SLUICE_IS_PHASE (self), NULL);
  return G_LIST_MODEL (self->modules);
}
