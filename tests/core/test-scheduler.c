/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "sluice-core.h"

/* The scheduler on a fake clock: fire times, the window parameters,
 * clocks that jump, daylight-saving days, catch-up after downtime (with
 * the state file) and the overlap policies. */

typedef struct
{
  GPtrArray *launches;   /* of SluiceLaunch, every one asked for */
  GPtrArray *skipped;    /* of char *, "ID@ISO: reason" */
  gboolean   finish_at_once;
  gboolean   refuse;
} Launcher;

static gint64
utc (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static char *
iso (gint64 instant)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (instant);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
launch_cb (SluiceLaunch  *launch,
           gpointer       user_data,
           GError       **error)
{
  Launcher *launcher = user_data;

  if (launcher->refuse)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no room for runs");
      return FALSE;
    }
  g_ptr_array_add (launcher->launches, g_object_ref (launch));
  if (launcher->finish_at_once)
    sluice_launch_finish (launch, TRUE);
  return TRUE;
}

static void
skipped_cb (SluiceScheduler *scheduler,
            const char      *id,
            gint64           fire_time,
            const char      *reason,
            Launcher        *launcher)
{
  g_autofree char *when = iso (fire_time);

  g_ptr_array_add (launcher->skipped, g_strdup_printf ("%s@%s: %s", id, when, reason));
}

static void
launcher_init (Launcher        *launcher,
               SluiceScheduler *scheduler,
               gboolean         finish_at_once)
{
  launcher->launches = g_ptr_array_new_with_free_func (g_object_unref);
  launcher->skipped = g_ptr_array_new_with_free_func (g_free);
  launcher->finish_at_once = finish_at_once;
  sluice_scheduler_set_launch_func (scheduler, launch_cb, launcher, NULL);
  g_signal_connect (scheduler, "skipped", G_CALLBACK (skipped_cb), launcher);
}

static void
launcher_clear (Launcher *launcher)
{
  g_clear_pointer (&launcher->launches, g_ptr_array_unref);
  g_clear_pointer (&launcher->skipped, g_ptr_array_unref);
}

static SluiceLaunch *
launch_at (Launcher *launcher,
           guint     i)
{
  g_assert_cmpuint (i, <, launcher->launches->len);
  return g_ptr_array_index (launcher->launches, i);
}

static void
assert_fire (Launcher   *launcher,
             guint       i,
             const char *expected)
{
  g_autofree char *got = iso (sluice_launch_get_fire_time (launch_at (launcher, i)));

  g_assert_cmpstr (got, ==, expected);
}

static SluiceSchedule *
schedule_new (const char    *cron,
              const char    *zone,
              SluiceCatchUp  catch_up,
              SluiceOverlap  overlap)
{
  SluiceSchedule *schedule = sluice_schedule_new (cron);

  sluice_schedule_set_timezone (schedule, zone);
  sluice_schedule_set_catch_up (schedule, catch_up);
  sluice_schedule_set_overlap (schedule, overlap);
  g_assert_true (sluice_schedule_check (schedule, NULL));
  return schedule;
}

