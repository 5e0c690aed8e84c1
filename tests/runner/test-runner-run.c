/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* sluice-run's run mode (SPEC section 6), through the real program. */

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "test-lines.h"

typedef struct
{
  int   status;     /* exit status, or 128+N when killed by signal N */
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "exec", name, NULL);
}

static char *
example_path (const char *name)
{
  return g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", name, NULL);
}

static int
status_of (GSubprocess *process)
{
  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

/* Runs sluice-run with @args (NULL-terminated) and @input on stdin. */
static Result
run_cli (const char *input,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("SLUICE_RUN"));
  va_start (ap, input);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = status_of (process);
  g_test_message ("exit %d; stderr: %s", r.status, r.err);
  return r;
}

static void
test_strategy (void)
{
  g_autofree char *path = example_path ("strategy.xml");
  Result r = run_cli (NULL, path, NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"recommendation\""));
  result_clear (&r);

  r = run_cli (NULL, "-D", "hist_min_sharpe=2.5", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "gate-historical"));
  g_assert_nonnull (strstr (r.err, "“Sharpe”: 1.8069, must be ≥ 2.5: missed by 0.6931"));
  result_clear (&r);
}

static void
test_files_events_report (void)
{
  g_autofree char *pipeline = data_path ("double.xml");
  g_autofree char *dir = g_dir_make_tmp ("sluice-run-XXXXXX", NULL);
  g_autofree char *in = g_build_filename (dir, "in.jsonl", NULL);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *events = g_build_filename (dir, "events.jsonl", NULL);
  g_autofree char *report = g_build_filename (dir, "report.json", NULL);
  g_autofree char *html = g_build_filename (dir, "report.html", NULL);
  g_autofree char *text = NULL;
  Result r;

  g_assert_true (g_file_set_contents (in, "{\"value\": 1}\n{\"value\": 2}\n", -1, NULL));
  r = run_cli (NULL, "-i", in, "-o", out, "--events", events, "--report", report,
               "-D", "factor=5", pipeline, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  g_assert_true (g_file_get_contents (out, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"value\":5"));
  g_assert_nonnull (strstr (text, "\"value\":10"));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (events, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"event\":\"run-state\""));
  g_assert_nonnull (strstr (text, "\"state\":\"completed\""));
  g_assert_nonnull (strstr (text, "\"event\":\"stage-transition\""));
  g_assert_nonnull (strstr (text, "\"event\":\"module-finished\""));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (report, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"completed\""));
  g_assert_nonnull (strstr (text, "\"mul\""));
  g_clear_pointer (&text, g_free);

  /* Standard input and output, an HTML report. */
  r = run_cli ("{\"value\": 3}\n", "-i", "-", "--report", html, pipeline, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"value\":6"));
  result_clear (&r);
  g_assert_true (g_file_get_contents (html, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<table>"));

  g_unlink (in);
  g_unlink (out);
  g_unlink (events);
  g_unlink (report);
  g_unlink (html);
  g_rmdir (dir);
}

static void
test_bad_input_line (void)
{
  g_autofree char *pipeline = data_path ("double.xml");
  Result r = run_cli ("{\"value\": 1}\nnot json\n", "-i", "-", pipeline, NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "input line 2"));
  result_clear (&r);
}

static void
test_unknown_define (void)
{
  g_autofree char *pipeline = data_path ("double.xml");
  Result r = run_cli (NULL, "-D", "nosuch=1", pipeline, NULL);

  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "nosuch"));
  result_clear (&r);
}

static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *p;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  p = strrchr (stat, ')');
  return p != NULL && p[2] == 'Z';
}

/* Starts sluice-run on @pipeline, lets it reach a state, sends @sig and
 * checks the exit status 128+sig and that no child is left. */
static void
signal_case (const char *pipeline_name,
             int         sig,
             gboolean    stdin_open,
             gboolean    twice)
{
  g_autofree char *pipeline = data_path (pipeline_name);
  g_autofree char *dir = g_dir_make_tmp ("sluice-sig-XXXXXX", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "pids", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pids = NULL;
  int shell = 0, child = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_subprocess_launcher_setenv (launcher, "SLUICE_PIDFILE", pidfile, TRUE);
  if (stdin_open)
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"),
                                           "--events", "-", "-i", "-", pipeline, NULL);
  else
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"),
                                           "--events", "-", pipeline, NULL);
  g_assert_no_error (error);
  if (stdin_open)
    {
      /* Nothing on stdin yet: the run is waiting for input. */
      g_usleep (300 * 1000);
    }
  else if (g_str_equal (pipeline_name, "sleep.xml"))
    {
      while (!g_file_get_contents (pidfile, &pids, NULL, NULL) && g_get_monotonic_time () < deadline)
        g_usleep (10 * 1000);
      g_assert_nonnull (pids);
      g_assert_cmpint (sscanf (pids, "%d %d", &shell, &child), ==, 2);
    }
  else
    g_usleep (500 * 1000);

  g_subprocess_send_signal (process, sig);
  if (twice)
    g_subprocess_send_signal (process, sig);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (process), ==, 128 + sig);

  if (shell != 0)
    {
      g_usleep (200 * 1000);
      g_assert_true (process_gone (shell));
      g_assert_true (process_gone (child));
    }
  g_unlink (pidfile);
  g_rmdir (dir);
}

