/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-command.h"
#include "sluice-core.h"

G_BEGIN_DECLS

/* Replaces a gate's checks (sluice_gate_set_checks()) as one undoable
 * step: adding, removing and editing checks in the inspector's table.
 * Consecutive commands with the same non-NULL @merge_key on the same gate
 * merge, so typing a threshold is one step; NULL never merges. */
SluiceCommand *sluice_gate_checks_command_new (SluiceGate *gate,
                                               GPtrArray  *checks,
                                               const char *merge_key);

G_END_DECLS
