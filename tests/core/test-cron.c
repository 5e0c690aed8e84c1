/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-cron.h"
#include "sluice-time-zone.h"

/* Cron parsing, matching and next fire times, in UTC and across the
 * daylight-saving changes of Europe/Berlin and America/New_York. */

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

static SluiceCron *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  SluiceCron *cron = sluice_cron_parse (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cron);
  return cron;
}

static void
assert_parse_error (const char *text,
                    const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceCron) cron = sluice_cron_parse (text, &error);

  g_assert_null (cron);
  g_assert_error (error, SLUICE_CRON_ERROR, 0);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s”: message “%s” lacks “%s”", text, error->message, fragment);
}

/* Checks the chain of fire times after @start, in @zone. */
static void
assert_fires (const char         *expression,
              const char         *zone,
              const char         *start,
              const char * const *expected)
{
  g_autoptr(SluiceCron) cron = parse_ok (expression);
  g_autoptr(GTimeZone) tz = sluice_time_zone_load (zone, NULL);
  gint64 t = utc (start);

  g_assert_nonnull (tz);
  for (guint i = 0; expected[i] != NULL; i++)
    {
      g_autofree char *got = NULL;
      gint64 next;

      g_assert_true (sluice_cron_next (cron, tz, t, &next));
      got = iso (next);
      if (g_strcmp0 (got, expected[i]) != 0)
        g_error ("%s in %s after %s: fire %u is %s, expected %s",
                 expression, zone, start, i, got, expected[i]);
      g_assert_cmpint (next, >, t);
      t = next;
    }
}

static void
test_parse_errors (void)
{
  g_autoptr(GString) long_list = g_string_new ("0");
  g_autoptr(GString) many_fields = g_string_new (NULL);

  assert_parse_error ("", "empty");
  assert_parse_error ("   ", "empty");
  assert_parse_error ("* * * *", "this one has 4");
  assert_parse_error ("* * * * * *", "this one has 6");
  assert_parse_error ("*/0 * * * *", "minute field `*/0`: a step must be at least 1");
  assert_parse_error ("* */-1 * * *", "hour field");
  assert_parse_error ("60 * * * *", "minute field `60`: 60 is out of range (0–59)");
  assert_parse_error ("* 24 * * *", "hour field `24`");
  assert_parse_error ("* * 0 * *", "day-of-month field `0`");
  assert_parse_error ("* * 32 * *", "out of range (1–31)");
  assert_parse_error ("* * * 13 *", "month field");
  assert_parse_error ("* * * * 8", "day-of-week field");
  assert_parse_error ("-5 * * * *", "negative values are not allowed");
  assert_parse_error ("99999999999999999999999 * * * *", "out of range");
  assert_parse_error ("5-1 * * * *", "the range 5-1 goes backwards");
  assert_parse_error ("1,,2 * * * *", "a list element is empty");
  assert_parse_error ("1, * * * *", "empty");
  assert_parse_error ("* * * foo *", "`foo` is not a month name (use jan–dec)");
  assert_parse_error ("* * * * funday", "not a weekday name");
  assert_parse_error ("mon * * * *", "`mon` is not a number");
  assert_parse_error ("é * * * *", "unexpected character “é”");
  assert_parse_error ("5é * * * *", "unexpected character “é”");
  assert_parse_error ("\xff * * * *", "unexpected character \\xFF");
  assert_parse_error ("*/61 * * * *", "step 61 is larger");
  assert_parse_error ("*/ * * * *", "followed by a step");
  assert_parse_error ("1-* * * * *", "unexpected character “*”");
  assert_parse_error ("1- * * * *", "a value is missing");
  assert_parse_error ("@reboot", "unknown cron macro `@reboot`");
  assert_parse_error ("1;2 * * * *", "unexpected character “;”");

  /* A thousand list elements and a thousand fields: refused by length or
   * count, never slow. */
  for (guint i = 1; i < 1000; i++)
    g_string_append_printf (long_list, ",%u", i % 60);
  g_string_append (long_list, " * * * *");
  assert_parse_error (long_list->str, "longer than 1024 characters");
  for (guint i = 0; i < 500; i++)
    g_string_append (many_fields, "* ");
  assert_parse_error (many_fields->str, "this one has 500");
}