static void
test_sigint_command (void)
{
  signal_case ("sleep.xml", SIGINT, FALSE, FALSE);
}

static void
test_sigterm_command (void)
{
  signal_case ("sleep.xml", SIGTERM, FALSE, FALSE);
}

static void
test_sigint_waiting_input (void)
{
  signal_case ("double.xml", SIGINT, TRUE, FALSE);
}

static void
test_sigint_busy_lua (void)
{
  signal_case ("busy.xml", SIGINT, FALSE, FALSE);
}

static void
test_sigint_twice (void)
{
  signal_case ("busy.xml", SIGINT, FALSE, TRUE);
}

/* Writes @text to a new file in a temporary folder; returns its path. */
static char *
temp_file (const char *name,
           const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-run-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
numbered_lines (guint n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"value\": %u}\n", i);
  return g_string_free (s, FALSE);
}

/* A bad line after good ones: every good one is through before the run
 * fails, and the error names the line. */
static void
test_bad_line_after_good (void)
{
  g_autofree char *path = data_path ("double.xml");
  g_autofree char *good = numbered_lines (1000);
  g_autofree char *input = g_strconcat (good, "{bad\n", NULL);
  Result r = run_cli (input, "-q", "-i", "-", path, NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpuint (test_count_lines (r.out), ==, 1000);
  g_assert_nonnull (strstr (r.err, "input line 1001"));
  result_clear (&r);
}

static void
test_same_input_and_output (void)
{
  g_autofree char *path = data_path ("double.xml");
  g_autofree char *file = temp_file ("items.jsonl", "{\"value\": 1}\n");
  g_autofree char *text = NULL;
  Result r = run_cli (NULL, "-i", file, "-o", file, path, NULL);

  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "both the input and the output"));
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "{\"value\": 1}\n");
  result_clear (&r);

  /* A device is no file to empty: -i /dev/null -o /dev/null runs on no
   * items (it was refused as the same file). */
  r = run_cli (NULL, "-i", "/dev/null", "-o", "/dev/null", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  result_clear (&r);
}

/* Events and the report are part of the result: failing to write them
 * fails the run. */
static void
test_unwritable_events_and_report (void)
{
  g_autofree char *path = data_path ("double.xml");
  Result r = run_cli (NULL, "--events", "/dev/full", path, NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "cannot write the events"));
  result_clear (&r);

  r = run_cli (NULL, "--report", "/nonexistent-sluice-dir/report.json", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "cannot write the report /nonexistent-sluice-dir/report.json"));
  result_clear (&r);
}

/* `sluice-run … | head -2`: the reader goes away; the run ends quietly,
 * as a filter killed by SIGPIPE would. */
static void
test_reader_goes_away (void)
{
  g_autofree char *path = data_path ("double.xml");
  g_autofree char *input = numbered_lines (200000);
  g_autofree char *file = temp_file ("items.jsonl", input);
  const char *argv[] = { g_getenv ("SLUICE_RUN"), "-q", "-i", file, path, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  GInputStream *err_pipe;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_input_stream_close (g_subprocess_get_stdout_pipe (process), NULL, NULL);
  g_clear_object (&out);

  err_pipe = g_subprocess_get_stderr_pipe (process);
  {
    g_autoptr(GBytes) bytes = g_input_stream_read_bytes (err_pipe, 65536, NULL, &error);
    g_assert_no_error (error);
    err = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  }
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (process), ==, 128 + SIGPIPE);
  g_assert_cmpstr (err, ==, "");
}

/* Outputs reach -o while the run goes on, in whole lines; a run killed
 * with SIGKILL leaves whole lines only. */
static void
test_output_while_running (void)
{
  g_autofree char *path = data_path ("slow.xml");
  g_autofree char *input = numbered_lines (100);
  g_autofree char *in = temp_file ("in.jsonl", input);
  g_autofree char *dir = g_path_get_dirname (in);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  const char *argv[] = { g_getenv ("SLUICE_RUN"), "-q", "-i", in, "-o", out, path, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100 && length == 0; i++)
    {
      g_usleep (20000);
      g_clear_pointer (&text, g_free);
      g_file_get_contents (out, &text, &length, NULL);
    }
  g_assert_cmpuint (length, >, 0);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);

  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (out, &text, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpint (text[length - 1], ==, '\n');
  g_assert_cmpuint (test_count_lines (text), <, 100);
}

/* SIGUSR1 pauses a run (events say so, no output grows), SIGUSR2
 * resumes it to the end. */
