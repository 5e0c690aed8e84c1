/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-run-session.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_STAGE_ROW (sluice_stage_row_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStageRow, sluice_stage_row, SLUICE, STAGE_ROW, GObject)

/* One stage (controller) of a run as the run panel's table shows it:
 * its name, state, time, items in and out and how its gate went. The
 * properties ("label", "state", "seconds", "items-in", "items-out",
 * "gate") are what the columns show and sort by. */
const char *sluice_stage_row_get_label (SluiceStageRow *self);
const char *sluice_stage_row_get_gate  (SluiceStageRow *self);

/* A sortable table of stages (a GtkColumnView in a scrolled window)
 * showing @store, a GListStore of SluiceStageRow. */
GtkWidget  *sluice_run_stages_view_new (GListStore       *store);
/* Replaces the rows of @store with the stages of @session's run. */
void        sluice_run_stages_update   (GListStore       *store,
                                        SluiceRunSession *session);

G_END_DECLS
