/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* A recorded run played back: the state of its run, modules, stages and
 * gates after any prefix of its events (SPEC section 6, as the journal
 * keeps them). The counters are the executor's (SluiceModuleStats), so
 * that whatever shows a live run shows a replayed one the same way.
 *
 * Seeking forward applies the events in between; seeking backward
 * starts again from the nearest checkpoint before the position (one
 * every SLUICE_RUN_REPLAY_CHECKPOINT events), so that the state at a
 * position never depends on where the scrubber came from. */

#define SLUICE_RUN_REPLAY_CHECKPOINT 4096

typedef struct _SluiceRunReplay SluiceRunReplay;

/* @events: json_t* objects in sequence order (the journal's). Events of
 * unknown types, or missing fields, are skipped: a replay never fails.
 *
 * Besides SPEC section 6's, a "module-progress" object sets a module's
 * counters at once: {"event": "module-progress", "time", "module",
 * "controller", "items_in", "items_out", "dropped", "failed", "retries",
 * "superseded", "time_us", "active"[, "checks"]}; the journal of a run
 * recorded without per-item events holds such samples. */
SluiceRunReplay *sluice_run_replay_new            (GPtrArray       *events);
SluiceRunReplay *sluice_run_replay_ref            (SluiceRunReplay *self);
void             sluice_run_replay_unref          (SluiceRunReplay *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRunReplay, sluice_run_replay_unref)

guint            sluice_run_replay_get_n_events   (SluiceRunReplay *self);
/* Wall-clock time of event @index (µs since the epoch; 0 when it had
 * none), and of the first and last events. */
gint64           sluice_run_replay_get_event_time (SluiceRunReplay *self,
                                                   guint            index);
gint64           sluice_run_replay_get_start_time (SluiceRunReplay *self);
gint64           sluice_run_replay_get_end_time   (SluiceRunReplay *self);
/* How many events had happened at @time (µs since the epoch). */
guint            sluice_run_replay_position_at    (SluiceRunReplay *self,
                                                   gint64           time);
/* The event at @index (borrowed). */
json_t          *sluice_run_replay_get_event      (SluiceRunReplay *self,
                                                   guint            index);

/* The state after the first @position events (clamped to the count). */
void             sluice_run_replay_seek           (SluiceRunReplay *self,
                                                   guint            position);
guint            sluice_run_replay_get_position   (SluiceRunReplay *self);

SluiceRunState   sluice_run_replay_get_state      (SluiceRunReplay *self);
/* Why the run failed and in which module, once the replay is past it. */
const char      *sluice_run_replay_get_error      (SluiceRunReplay *self);
const char      *sluice_run_replay_get_failed_module (SluiceRunReplay *self);
/* Counters of @module_id now; FALSE when no event named it yet. */
gboolean         sluice_run_replay_get_module_stats (SluiceRunReplay   *self,
                                                     const char        *module_id,
                                                     SluiceModuleStats *stats);
/* Items in the modules of @controller_id now. */
gint             sluice_run_replay_get_in_flight  (SluiceRunReplay *self,
                                                   const char      *controller_id);
/* From the first to the last event of @controller_id so far, in µs; -1
 * before it had one. */
gint64           sluice_run_replay_get_stage_time (SluiceRunReplay *self,
                                                   const char      *controller_id);
/* What the executor's sluice_executor_dup_gate_results() says of a gate
 * at this point: {"checks": […]} of the first item it stopped, else of
 * the last one it saw; NULL before it saw one. */
json_t          *sluice_run_replay_dup_gate_results (SluiceRunReplay *self,
                                                     const char      *gate_id);

G_END_DECLS
