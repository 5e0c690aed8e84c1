/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* The real sluice-run ($SLUICE_RUN): `registry DIR list|show|validate`,
 * `schedule DIR --state-dir S` on an accelerated test clock, and runs of
 * a scheduled pipeline started by hand with its window parameters. */

#define SCHEDULED(CRON, SCOPE) \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<pipeline format=\"1\" id=\"events\">\n" \
  "  <schedule cron=\"" CRON "\" timescope=\"" SCOPE "\"/>\n" \
  "  <controller id=\"c\" mode=\"not-parallel\">\n" \
  "    <phase id=\"p\">\n" \
  "      <execution id=\"load\">\n" \
  "        <command>printf '{\"table\": \"%s\", \"from\": \"%s\"}\\n' ${table:events} ${window_start}</command>\n" \
  "      </execution>\n" \
  "    </phase>\n" \
  "  </controller>\n" \
  "</pipeline>\n"

typedef struct
{
  char *out;
  char *err;
  int   status;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run (Result             *result,
     const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &result->out, &result->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", result->status, result->out, result->err);
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("expected “%s” in:\n%s", fragment, text);
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
remove_tree (const char *path)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", path);

  g_assert_cmpint (system (command), ==, 0);
}

static char *
make_registry (void)
{
  char *dir = g_dir_make_tmp ("sluice-schedule-cli-XXXXXX", NULL);

  write_file (dir, "etl/hourly.xml", SCHEDULED ("5 * * * *", "hourly"));
  write_file (dir, "broken.xml",
              "<?xml version=\"1.0\"?>\n<pipeline format=\"1\">\n  <schedule cron=\"0 0 31 2 *\"/>\n"
              "  <controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\"><execution id=\"m\"><lua>x=1</lua>"
              "</execution></phase></controller>\n</pipeline>\n");
  write_file (dir, "notes.xml", "<notes/>\n");
  return dir;
}

static void
test_registry_commands (void)
{
  g_autofree char *dir = make_registry ();
  g_auto(Result) list = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) validate = { 0 };
  g_auto(Result) missing = { 0 };
  g_auto(Result) usage = { 0 };
  g_auto(Result) bad_now = { 0 };
  g_auto(Result) no_folder = { 0 };

  run (&list, (const char *[]) { "registry", dir, "list", "--now", "2026-11-27T13:07:00Z", NULL });
  g_assert_cmpint (list.status, ==, 0);
  assert_contains (list.out, "etl/hourly");
  assert_contains (list.out, "5 * * * * (UTC, hourly)");
  assert_contains (list.out, "2026-11-27T14:05:00+00:00");
  assert_contains (list.out, "broken ");
  assert_contains (list.err, "broken.xml:3: error: <schedule>: cron `0 0 31 2 *` never fires");
  assert_contains (list.err, "notes.xml:1: error: the root element is <notes>");

  run (&show, (const char *[]) { "registry", dir, "show", "etl/hourly", "--now", "2026-11-27T13:07:00Z",
                                 "--next", "2", NULL });
  g_assert_cmpint (show.status, ==, 0);
  assert_contains (show.out, "id:        etl/hourly\n");
  assert_contains (show.out, "hash:      ");
  assert_contains (show.out, "next:      2026-11-27T14:05:00+00:00  window 2026-11-27T13:00:00+00:00 … 2026-11-27T14:00:00+00:00\n");
  assert_contains (show.out, "           2026-11-27T15:05:00+00:00  window 2026-11-27T14:00:00+00:00");

  run (&validate, (const char *[]) { "registry", dir, "validate", NULL });
  g_assert_cmpint (validate.status, ==, 2);
  assert_contains (validate.out, "broken.xml:3: error:");
  assert_contains (validate.err, "3 pipelines, 2 broken");

  run (&missing, (const char *[]) { "registry", dir, "show", "nope", NULL });
  g_assert_cmpint (missing.status, ==, 2);
  assert_contains (missing.err, "no pipeline “nope”");

  run (&usage, (const char *[]) { "registry", dir, "frobnicate", NULL });
  g_assert_cmpint (usage.status, ==, 2);
  assert_contains (usage.err, "usage: sluice-run registry DIR list|show ID|validate");

  run (&bad_now, (const char *[]) { "registry", dir, "list", "--now", "yesterday", NULL });
  g_assert_cmpint (bad_now.status, ==, 2);

  run (&no_folder, (const char *[]) { "registry", "/nonexistent/registry", "list", NULL });
  g_assert_cmpint (no_folder.status, ==, 2);
  assert_contains (no_folder.err, "is not a folder of pipeline files");

  remove_tree (dir);
}

