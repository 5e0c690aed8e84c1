/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The time window a scheduled run processes (seed 002's timescopes).
 *
 * A run that fires at instant T processes the last COMPLETE period before
 * T, in the schedule's time zone: hourly 13:00–14:00 for a run at 14:05;
 * daily the day before (00:00–00:00); weekly the ISO week before (Monday
 * 00:00 to Monday 00:00); monthly the month before (the 1st 00:00 to the
 * next 1st). A period is measured on the wall clock, so a daily window
 * on a daylight-saving day lasts 23 or 25 hours.
 *
 * A run gets the parameters ${window_start} and ${window_end} (ISO 8601
 * with the zone's offset, e.g. 2026-11-27T13:00:00+01:00), ${timescope},
 * and table names ${table:NAME} = NAME_TIMESCOPE_STAMP, where STAMP is the
 * window's start on the wall clock:
 *
 *   hourly   YYYYMMDDHH  events_hourly_2026112713
 *   daily    YYYYMMDD    events_daily_20261126
 *   weekly   YYYYMMDD    events_weekly_20261116  (the Monday)
 *   monthly  YYYYMM      events_monthly_202610 */

typedef enum
{
  SLUICE_TIMESCOPE_NONE,
  SLUICE_TIMESCOPE_HOURLY,
  SLUICE_TIMESCOPE_DAILY,
  SLUICE_TIMESCOPE_WEEKLY,
  SLUICE_TIMESCOPE_MONTHLY,
} SluiceTimescope;

#define SLUICE_TIMESCOPE_ERROR (sluice_timescope_error_quark ())
GQuark      sluice_timescope_error_quark   (void);

/* "hourly", "daily", "weekly", "monthly". */
gboolean    sluice_timescope_from_string   (const char       *text,
                                            SluiceTimescope  *timescope);
const char *sluice_timescope_to_string     (SluiceTimescope   timescope);

/* The window of a run that fires at @fire (Unix seconds). @timescope is
 * not NONE. */
void        sluice_timescope_window        (SluiceTimescope   timescope,
                                            GTimeZone        *tz,
                                            gint64            fire,
                                            gint64           *start,
                                            gint64           *end);

/* "2026-11-27T13:00:00+01:00" ("Z" for UTC is written +00:00). */
char       *sluice_timescope_format_time   (GTimeZone        *tz,
                                            gint64            instant);

/* ${table:NAME}: NAME_TIMESCOPE_STAMP from the run's ${timescope} and
 * ${window_start} values; NULL with @error when one is missing or not
 * what a scheduled run sets. */
char       *sluice_timescope_table_name    (const char       *name,
                                            const char       *timescope,
                                            const char       *window_start,
                                            GError          **error);

G_END_DECLS
