/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-gate-checks-command.h"

struct _SluiceGateChecksCommand
{
  SluiceCommand  parent_instance;
  SluiceGate    *gate;        /* owned */
  GPtrArray     *old_checks;  /* owned deep copies */
  GPtrArray     *new_checks;  /* owned deep copies */
  char          *merge_key;   /* owned, may be NULL */
};

G_DECLARE_FINAL_TYPE (SluiceGateChecksCommand, sluice_gate_checks_command, SLUICE, GATE_CHECKS_COMMAND, SluiceCommand)
G_DEFINE_FINAL_TYPE (SluiceGateChecksCommand, sluice_gate_checks_command, SLUICE_TYPE_COMMAND)

static GPtrArray *
copy_checks (GPtrArray *checks)
{
  GPtrArray *copy = g_ptr_array_new_full (checks->len, (GDestroyNotify) sluice_gate_check_free);

  for (guint i = 0; i < checks->len; i++)
    g_ptr_array_add (copy, sluice_gate_check_copy (g_ptr_array_index (checks, i)));
  return copy;
}

static void
gate_checks_apply (SluiceCommand *command)
{
  SluiceGateChecksCommand *self = (SluiceGateChecksCommand *) command;

  sluice_gate_set_checks (self->gate, self->new_checks);
}

static void
gate_checks_revert (SluiceCommand *command)
{
  SluiceGateChecksCommand *self = (SluiceGateChecksCommand *) command;

  sluice_gate_set_checks (self->gate, self->old_checks);
}

static gboolean
gate_checks_merge (SluiceCommand *command,
                   SluiceCommand *next)
{
  SluiceGateChecksCommand *self = (SluiceGateChecksCommand *) command;
  SluiceGateChecksCommand *other;

  if (!SLUICE_IS_GATE_CHECKS_COMMAND (next))
    return FALSE;
  other = (SluiceGateChecksCommand *) next;
  if (other->gate != self->gate || self->merge_key == NULL ||
      g_strcmp0 (self->merge_key, other->merge_key) != 0)
    return FALSE;
  g_ptr_array_unref (self->new_checks);
  self->new_checks = copy_checks (other->new_checks);
  return TRUE;
}

static void
sluice_gate_checks_command_finalize (GObject *object)
{
  SluiceGateChecksCommand *self = (SluiceGateChecksCommand *) object;

  g_clear_object (&self->gate);
  g_clear_pointer (&self->old_checks, g_ptr_array_unref);
  g_clear_pointer (&self->new_checks, g_ptr_array_unref);
  g_free (self->merge_key);
  G_OBJECT_CLASS (sluice_gate_checks_command_parent_class)->finalize (object);
}

static void
sluice_gate_checks_command_class_init (SluiceGateChecksCommandClass *klass)
{
  SluiceCommandClass *command_class = SLUICE_COMMAND_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_gate_checks_command_finalize;
  command_class->apply = gate_checks_apply;
  command_class->revert = gate_checks_revert;
  command_class->merge = gate_checks_merge;
}

static void
sluice_gate_checks_command_init (SluiceGateChecksCommand *self)
{
}

SluiceCommand *
sluice_gate_checks_command_new (SluiceGate *gate,
                                GPtrArray  *checks,
                                const char *merge_key)
{
  SluiceGateChecksCommand *self;

  g_return_val_if_fail (SLUICE_IS_GATE (gate), NULL);
  g_return_val_if_fail (checks != NULL, NULL);

  self = g_object_new (sluice_gate_checks_command_get_type (), NULL);
  self->gate = g_object_ref (gate);
  self->old_checks = sluice_gate_dup_checks (gate);
  self->new_checks = copy_checks (checks);
  self->merge_key = g_strdup (merge_key);
  sluice_command_set_description (SLUICE_COMMAND (self), "Edit the gate's checks");
  return SLUICE_COMMAND (self);
}
