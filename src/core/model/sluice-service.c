/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-node-private.h"
#include "sluice-service.h"

struct _SluiceService
{
  GObject   parent_instance;

  char     *name;
  char     *balance;
  char     *balancer;
  char     *pipeline;
  char     *token_file;
  char    **endpoints;   /* never NULL */
  guint     line;
};

G_DEFINE_FINAL_TYPE (SluiceService, sluice_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_BALANCE,
  PROP_ENDPOINTS,
  PROP_BALANCER,
  PROP_PIPELINE,
  PROP_TOKEN_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_service_finalize (GObject *object)
{
  SluiceService *self = SLUICE_SERVICE (object);

  g_free (self->name);
  g_free (self->balance);
  g_free (self->balancer);
  g_free (self->pipeline);
  g_free (self->token_file);
  g_strfreev (self->endpoints);

  G_OBJECT_CLASS (sluice_service_parent_class)->finalize (object);
}

static void
sluice_service_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SluiceService *self = SLUICE_SERVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_BALANCE:
      g_value_set_string (value, self->balance);
      break;
    case PROP_ENDPOINTS:
      g_value_set_boxed (value, self->endpoints);
      break;
    case PROP_BALANCER:
      g_value_set_string (value, self->balancer);
      break;
    case PROP_PIPELINE:
      g_value_set_string (value, self->pipeline);
      break;
    case PROP_TOKEN_FILE:
      g_value_set_string (value, self->token_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_service_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SluiceService *self = SLUICE_SERVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      sluice_service_set_name (self, g_value_get_string (value));
      break;
    case PROP_BALANCE:
      sluice_service_set_balance (self, g_value_get_string (value));
      break;
    case PROP_ENDPOINTS:
      sluice_service_set_endpoints (self, g_value_get_boxed (value));
      break;
    case PROP_BALANCER:
      sluice_service_set_balancer (self, g_value_get_string (value));
      break;
    case PROP_PIPELINE:
      sluice_service_set_pipeline (self, g_value_get_string (value));
      break;
    case PROP_TOKEN_FILE:
      sluice_service_set_token_file (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_service_class_init (SluiceServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_service_finalize;
  object_class->get_property = sluice_service_get_property;
  object_class->set_property = sluice_service_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BALANCE] =
    g_param_spec_string ("balance", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINTS] =
    g_param_spec_boxed ("endpoints", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BALANCER] =
    g_param_spec_string ("balancer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PIPELINE] =
    g_param_spec_string ("pipeline", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN_FILE] =
    g_param_spec_string ("token-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_service_init (SluiceService *self)
{
  self->endpoints = g_new0 (char *, 1);
}

SluiceService *
sluice_service_new (const char *name)
{
  return g_object_new (SLUICE_TYPE_SERVICE, "name", name, NULL);
}

const char *
sluice_service_get_name (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return self->name;
}

void
sluice_service_set_name (SluiceService *self,
                         const char    *name)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (sluice_set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
sluice_service_get_balance (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return self->balance;
}

void
sluice_service_set_balance (SluiceService *self,
                            const char    *balance)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (sluice_set_string (&self->balance, balance))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BALANCE]);
}

const char * const *
sluice_service_get_endpoints (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return (const char * const *) self->endpoints;
}

void
sluice_service_set_endpoints (SluiceService      *self,
                              const char * const *urls)
{
  static const char * const none[] = { NULL };

  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (urls == NULL)
    urls = none;
  if (g_strv_equal ((const char * const *) self->endpoints, urls))
    return;

  g_strfreev (self->endpoints);
  self->endpoints = g_strdupv ((char **) urls);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDPOINTS]);
}

const char *
sluice_service_get_balancer (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return self->balancer;
}

void
sluice_service_set_balancer (SluiceService *self,
                             const char    *url)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (sluice_set_string (&self->balancer, url))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BALANCER]);
}

const char *
sluice_service_get_pipeline (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return self->pipeline;
}

void
sluice_service_set_pipeline (SluiceService *self,
                             const char    *pipeline)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (sluice_set_string (&self->pipeline, pipeline))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PIPELINE]);
}

const char *
sluice_service_get_token_file (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), NULL);
  return self->token_file;
}

void
sluice_service_set_token_file (SluiceService *self,
                               const char    *path)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));

  if (sluice_set_string (&self->token_file, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_FILE]);
}

guint
sluice_service_get_line (SluiceService *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVICE (self), 0);
  return self->line;
}

void
sluice_service_set_line (SluiceService *self,
                         guint          line)
{
  g_return_if_fail (SLUICE_IS_SERVICE (self));
  self->line = line;
}
