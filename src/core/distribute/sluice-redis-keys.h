/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a distributed pipeline lives in Redis. The pipeline id is in
 * braces, a Redis Cluster hash tag: all keys of one pipeline land in the
 * same slot, different pipelines spread over the cluster.
 *
 *   sluice:{ID}:items        the work stream: one entry per input item,
 *                            fields run, seq, item (JSON text)
 *   sluice:{ID}:results:RUN  one run's results: entries with count N and
 *                            per item i the fields s.i (its seq), o.i (its
 *                            outputs as JSON lines) and, when it failed,
 *                            e.i (why)
 *   sluice:{ID}:dead         the dead-letter stream: run, seq, item, error,
 *                            deliveries, entry (the id it had) */

#define SLUICE_REDIS_DEFAULT_GROUP "sluice-workers"

char *sluice_redis_items_key   (const char *pipeline_id);
char *sluice_redis_results_key (const char *pipeline_id,
                                const char *run_id);
char *sluice_redis_dead_key    (const char *pipeline_id);

G_END_DECLS