static void
test_parse_forms (void)
{
  g_autoptr(SluiceCron) names = parse_ok ("0 9 * JAN-mar Mon-FRI");
  g_autoptr(SluiceCron) sunday7 = parse_ok ("0 0 * * 7");
  g_autoptr(SluiceCron) steps = parse_ok ("10/20 8-18/5 * * *");
  g_autoptr(SluiceCron) hourly = parse_ok ("@hourly");
  g_autoptr(SluiceCron) tabs = parse_ok ("\t0\t12  *  * *  ");
  g_autoptr(SluiceCron) list = parse_ok ("0,15,30,45 * * * *");

  /* 2026-01-05 is a Monday, 2026-01-04 a Sunday. */
  g_assert_true (sluice_cron_matches (names, 1, 5, 1, 9, 0));
  g_assert_true (sluice_cron_matches (names, 3, 6, 5, 9, 0));
  g_assert_false (sluice_cron_matches (names, 4, 6, 1, 9, 0));
  g_assert_false (sluice_cron_matches (names, 1, 4, 0, 9, 0));
  g_assert_true (sluice_cron_matches (sunday7, 1, 4, 0, 0, 0));
  g_assert_true (sluice_cron_matches (steps, 1, 1, 4, 8, 10));
  g_assert_true (sluice_cron_matches (steps, 1, 1, 4, 13, 50));
  g_assert_false (sluice_cron_matches (steps, 1, 1, 4, 9, 10));
  g_assert_false (sluice_cron_matches (steps, 1, 1, 4, 8, 0));
  g_assert_true (sluice_cron_matches (hourly, 7, 7, 2, 5, 0));
  g_assert_false (sluice_cron_matches (hourly, 7, 7, 2, 5, 1));
  g_assert_true (sluice_cron_matches (tabs, 7, 7, 2, 12, 0));
  g_assert_true (sluice_cron_matches (list, 7, 7, 2, 3, 45));
  g_assert_true (sluice_cron_is_interval (list));
  g_assert_false (sluice_cron_is_interval (names));
}

/* Both fields restricted: either matches. One starts with `*`: only the
 * other restricts. */
static void
test_day_or_rule (void)
{
  g_autoptr(SluiceCron) both = parse_ok ("0 0 13 * fri");
  g_autoptr(SluiceCron) star_dom = parse_ok ("0 0 * * fri");
  g_autoptr(SluiceCron) star_step = parse_ok ("0 0 */2 * fri");

  g_assert_true (sluice_cron_matches (both, 11, 13, 5, 0, 0));   /* Friday 13th */
  g_assert_true (sluice_cron_matches (both, 11, 27, 5, 0, 0));   /* a Friday */
  g_assert_true (sluice_cron_matches (both, 12, 13, 0, 0, 0));   /* a 13th, Sunday */
  g_assert_false (sluice_cron_matches (both, 12, 14, 1, 0, 0));
  g_assert_false (sluice_cron_matches (star_dom, 12, 13, 0, 0, 0));
  /* `*\/2` starts with `*`: both must match (Vixie cron). */
  g_assert_true (sluice_cron_matches (star_step, 11, 27, 5, 0, 0));
  g_assert_false (sluice_cron_matches (star_step, 11, 20, 5, 0, 0));
  g_assert_false (sluice_cron_matches (star_step, 11, 29, 0, 0, 0));

  assert_fires ("0 0 13 * fri", "UTC", "2026-11-27T00:00:00Z",
                (const char *[]) { "2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z",
                                   "2026-12-13T00:00:00Z", "2026-12-18T00:00:00Z", NULL });
}

static void
test_next_utc (void)
{
  assert_fires ("*/15 * * * *", "UTC", "2026-11-27T13:07:31Z",
                (const char *[]) { "2026-11-27T13:15:00Z", "2026-11-27T13:30:00Z",
                                   "2026-11-27T13:45:00Z", "2026-11-27T14:00:00Z", NULL });
  /* Exactly on a fire time: the next one, strictly after. */
  assert_fires ("0 * * * *", "UTC", "2026-11-27T13:00:00Z",
                (const char *[]) { "2026-11-27T14:00:00Z", NULL });
  assert_fires ("0 0 1 * *", "UTC", "2026-12-15T00:00:00Z",
                (const char *[]) { "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z", NULL });
  assert_fires ("0 0 31 * *", "UTC", "2026-01-31T00:00:00Z",
                (const char *[]) { "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z",
                                   "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z", NULL });
  assert_fires ("59 23 31 12 *", "UTC", "2026-06-01T00:00:00Z",
                (const char *[]) { "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z", NULL });
  assert_fires ("0 12 * * mon-fri", "UTC", "2026-11-27T12:00:00Z",
                (const char *[]) { "2026-11-30T12:00:00Z", "2026-12-01T12:00:00Z", NULL });
}

