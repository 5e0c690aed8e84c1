/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-gate-check.h"
#include "sluice-module.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_GATE (sluice_gate_get_type ())
G_DECLARE_FINAL_TYPE (SluiceGate, sluice_gate, SLUICE, GATE, SluiceModule)

/* <gate> with <check> children: a stage gate the file knows is one.
 * Every check is evaluated on every item and recorded; the item goes on
 * when all pass, otherwise the module fails (on-error decides what that
 * does: fail the run, drop the item, or continue). */
SluiceGate            *sluice_gate_new         (const char            *id);
guint                  sluice_gate_get_n_checks (SluiceGate           *self);
const SluiceGateCheck *sluice_gate_get_check   (SluiceGate            *self,
                                                guint                  index);
/* Appends a copy of @check. */
void                   sluice_gate_add_check   (SluiceGate            *self,
                                                const SluiceGateCheck *check);
/* A deep copy of the checks (SluiceGateCheck*, with a free func). */
GPtrArray             *sluice_gate_dup_checks  (SluiceGate            *self);
/* Replaces every check by copies of @checks (the designer's edits: one
 * undoable change swaps the whole list). */
void                   sluice_gate_set_checks  (SluiceGate            *self,
                                                GPtrArray             *checks);

G_END_DECLS
