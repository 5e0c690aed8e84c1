/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-log.h"

G_BEGIN_DECLS

/* The run panel's log during a replay: the recorded events up to the
 * scrubber's position, as a live run's log would have them then.
 *
 * Forward, the events in between are appended. Backward (or far
 * forward), the log is built again: the routine events of the last @capacity positions and
 * every warning, error and run-state change before them (what a live
 * log keeps, see sluice_run_log_set_capacity()), so that scrubbing back
 * through two million events reads the event types, not every event.
 *
 * "module-progress" samples (a journal without per-item events) show as
 * a line with the module's counters. @shown is the position the log
 * shows now (0 for an empty log); it is updated. */
void sluice_replay_log_show (SluiceRunLog    *log,
                             SluiceRunReplay *replay,
                             guint            capacity,
                             guint           *shown);

G_END_DECLS
