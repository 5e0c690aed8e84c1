/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-controller.h"
#include "sluice-node-private.h"
#include "sluice-phase.h"

struct _SluiceController
{
  SluiceNode  parent_instance;

  SluiceMode  mode;
  guint       workers;
  char       *distribute; /* NULL: in-process; "redis": on a Redis stream */
  GListStore *phases;   /* of SluicePhase, owned */
};

G_DEFINE_FINAL_TYPE (SluiceController, sluice_controller, SLUICE_TYPE_NODE)

enum {
  PROP_0,
  PROP_MODE,
  PROP_WORKERS,
  PROP_DISTRIBUTE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
sluice_controller_get_child_lists (SluiceNode  *node,
                                   GListModel **lists)
{
  lists[0] = G_LIST_MODEL (SLUICE_CONTROLLER (node)->phases);
  return 1;
}

static void
sluice_controller_dispose (GObject *object)
{
  SluiceController *self = SLUICE_CONTROLLER (object);

  if (self->phases != NULL)
    sluice_node_list_clear_parents (G_LIST_MODEL (self->phases));
  g_clear_object (&self->phases);

  G_OBJECT_CLASS (sluice_controller_parent_class)->dispose (object);
}

static void
sluice_controller_finalize (GObject *object)
{
  g_free (SLUICE_CONTROLLER (object)->distribute);
  G_OBJECT_CLASS (sluice_controller_parent_class)->finalize (object);
}

static void
sluice_controller_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SluiceController *self = SLUICE_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_WORKERS:
      g_value_set_uint (value, self->workers);
      break;
    case PROP_DISTRIBUTE:
      g_value_set_string (value, self->distribute);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_controller_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SluiceController *self = SLUICE_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_MODE:
      sluice_controller_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_WORKERS:
      sluice_controller_set_workers (self, g_value_get_uint (value));
      break;
    case PROP_DISTRIBUTE:
      sluice_controller_set_distribute (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_controller_class_init (SluiceControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  SluiceNodeClass *node_class = SLUICE_NODE_CLASS (klass);

  object_class->dispose = sluice_controller_dispose;
  object_class->finalize = sluice_controller_finalize;
  object_class->get_property = sluice_controller_get_property;
  object_class->set_property = sluice_controller_set_property;

  node_class->element_name = "controller";
  node_class->get_child_lists = sluice_controller_get_child_lists;

  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       SLUICE_TYPE_MODE, SLUICE_MODE_NOT_PARALLEL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WORKERS] =
    g_param_spec_uint ("workers", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISTRIBUTE] =
    g_param_spec_string ("distribute", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_controller_init (SluiceController *self)
{
  self->phases = sluice_node_list_new (SLUICE_TYPE_PHASE);
}

SluiceController *
sluice_controller_new (const char *id,
                       SluiceMode  mode)
{
  return g_object_new (SLUICE_TYPE_CONTROLLER, "id", id, "mode", mode, NULL);
}

SluiceMode
sluice_controller_get_mode (SluiceController *self)
{
  g_return_val_if_fail (SLUICE_IS_CONTROLLER (self), SLUICE_MODE_NOT_PARALLEL);
  return self->mode;
}

void
sluice_controller_set_mode (SluiceController *self,
                            SluiceMode        mode)
{
  g_return_if_fail (SLUICE_IS_CONTROLLER (self));

  if (self->mode == mode)
    return;

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
  sluice_node_changed (SLUICE_NODE (self));
}

guint
sluice_controller_get_workers (SluiceController *self)
{
  g_return_val_if_fail (SLUICE_IS_CONTROLLER (self), 0);
  return self->workers;
}

void
sluice_controller_set_workers (SluiceController *self,
                               guint             workers)
{
  g_return_if_fail (SLUICE_IS_CONTROLLER (self));

  if (self->workers == workers)
    return;

  self->workers = workers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKERS]);
  sluice_node_changed (SLUICE_NODE (self));
}

const char *
sluice_controller_get_distribute (SluiceController *self)
{
  g_return_val_if_fail (SLUICE_IS_CONTROLLER (self), NULL);
  return self->distribute;
}

void
sluice_controller_set_distribute (SluiceController *self,
                                  const char       *distribute)
{
  g_return_if_fail (SLUICE_IS_CONTROLLER (self));

  if (g_strcmp0 (self->distribute, distribute) == 0)
    return;

  g_free (self->distribute);
  self->distribute = g_strdup (distribute);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISTRIBUTE]);
  sluice_node_changed (SLUICE_NODE (self));
}

GListModel *
sluice_controller_get_phases (SluiceController *self)
{
  g_return_val_if_fail (SLUICE_IS_CONTROLLER (self), NULL);
  return G_LIST_MODEL (self->phases);
}
