/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-module.h"
#include "sluice-node-private.h"

typedef struct
{
  gint64        timeout_ms;
  guint         retries;
  double        backoff;
  SluiceOnError on_error;
} SluiceModulePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SluiceModule, sluice_module, SLUICE_TYPE_NODE)

enum {
  PROP_0,
  PROP_TIMEOUT_MS,
  PROP_RETRIES,
  PROP_BACKOFF,
  PROP_ON_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_module_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SluiceModule *self = SLUICE_MODULE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT_MS:
      g_value_set_int64 (value, sluice_module_get_timeout_ms (self));
      break;
    case PROP_RETRIES:
      g_value_set_uint (value, sluice_module_get_retries (self));
      break;
    case PROP_BACKOFF:
      g_value_set_double (value, sluice_module_get_backoff (self));
      break;
    case PROP_ON_ERROR:
      g_value_set_enum (value, sluice_module_get_on_error (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_module_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SluiceModule *self = SLUICE_MODULE (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT_MS:
      sluice_module_set_timeout_ms (self, g_value_get_int64 (value));
      break;
    case PROP_RETRIES:
      sluice_module_set_retries (self, g_value_get_uint (value));
      break;
    case PROP_BACKOFF:
      sluice_module_set_backoff (self, g_value_get_double (value));
      break;
    case PROP_ON_ERROR:
      sluice_module_set_on_error (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_module_class_init (SluiceModuleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = sluice_module_get_property;
  object_class->set_property = sluice_module_set_property;

  properties[PROP_TIMEOUT_MS] =
    g_param_spec_int64 ("timeout-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RETRIES] =
    g_param_spec_uint ("retries", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BACKOFF] =
    g_param_spec_double ("backoff", NULL, NULL, 0.0, G_MAXDOUBLE, SLUICE_DEFAULT_BACKOFF,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ON_ERROR] =
    g_param_spec_enum ("on-error", NULL, NULL,
                       SLUICE_TYPE_ON_ERROR, SLUICE_ON_ERROR_FAIL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_module_init (SluiceModule *self)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  priv->backoff = SLUICE_DEFAULT_BACKOFF;
  priv->on_error = SLUICE_ON_ERROR_FAIL;
}

static void
changed (SluiceModule *self,
         guint         prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  sluice_node_changed (SLUICE_NODE (self));
}

gint64
sluice_module_get_timeout_ms (SluiceModule *self)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_MODULE (self), 0);
  return priv->timeout_ms;
}

void
sluice_module_set_timeout_ms (SluiceModule *self,
                              gint64        timeout_ms)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_MODULE (self));
  g_return_if_fail (timeout_ms >= 0);

  if (priv->timeout_ms == timeout_ms)
    return;
  priv->timeout_ms = timeout_ms;
  changed (self, PROP_TIMEOUT_MS);
}

guint
sluice_module_get_retries (SluiceModule *self)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_MODULE (self), 0);
  return priv->retries;
}

void
sluice_module_set_retries (SluiceModule *self,
                           guint         retries)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_MODULE (self));

  if (priv->retries == retries)
    return;
  priv->retries = retries;
  changed (self, PROP_RETRIES);
}

double
sluice_module_get_backoff (SluiceModule *self)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_MODULE (self), SLUICE_DEFAULT_BACKOFF);
  return priv->backoff;
}

void
sluice_module_set_backoff (SluiceModule *self,
                           double        backoff)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_MODULE (self));
  g_return_if_fail (backoff >= 0.0);

  if (priv->backoff == backoff)
    return;
  priv->backoff = backoff;
  changed (self, PROP_BACKOFF);
}

SluiceOnError
sluice_module_get_on_error (SluiceModule *self)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_MODULE (self), SLUICE_ON_ERROR_FAIL);
  return priv->on_error;
}

void
sluice_module_set_on_error (SluiceModule  *self,
                            SluiceOnError  on_error)
{
  SluiceModulePrivate *priv = sluice_module_get_instance_private (self);

  g_return_if_fail (SLUICE_IS_MODULE (self));

  if (priv->on_error == on_error)
    return;
  priv->on_error = on_error;
  changed (self, PROP_ON_ERROR);
}
