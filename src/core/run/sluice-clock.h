/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_CLOCK (sluice_clock_get_type ())
G_DECLARE_FINAL_TYPE (SluiceClock, sluice_clock, SLUICE, CLOCK, GObject)

/* The time an executor's timers (delays, retry back-offs, time-outs) are
 * measured in. The real clock is g_get_monotonic_time(). A fake clock
 * starts at the monotonic time and moves on by itself only when the
 * executor has nothing to do but wait for its next timer: it then jumps
 * to that deadline. So a test of a 5-minute back-off takes milliseconds,
 * and what happens in it happens in the same order as in a real run.
 * Work that takes real time (Lua, a real command) is never skipped: the
 * clock does not jump while any is in flight. */
SluiceClock *sluice_clock_new_fake     (void);

gboolean     sluice_clock_is_fake      (SluiceClock *self);
/* Now in µs; with @self NULL, g_get_monotonic_time(). */
gint64       sluice_clock_now          (SluiceClock *self);
/* Moves a fake clock on to @time (never back). */
void         sluice_clock_advance_to   (SluiceClock *self,
                                        gint64       time);
/* How far a fake clock has jumped ahead of the monotonic one, in µs. */
gint64       sluice_clock_get_skipped  (SluiceClock *self);
/* The monotonic time at which @time comes on @self (for a GSource's
 * ready time). */
gint64       sluice_clock_to_monotonic (SluiceClock *self,
                                        gint64       time);

G_END_DECLS
