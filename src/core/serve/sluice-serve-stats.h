/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What `serve` reports of its recent past in GET /status: the latency
 * percentiles of the last 4096 requests and the rate over the last ten
 * seconds. Fixed size, whatever the traffic. */

typedef struct _SluiceServeStats SluiceServeStats;

SluiceServeStats *sluice_serve_stats_new        (void);
void              sluice_serve_stats_free       (SluiceServeStats *self);
void              sluice_serve_stats_record     (SluiceServeStats *self,
                                                 gint64            now,
                                                 gint64            latency_us);
/* Items per second over the last 10 s. */
double            sluice_serve_stats_rate       (SluiceServeStats *self,
                                                 gint64            now);
/* @fraction in [0, 1]; milliseconds, 0 before any request. */
double            sluice_serve_stats_percentile (SluiceServeStats *self,
                                                 double            fraction);
guint64           sluice_serve_stats_total      (SluiceServeStats *self);

G_END_DECLS
