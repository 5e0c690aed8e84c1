/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sluice-wall-clock.h"
#include "sluice-launch.h"
#include "sluice-schedule.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_SCHEDULER (sluice_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (SluiceScheduler, sluice_scheduler, SLUICE, SCHEDULER, GObject)

/* Decides what runs when: for each pipeline given with its <schedule>, it
 * computes the next fire time, wakes up on a SluiceWallClock alarm, and hands
 * a SluiceLaunch to the launch function, which creates and starts the run
 * (in-process with SluiceRun, or through a daemon's run manager) and
 * later calls sluice_launch_finish().
 *
 * Fire times already handled are kept per pipeline in a state file
 * ("last fired"), written before each launch, so a restart neither runs a
 * fire time twice nor forgets what it missed:
 *
 *  - catch-up: after downtime (or a clock that jumped forward), the fire
 *    times missed since the last one are run per the schedule's catch-up
 *    (none, last, all — all oldest first, one after the other, at most
 *    SLUICE_SCHEDULER_MAX_CATCH_UP of the newest); a fire time at most
 *    SLUICE_SCHEDULER_GRACE seconds late is simply on time. A pipeline
 *    seen for the first time starts from now: nothing is caught up.
 *  - a clock that goes back: nothing runs until it passes the last fire
 *    time again.
 *  - overlap: while a pipeline's run is going, a new fire time is
 *    skipped (skip), waits for it (queue: at most one waits; further ones
 *    are skipped), or starts alongside (allow). */

#define SLUICE_SCHEDULER_GRACE          60
#define SLUICE_SCHEDULER_MAX_CATCH_UP   1000

/* Creates and starts the run; FALSE with @error when it cannot start
 * (the scheduler then counts it as done). The function keeps a reference
 * to @launch and calls sluice_launch_finish() when the run ends. */
typedef gboolean (*SluiceLaunchFunc) (SluiceLaunch  *launch,
                                      gpointer       user_data,
                                      GError       **error);

/* @state_file may be NULL (nothing persists). A state file that cannot be
 * read as state is moved aside (FILE.broken) and the scheduler starts
 * afresh; @error says so but the scheduler is still returned. */
SluiceScheduler *sluice_scheduler_new           (SluiceWallClock      *clock,
                                                 const char       *state_file,
                                                 GError          **error);
void             sluice_scheduler_set_launch_func (SluiceScheduler *self,
                                                 SluiceLaunchFunc  func,
                                                 gpointer          user_data,
                                                 GDestroyNotify    destroy);

/* Adds or updates (a changed file) the pipeline @id; runs already going
 * are not affected. NULL @schedule removes it. */
void             sluice_scheduler_set_pipeline  (SluiceScheduler  *self,
                                                 const char       *id,
                                                 SluiceSchedule   *schedule);
void             sluice_scheduler_remove_pipeline (SluiceScheduler *self,
                                                 const char       *id);

/* Looks at the clock now (alarms do this by themselves). */
void             sluice_scheduler_tick          (SluiceScheduler  *self);

gboolean         sluice_scheduler_get_next      (SluiceScheduler  *self,
                                                 const char       *id,
                                                 gint64           *next);
gboolean         sluice_scheduler_get_last_fired (SluiceScheduler *self,
                                                 const char       *id,
                                                 gint64           *last);
/* A run of a scheduled pipeline that was started before a restart and
 * goes on (resumed): it counts as the pipeline's run going, for the
 * overlap policy, until sluice_launch_finish() is called on @launch.
 * May be called before the pipeline is set. */
void             sluice_scheduler_adopt         (SluiceScheduler  *self,
                                                 SluiceLaunch     *launch);
/* Runs of @id started and not yet finished; fire times waiting. */
guint            sluice_scheduler_get_running   (SluiceScheduler  *self,
                                                 const char       *id);
guint            sluice_scheduler_get_waiting   (SluiceScheduler  *self,
                                                 const char       *id);

G_END_DECLS
