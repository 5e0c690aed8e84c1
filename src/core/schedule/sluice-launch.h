/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_LAUNCH (sluice_launch_get_type ())
G_DECLARE_FINAL_TYPE (SluiceLaunch, sluice_launch, SLUICE, LAUNCH, GObject)

/* One scheduled run as the scheduler asks for it: which pipeline, for
 * which fire time, with which parameters. Whoever starts the run (the
 * `sluice-run schedule` loop, a daemon's run manager) keeps a reference
 * and calls sluice_launch_finish() when the run ends, which is how the
 * scheduler applies its overlap policy. */

typedef enum
{
  SLUICE_LAUNCH_ON_TIME,
  SLUICE_LAUNCH_CATCH_UP,   /* a fire time missed while down */
  SLUICE_LAUNCH_QUEUED,     /* waited for the previous run (overlap=queue) */
} SluiceLaunchReason;

const char     *sluice_launch_reason_to_string (SluiceLaunchReason reason);

SluiceLaunch   *sluice_launch_new            (const char         *pipeline_id,
                                              gint64              fire_time,
                                              SluiceLaunchReason  reason,
                                              GHashTable         *params);

const char     *sluice_launch_get_pipeline_id (SluiceLaunch      *self);
/* The fire time (Unix seconds) this run is for. */
gint64          sluice_launch_get_fire_time  (SluiceLaunch       *self);
SluiceLaunchReason sluice_launch_get_reason  (SluiceLaunch       *self);
void            sluice_launch_set_reason     (SluiceLaunch       *self,
                                              SluiceLaunchReason  reason);
/* window_start, window_end, timescope: name → value, for -D. Borrowed. */
GHashTable     *sluice_launch_get_params     (SluiceLaunch       *self);
/* An id the starter gives its run (for logs and the API), or NULL. */
const char     *sluice_launch_get_run_id     (SluiceLaunch       *self);
void            sluice_launch_set_run_id     (SluiceLaunch       *self,
                                              const char         *run_id);

/* The run ended (whatever its state). Emits "finished" once; later
 * calls do nothing. */
void            sluice_launch_finish         (SluiceLaunch       *self,
                                              gboolean            success);
gboolean        sluice_launch_is_finished    (SluiceLaunch       *self);

G_END_DECLS
