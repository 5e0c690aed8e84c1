/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-redis-client.h"
#include "sluice-run.h"

G_BEGIN_DECLS

/* Processes the items of one pipeline from its Redis stream
 * (sluice-redis-keys.h) in a consumer group, at least once:
 *
 * - XREADGROUP reads up to `batch` entries at a time into one long-lived
 *   SluiceRun with isolated items (a failing item fails only itself);
 * - when items are through, their outputs go to their runs' results
 *   streams in one XADD per run, and only once Redis took those, the
 *   entries are XACKed; twice a second the stream is trimmed below the
 *   oldest entry still needed (sluice-redis-trim.h);
 * - a failed item is left pending; entries pending longer than the
 *   visibility time-out are claimed with XAUTOCLAIM by any worker, their
 *   delivery count read with XPENDING; an item that failed on its
 *   `max_deliveries`-th delivery, or was claimed after that many, goes to
 *   the dead-letter stream with the last error, and its run is told;
 * - an entry that is not an item (binary, not JSON, fields missing) goes
 *   to the dead-letter stream at once, with the reason.
 *
 * A lost connection is retried every second; what was done meanwhile is
 * written once Redis is back. */

#define SLUICE_TYPE_REDIS_WORKER (sluice_redis_worker_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRedisWorker, sluice_redis_worker, SLUICE, REDIS_WORKER, GObject)

typedef struct
{
  const char *group;            /* consumer group; SLUICE_REDIS_DEFAULT_GROUP when NULL */
  const char *consumer;         /* this worker's name in the group */
  guint       batch;            /* entries per XREADGROUP */
  guint       max_deliveries;   /* deliveries before the dead-letter stream */
  guint       visibility_ms;    /* pending this long: another worker may claim it */
  gboolean    lua_inline;       /* Lua on the main thread, not on a thread pool */
  const char *stream_id;        /* the stream's id; NULL: the pipeline's id */
} SluiceRedisWorkerOptions;

/* Takes a reference to @run (not started yet). */
SluiceRedisWorker *sluice_redis_worker_new         (SluiceRun                      *run,
                                                    const SluiceRedisUrl           *url,
                                                    const SluiceRedisWorkerOptions *options);
/* Connects; "stopped" follows when the first connection fails. */
void               sluice_redis_worker_start       (SluiceRedisWorker *self);
/* Reads no more; finishes and writes what it has, then "stopped". */
void               sluice_redis_worker_stop        (SluiceRedisWorker *self);
guint64            sluice_redis_worker_get_done    (SluiceRedisWorker *self);
guint64            sluice_redis_worker_get_dead    (SluiceRedisWorker *self);

G_END_DECLS
