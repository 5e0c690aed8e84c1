/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-gate.h"
#include "sluice-node-private.h"

struct _SluiceGate
{
  SluiceModule  parent_instance;

  GPtrArray    *checks;   /* of SluiceGateCheck*, owned */
};

G_DEFINE_FINAL_TYPE (SluiceGate, sluice_gate, SLUICE_TYPE_MODULE)

enum {
  PROP_0,
  PROP_N_CHECKS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sluice_gate_finalize (GObject *object)
{
  g_ptr_array_unref (SLUICE_GATE (object)->checks);

  G_OBJECT_CLASS (sluice_gate_parent_class)->finalize (object);
}

static void
sluice_gate_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_CHECKS:
      g_value_set_uint (value, SLUICE_GATE (object)->checks->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_gate_class_init (SluiceGateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sluice_gate_finalize;
  object_class->get_property = sluice_gate_get_property;
  SLUICE_NODE_CLASS (klass)->element_name = "gate";

  /* Notified whenever the checks change, even when their number does not. */
  properties[PROP_N_CHECKS] =
    g_param_spec_uint ("n-checks", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_gate_init (SluiceGate *self)
{
  self->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_gate_check_free);
}

SluiceGate *
sluice_gate_new (const char *id)
{
  return g_object_new (SLUICE_TYPE_GATE, "id", id, NULL);
}

guint
sluice_gate_get_n_checks (SluiceGate *self)
{
  g_return_val_if_fail (SLUICE_IS_GATE (self), 0);
  return self->checks->len;
}

const SluiceGateCheck *
sluice_gate_get_check (SluiceGate *self,
                       guint       index)
{
  g_return_val_if_fail (SLUICE_IS_GATE (self), NULL);
  g_return_val_if_fail (index < self->checks->len, NULL);
  return g_ptr_array_index (self->checks, index);
}

static void
checks_changed (SluiceGate *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHECKS]);
  sluice_node_changed (SLUICE_NODE (self));
}

void
sluice_gate_add_check (SluiceGate            *self,
                       const SluiceGateCheck *check)
{
  g_return_if_fail (SLUICE_IS_GATE (self));
  g_return_if_fail (check != NULL);

  g_ptr_array_add (self->checks, sluice_gate_check_copy (check));
  checks_changed (self);
}

GPtrArray *
sluice_gate_dup_checks (SluiceGate *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (SLUICE_IS_GATE (self), NULL);

  copy = g_ptr_array_new_full (self->checks->len, (GDestroyNotify) sluice_gate_check_free);
  for (guint i = 0; i < self->checks->len; i++)
    g_ptr_array_add (copy, sluice_gate_check_copy (g_ptr_array_index (self->checks, i)));
  return copy;
}

static gboolean
checks_equal (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!sluice_gate_check_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

void
sluice_gate_set_checks (SluiceGate *self,
                        GPtrArray  *checks)
{
  g_return_if_fail (SLUICE_IS_GATE (self));
  g_return_if_fail (checks != NULL);

  if (checks_equal (self->checks, checks))
    return;

  g_ptr_array_set_size (self->checks, 0);
  for (guint i = 0; i < checks->len; i++)
    g_ptr_array_add (self->checks, sluice_gate_check_copy (g_ptr_array_index (checks, i)));
  checks_changed (self);
}
