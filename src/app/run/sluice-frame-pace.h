/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How often a live run's window may draw: from what its last drawing
 * cycles cost in CPU, the time until the next update, so that drawing
 * takes about a tenth of a processor (see sluice-frame-pace.c). */
typedef struct
{
  gint64 costs[3];   /* the last three cycles' costs, µs */
  guint  next;       /* the slot the next one goes to */
  guint  n_costs;    /* how many slots hold one */
} SluiceFramePace;

void   sluice_frame_pace_reset (SluiceFramePace *pace);
/* Takes the cost (CPU µs) of the cycle that just ended; returns the
 * time (µs) to leave before the next update. */
gint64 sluice_frame_pace_next  (SluiceFramePace *pace,
                                gint64           cost);

G_END_DECLS
