/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-redis-url.h"

G_BEGIN_DECLS

/* The dead-letter stream of a pipeline (sluice:{ID}:dead), for
 * `sluice-run dlq`. Synchronous (a command-line tool waits anyway), with
 * a 5 s time-out on connecting and on each reply. */

/* Appends one JSON line per dead letter to @out: entry, run, seq, error,
 * deliveries, and item (the item as JSON when it is a JSON object, else
 * item_text, its bytes made valid UTF-8). */
gboolean sluice_redis_dead_letters_list   (const SluiceRedisUrl  *url,
                                           const char            *pipeline_id,
                                           GString               *out,
                                           guint                 *count,
                                           GError               **error);
/* Puts every dead letter back on the work stream (run, seq and item as
 * they were; a new entry, so its delivery count starts again) and takes
 * it off the dead-letter stream, each in one MULTI/EXEC. */
gboolean sluice_redis_dead_letters_replay (const SluiceRedisUrl  *url,
                                           const char            *pipeline_id,
                                           guint                 *count,
                                           GError               **error);

G_END_DECLS
