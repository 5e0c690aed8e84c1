/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-fail.h"
#include "sluice-node-private.h"

struct _SluiceFail
{
  SluiceModule  parent_instance;

  char         *reason;
};

G_DEFINE_FINAL_TYPE (SluiceFail, sluice_fail, SLUICE_TYPE_MODULE)

enum {
  PROP_0,
  PROP_REASON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_fail_finalize (GObject *object)
{
  g_free (SLUICE_FAIL (object)->reason);

  G_OBJECT_CLASS (sluice_fail_parent_class)->finalize (object);
}

static void
sluice_fail_get_property (GObject    *object,
                          guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_REASON:
      g_value_set_string (value, SLUICE_FAIL (object)->reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_fail_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_REASON:
      sluice_fail_set_reason (SLUICE_FAIL (object), g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_fail_class_init (SluiceFailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_fail_finalize;
  object_class->get_property = sluice_fail_get_property;
  object_class->set_property = sluice_fail_set_property;
  SLUICE_NODE_CLASS (klass)->element_name = "fail";

  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_fail_init (SluiceFail *self)
{
}

SluiceFail *
sluice_fail_new (const char *id,
                 const char *reason)
{
  return g_object_new (SLUICE_TYPE_FAIL, "id", id, "reason", reason, NULL);
}

const char *
sluice_fail_get_reason (SluiceFail *self)
{
  g_return_val_if_fail (SLUICE_IS_FAIL (self), NULL);
  return self->reason;
}

void
sluice_fail_set_reason (SluiceFail *self,
                             const char     *reason)
{
  g_return_if_fail (SLUICE_IS_FAIL (self));

  if (sluice_set_string (&self->reason, reason))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
      sluice_node_changed (SLUICE_NODE (self));
    }
}
