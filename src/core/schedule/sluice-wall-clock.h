/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_WALL_CLOCK (sluice_wall_clock_get_type ())
G_DECLARE_FINAL_TYPE (SluiceWallClock, sluice_wall_clock, SLUICE, WALL_CLOCK, GObject)

/* The scheduler's notion of wall-clock time (Unix seconds) and its
 * alarms, injectable so that tests run days of schedules instantly.
 *
 *  - the system clock: g_get_real_time(); an alarm waits on the main loop
 *    at most 30 seconds at a time and looks at the clock again, so a wall
 *    clock that jumps (NTP, suspend, a changed zone) is noticed;
 *  - a fake clock: time moves only when told: sluice_wall_clock_advance()
 *    lets it pass, sluice_wall_clock_set_now() jumps (a machine that was off, a
 *    clock set by hand); alarms that are due run before either returns;
 *  - a scaled clock: starts at a given instant and runs @speed times
 *    faster than real time (for end-to-end tests of programs). */

typedef void (*SluiceClockFunc) (gpointer user_data);

SluiceWallClock *sluice_wall_clock_new_system  (void);
SluiceWallClock *sluice_wall_clock_new_fake    (gint64           now);
SluiceWallClock *sluice_wall_clock_new_scaled  (gint64           start,
                                       double           speed);

gint64       sluice_wall_clock_get_now     (SluiceWallClock     *self);
/* Fake clocks only; the clock may go backwards. */
void         sluice_wall_clock_set_now     (SluiceWallClock     *self,
                                       gint64           now);

/* Fake clocks only: time passes up to @to; each due alarm rings with the
 * clock showing its own time, as if the process had been running. */
void         sluice_wall_clock_advance     (SluiceWallClock     *self,
                                       gint64           to);

/* Calls @func once when the clock reaches @at (at once, from the main
 * loop, when it has already). Returns an id for remove_alarm (never 0). */
guint        sluice_wall_clock_add_alarm   (SluiceWallClock     *self,
                                       gint64           at,
                                       SluiceClockFunc  func,
                                       gpointer         user_data);
void         sluice_wall_clock_remove_alarm (SluiceWallClock    *self,
                                        guint           id);

G_END_DECLS
