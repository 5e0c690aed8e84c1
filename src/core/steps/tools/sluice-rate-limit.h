/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Requests per second shared by every item of a module: each request
 * takes the next free slot, 1/rate apart; the first one goes at once.
 * Slots are handed out in the order they are asked for, so a burst of
 * items queues fairly instead of all waking together. */

typedef struct
{
  double rate;        /* per second; 0 = no limit */
  gint64 next_slot;   /* monotonic µs */
} SluiceRateLimit;

void   sluice_rate_limit_init (SluiceRateLimit *limit,
                               double           rate);
/* When the caller may send (monotonic µs, ≥ @now); takes that slot. */
gint64 sluice_rate_limit_take (SluiceRateLimit *limit,
                               gint64           now);

G_END_DECLS
