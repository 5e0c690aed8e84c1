/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-core.h"

/* <schedule> in the file: loading, saving (round trip), the loader's
 * refusals, the validator's checks of the cron expression, the zone and
 * the window parameters, and ${table:NAME}. */

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pipeline format=\"1\" id=\"etl\">\n"
#define BODY \
  "  <controller id=\"c\" mode=\"not-parallel\">\n" \
  "    <phase id=\"p\">\n" \
  "      <execution id=\"m\">\n" \
  "        <lua>item.x = 1</lua>\n" \
  "      </execution>\n" \
  "    </phase>\n" \
  "  </controller>\n" \
  "</pipeline>\n"

static SluicePipeline *
load (const char *text,
      GPtrArray  *problems)
{
  return sluice_load_data (text, strlen (text), "etl.xml", problems);
}

static char *
problems_text (GPtrArray *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (g_ptr_array_index (problems, i));
      g_string_append_printf (out, "%s\n", line);
    }
  return g_string_free (out, FALSE);
}

static void
assert_problem (GPtrArray  *problems,
                const char *expected)
{
  g_autofree char *all = problems_text (problems);

  if (strstr (all, expected) == NULL)
    g_error ("expected a problem “%s”, got:\n%s", expected, all);
}

static void
test_round_trip (void)
{
  const char *text =
    HEAD
    "  <!--every quarter hour, Berlin time-->\n"
    "  <schedule cron=\"*/15 * * * *\" timezone=\"Europe/Berlin\" timescope=\"hourly\" catch-up=\"all\" overlap=\"queue\"/>\n"
    BODY;
  const char *minimal = HEAD "  <schedule cron=\"@daily\"/>\n" BODY;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = load (text, problems);
  g_autoptr(SluicePipeline) small = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_small = NULL;
  SluiceSchedule *schedule;

  g_assert_nonnull (pipeline);
  g_assert_cmpuint (problems->len, ==, 0);
  schedule = sluice_pipeline_get_schedule (pipeline);
  g_assert_nonnull (schedule);
  g_assert_cmpstr (sluice_schedule_get_cron (schedule), ==, "*/15 * * * *");
  g_assert_cmpstr (sluice_schedule_get_timezone (schedule), ==, "Europe/Berlin");
  g_assert_cmpint (sluice_schedule_get_timescope (schedule), ==, SLUICE_TIMESCOPE_HOURLY);
  g_assert_cmpint (sluice_schedule_get_catch_up (schedule), ==, SLUICE_CATCH_UP_ALL);
  g_assert_cmpint (sluice_schedule_get_overlap (schedule), ==, SLUICE_OVERLAP_QUEUE);
  g_assert_cmpuint (sluice_schedule_get_line (schedule), ==, 4);

  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_cmpstr (saved, ==, text);

  small = load (minimal, problems);
  g_assert_nonnull (small);
  schedule = sluice_pipeline_get_schedule (small);
  g_assert_null (sluice_schedule_get_timezone (schedule));
  g_assert_cmpint (sluice_schedule_get_timescope (schedule), ==, SLUICE_TIMESCOPE_NONE);
  g_assert_cmpint (sluice_schedule_get_catch_up (schedule), ==, SLUICE_CATCH_UP_NONE);
  g_assert_cmpint (sluice_schedule_get_overlap (schedule), ==, SLUICE_OVERLAP_SKIP);
  saved_small = sluice_save_to_data (small, NULL);
  g_assert_cmpstr (saved_small, ==, minimal);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_model_changes (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceSchedule) schedule = sluice_schedule_new ("0 * * * *");
  g_autofree char *saved = NULL;
  guint changes = 0;

  g_signal_connect_swapped (pipeline, "changed", G_CALLBACK (count_cb), &changes);

  sluice_pipeline_set_schedule (pipeline, schedule);
  g_assert_cmpuint (changes, ==, 1);
  sluice_schedule_set_overlap (schedule, SLUICE_OVERLAP_ALLOW);
  g_assert_cmpuint (changes, ==, 2);
  sluice_schedule_set_overlap (schedule, SLUICE_OVERLAP_ALLOW);
  g_assert_cmpuint (changes, ==, 2);

  saved = sluice_save_to_data (pipeline, NULL);
  g_assert_nonnull (strstr (saved, "<schedule cron=\"0 * * * *\" overlap=\"allow\"/>"));

  sluice_pipeline_set_schedule (pipeline, NULL);
  g_assert_cmpuint (changes, ==, 3);
  sluice_schedule_set_cron (schedule, "5 * * * *");
  g_assert_cmpuint (changes, ==, 3);
}