static void
test_pause_resume_signals (void)
{
  g_autofree char *path = data_path ("slow.xml");
  g_autofree char *input = numbered_lines (20);
  g_autofree char *in = temp_file ("in.jsonl", input);
  g_autofree char *dir = g_path_get_dirname (in);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *events = g_build_filename (dir, "events.jsonl", NULL);
  const char *argv[] = { g_getenv ("SLUICE_RUN"), "-q", "-i", in, "-o", out, "--events", events, path, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *text = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_usleep (150000);
  g_subprocess_send_signal (process, SIGUSR1);
  g_usleep (200000);   /* what was running finishes */
  g_file_get_contents (out, &before, NULL, NULL);
  g_usleep (300000);
  g_file_get_contents (out, &after, NULL, NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (test_count_lines (after), <, 20);

  g_subprocess_send_signal (process, SIGUSR2);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status_of (process), ==, 0);
  g_clear_pointer (&after, g_free);
  g_assert_true (g_file_get_contents (out, &after, NULL, NULL));
  g_assert_cmpuint (test_count_lines (after), ==, 20);
  g_assert_true (g_file_get_contents (events, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"state\":\"paused\""));
}

/* Processes a command started die with the run, whatever happens to it:
 * @how is SIGINT (a cancel) or SIGKILL (the runner killed outright), and
 * the command's child has left its process group with setsid. */
static void
escape_case (int how)
{
  g_autofree char *pipeline = data_path ("escape.xml");
  g_autofree char *dir = g_dir_make_tmp ("sluice-escape-XXXXXX", NULL);
  g_autofree char *pidfile = g_build_filename (dir, "pids", NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pids = NULL;
  int shell = 0, child = 0;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_subprocess_launcher_setenv (launcher, "SLUICE_PIDFILE", pidfile, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("SLUICE_RUN"), "-q", pipeline, NULL);
  g_assert_no_error (error);
  while (!g_file_get_contents (pidfile, &pids, NULL, NULL) && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_nonnull (pids);
  g_assert_cmpint (sscanf (pids, "%d %d", &shell, &child), ==, 2);

  g_subprocess_send_signal (process, how);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  /* The guardian (after SIGKILL) or the cancel sweeps by environment. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while ((!process_gone (child) || !process_gone (shell)) && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_true (process_gone (child));
  g_assert_true (process_gone (shell));
  g_unlink (pidfile);
  g_rmdir (dir);
}

static void
test_escape_cancel (void)
{
  escape_case (SIGINT);
}

static void
test_escape_runner_killed (void)
{
  escape_case (SIGKILL);
}

/* Numbers: written in their shortest exact form; one beyond int64 or a
 * double fails only its item, said with its line and reason on standard
 * error, and in events. */
static void
test_numbers (void)
{
  g_autofree char *path = data_path ("double.xml");
  Result r = run_cli ("{\"value\": 0.07, \"b\": 1.4, \"c\": [1e-7, 0.1]}\n"
                      "{\"value\": 1, \"big\": 123456789012345678901234}\n"
                      "{\"value\": 2, \"huge\": 1e400}\n"
                      "{\"value\": 3}\n",
                      "-q", "-i", "-", path, NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "{\"b\":1.4,\"c\":[1e-7,0.1],\"done\":true,\"value\":0.14}\n"
                              "{\"done\":true,\"value\":6}\n");
  g_assert_nonnull (strstr (r.err, "2 input items were not run"));
  /* The reason is said there too, not only in the events. */
  g_assert_nonnull (strstr (r.err, "(the last: input line 3: number out of range"));
  g_assert_nonnull (strstr (r.err, "1e400"));
  result_clear (&r);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/runner-run/strategy", test_strategy);
  g_test_add_func ("/sluice/runner-run/files-events-report", test_files_events_report);
  g_test_add_func ("/sluice/runner-run/bad-input-line", test_bad_input_line);
  g_test_add_func ("/sluice/runner-run/unknown-define", test_unknown_define);
  g_test_add_func ("/sluice/runner-run/sigint-command", test_sigint_command);
  g_test_add_func ("/sluice/runner-run/sigterm-command", test_sigterm_command);
  g_test_add_func ("/sluice/runner-run/sigint-waiting-input", test_sigint_waiting_input);
  g_test_add_func ("/sluice/runner-run/sigint-busy-lua", test_sigint_busy_lua);
  g_test_add_func ("/sluice/runner-run/sigint-twice", test_sigint_twice);
  g_test_add_func ("/sluice/runner-run/bad-line-after-good", test_bad_line_after_good);
  g_test_add_func ("/sluice/runner-run/same-input-and-output", test_same_input_and_output);
  g_test_add_func ("/sluice/runner-run/unwritable-events-and-report", test_unwritable_events_and_report);
  g_test_add_func ("/sluice/runner-run/reader-goes-away", test_reader_goes_away);
  g_test_add_func ("/sluice/runner-run/output-while-running", test_output_while_running);
  g_test_add_func ("/sluice/runner-run/pause-resume-signals", test_pause_resume_signals);
  g_test_add_func ("/sluice/runner-run/escape-cancel", test_escape_cancel);
  g_test_add_func ("/sluice/runner-run/numbers", test_numbers);
  g_test_add_func ("/sluice/runner-run/escape-runner-killed", test_escape_runner_killed);

  return g_test_run ();
}
