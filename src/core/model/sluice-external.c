/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-external.h"
#include "sluice-node-private.h"

struct _SluiceExternal
{
  SluiceModule  parent_instance;

  char         *service;
};

G_DEFINE_FINAL_TYPE (SluiceExternal, sluice_external, SLUICE_TYPE_MODULE)

enum {
  PROP_0,
  PROP_SERVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_external_finalize (GObject *object)
{
  g_free (SLUICE_EXTERNAL (object)->service);

  G_OBJECT_CLASS (sluice_external_parent_class)->finalize (object);
}

static void
sluice_external_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_string (value, SLUICE_EXTERNAL (object)->service);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_external_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SERVICE:
      sluice_external_set_service (SLUICE_EXTERNAL (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_external_class_init (SluiceExternalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_external_finalize;
  object_class->get_property = sluice_external_get_property;
  object_class->set_property = sluice_external_set_property;
  SLUICE_NODE_CLASS (klass)->element_name = "external";

  properties[PROP_SERVICE] =
    g_param_spec_string ("service", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_external_init (SluiceExternal *self)
{
}

SluiceExternal *
sluice_external_new (const char *id,
                     const char *service)
{
  return g_object_new (SLUICE_TYPE_EXTERNAL, "id", id, "service", service, NULL);
}

const char *
sluice_external_get_service (SluiceExternal *self)
{
  g_return_val_if_fail (SLUICE_IS_EXTERNAL (self), NULL);
  return self->service;
}

void
sluice_external_set_service (SluiceExternal *self,
                             const char     *service)
{
  g_return_if_fail (SLUICE_IS_EXTERNAL (self));

  if (sluice_set_string (&self->service, service))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);
      sluice_node_changed (SLUICE_NODE (self));
    }
}
