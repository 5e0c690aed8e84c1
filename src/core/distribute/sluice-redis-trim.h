/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-redis-client.h"

G_BEGIN_DECLS

/* Keeps a work stream to the work not done yet. Deleting each entry as
 * it is acknowledged (XDEL) costs Redis more than all other commands of
 * an item together; instead, now and then, the stream is trimmed
 * (XTRIM MINID ~) below the oldest entry that any consumer group still
 * needs: its oldest pending entry, or, with none pending, the last one
 * it was handed. Entries after that stay, whatever their state.
 * @done is called once the trim (or the attempt) is over. */
void sluice_redis_trim_stream (SluiceRedisClient *client,
                               const char        *key,
                               GCallback          done,
                               gpointer           user_data);

G_END_DECLS
