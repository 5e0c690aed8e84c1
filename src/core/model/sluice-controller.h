/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-enums.h"
#include "sluice-node.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_CONTROLLER (sluice_controller_get_type ())
G_DECLARE_FINAL_TYPE (SluiceController, sluice_controller, SLUICE, CONTROLLER, SluiceNode)

/* <controller id mode workers>: runs its phases in order over a stream of
 * items, scheduling them according to its mode. */
SluiceController *sluice_controller_new          (const char       *id,
                                                  SluiceMode        mode);
SluiceMode        sluice_controller_get_mode     (SluiceController *self);
void              sluice_controller_set_mode     (SluiceController *self,
                                                  SluiceMode        mode);
/* 0 means unset: the number of CPUs. The loader refuses explicit values
 * below 1 with a clear message, so 0 never comes from a file. */
guint             sluice_controller_get_workers  (SluiceController *self);
void              sluice_controller_set_workers  (SluiceController *self,
                                                  guint             workers);
/* distribute="redis": the controller's items go to workers through a
 * Redis stream (`sluice-run --distribute URL`); NULL: in-process. */
const char       *sluice_controller_get_distribute (SluiceController *self);
void              sluice_controller_set_distribute (SluiceController *self,
                                                    const char       *distribute);
/* List of SluicePhase; mutate with sluice_node_list_*(). Borrowed. */
GListModel       *sluice_controller_get_phases   (SluiceController *self);

G_END_DECLS
