/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-frame-pace.h"

/* The most of a processor that drawing a live run may take. */
#define DRAW_SHARE 0.1

void
sluice_frame_pace_reset (SluiceFramePace *pace)
{
  pace->next = 0;
  pace->n_costs = 0;
}

/* The median of the last three cycles' costs (the cheaper of two at a
 * run's start): neither a cycle that did something once (the pictures
 * of the canvas and the locked panes when a run starts) holds the next
 * updates back, nor one that cost next to nothing (two frames in a row,
 * a state change told at once) lets a burst of frames through. */
static gint64
typical_cost (SluiceFramePace *pace)
{
  gint64 a = pace->costs[0], b = pace->costs[1], c = pace->costs[2];

  if (pace->n_costs == 1)
    return a;
  if (pace->n_costs == 2)
    return MIN (a, b);
  return MAX (MIN (a, b), MIN (MAX (a, b), c));
}

gint64
sluice_frame_pace_next (SluiceFramePace *pace,
                        gint64           cost)
{
  pace->costs[pace->next] = cost;
  pace->next = (pace->next + 1) % 3;
  pace->n_costs = MIN (pace->n_costs + 1, 3);
  /* After a cycle that cost that much, nine times as long without
   * drawing. */
  return (gint64) (typical_cost (pace) * (1 / DRAW_SHARE - 1));
}