static void
test_manual_window_runs (void)
{
  g_autofree char *dir = make_registry ();
  g_autofree char *file = g_build_filename (dir, "etl", "hourly.xml", NULL);
  g_auto(Result) given = { 0 };
  g_auto(Result) last = { 0 };
  g_auto(Result) half = { 0 };
  g_auto(Result) garbage = { 0 };

  run (&given, (const char *[]) { "-D", "window_start=2026-11-27T13:00:00+01:00",
                                  "-D", "window_end=2026-11-27T14:00:00+01:00", file, NULL });
  g_assert_cmpint (given.status, ==, 0);
  assert_contains (given.out, "\"table\":\"events_hourly_2026112713\"");
  assert_contains (given.out, "\"from\":\"2026-11-27T13:00:00+01:00\"");

  /* Without -D: the window of the last fire time. */
  run (&last, (const char *[]) { file, NULL });
  g_assert_cmpint (last.status, ==, 0);
  assert_contains (last.out, "\"table\":\"events_hourly_");

  run (&half, (const char *[]) { "-D", "window_start=2026-11-27T13:00:00+01:00", file, NULL });
  g_assert_cmpint (half.status, ==, 2);
  assert_contains (half.err, "give -D window_start and -D window_end together");

  run (&garbage, (const char *[]) { "-D", "window_start=yesterday", "-D", "window_end=today", file, NULL });
  g_assert_cmpint (garbage.status, ==, 2);
  assert_contains (garbage.err, "“yesterday” is not an ISO 8601 time");

  remove_tree (dir);
}

static gboolean
wait_for_file (const char *path,
               guint       seconds)
{
  for (guint i = 0; i < seconds * 20; i++)
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 20);
    }
  return FALSE;
}