typedef struct
{
  const char *schedule;   /* the element, on line 3 */
  const char *expected;   /* a substring of the problems */
} Refusal;

static void
test_loader_refusals (void)
{
  const Refusal refusals[] = {
    { "<schedule cron=\"* * * * *\" timescope=\"yearly\"/>",
      "etl.xml:3: error: <schedule>: unknown timescope `yearly` (use hourly, daily, weekly or monthly)" },
    { "<schedule cron=\"* * * * *\" catch-up=\"sometimes\"/>",
      "etl.xml:3: error: <schedule>: unknown catch-up `sometimes` (use none, last or all)" },
    { "<schedule cron=\"* * * * *\" overlap=\"maybe\"/>",
      "etl.xml:3: error: <schedule>: unknown overlap `maybe` (use skip, queue or allow)" },
    { "<schedule timezone=\"UTC\"/>", "etl.xml:3: error: <schedule> needs a `cron` attribute" },
    { "<schedule cron=\"\"/>", "etl.xml:3: error: <schedule>: `cron` must not be empty" },
    { "<schedule cron=\"* * * * *\" every=\"day\"/>", "etl.xml:3: error: unknown attribute `every` on <schedule>" },
    { "<schedule cron=\"* * * * *\">0 * * * *</schedule>", "unexpected text" },
    { "<schedule cron=\"* * * * *\"/><schedule cron=\"0 * * * *\"/>", "<pipeline> has more than one <schedule>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *text = g_strconcat (HEAD, "  ", refusals[i].schedule, "\n", BODY, NULL);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) pipeline = load (text, problems);

      g_assert_null (pipeline);
      assert_problem (problems, refusals[i].expected);
    }

  /* After the controllers: the order is part of the format. */
  {
    const char *late = HEAD BODY;
    g_autoptr(GString) text = g_string_new (late);
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(SluicePipeline) pipeline = NULL;

    g_string_replace (text, "</pipeline>", "  <schedule cron=\"* * * * *\"/>\n</pipeline>", 1);
    pipeline = load (text->str, problems);
    g_assert_null (pipeline);
    assert_problem (problems, "<schedule> must come before <controller>");
  }
}

/* Loads @schedule (line 3) with @module_body as the Lua or command of
 * module m and validates. */
static GPtrArray *
validate (const char *schedule,
          const char *module_body)
{
  g_autofree char *text = g_strconcat (HEAD, "  ", schedule, "\n",
                                       "  <controller id=\"c\" mode=\"not-parallel\">\n"
                                       "    <phase id=\"p\">\n"
                                       "      <execution id=\"m\">\n"
                                       "        ", module_body, "\n"
                                       "      </execution>\n"
                                       "    </phase>\n"
                                       "  </controller>\n"
                                       "</pipeline>\n", NULL);
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = load (text, problems);

  if (pipeline == NULL)
    {
      g_autofree char *all = problems_text (problems);
      g_error ("does not load:\n%s", all);
    }
  sluice_validate (pipeline, "etl.xml", problems);
  return problems;
}

static void
test_validator (void)
{
  const Refusal errors[] = {
    { "<schedule cron=\"*/0 * * * *\"/>",
      "etl.xml:3: error: <schedule>: minute field `*/0`: a step must be at least 1" },
    { "<schedule cron=\"0 25 * * *\"/>",
      "etl.xml:3: error: <schedule>: hour field `25`: 25 is out of range (0–23)" },
    { "<schedule cron=\"0 0 * * * *\"/>", "this one has 6" },
    { "<schedule cron=\"0 0 31 2 *\"/>", "etl.xml:3: error: <schedule>: cron `0 0 31 2 *` never fires" },
    { "<schedule cron=\"0 0 * * *\" timezone=\"Mars/Olympus_Mons\"/>",
      "etl.xml:3: error: <schedule>: unknown time zone `Mars/Olympus_Mons`" },
    { "<schedule cron=\"0 0 * * *\" timezone=\"../../etc/passwd\"/>",
      "etl.xml:3: error: <schedule>: `../../etc/passwd` is not a time zone name" },
    { "<schedule cron=\"0 0 * * *\" timezone=\"CET-1CEST,M3.5.0,M10.5.0/3\"/>", "is not a time zone name" },
    { "<schedule cron=\"0 0 ** * *\"/>", "unexpected character “*”" },
  };
  g_autoptr(GPtrArray) fine = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    {
      g_autoptr(GPtrArray) problems = validate (errors[i].schedule, "<lua>item.x = 1</lua>");
      assert_problem (problems, errors[i].expected);
    }

  fine = validate ("<schedule cron=\"*/15 * * * *\" timezone=\"Europe/Berlin\" timescope=\"daily\"/>",
                   "<command>echo ${window_start} ${window_end} ${timescope} ${table:events}</command>");
  if (fine->len != 0)
    {
      g_autofree char *all = problems_text (fine);
      g_error ("unexpected problems:\n%s", all);
    }
}

static void
test_window_references (void)
{
  g_autoptr(GPtrArray) unscheduled = validate ("", "<command>echo ${window_start}</command>");
  g_autoptr(GPtrArray) no_scope = validate ("<schedule cron=\"@hourly\"/>",
                                            "<command>echo ${table:events} ${window_end}</command>");
  g_autoptr(GPtrArray) hourly_berlin = validate ("<schedule cron=\"5 * * * *\" timezone=\"Europe/Berlin\" timescope=\"hourly\"/>",
                                                 "<command>echo ${table:events}</command>");
  g_autoptr(GPtrArray) hourly_utc = validate ("<schedule cron=\"5 * * * *\" timescope=\"hourly\"/>",
                                              "<command>echo ${table:events}</command>");
  g_autoptr(GPtrArray) bad_table = validate ("<schedule cron=\"5 * * * *\" timescope=\"hourly\"/>",
                                             "<command>echo ${table:}</command>");

  assert_problem (unscheduled, "etl.xml:7: error: module `m`: `${window_start}` is only set for scheduled runs");
  assert_problem (no_scope, "etl.xml:7: error: module `m`: `${table:events}` needs a timescope on <schedule>");
  g_assert_cmpuint (no_scope->len, ==, 1);
  assert_problem (hourly_berlin, "etl.xml:3: warning: <schedule>: hourly tables in Europe/Berlin");
  g_assert_cmpuint (hourly_utc->len, ==, 0);
  assert_problem (bad_table, "malformed parameter reference");
}

static void
test_table_names (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *hourly = NULL;
  g_autofree char *weekly = NULL;
  g_autofree char *text = NULL;
  char *missing;

  g_hash_table_insert (values, "timescope", "hourly");
  g_hash_table_insert (values, "window_start", "2026-11-27T14:00:00+01:00");
  hourly = sluice_params_lookup (values, "table:events", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hourly, ==, "events_hourly_2026112714");

  g_hash_table_insert (values, "timescope", "weekly");
  g_hash_table_insert (values, "window_start", "2026-11-26T00:00:00+01:00");
  weekly = sluice_params_lookup (values, "table:events", &error);
  g_assert_cmpstr (weekly, ==, "events_weekly_20261123");

  text = sluice_params_substitute ("INSERT INTO ${table:a.b-c} -- $${table:x}", values, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "INSERT INTO a.b-c_weekly_20261123 -- ${table:x}");

  g_hash_table_remove (values, "timescope");
  missing = sluice_params_substitute ("${table:events}", values, FALSE, &error);
  g_assert_null (missing);
  g_assert_error (error, SLUICE_TIMESCOPE_ERROR, 0);
  g_assert_nonnull (strstr (error->message, "${table:events} needs a run with a timescope"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/schedule-format/round-trip", test_round_trip);
  g_test_add_func ("/sluice/schedule-format/model-changes", test_model_changes);
  g_test_add_func ("/sluice/schedule-format/loader-refusals", test_loader_refusals);
  g_test_add_func ("/sluice/schedule-format/validator", test_validator);
  g_test_add_func ("/sluice/schedule-format/window-references", test_window_references);
  g_test_add_func ("/sluice/schedule-format/table-names", test_table_names);

  return g_test_run ();
}