static void
test_feb_29_and_never (void)
{
  g_autoptr(SluiceCron) never = parse_ok ("0 0 31 2 *");
  g_autoptr(SluiceCron) never_30 = parse_ok ("0 0 30,31 2 *");
  g_autoptr(SluiceCron) leap = parse_ok ("0 0 29 2 *");
  g_autoptr(SluiceCron) either = parse_ok ("0 0 31 2 mon");
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  gint64 next = 0;

  g_assert_false (sluice_cron_can_fire (never));
  g_assert_false (sluice_cron_can_fire (never_30));
  g_assert_false (sluice_cron_next (never, tz, utc ("2026-01-01T00:00:00Z"), &next));
  g_assert_false (sluice_cron_previous (never, tz, utc ("2026-01-01T00:00:00Z"), &next));
  g_assert_true (sluice_cron_can_fire (leap));
  /* With a weekday too, the OR rule gives every Monday in February. */
  g_assert_true (sluice_cron_can_fire (either));

  assert_fires ("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z",
                (const char *[]) { "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", NULL });
  /* 2100 is not a leap year. */
  assert_fires ("0 0 29 2 *", "UTC", "2097-01-01T00:00:00Z",
                (const char *[]) { "2104-02-29T00:00:00Z", NULL });
  assert_fires ("0 0 29 2 *", "Europe/Berlin", "2026-01-01T00:00:00Z",
                (const char *[]) { "2028-02-28T23:00:00Z", NULL });
  g_assert_true (sluice_cron_previous (leap, tz, utc ("2026-01-01T00:00:00Z"), &next));
  g_assert_cmpint (next, ==, utc ("2024-02-29T00:00:00Z"));
}

/* Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC). */
static void
test_berlin_spring (void)
{
  /* A time in the skipped hour runs once, at the change. */
  assert_fires ("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
                (const char *[]) { "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", NULL });
  /* Several times in it still run once. */
  assert_fires ("0,15,30,45 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
                (const char *[]) { "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", NULL });
  /* 02:30 and 03:00 on that day are the same instant: one run. */
  assert_fires ("0,30 2,3 * * *", "Europe/Berlin", "2026-03-29T00:00:00Z",
                (const char *[]) { "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z",
                                   "2026-03-30T00:00:00Z", NULL });
  /* Interval jobs follow real time: 01:45 CET, then 03:00 CEST. */
  assert_fires ("*/15 * * * *", "Europe/Berlin", "2026-03-29T00:40:00Z",
                (const char *[]) { "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z",
                                   "2026-03-29T01:15:00Z", NULL });
  assert_fires ("30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z",
                (const char *[]) { "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z", NULL });
}

/* Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC). */
static void
test_berlin_autumn (void)
{
  /* A time in the repeated hour runs once, at its first occurrence. */
  assert_fires ("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z",
                (const char *[]) { "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", NULL });
  /* Even when asked from inside the second pass. */
  assert_fires ("30 2 * * *", "Europe/Berlin", "2026-10-25T01:10:00Z",
                (const char *[]) { "2026-10-26T01:30:00Z", NULL });
  assert_fires ("0 1-3 * * *", "Europe/Berlin", "2026-10-24T22:00:00Z",
                (const char *[]) { "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z",
                                   "2026-10-25T02:00:00Z", NULL });
  /* Interval jobs run in both passes: real time goes on. */
  assert_fires ("*/30 * * * *", "Europe/Berlin", "2026-10-24T23:50:00Z",
                (const char *[]) { "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z",
                                   "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z",
                                   "2026-10-25T02:00:00Z", NULL });
  /* From the last minute of the first pass into the second. */
  assert_fires ("*/15 * * * *", "Europe/Berlin", "2026-10-25T00:50:00Z",
                (const char *[]) { "2026-10-25T01:00:00Z", "2026-10-25T01:15:00Z", NULL });
}

