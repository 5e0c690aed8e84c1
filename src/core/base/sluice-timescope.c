/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-civil-time.h"
#include "sluice-timescope.h"

G_DEFINE_QUARK (sluice-timescope-error-quark, sluice_timescope_error)

static const char * const names[] = {
  [SLUICE_TIMESCOPE_NONE] = "none",
  [SLUICE_TIMESCOPE_HOURLY] = "hourly",
  [SLUICE_TIMESCOPE_DAILY] = "daily",
  [SLUICE_TIMESCOPE_WEEKLY] = "weekly",
  [SLUICE_TIMESCOPE_MONTHLY] = "monthly",
};

gboolean
sluice_timescope_from_string (const char      *text,
                              SluiceTimescope *timescope)
{
  g_return_val_if_fail (timescope != NULL, FALSE);

  for (guint i = SLUICE_TIMESCOPE_HOURLY; text != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *timescope = (SluiceTimescope) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sluice_timescope_to_string (SluiceTimescope timescope)
{
  g_return_val_if_fail (timescope < G_N_ELEMENTS (names), NULL);
  return timescope == SLUICE_TIMESCOPE_NONE ? NULL : names[timescope];
}

/* The wall-clock start of the period holding @civil, and of the one
 * before it. */
static gint64
period_floor (SluiceTimescope timescope,
              gint64          civil)
{
  SluiceCivil c;

  sluice_civil_split (civil, &c);
  switch (timescope)
    {
    case SLUICE_TIMESCOPE_HOURLY:
      return sluice_civil_join (c.year, c.month, c.day, c.hour, 0, 0);
    case SLUICE_TIMESCOPE_DAILY:
      return sluice_civil_join (c.year, c.month, c.day, 0, 0, 0);
    case SLUICE_TIMESCOPE_WEEKLY:
      /* ISO weeks start on Monday. */
      return sluice_civil_join (c.year, c.month, c.day, 0, 0, 0) - ((c.weekday + 6) % 7) * 86400;
    case SLUICE_TIMESCOPE_MONTHLY:
      return sluice_civil_join (c.year, c.month, 1, 0, 0, 0);
    case SLUICE_TIMESCOPE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static gint64
period_before (SluiceTimescope timescope,
               gint64          period_start)
{
  SluiceCivil c;

  switch (timescope)
    {
    case SLUICE_TIMESCOPE_HOURLY:
      return period_start - 3600;
    case SLUICE_TIMESCOPE_DAILY:
      return period_start - 86400;
    case SLUICE_TIMESCOPE_WEEKLY:
      return period_start - 7 * 86400;
    case SLUICE_TIMESCOPE_MONTHLY:
      sluice_civil_split (period_start, &c);
      return c.month == 1 ? sluice_civil_join (c.year - 1, 12, 1, 0, 0, 0)
                          : sluice_civil_join (c.year, c.month - 1, 1, 0, 0, 0);
    case SLUICE_TIMESCOPE_NONE:
    default:
      g_assert_not_reached ();
    }
}

/* The instants at which the wall clock shows the boundary @civil: both
 * of a repeated hour, the end of the gap for a skipped one. */
static guint
boundary_instants (GTimeZone *tz,
                   gint64     civil,
                   gint64     instants[2])
{
  guint n = sluice_civil_to_instants (tz, civil, instants);

  if (n == 0)
    {
      instants[0] = sluice_civil_gap_end (tz, civil);
      n = 1;
    }
  return n;
}

/* The latest boundary instant of the periods starting at @civil and the
 * two before it that is at most (or, with @strict, less than) @limit. */
static gint64
latest_boundary (SluiceTimescope timescope,
                 GTimeZone      *tz,
                 gint64          civil,
                 gint64          limit,
                 gboolean        strict)
{
  gint64 best = G_MININT64;

  for (guint k = 0; k < 3; k++)
    {
      gint64 instants[2];
      guint n = boundary_instants (tz, civil, instants);

      for (guint i = 0; i < n; i++)
        if ((strict ? instants[i] < limit : instants[i] <= limit) && instants[i] > best)
          best = instants[i];
      civil = period_before (timescope, civil);
    }
  return best;
}

void
sluice_timescope_window (SluiceTimescope  timescope,
                         GTimeZone       *tz,
                         gint64           fire,
                         gint64          *start,
                         gint64          *end)
{
  gint64 floor;

  g_return_if_fail (timescope != SLUICE_TIMESCOPE_NONE);
  g_return_if_fail (tz != NULL);

  /* In a repeated hour, a wall-clock boundary happens twice: the window
   * ends at the latest one not after the fire time and starts at the
   * latest one before that, so the two passes get windows of their own. */
  floor = period_floor (timescope, sluice_civil_from_instant (tz, fire));
  *end = latest_boundary (timescope, tz, floor, fire, FALSE);
  *start = latest_boundary (timescope, tz, floor, *end, TRUE);
}

char *
sluice_timescope_format_time (GTimeZone *tz,
                              gint64     instant)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (instant);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *offset = NULL;
  g_autofree char *clock = NULL;

  g_return_val_if_fail (tz != NULL, NULL);

  if (utc == NULL)
    return NULL;
  local = g_date_time_to_timezone (utc, tz);
  clock = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
  offset = g_date_time_format (local, "%:z");
  return g_strconcat (clock, offset, NULL);
}

char *
sluice_timescope_table_name (const char  *name,
                             const char  *timescope_text,
                             const char  *window_start,
                             GError     **error)
{
  g_autoptr(GDateTime) start = NULL;
  g_autofree char *stamp = NULL;
  SluiceTimescope timescope;

  g_return_val_if_fail (name != NULL, NULL);

  if (!sluice_timescope_from_string (timescope_text, &timescope))
    {
      g_set_error (error, SLUICE_TIMESCOPE_ERROR, 0,
                   _("${table:%s} needs a run with a timescope (a scheduled run, or -D timescope=hourly|daily|weekly|monthly)"),
                   name);
      return NULL;
    }
  start = window_start != NULL ? g_date_time_new_from_iso8601 (window_start, NULL) : NULL;
  if (start == NULL)
    {
      g_set_error (error, SLUICE_TIMESCOPE_ERROR, 0,
                   _("${table:%s} needs ${window_start} as an ISO 8601 time with an offset, not “%s”"),
                   name, window_start != NULL ? window_start : "");
      return NULL;
    }

  switch (timescope)
    {
    case SLUICE_TIMESCOPE_HOURLY:
      stamp = g_date_time_format (start, "%Y%m%d%H");
      break;
    case SLUICE_TIMESCOPE_DAILY:
      stamp = g_date_time_format (start, "%Y%m%d");
      break;
    case SLUICE_TIMESCOPE_WEEKLY:
      {
        g_autoptr(GDateTime) monday =
          g_date_time_add_days (start, 1 - g_date_time_get_day_of_week (start));
        stamp = g_date_time_format (monday, "%Y%m%d");
      }
      break;
    case SLUICE_TIMESCOPE_MONTHLY:
      stamp = g_date_time_format (start, "%Y%m");
      break;
    case SLUICE_TIMESCOPE_NONE:
    default:
      g_assert_not_reached ();
    }

  return g_strdup_printf ("%s_%s_%s", name, timescope_text, stamp);
}
