/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-node.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_PHASE (sluice_phase_get_type ())
G_DECLARE_FINAL_TYPE (SluicePhase, sluice_phase, SLUICE, PHASE, SluiceNode)

/* <phase id name>: an ordered list of modules an item passes through. */
SluicePhase *sluice_phase_new         (const char  *id);
/* List of SluiceModule; mutate with sluice_node_list_*(). Borrowed. */
GListModel  *sluice_phase_get_modules (SluicePhase *self);

G_END_DECLS
