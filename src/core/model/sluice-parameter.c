/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-node-private.h"
#include "sluice-parameter.h"

struct _SluiceParameter
{
  GObject  parent_instance;

  char    *name;
  char    *default_value;
  char    *description;
  guint    line;
};

G_DEFINE_FINAL_TYPE (SluiceParameter, sluice_parameter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_DEFAULT_VALUE,
  PROP_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_parameter_finalize (GObject *object)
{
  SluiceParameter *self = SLUICE_PARAMETER (object);

  g_free (self->name);
  g_free (self->default_value);
  g_free (self->description);

  G_OBJECT_CLASS (sluice_parameter_parent_class)->finalize (object);
}

static void
sluice_parameter_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SluiceParameter *self = SLUICE_PARAMETER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DEFAULT_VALUE:
      g_value_set_string (value, self->default_value);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_parameter_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SluiceParameter *self = SLUICE_PARAMETER (object);

  switch (prop_id)
    {
    case PROP_NAME:
      sluice_parameter_set_name (self, g_value_get_string (value));
      break;
    case PROP_DEFAULT_VALUE:
      sluice_parameter_set_default_value (self, g_value_get_string (value));
      break;
    case PROP_DESCRIPTION:
      sluice_parameter_set_description (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_parameter_class_init (SluiceParameterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_parameter_finalize;
  object_class->get_property = sluice_parameter_get_property;
  object_class->set_property = sluice_parameter_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEFAULT_VALUE] =
    g_param_spec_string ("default-value", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_parameter_init (SluiceParameter *self)
{
}

SluiceParameter *
sluice_parameter_new (const char *name,
                      const char *default_value)
{
  return g_object_new (SLUICE_TYPE_PARAMETER,
                       "name", name,
                       "default-value", default_value,
                       NULL);
}

const char *
sluice_parameter_get_name (SluiceParameter *self)
{
  g_return_val_if_fail (SLUICE_IS_PARAMETER (self), NULL);
  return self->name;
}

void
sluice_parameter_set_name (SluiceParameter *self,
                           const char      *name)
{
  g_return_if_fail (SLUICE_IS_PARAMETER (self));

  if (sluice_set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
sluice_parameter_get_default_value (SluiceParameter *self)
{
  g_return_val_if_fail (SLUICE_IS_PARAMETER (self), NULL);
  return self->default_value;
}

void
sluice_parameter_set_default_value (SluiceParameter *self,
                                    const char      *default_value)
{
  g_return_if_fail (SLUICE_IS_PARAMETER (self));

  if (sluice_set_string (&self->default_value, default_value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_VALUE]);
}

const char *
sluice_parameter_get_description (SluiceParameter *self)
{
  g_return_val_if_fail (SLUICE_IS_PARAMETER (self), NULL);
  return self->description;
}

void
sluice_parameter_set_description (SluiceParameter *self,
                                  const char      *description)
{
  g_return_if_fail (SLUICE_IS_PARAMETER (self));

  if (sluice_set_string (&self->description, description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

guint
sluice_parameter_get_line (SluiceParameter *self)
{
  g_return_val_if_fail (SLUICE_IS_PARAMETER (self), 0);
  return self->line;
}

void
sluice_parameter_set_line (SluiceParameter *self,
                           guint            line)
{
  g_return_if_fail (SLUICE_IS_PARAMETER (self));
  self->line = line;
}