static void
test_fires_with_windows (void)
{
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
  g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, NULL, NULL);
  g_autoptr(SluiceSchedule) schedule = schedule_new ("*/15 * * * *", "Europe/Berlin",
                                                     SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(SluiceSchedule) hourly = schedule_new ("5 * * * *", "Europe/Berlin",
                                                   SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  Launcher launcher = { 0 };
  GHashTable *params;
  gint64 next;

  launcher_init (&launcher, scheduler, TRUE);
  sluice_schedule_set_timescope (hourly, SLUICE_TIMESCOPE_HOURLY);
  sluice_scheduler_set_pipeline (scheduler, "quarter", schedule);
  sluice_scheduler_set_pipeline (scheduler, "hourly", hourly);

  /* Nothing runs on registration: the first fire time is ahead. */
  g_assert_cmpuint (launcher.launches->len, ==, 0);
  g_assert_true (sluice_scheduler_get_next (scheduler, "quarter", &next));
  g_assert_cmpint (next, ==, utc ("2026-11-27T13:15:00Z"));

  sluice_wall_clock_advance (clock, utc ("2026-11-27T14:10:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 5);
  assert_fire (&launcher, 0, "2026-11-27T13:15:00Z");
  assert_fire (&launcher, 1, "2026-11-27T13:30:00Z");
  assert_fire (&launcher, 2, "2026-11-27T13:45:00Z");
  assert_fire (&launcher, 3, "2026-11-27T14:00:00Z");
  assert_fire (&launcher, 4, "2026-11-27T14:05:00Z");
  g_assert_cmpstr (sluice_launch_get_pipeline_id (launch_at (&launcher, 4)), ==, "hourly");
  g_assert_cmpint (sluice_launch_get_reason (launch_at (&launcher, 0)), ==, SLUICE_LAUNCH_ON_TIME);

  /* Without a timescope: the cron interval that just ended. */
  params = sluice_launch_get_params (launch_at (&launcher, 1));
  g_assert_cmpstr (g_hash_table_lookup (params, "window_start"), ==, "2026-11-27T14:15:00+01:00");
  g_assert_cmpstr (g_hash_table_lookup (params, "window_end"), ==, "2026-11-27T14:30:00+01:00");
  g_assert_cmpstr (g_hash_table_lookup (params, "timescope"), ==, "");
  /* Hourly: the last complete hour, on Berlin's wall clock. */
  params = sluice_launch_get_params (launch_at (&launcher, 4));
  g_assert_cmpstr (g_hash_table_lookup (params, "window_start"), ==, "2026-11-27T14:00:00+01:00");
  g_assert_cmpstr (g_hash_table_lookup (params, "window_end"), ==, "2026-11-27T15:00:00+01:00");
  g_assert_cmpstr (g_hash_table_lookup (params, "timescope"), ==, "hourly");
  g_assert_cmpuint (launcher.skipped->len, ==, 0);

  launcher_clear (&launcher);
}

static void
test_clock_jumps (void)
{
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
  g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, NULL, NULL);
  g_autoptr(SluiceSchedule) schedule = schedule_new ("*/15 * * * *", NULL,
                                                     SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  Launcher launcher = { 0 };

  launcher_init (&launcher, scheduler, TRUE);
  sluice_scheduler_set_pipeline (scheduler, "p", schedule);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T14:00:30Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 4);

  /* Back an hour: nothing runs again until the clock passes 14:00. */
  sluice_wall_clock_set_now (clock, utc ("2026-11-27T13:01:00Z"));
  sluice_scheduler_tick (scheduler);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T14:05:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 4);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T14:15:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 5);
  assert_fire (&launcher, 4, "2026-11-27T14:15:00Z");

  /* Forward five hours (catch-up none): the missed ones are reported,
   * none runs, and the schedule goes on from there. */
  sluice_wall_clock_set_now (clock, utc ("2026-11-27T19:20:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 5);
  g_assert_cmpuint (launcher.skipped->len, >=, 1);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T19:30:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 6);
  assert_fire (&launcher, 5, "2026-11-27T19:30:00Z");

  /* Landing just on a fire time is on time. */
  sluice_wall_clock_set_now (clock, utc ("2026-11-27T22:00:20Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 7);
  assert_fire (&launcher, 6, "2026-11-27T22:00:00Z");

  launcher_clear (&launcher);
}

/* Two days around a change, minute schedule and daily job, counted per
 * fire time: none twice, none skipped. */
static void
check_dst_day (const char *zone,
               const char *from,
               const char *to,
               guint       expected_interval_runs)
{
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc (from));
  g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, NULL, NULL);
  g_autoptr(SluiceSchedule) daily = schedule_new ("30 2 * * *", zone, SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(SluiceSchedule) half = schedule_new ("*/30 * * * *", zone, SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Launcher launcher = { 0 };
  guint daily_runs = 0, half_runs = 0;

  launcher_init (&launcher, scheduler, TRUE);
  sluice_scheduler_set_pipeline (scheduler, "daily", daily);
  sluice_scheduler_set_pipeline (scheduler, "half", half);
  sluice_wall_clock_advance (clock, utc (to));

  for (guint i = 0; i < launcher.launches->len; i++)
    {
      SluiceLaunch *launch = launch_at (&launcher, i);
      g_autofree char *when = iso (sluice_launch_get_fire_time (launch));
      g_autofree char *key = g_strconcat (sluice_launch_get_pipeline_id (launch), "@", when, NULL);

      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, g_steal_pointer (&key));
      if (g_str_equal (sluice_launch_get_pipeline_id (launch), "daily"))
        daily_runs++;
      else
        half_runs++;
    }
  g_assert_cmpuint (daily_runs, ==, 1);
  g_assert_cmpuint (half_runs, ==, expected_interval_runs);
  g_assert_cmpuint (launcher.skipped->len, ==, 0);
  launcher_clear (&launcher);
}

static void
test_dst_days (void)
{
  /* Local midnight to midnight: 23 hours in spring, 25 in autumn. */
  check_dst_day ("Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 46);
  check_dst_day ("Europe/Berlin", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 50);
  check_dst_day ("America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z", 46);
  check_dst_day ("America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z", 50);
}

/* A scheduler that ran until 13:15, then was down five hours. */
static void
run_downtime (SluiceCatchUp  catch_up,
              const char    *state_file,
              Launcher      *after)
{
  g_autoptr(SluiceSchedule) schedule = schedule_new ("*/15 * * * *", "Europe/Berlin",
                                                     catch_up, SLUICE_OVERLAP_SKIP);

  g_remove (state_file);
  {
    g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
    g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, state_file, NULL);
    Launcher before = { 0 };

    launcher_init (&before, scheduler, TRUE);
    sluice_scheduler_set_pipeline (scheduler, "etl", schedule);
    sluice_wall_clock_advance (clock, utc ("2026-11-27T13:20:00Z"));
    g_assert_cmpuint (before.launches->len, ==, 1);
    launcher_clear (&before);
  }
  {
    g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T18:20:00Z"));
    g_autoptr(GError) error = NULL;
    g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, state_file, &error);
    gint64 last = 0;

    g_assert_no_error (error);
    /* Runs stay going: their ends start the queued ones. */
    launcher_init (after, scheduler, FALSE);
    sluice_scheduler_set_pipeline (scheduler, "etl", schedule);
    while (after->launches->len > 0 &&
           !sluice_launch_is_finished (g_ptr_array_index (after->launches, after->launches->len - 1)))
      sluice_launch_finish (g_ptr_array_index (after->launches, after->launches->len - 1), TRUE);
    g_assert_true (sluice_scheduler_get_last_fired (scheduler, "etl", &last));
    g_assert_cmpint (last, ==, utc ("2026-11-27T18:15:00Z"));
    g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "etl"), ==, 0);
    g_assert_cmpuint (sluice_scheduler_get_waiting (scheduler, "etl"), ==, 0);
  }
}

