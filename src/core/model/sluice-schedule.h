/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sluice-timescope.h"

G_BEGIN_DECLS

/* What to do with fire times missed while the scheduler was not running
 * (or the clock jumped): NONE runs none of them, LAST runs the latest one,
 * ALL runs every one (oldest first, one after the other). */
typedef enum
{
  SLUICE_CATCH_UP_NONE,
  SLUICE_CATCH_UP_LAST,
  SLUICE_CATCH_UP_ALL,
} SluiceCatchUp;

/* What to do when a fire time comes while the pipeline's previous
 * scheduled run is still going: SKIP it, QUEUE it until that run ends
 * (at most one waits), or ALLOW runs side by side. */
typedef enum
{
  SLUICE_OVERLAP_SKIP,
  SLUICE_OVERLAP_QUEUE,
  SLUICE_OVERLAP_ALLOW,
} SluiceOverlap;

gboolean    sluice_catch_up_from_string (const char     *text,
                                         SluiceCatchUp  *value);
const char *sluice_catch_up_to_string   (SluiceCatchUp   value);
gboolean    sluice_overlap_from_string  (const char     *text,
                                         SluiceOverlap  *value);
const char *sluice_overlap_to_string    (SluiceOverlap   value);

#define SLUICE_TYPE_SCHEDULE (sluice_schedule_get_type ())
G_DECLARE_FINAL_TYPE (SluiceSchedule, sluice_schedule, SLUICE, SCHEDULE, GObject)

/* <schedule cron="*\/15 * * * *" timezone="Europe/Berlin" timescope="hourly"
 *           catch-up="none|last|all" overlap="skip|queue|allow"/>
 * Defaults: timezone UTC (NULL), no timescope, catch-up none (as cron),
 * overlap skip. */
SluiceSchedule *sluice_schedule_new           (const char      *cron);

const char     *sluice_schedule_get_cron      (SluiceSchedule  *self);
void            sluice_schedule_set_cron      (SluiceSchedule  *self,
                                               const char      *cron);
/* An IANA zone name, or NULL for UTC. */
const char     *sluice_schedule_get_timezone  (SluiceSchedule  *self);
void            sluice_schedule_set_timezone  (SluiceSchedule  *self,
                                               const char      *timezone);
SluiceTimescope sluice_schedule_get_timescope (SluiceSchedule  *self);
void            sluice_schedule_set_timescope (SluiceSchedule  *self,
                                               SluiceTimescope  timescope);
SluiceCatchUp   sluice_schedule_get_catch_up  (SluiceSchedule  *self);
void            sluice_schedule_set_catch_up  (SluiceSchedule  *self,
                                               SluiceCatchUp    catch_up);
SluiceOverlap   sluice_schedule_get_overlap   (SluiceSchedule  *self);
void            sluice_schedule_set_overlap   (SluiceSchedule  *self,
                                               SluiceOverlap    overlap);
guint           sluice_schedule_get_line      (SluiceSchedule  *self);
void            sluice_schedule_set_line      (SluiceSchedule  *self,
                                               guint            line);

/* Checks the cron expression and the time zone; the message names what
 * is wrong ("minute field `*\/0`: …", "unknown time zone `…`"). A cron
 * that can never fire ("0 0 31 2 *") is an error too. */
gboolean        sluice_schedule_check         (SluiceSchedule  *self,
                                               GError         **error);
/* The first fire time strictly after @after (Unix seconds); FALSE when
 * the schedule is invalid or never fires again. */
gboolean        sluice_schedule_next          (SluiceSchedule  *self,
                                               gint64           after,
                                               gint64          *next);
/* The last fire time at or before @at. */
gboolean        sluice_schedule_previous      (SluiceSchedule  *self,
                                               gint64           at,
                                               gint64          *previous);
/* The window of a run firing at @fire: the timescope's last complete
 * period, or without a timescope, the time since the fire time before. */
gboolean        sluice_schedule_window        (SluiceSchedule  *self,
                                               gint64           fire,
                                               gint64          *start,
                                               gint64          *end);
/* The parameters a run that fires at @fire gets: window_start,
 * window_end and timescope (empty without one), as name → value (owned
 * strings); NULL when the schedule is invalid. */
GHashTable     *sluice_schedule_window_params (SluiceSchedule  *self,
                                               gint64           fire);
/* Adds window_start, window_end and timescope to @params (name →
 * value, owned strings) for a run of a scheduled pipeline, unless @params
 * has them already (declared parameters): from @defines when given there
 * (window_start and window_end together), otherwise the window of the
 * latest fire time at or before @now, so that a run started by hand
 * processes the window the schedule ran last. FALSE with @error when
 * only one of the two is given or the schedule is invalid. */
gboolean        sluice_schedule_fill_params   (SluiceSchedule  *self,
                                               GHashTable      *defines,
                                               gint64           now,
                                               GHashTable      *params,
                                               GError         **error);
/* Formats @instant in the schedule's zone, ISO 8601 with the offset. */
char           *sluice_schedule_format_time   (SluiceSchedule  *self,
                                               gint64           instant);

/* The names of the parameters a schedule sets, NULL-terminated. */
const char * const *sluice_schedule_param_names (void);

G_END_DECLS