/* America/New_York, 2026-03-08 02:00 EST → 03:00 EDT (07:00 UTC) and
 * 2026-11-01 02:00 EDT → 01:00 EST (06:00 UTC). */
static void
test_new_york (void)
{
  assert_fires ("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z",
                (const char *[]) { "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", NULL });
  assert_fires ("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z",
                (const char *[]) { "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", NULL });
  assert_fires ("0 * * * *", "America/New_York", "2026-11-01T04:30:00Z",
                (const char *[]) { "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z",
                                   "2026-11-01T07:00:00Z", NULL });
  assert_fires ("0 0 * * *", "America/New_York", "2026-11-27T12:00:00Z",
                (const char *[]) { "2026-11-28T05:00:00Z", NULL });
  assert_fires ("0 0 * * *", "America/New_York", "2026-07-01T12:00:00Z",
                (const char *[]) { "2026-07-02T04:00:00Z", NULL });
}

/* Walking a whole year minute-schedule by schedule never goes backwards,
 * never runs an instant twice, and a daily job runs once a day. */
static void
test_year_walk (void)
{
  const char *zones[] = { "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                          "Asia/Kathmandu", "America/Santiago", "UTC" };

  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GTimeZone) tz = sluice_time_zone_load (zones[z], NULL);
      g_autoptr(SluiceCron) daily = parse_ok ("30 2 * * *");
      gint64 t = utc ("2026-01-01T00:00:00Z");
      guint runs = 0;

      g_assert_nonnull (tz);
      while (t < utc ("2027-01-01T00:00:00Z"))
        {
          gint64 next;

          g_assert_true (sluice_cron_next (daily, tz, t, &next));
          g_assert_cmpint (next, >, t);
          /* At least 20 hours apart (23-hour days, 30-minute shifts). */
          if (runs > 0)
            g_assert_cmpint (next - t, >=, 20 * 3600);
          t = next;
          runs++;
        }
      /* One per day of the year, give or take the ends. */
      g_assert_cmpuint (runs, >=, 365);
      g_assert_cmpuint (runs, <=, 366);
    }
}

/* Samoa skipped 30 December 2011 whole (−10 to +14): its noon runs
 * once, at the change; the days around it as usual. */
static void
test_skipped_day (void)
{
  assert_fires ("0 12 * * *", "Pacific/Apia", "2011-12-28T00:00:00Z",
                (const char *[]) { "2011-12-28T22:00:00Z", "2011-12-29T22:00:00Z",
                                   "2011-12-30T10:00:00Z", "2011-12-30T22:00:00Z", NULL });
  assert_fires ("0 */6 * * *", "Pacific/Apia", "2011-12-29T20:00:00Z",
                (const char *[]) { "2011-12-29T22:00:00Z", "2011-12-30T04:00:00Z",
                                   "2011-12-30T10:00:00Z", "2011-12-30T16:00:00Z", NULL });
}

static void
test_previous (void)
{
  g_autoptr(SluiceCron) midnight = parse_ok ("0 0 * * *");
  g_autoptr(SluiceCron) quarter = parse_ok ("*/15 * * * *");
  g_autoptr(SluiceCron) yearly = parse_ok ("@yearly");
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  gint64 previous;

  g_assert_true (sluice_cron_previous (midnight, tz, utc ("2026-11-27T13:00:00Z"), &previous));
  g_assert_cmpint (previous, ==, utc ("2026-11-27T00:00:00Z"));
  /* At a fire time: that one. */
  g_assert_true (sluice_cron_previous (quarter, tz, utc ("2026-11-27T13:15:00Z"), &previous));
  g_assert_cmpint (previous, ==, utc ("2026-11-27T13:15:00Z"));
  g_assert_true (sluice_cron_previous (yearly, tz, utc ("2026-11-27T13:15:00Z"), &previous));
  g_assert_cmpint (previous, ==, utc ("2026-01-01T00:00:00Z"));
}

/* Random expressions against brute force: in UTC the next fire time is
 * the first matching minute after the start, found minute by minute. */
