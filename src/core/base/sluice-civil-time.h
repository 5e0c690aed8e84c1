/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Wall-clock ("civil") times as plain numbers, for the cron and timescope
 * arithmetic: a civil time is counted in seconds since 1970-01-01 00:00 as
 * if the wall clock were UTC, so that adding a day is adding 86400 and no
 * time zone is involved until sluice_civil_to_instants(). */

typedef struct
{
  int year;
  int month;    /* 1–12 */
  int day;      /* 1–31 */
  int hour;
  int minute;
  int second;
  int weekday;  /* 0–6, 0 = Sunday */
} SluiceCivil;

gint64   sluice_civil_days_from_date (int          year,
                                      int          month,
                                      int          day);
void     sluice_civil_split          (gint64       civil,
                                      SluiceCivil *out);
gint64   sluice_civil_join           (int          year,
                                      int          month,
                                      int          day,
                                      int          hour,
                                      int          minute,
                                      int          second);
int      sluice_civil_days_in_month  (int          year,
                                      int          month);

/* The wall-clock time of @instant (Unix seconds) in @tz. */
gint64   sluice_civil_from_instant   (GTimeZone   *tz,
                                      gint64       instant);
/* The instants whose wall-clock time in @tz is @civil, earliest first:
 * 1 normally, 2 in a repeated hour, 0 in a skipped one. */
guint    sluice_civil_to_instants    (GTimeZone   *tz,
                                      gint64       civil,
                                      gint64       instants[2]);
/* For a @civil time that does not exist (skipped by a change), the
 * instant of the change: the first instant after the gap. */
gint64   sluice_civil_gap_end        (GTimeZone   *tz,
                                      gint64       civil);

G_END_DECLS
