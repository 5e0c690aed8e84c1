/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-civil-time.h"

#define SECONDS_PER_DAY G_GINT64_CONSTANT (86400)

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the
 * proleptic Gregorian calendar, no tables, no time zone. */
gint64
sluice_civil_days_from_date (int year,
                             int month,
                             int day)
{
  gint64 y = (gint64) year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - (a % b != 0 && ((a < 0) != (b < 0)));
}

void
sluice_civil_split (gint64       civil,
                    SluiceCivil *out)
{
  gint64 days = floor_div (civil, SECONDS_PER_DAY);
  gint64 rest = civil - days * SECONDS_PER_DAY;
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  int month = (int) (mp < 10 ? mp + 3 : mp - 9);

  out->year = (int) (yoe + era * 400 + (month <= 2));
  out->month = month;
  out->day = (int) (doy - (153 * mp + 2) / 5 + 1);
  out->hour = (int) (rest / 3600);
  out->minute = (int) (rest % 3600 / 60);
  out->second = (int) (rest % 60);
  /* 1970-01-01 was a Thursday. */
  out->weekday = (int) (((days % 7) + 7 + 4) % 7);
}

gint64
sluice_civil_join (int year,
                   int month,
                   int day,
                   int hour,
                   int minute,
                   int second)
{
  return sluice_civil_days_from_date (year, month, day) * SECONDS_PER_DAY +
         hour * 3600 + minute * 60 + second;
}

int
sluice_civil_days_in_month (int year,
                            int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  g_return_val_if_fail (month >= 1 && month <= 12, 0);
  return month == 2 && leap ? 29 : days[month - 1];
}

static gint32
offset_at (GTimeZone *tz,
           gint64     instant)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, instant);

  return interval >= 0 ? g_time_zone_get_offset (tz, interval) : 0;
}

gint64
sluice_civil_from_instant (GTimeZone *tz,
                           gint64     instant)
{
  return instant + offset_at (tz, instant);
}

/* Offsets change at most once within a few hours in every zone in use,
 * so the offsets in force within this distance of @civil are all the
 * candidates: an instant i has the wall-clock time @civil when
 * i + offset(i) == civil. */
#define PROBE_SPAN (3 * 3600)

guint
sluice_civil_to_instants (GTimeZone *tz,
                          gint64     civil,
                          gint64     instants[2])
{
  gint32 offsets[8];
  guint n_offsets = 0;
  guint found = 0;

  /* The instant is near civil − offset(civil): |offset| ≤ 14 h, and two
   * offsets of one zone a few hours apart differ by a DST shift. */
  gint64 guess = civil - offset_at (tz, civil);

  for (gint64 probe = guess - PROBE_SPAN; probe <= guess + PROBE_SPAN; probe += 3600)
    {
      gint32 offset = offset_at (tz, probe);
      gboolean known = FALSE;

      for (guint i = 0; i < n_offsets; i++)
        known |= offsets[i] == offset;
      if (!known && n_offsets < G_N_ELEMENTS (offsets))
        offsets[n_offsets++] = offset;
    }

  for (guint i = 0; i < n_offsets && found < 2; i++)
    {
      gint64 instant = civil - offsets[i];
      gboolean duplicate = FALSE;

      if (offset_at (tz, instant) != offsets[i])
        continue;
      for (guint j = 0; j < found; j++)
        duplicate |= instants[j] == instant;
      if (!duplicate)
        instants[found++] = instant;
    }

  if (found == 2 && instants[0] > instants[1])
    {
      gint64 swap = instants[0];
      instants[0] = instants[1];
      instants[1] = swap;
    }
  return found;
}

gint64
sluice_civil_gap_end (GTimeZone *tz,
                      gint64     civil)
{
  gint64 adjusted = civil;
  int interval = g_time_zone_adjust_time (tz, G_TIME_TYPE_STANDARD, &adjusted);

  return adjusted - g_time_zone_get_offset (tz, interval);
}