static void
test_catch_up (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-scheduler-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "scheduler.json", NULL);
  Launcher none = { 0 }, last = { 0 }, all = { 0 };

  run_downtime (SLUICE_CATCH_UP_NONE, state, &none);
  g_assert_cmpuint (none.launches->len, ==, 0);
  g_assert_cmpuint (none.skipped->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (none.skipped, 0), "etl@2026-11-27T13:30:00Z: missed"));

  run_downtime (SLUICE_CATCH_UP_LAST, state, &last);
  g_assert_cmpuint (last.launches->len, ==, 1);
  assert_fire (&last, 0, "2026-11-27T18:15:00Z");
  g_assert_cmpint (sluice_launch_get_reason (launch_at (&last, 0)), ==, SLUICE_LAUNCH_CATCH_UP);

  /* 13:30 … 18:15: twenty windows, oldest first, one after the other. */
  run_downtime (SLUICE_CATCH_UP_ALL, state, &all);
  g_assert_cmpuint (all.launches->len, ==, 20);
  assert_fire (&all, 0, "2026-11-27T13:30:00Z");
  assert_fire (&all, 19, "2026-11-27T18:15:00Z");
  g_assert_cmpstr (g_hash_table_lookup (sluice_launch_get_params (launch_at (&all, 0)), "window_start"),
                   ==, "2026-11-27T14:15:00+01:00");
  for (guint i = 1; i < all.launches->len; i++)
    g_assert_cmpint (sluice_launch_get_fire_time (launch_at (&all, i)), ==,
                     sluice_launch_get_fire_time (launch_at (&all, i - 1)) + 900);

  launcher_clear (&none);
  launcher_clear (&last);
  launcher_clear (&all);
  g_remove (state);
  g_rmdir (dir);
}

/* A year down with a minute schedule and catch-up all: the newest
 * thousand run, the rest are reported, quickly. */
