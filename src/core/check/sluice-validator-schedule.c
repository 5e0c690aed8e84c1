/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-cron.h"
#include "sluice-params.h"
#include "sluice-time-zone.h"
#include "sluice-validator-private.h"

/* The <schedule> of a pipeline and the parameters it gives a run:
 * ${window_start}, ${window_end}, ${timescope} and ${table:NAME}. */

static gboolean
is_declared (SluiceCheck *check,
             const char  *name)
{
  return sluice_pipeline_find_parameter (check->pipeline, name) != NULL;
}

gboolean
_sluice_check_schedule_reference (SluiceCheck  *check,
                                  const char   *name,
                                  char        **problem)
{
  SluiceSchedule *schedule = sluice_pipeline_get_schedule (check->pipeline);
  gboolean table = g_str_has_prefix (name, SLUICE_PARAMS_TABLE_PREFIX);

  *problem = NULL;
  if (!table && !g_strv_contains (sluice_schedule_param_names (), name))
    return FALSE;

  if (table)
    {
      check->uses_table_names = TRUE;
      /* Declared parameters make ${table:…} work for runs started by hand. */
      if (is_declared (check, "timescope") && is_declared (check, "window_start"))
        return TRUE;
      if (schedule == NULL)
        *problem = g_strdup_printf (_("`${%s}` names a table for a scheduled run's window: add a <schedule> with a timescope"),
                                    name);
      else if (sluice_schedule_get_timescope (schedule) == SLUICE_TIMESCOPE_NONE)
        *problem = g_strdup_printf (_("`${%s}` needs a timescope on <schedule> (hourly, daily, weekly or monthly)"),
                                    name);
      return TRUE;
    }

  if (schedule == NULL)
    *problem = g_strdup_printf (_("`${%s}` is only set for scheduled runs: add a <schedule> or declare the parameter"),
                                name);
  return TRUE;
}

/* A zone whose offset differs between January and July has a repeated
 * hour each year. */
static gboolean
has_daylight_saving (GTimeZone *tz)
{
  GDateTime *now = g_date_time_new_now_utc ();
  int year = g_date_time_get_year (now);
  g_autoptr(GDateTime) january = g_date_time_new (tz, year, 1, 15, 12, 0, 0);
  g_autoptr(GDateTime) july = g_date_time_new (tz, year, 7, 15, 12, 0, 0);

  g_date_time_unref (now);
  return g_date_time_get_utc_offset (january) != g_date_time_get_utc_offset (july);
}

void
_sluice_check_schedule (SluiceCheck *check)
{
  SluiceSchedule *schedule = sluice_pipeline_get_schedule (check->pipeline);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  guint line;

  if (schedule == NULL)
    return;

  line = sluice_schedule_get_line (schedule);
  if (!sluice_schedule_check (schedule, &error))
    {
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, NULL,
                            _("<schedule>: %s"), error->message);
      return;
    }

  tz = sluice_time_zone_load (sluice_schedule_get_timezone (schedule), NULL);
  if (check->uses_table_names && tz != NULL &&
      sluice_schedule_get_timescope (schedule) == SLUICE_TIMESCOPE_HOURLY &&
      has_daylight_saving (tz))
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, line, NULL,
                          _("<schedule>: hourly tables in %s: the hour repeated when daylight saving time ends "
                            "gets the same ${table:…} name twice (use timezone=\"UTC\" for hourly tables)"),
                          sluice_schedule_get_timezone (schedule));
}
