/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-redis-client.h"
#include "sluice-pipeline.h"
#include "sluice-item-source.h"

G_BEGIN_DECLS

/* The producing side of a distributed run (`sluice-run --distribute`):
 * puts the run's input items on the pipeline's work stream (pipelined
 * XADDs, one entry per item with its run id and sequence number), reads
 * the run's results stream back with XREAD and writes the outputs as
 * JSON lines, as the pipeline's first controller's mode says:
 *
 * - order-by-sequence: outputs in input order (held back until the
 *   earlier items are in);
 * - first-wins: an item's outputs only when its sequence number is above
 *   the last one written, else dropped (counted as superseded);
 * - no-order: as results arrive;
 * - not-parallel: one item in flight at a time (the next one is put on
 *   the stream only when the previous one's results are in).
 *
 * Each item's outputs are written at most once (a duplicate result, from
 * at-least-once delivery, is recognised by its sequence number). The
 * run is over when every item has a result: its outputs, or its failure
 * (dead-lettered after the workers' --max-deliveries). A lost connection
 * is retried for `reconnect_ms`; after it comes back, items without a
 * result are put on the stream again, since Redis may have lost them. */

#define SLUICE_TYPE_REDIS_DISTRIBUTOR (sluice_redis_distributor_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRedisDistributor, sluice_redis_distributor, SLUICE, REDIS_DISTRIBUTOR, GObject)

typedef struct
{
  guint window;        /* items on the stream without a result, at most */
  guint reconnect_ms;  /* how long to try to get a lost connection back */
  const char *stream_id; /* the stream's id; NULL: the pipeline's id */
} SluiceRedisDistributorOptions;

/* Outputs as JSON lines (whole lines, one or more), instead of to a file
 * descriptor: for a run where later controllers run in-process. */
typedef void (*SluiceRedisOutputFunc) (const char *lines,
                                       gsize       length,
                                       gpointer    user_data);

/* @input: NULL for the single {} trigger item. Outputs go to @output_fd
 * (not closed). */
SluiceRedisDistributor *sluice_redis_distributor_new  (SluicePipeline                      *pipeline,
                                                       const SluiceRedisUrl                *url,
                                                       SluiceItemSource                    *input,
                                                       int                                  output_fd,
                                                       const SluiceRedisDistributorOptions *options);
/* Call before start; @output_fd is then not used. */
void        sluice_redis_distributor_set_output_func  (SluiceRedisDistributor *self,
                                                       SluiceRedisOutputFunc   func,
                                                       gpointer                user_data);
/* "finished" follows, also when the first connection fails. */
void        sluice_redis_distributor_start            (SluiceRedisDistributor *self);
/* Stops reading input; "finished" follows at once (items on the stream
 * stay there: workers process them, nobody reads their results). */
void        sluice_redis_distributor_cancel           (SluiceRedisDistributor *self);
/* Why the run failed (Redis, the input, the output) or NULL. */
const char *sluice_redis_distributor_get_error        (SluiceRedisDistributor *self);
/* The reader of the output went away (EPIPE). */
gboolean    sluice_redis_distributor_get_reader_gone  (SluiceRedisDistributor *self);
const char *sluice_redis_distributor_get_run_id       (SluiceRedisDistributor *self);
guint64     sluice_redis_distributor_get_items        (SluiceRedisDistributor *self);
guint64     sluice_redis_distributor_get_failed       (SluiceRedisDistributor *self);
/* The first failed item's error. */
const char *sluice_redis_distributor_get_first_failure (SluiceRedisDistributor *self);
guint64     sluice_redis_distributor_get_superseded   (SluiceRedisDistributor *self);
guint64     sluice_redis_distributor_get_duplicates   (SluiceRedisDistributor *self);

G_END_DECLS