static void
test_against_brute_force (void)
{
  const char *minutes[] = { "*", "*/7", "0", "5,35", "10-20/3", "59" };
  const char *hours[] = { "*", "*/5", "0", "9-17", "23", "1,13" };
  const char *days[] = { "*", "1", "15", "*/10", "28-31" };
  const char *months[] = { "*", "*", "feb", "1-6", "*/4" };
  const char *weekdays[] = { "*", "*", "mon-fri", "0", "sat,sun" };
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  GRand *rand = g_rand_new_with_seed (20261127);
  guint compared = 0;

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *text =
        g_strdup_printf ("%s %s %s %s %s",
                         minutes[g_rand_int_range (rand, 0, G_N_ELEMENTS (minutes))],
                         hours[g_rand_int_range (rand, 0, G_N_ELEMENTS (hours))],
                         days[g_rand_int_range (rand, 0, G_N_ELEMENTS (days))],
                         months[g_rand_int_range (rand, 0, G_N_ELEMENTS (months))],
                         weekdays[g_rand_int_range (rand, 0, G_N_ELEMENTS (weekdays))]);
      g_autoptr(SluiceCron) cron = parse_ok (text);
      gint64 after = utc ("2026-01-01T00:00:00Z") + g_rand_int_range (rand, 0, 365 * 86400);
      gint64 next = 0;
      gint64 brute = 0;
      gboolean found = sluice_cron_next (cron, tz, after, &next);

      for (gint64 t = (after / 60 + 1) * 60; t < after + 8 * 86400; t += 60)
        {
          g_autoptr(GDateTime) d = g_date_time_new_from_unix_utc (t);

          if (sluice_cron_matches (cron, g_date_time_get_month (d), g_date_time_get_day_of_month (d),
                                   g_date_time_get_day_of_week (d) % 7, g_date_time_get_hour (d),
                                   g_date_time_get_minute (d)))
            {
              brute = t;
              break;
            }
        }
      if (brute == 0)
        continue;   /* sparse: beyond the brute-force span */
      g_assert_true (found);
      if (next != brute)
        g_error ("%s after %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " but brute force %" G_GINT64_FORMAT,
                 text, after, next, brute);
      compared++;
    }
  g_rand_free (rand);
  g_assert_cmpuint (compared, >, 150);
}

static void
test_time_zone_names (void)
{
  const char *refused[] = {
    "../../etc/passwd", "/etc/localtime", "Europe/../../../etc/passwd", "Europe//Berlin",
    "CET-1CEST,M3.5.0,M10.5.0/3", "+05:30", "Europe/Berlin\n", "Nowhere/Atlantis",
    "ABC5", "Europe/Berlín", "",
  };
  g_autoptr(GTimeZone) berlin = NULL;
  g_autoptr(GTimeZone) utc_zone = NULL;
  g_autoptr(GString) long_name = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTimeZone) tz = NULL;

      /* "" means UTC, as an unset timezone attribute does. */
      if (*refused[i] == '\0')
        continue;
      tz = sluice_time_zone_load (refused[i], &error);
      g_assert_null (tz);
      g_assert_error (error, SLUICE_TIME_ZONE_ERROR, 0);
    }

  for (guint i = 0; i < 100; i++)
    g_string_append (long_name, "Europe/");
  g_assert_null (sluice_time_zone_load (long_name->str, NULL));

  berlin = sluice_time_zone_load ("Europe/Berlin", NULL);
  g_assert_nonnull (berlin);
  utc_zone = sluice_time_zone_load (NULL, NULL);
  g_assert_nonnull (utc_zone);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/cron/parse-errors", test_parse_errors);
  g_test_add_func ("/sluice/cron/parse-forms", test_parse_forms);
  g_test_add_func ("/sluice/cron/day-or-rule", test_day_or_rule);
  g_test_add_func ("/sluice/cron/next-utc", test_next_utc);
  g_test_add_func ("/sluice/cron/feb-29-and-never", test_feb_29_and_never);
  g_test_add_func ("/sluice/cron/berlin-spring", test_berlin_spring);
  g_test_add_func ("/sluice/cron/berlin-autumn", test_berlin_autumn);
  g_test_add_func ("/sluice/cron/new-york", test_new_york);
  g_test_add_func ("/sluice/cron/year-walk", test_year_walk);
  g_test_add_func ("/sluice/cron/skipped-day", test_skipped_day);
  g_test_add_func ("/sluice/cron/previous", test_previous);
  g_test_add_func ("/sluice/cron/against-brute-force", test_against_brute_force);
  g_test_add_func ("/sluice/cron/time-zone-names", test_time_zone_names);

  return g_test_run ();
}
