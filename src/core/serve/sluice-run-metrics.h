/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sluice-managed-run.h"

G_BEGIN_DECLS

/* The daemon's metrics in the Prometheus text format 0.0.4 (GET /metrics):
 * runs by state, runs finished by pipeline and state, run, stage and
 * module durations as histograms, queue depth and items in flight per
 * controller, items in/out/failed/dropped per module, and per stage
 * (controller) how many runs entered it, got past it (a later stage
 * started, or the run completed) and failed in it, with the ratios;
 * the journals' write latency and the scheduler's lag as histograms.
 * Counters cover this process's life, as Prometheus expects. */
typedef struct _SluiceRunMetrics SluiceRunMetrics;

SluiceRunMetrics *sluice_run_metrics_new     (void);
void              sluice_run_metrics_free    (SluiceRunMetrics *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRunMetrics, sluice_run_metrics_free)

/* Follows @run: its module durations as they come, its stages and
 * counters once it is over. */
void              sluice_run_metrics_watch   (SluiceRunMetrics *self,
                                              SluiceManagedRun *run);
void              sluice_run_metrics_count_created (SluiceRunMetrics *self);
/* An HTTP answer with @status, and event-stream clients coming (+1) and
 * going (-1). */
void              sluice_run_metrics_count_request (SluiceRunMetrics *self,
                                                    guint             status);
void              sluice_run_metrics_add_stream_clients (SluiceRunMetrics *self,
                                                         int               delta);
/* A scheduled run of @pipeline started @seconds after its fire time. */
void              sluice_run_metrics_observe_schedule_lag (SluiceRunMetrics *self,
                                                           const char       *pipeline,
                                                           double            seconds);
/* The exposition text; @runs: every SluiceManagedRun (the live ones add
 * their current counters and queues). */
char             *sluice_run_metrics_render  (SluiceRunMetrics *self,
                                              GPtrArray        *runs);

G_END_DECLS