static void
test_catch_up_limit (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-scheduler-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "scheduler.json", NULL);
  g_autoptr(SluiceSchedule) schedule = schedule_new ("* * * * *", NULL, SLUICE_CATCH_UP_ALL, SLUICE_OVERLAP_ALLOW);
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-01-01T00:00:30Z"));
  g_autoptr(SluiceScheduler) first = sluice_scheduler_new (clock, state, NULL);
  g_autoptr(SluiceScheduler) second = NULL;
  Launcher launcher = { 0 };
  gint64 started = g_get_monotonic_time ();

  sluice_scheduler_set_pipeline (first, "minutely", schedule);
  g_clear_object (&first);

  sluice_wall_clock_set_now (clock, utc ("2027-01-01T00:00:30Z"));
  second = sluice_scheduler_new (clock, state, NULL);
  launcher_init (&launcher, second, TRUE);
  sluice_scheduler_set_pipeline (second, "minutely", schedule);
  g_assert_cmpuint (launcher.launches->len, ==, SLUICE_SCHEDULER_MAX_CATCH_UP);
  assert_fire (&launcher, SLUICE_SCHEDULER_MAX_CATCH_UP - 1, "2027-01-01T00:00:00Z");
  g_assert_cmpuint (launcher.skipped->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (launcher.skipped, 0), "524600 older fire times"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);

  launcher_clear (&launcher);
  g_remove (state);
  g_rmdir (dir);
}

static void
test_overlap (void)
{
  const SluiceOverlap policies[] = { SLUICE_OVERLAP_SKIP, SLUICE_OVERLAP_QUEUE, SLUICE_OVERLAP_ALLOW };

  for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
      g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, NULL, NULL);
      g_autoptr(SluiceSchedule) schedule = schedule_new ("*/15 * * * *", NULL, SLUICE_CATCH_UP_NONE, policies[p]);
      Launcher launcher = { 0 };

      launcher_init (&launcher, scheduler, FALSE);
      sluice_scheduler_set_pipeline (scheduler, "slow", schedule);
      /* 13:15 starts; 13:30 and 13:45 come while it goes on. */
      sluice_wall_clock_advance (clock, utc ("2026-11-27T13:50:00Z"));

      switch (policies[p])
        {
        case SLUICE_OVERLAP_SKIP:
          g_assert_cmpuint (launcher.launches->len, ==, 1);
          g_assert_cmpuint (launcher.skipped->len, ==, 2);
          g_assert_nonnull (strstr (g_ptr_array_index (launcher.skipped, 0), "@2026-11-27T13:30:00Z: overlap"));
          sluice_launch_finish (launch_at (&launcher, 0), TRUE);
          g_assert_cmpuint (launcher.launches->len, ==, 1);
          sluice_wall_clock_advance (clock, utc ("2026-11-27T14:00:00Z"));
          g_assert_cmpuint (launcher.launches->len, ==, 2);
          break;
        case SLUICE_OVERLAP_QUEUE:
          g_assert_cmpuint (launcher.launches->len, ==, 1);
          g_assert_cmpuint (sluice_scheduler_get_waiting (scheduler, "slow"), ==, 1);
          g_assert_cmpuint (launcher.skipped->len, ==, 1);
          g_assert_nonnull (strstr (g_ptr_array_index (launcher.skipped, 0), "@2026-11-27T13:45:00Z: overlap"));
          sluice_launch_finish (launch_at (&launcher, 0), FALSE);
          g_assert_cmpuint (launcher.launches->len, ==, 2);
          assert_fire (&launcher, 1, "2026-11-27T13:30:00Z");
          g_assert_cmpint (sluice_launch_get_reason (launch_at (&launcher, 1)), ==, SLUICE_LAUNCH_QUEUED);
          g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "slow"), ==, 1);
          break;
        case SLUICE_OVERLAP_ALLOW:
        default:
          g_assert_cmpuint (launcher.launches->len, ==, 3);
          g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "slow"), ==, 3);
          g_assert_cmpuint (launcher.skipped->len, ==, 0);
          break;
        }
      launcher_clear (&launcher);
    }
}

/* A run resumed after a restart, adopted before its pipeline is set (as
 * the daemon does while it recovers): it counts as running, so a fire
 * time during it is skipped (overlap=skip), until it finishes. */
