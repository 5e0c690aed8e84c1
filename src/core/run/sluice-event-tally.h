/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-event.h"
#include "sluice-executor.h"

G_BEGIN_DECLS

/* A run's counters rebuilt from its events alone: what a client of the
 * run API (the designer watching a daemon's run) can know without the
 * executor. Per module: items in (a retry is not a new item), out,
 * failed attempts, superseded outputs, time, items in it now; the run's
 * state and why it failed.
 *
 * What events do not tell is not guessed: items dropped silently by
 * on-error="drop" after their last failure count as failed, not dropped,
 * and queue depths are unknown (0). */
typedef struct _SluiceEventTally SluiceEventTally;

SluiceEventTally *sluice_event_tally_new               (void);
void              sluice_event_tally_free              (SluiceEventTally  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceEventTally, sluice_event_tally_free)

void              sluice_event_tally_apply             (SluiceEventTally  *self,
                                                        const SluiceEvent *event);
/* The run's state as the events told it (pending before any). */
SluiceRunState    sluice_event_tally_get_state         (SluiceEventTally  *self);
/* Sets the state told some other way (GET /runs/ID before the events). */
void              sluice_event_tally_set_state         (SluiceEventTally  *self,
                                                        SluiceRunState     state);
/* The counters of @module_id; zeros and idle for one no event named. */
void              sluice_event_tally_get_module_stats  (SluiceEventTally  *self,
                                                        const char        *module_id,
                                                        SluiceModuleStats *stats);
/* Items in the modules of @controller_id now. */
guint             sluice_event_tally_get_in_flight     (SluiceEventTally  *self,
                                                        const char        *controller_id);
/* The error of a failed run and the module it names, or NULL. */
const char       *sluice_event_tally_get_error         (SluiceEventTally  *self);
const char       *sluice_event_tally_get_failed_module (SluiceEventTally  *self);
void              sluice_event_tally_set_failure       (SluiceEventTally  *self,
                                                        const char        *error,
                                                        const char        *module_id);
/* A gate's checks as sluice_executor_dup_gate_results() gives them
 * ({"checks": [...]}: the first item it stopped, else the last it let
 * through), or NULL before it saw an item. */
json_t           *sluice_event_tally_dup_gate_results  (SluiceEventTally  *self,
                                                        const char        *gate_id);
/* Events applied. */
guint64           sluice_event_tally_get_n_events      (SluiceEventTally  *self);

G_END_DECLS