static void
test_schedule_runs (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-schedule-cli-XXXXXX", NULL);
  g_autofree char *state = g_dir_make_tmp ("sluice-schedule-state-XXXXXX", NULL);
  g_autofree char *report = g_build_filename (state, "runs", "tick", "20261127T140000Z", "report.json", NULL);
  g_autofree char *output = g_build_filename (state, "runs", "tick", "20261127T140000Z", "output.jsonl", NULL);
  g_autofree char *later = g_build_filename (state, "runs", "later", "20261127T140100Z", "report.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *scheduler_state = NULL;
  g_autofree char *state_file = g_build_filename (state, "scheduler.json", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  gboolean first_ran, second_ran;

  write_file (dir, "tick.xml", SCHEDULED ("* * * * *", "hourly"));
  write_file (dir, "broken.xml", "<pipeline format=\"1\">");

  /* Thirty times real time from 13:59:58: 14:00 comes after 0.07 s,
   * 14:01 two seconds later. */
  g_subprocess_launcher_setenv (launcher, "SLUICE_TEST_CLOCK", "2026-11-27T13:59:58Z x30", TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "schedule", dir,
                                         "--state-dir", state, NULL);
  g_assert_no_error (error);

  first_ran = wait_for_file (report, 20);
  /* A file added while it runs is picked up and scheduled. */
  write_file (dir, "later.xml", SCHEDULED ("* * * * *", "daily"));
  second_ran = wait_for_file (later, 20);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &log, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("log:\n%s", log);
  g_assert_true (first_ran);
  g_assert_true (second_ran);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  assert_contains (log, "added tick: next run at 2026-11-27T14:00:00+00:00");
  assert_contains (log, "added broken: broken, not scheduled");
  assert_contains (log, "started tick run tick/20261127T140000Z (on-time, window 2026-11-27T13:00:00+00:00");
  assert_contains (log, "finished tick run tick/20261127T140000Z: completed");
  assert_contains (log, "added later: next run at 2026-11-27T14:01:00+00:00");

  g_assert_true (g_file_get_contents (output, &text, NULL, NULL));
  assert_contains (text, "\"table\":\"events_hourly_2026112713\"");
  assert_contains (text, "\"from\":\"2026-11-27T13:00:00+00:00\"");
  g_assert_cmpuint (strlen (text), >, 0);
  g_assert_true (g_str_has_suffix (text, "}\n"));
  g_assert_true (g_file_get_contents (state_file, &scheduler_state, NULL, NULL));
  assert_contains (scheduler_state, "\"tick\"");

  remove_tree (dir);
  remove_tree (state);
}

/* kill -9 while a scheduled run goes on: the restarted scheduler does
 * not start that fire time again (its state was written before the run
 * started), and it goes on with the next one. */
static void
test_killed_mid_run (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-schedule-cli-XXXXXX", NULL);
  g_autofree char *state = g_dir_make_tmp ("sluice-schedule-state-XXXXXX", NULL);
  g_autofree char *first_run = g_build_filename (state, "runs", "slow", "20261127T140000Z", NULL);
  g_autofree char *again = g_build_filename (state, "runs", "slow", "20261127T140000Z.2", NULL);
  g_autofree char *next_run = g_build_filename (state, "runs", "slow", "20261127T140100Z", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  gboolean started, next_started;

  write_file (dir, "slow.xml",
              "<?xml version=\"1.0\"?>\n<pipeline format=\"1\">\n"
              "  <schedule cron=\"* * * * *\" catch-up=\"last\"/>\n"
              "  <controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\"><execution id=\"m\">"
              "<command>sleep 10; echo '{}'</command></execution></phase></controller>\n</pipeline>\n");
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GSubprocess) process = NULL;

    g_subprocess_launcher_setenv (launcher, "SLUICE_TEST_CLOCK", "2026-11-27T13:59:59Z x1", TRUE);
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "schedule", dir,
                                           "--state-dir", state, NULL);
    g_assert_no_error (error);
    started = wait_for_file (first_run, 20);
    g_subprocess_force_exit (process);
    g_subprocess_wait (process, NULL, NULL);
    g_assert_true (started);
  }
  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
    g_autoptr(GSubprocess) process = NULL;

    g_subprocess_launcher_setenv (launcher, "SLUICE_TEST_CLOCK", "2026-11-27T14:00:58Z x1", TRUE);
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "schedule", dir,
                                           "--state-dir", state, NULL);
    g_assert_no_error (error);
    next_started = wait_for_file (next_run, 20);
    g_subprocess_send_signal (process, SIGTERM);
    g_subprocess_communicate_utf8 (process, NULL, NULL, &log, NULL, &error);
    g_assert_no_error (error);
    g_test_message ("log after the restart:\n%s", log);
    g_assert_true (next_started);
    g_assert_false (g_file_test (again, G_FILE_TEST_EXISTS));
    assert_contains (log, "added slow: next run at 2026-11-27T14:01:00+00:00");
  }

  remove_tree (dir);
  remove_tree (state);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("SLUICE_RUN") == NULL)
    g_error ("SLUICE_RUN must name the sluice-run binary");

  g_test_add_func ("/sluice/schedule-cli/registry-commands", test_registry_commands);
  g_test_add_func ("/sluice/schedule-cli/manual-window-runs", test_manual_window_runs);
  g_test_add_func ("/sluice/schedule-cli/schedule-runs", test_schedule_runs);
  g_test_add_func ("/sluice/schedule-cli/killed-mid-run", test_killed_mid_run);

  return g_test_run ();
}