static void
test_adopt (void)
{
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
  g_autoptr(SluiceScheduler) scheduler = sluice_scheduler_new (clock, NULL, NULL);
  g_autoptr(SluiceSchedule) schedule = schedule_new ("*/15 * * * *", NULL, SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(SluiceLaunch) resumed = sluice_launch_new ("slow", utc ("2026-11-27T13:00:00Z"), SLUICE_LAUNCH_ON_TIME, NULL);
  g_autoptr(SluiceLaunch) finished = sluice_launch_new ("slow", utc ("2026-11-27T12:45:00Z"), SLUICE_LAUNCH_ON_TIME, NULL);
  g_autoptr(SluiceLaunch) other = sluice_launch_new ("other", utc ("2026-11-27T13:00:00Z"), SLUICE_LAUNCH_ON_TIME, NULL);
  Launcher launcher = { 0 };

  launcher_init (&launcher, scheduler, FALSE);
  sluice_scheduler_adopt (scheduler, resumed);
  /* One that ended before its pipeline came back does not count. */
  sluice_launch_finish (finished, TRUE);
  sluice_scheduler_adopt (scheduler, finished);
  sluice_scheduler_adopt (scheduler, other);
  sluice_scheduler_set_pipeline (scheduler, "slow", schedule);
  g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "slow"), ==, 1);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T13:16:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 0);
  g_assert_cmpuint (launcher.skipped->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (launcher.skipped, 0), "@2026-11-27T13:15:00Z: overlap"));
  sluice_launch_finish (resumed, TRUE);
  g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "slow"), ==, 0);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T13:31:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 1);
  assert_fire (&launcher, 0, "2026-11-27T13:30:00Z");
  launcher_clear (&launcher);
}

static void
test_changes_and_failures (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-scheduler-XXXXXX", NULL);
  g_autofree char *state = g_build_filename (dir, "scheduler.json", NULL);
  g_autofree char *aside = g_strconcat (state, ".broken", NULL);
  g_autoptr(SluiceWallClock) clock = sluice_wall_clock_new_fake (utc ("2026-11-27T13:07:00Z"));
  g_autoptr(SluiceScheduler) scheduler = NULL;
  g_autoptr(SluiceSchedule) quarter = schedule_new ("*/15 * * * *", NULL, SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(SluiceSchedule) hourly = schedule_new ("0 * * * *", NULL, SLUICE_CATCH_UP_NONE, SLUICE_OVERLAP_SKIP);
  g_autoptr(GError) error = NULL;
  Launcher launcher = { 0 };
  gint64 next;

  /* A broken state file is moved aside, and scheduling goes on. */
  g_assert_true (g_file_set_contents (state, "{\"pipelines\": [1, 2", -1, NULL));
  scheduler = sluice_scheduler_new (clock, state, &error);
  g_assert_nonnull (scheduler);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));

  launcher_init (&launcher, scheduler, FALSE);
  sluice_scheduler_set_pipeline (scheduler, "p", quarter);
  sluice_wall_clock_advance (clock, utc ("2026-11-27T13:16:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 1);

  /* A changed schedule leaves the run going alone. */
  sluice_scheduler_set_pipeline (scheduler, "p", hourly);
  g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "p"), ==, 1);
  g_assert_true (sluice_scheduler_get_next (scheduler, "p", &next));
  g_assert_cmpint (next, ==, utc ("2026-11-27T14:00:00Z"));
  sluice_launch_finish (launch_at (&launcher, 0), TRUE);
  g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "p"), ==, 0);

  /* A launch that fails is reported and not counted as running. */
  launcher.refuse = TRUE;
  sluice_wall_clock_advance (clock, utc ("2026-11-27T14:00:00Z"));
  g_assert_cmpuint (sluice_scheduler_get_running (scheduler, "p"), ==, 0);
  g_assert_nonnull (strstr (g_ptr_array_index (launcher.skipped, launcher.skipped->len - 1),
                            "launch failed: no room for runs"));

  /* Removed: nothing more runs; its end, if any, is harmless. */
  launcher.refuse = FALSE;
  sluice_scheduler_remove_pipeline (scheduler, "p");
  g_assert_false (sluice_scheduler_get_next (scheduler, "p", &next));
  sluice_wall_clock_advance (clock, utc ("2026-11-27T16:00:00Z"));
  g_assert_cmpuint (launcher.launches->len, ==, 1);

  launcher_clear (&launcher);
  g_clear_object (&scheduler);
  g_remove (state);
  g_remove (aside);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/scheduler/fires-with-windows", test_fires_with_windows);
  g_test_add_func ("/sluice/scheduler/clock-jumps", test_clock_jumps);
  g_test_add_func ("/sluice/scheduler/dst-days", test_dst_days);
  g_test_add_func ("/sluice/scheduler/catch-up", test_catch_up);
  g_test_add_func ("/sluice/scheduler/catch-up-limit", test_catch_up_limit);
  g_test_add_func ("/sluice/scheduler/overlap", test_overlap);
  g_test_add_func ("/sluice/scheduler/adopt", test_adopt);
  g_test_add_func ("/sluice/scheduler/changes-and-failures", test_changes_and_failures);

  return g_test_run ();
}
