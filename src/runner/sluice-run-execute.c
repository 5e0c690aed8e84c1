/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-tool-writes.h"
#include "sluice-run.h"
#include "sluice-run-dry.h"
#include "sluice-run-interrupt.h"
#include "sluice-run-options.h"
#include "sluice-run-same-file.h"
#include "sluice-run-resume.h"

/* The run mode of sluice-run: one SluiceRun of the pipeline, fed from -i
 * (JSON lines), writing -o (JSON lines, as they are produced), events
 * and the report; SIGINT/SIGTERM cancel gracefully (exit 128+N); a
 * progress line on a terminal.
 *
 * A bad input line (not JSON, not an object) fails the run with
 * "input line N: …": it is not an item, so no module's on-error can
 * apply to it. When the reader of the output goes away (`| head`), the
 * run ends quietly with 128+SIGPIPE, as a filter killed by SIGPIPE would. */

typedef struct
{
  SluiceExecutor *executor;
  GMainLoop      *loop;
  SluiceLineSink *sink;          /* owned: where outputs go */
  SluiceJournal  *journal;       /* owned: --journal and resume */
  FILE           *events;
  gboolean        events_error;
  int             signal;
  gboolean        progress;
  gboolean        progress_shown;
} RunContext;

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          RunContext     *ctx)
{
  g_autofree char *json = sluice_event_to_json (event);

  if (ctx->events_error)
    return;
  if (fputs (json, ctx->events) == EOF || putc ('\n', ctx->events) == EOF ||
      (event->type == SLUICE_EVENT_RUN_STATE && fflush (ctx->events) != 0))
    ctx->events_error = TRUE;
}

static void
clear_progress (RunContext *ctx)
{
  if (ctx->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      ctx->progress_shown = FALSE;
    }
}

static gboolean
progress_cb (gpointer user_data)
{
  RunContext *ctx = user_data;
  gint64 elapsed = sluice_executor_get_elapsed (ctx->executor);
  guint64 out = sluice_executor_get_items_out (ctx->executor);
  const char *stage = sluice_executor_get_current_controller (ctx->executor);
  double rate = elapsed > 0 ? out * (double) G_USEC_PER_SEC / elapsed : 0;

  g_autofree char *in_text = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                              sluice_executor_get_items_in (ctx->executor));
  g_autofree char *out_text = g_strdup_printf ("%" G_GUINT64_FORMAT, out);

  /* Return to the start of the line and clear it, then the message. */
  fputs ("\r\033[K", stderr);
  if (sluice_executor_get_state (ctx->executor) == SLUICE_RUN_PAUSED)
    fputs (_("paused: "), stderr);
  fprintf (stderr, _("in %s, out %s, %.0f items/s, stage %s"),
           in_text, out_text, rate, stage ? stage : "-");
  ctx->progress_shown = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          RunContext *ctx)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (ctx->executor)))
    g_main_loop_quit (ctx->loop);
}

static void
on_signal (RunContext *ctx,
           int         sig)
{
  if (ctx->signal != 0)
    {
      /* A second signal: stop waiting for anything. */
      _exit (128 + sig);
    }
  ctx->signal = sig;
  /* From now on the default action applies: a second Ctrl+C ends the
   * process at once, even if the main loop is busy. */
  signal (sig, SIG_DFL);
  sluice_executor_cancel (ctx->executor);
}

static gboolean
sigint_cb (gpointer user_data)
{
  on_signal (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigterm_cb (gpointer user_data)
{
  on_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* SIGUSR1 pauses the run as the designer's Pause does (no new work
 * starts; what runs finishes), SIGUSR2 resumes it. SIGTSTP (Ctrl+Z)
 * would stop this process but not the commands it started. */
static gboolean
sigusr1_cb (gpointer user_data)
{
  RunContext *ctx = user_data;

  sluice_executor_pause (ctx->executor);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigusr2_cb (gpointer user_data)
{
  RunContext *ctx = user_data;

  sluice_executor_resume (ctx->executor);
  return G_SOURCE_CONTINUE;
}

static GInputStream *
open_input (const char  *path,
            GError     **error)
{
  g_autoptr(GFile) file = NULL;

  if (g_str_equal (path, "-"))
    return g_unix_input_stream_new (STDIN_FILENO, FALSE);

  file = g_file_new_for_commandline_arg (path);
  return G_INPUT_STREAM (g_file_read (file, NULL, error));
}

static int
open_output (const char *path)
{
  if (path == NULL || g_str_equal (path, "-"))
    return dup (STDOUT_FILENO);
  return open (path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
}

static void
print_problems (GPtrArray *problems,
                gboolean   quiet)
{
  gboolean errors = sluice_problems_have_errors (problems);

  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *text = NULL;

      if (quiet && !errors)
        break;
      text = sluice_problem_to_string (problem);
      fprintf (stderr, "%s\n", text);
    }
}

/* -i and -o of a run that is not journaled. */
static int
open_items (const SluiceRunOptions *options,
            SluiceExecutor         *executor,
            RunContext             *ctx)
{
  g_autoptr(GError) error = NULL;
  int fd;

  if (options->input_path != NULL)
    {
      g_autoptr(GInputStream) input = open_input (options->input_path, &error);

      if (input == NULL)
        {
          fprintf (stderr, _("sluice-run: cannot read %s: %s\n"), options->input_path, error->message);
          return SLUICE_EXIT_INVALID;
        }
      sluice_executor_set_input_stream (executor, input);
    }

  fd = open_output (options->output_path);
  if (fd < 0)
    {
      fprintf (stderr, _("sluice-run: cannot write %s: %s\n"),
               options->output_path ? options->output_path : "-", g_strerror (errno));
      return SLUICE_EXIT_INVALID;
    }
  ctx->sink = sluice_line_sink_new (fd, TRUE);
  /* Not journaled, so nobody needs the output position after each item:
   * items are written on a thread of their own (the second core). */
  sluice_line_sink_set_threaded (ctx->sink);
  sluice_executor_set_sink (executor, SLUICE_ITEM_SINK (ctx->sink));
  return SLUICE_EXIT_COMPLETED;
}

/* Opens what the options name; a status other than 0 when one fails. */
static int
open_files (const SluiceRunOptions *options,
            SluiceRun              *run,
            RunContext             *ctx)
{
  SluiceExecutor *executor = sluice_run_get_executor (run);
  int status;

  if (sluice_run_same_file (options->input_path, options->output_path))
    {
      fprintf (stderr, _("sluice-run: %s is both the input and the output: it would be emptied before it is read\n"),
               options->input_path);
      return SLUICE_EXIT_INVALID;
    }

  if (options->journal)
    status = sluice_run_journal_open_files (options, run, &ctx->journal, &ctx->sink);
  else
    status = open_items (options, executor, ctx);
  if (status != SLUICE_EXIT_COMPLETED)
    return status;

  if (options->events_path != NULL)
    {
      if (g_str_equal (options->events_path, "-"))
        ctx->events = stderr;
      else if ((ctx->events = fopen (options->events_path, "w")) == NULL)
        {
          fprintf (stderr, _("sluice-run: cannot write %s: %s\n"), options->events_path, g_strerror (errno));
          return SLUICE_EXIT_INVALID;
        }
      g_signal_connect (executor, "event", G_CALLBACK (event_cb), ctx);
    }

  return SLUICE_EXIT_COMPLETED;
}

/* Events and the report are part of the run's result: failing to write
 * them fails it. */
static int
close_files (const SluiceRunOptions *options,
             SluiceRun              *run,
             RunContext             *ctx,
             int                     status)
{
  g_autoptr(GError) error = NULL;

  if (ctx->events != NULL)
    {
      if (fflush (ctx->events) != 0 || ferror (ctx->events))
        ctx->events_error = TRUE;
      if (ctx->events != stderr && fclose (ctx->events) != 0)
        ctx->events_error = TRUE;
      if (ctx->events_error)
        {
          fprintf (stderr, _("sluice-run: cannot write the events to %s\n"), options->events_path);
          status = status == SLUICE_EXIT_COMPLETED ? SLUICE_EXIT_FAILED : status;
        }
    }

  /* A journaled run has a history: the report says how past runs fared. */
  if (options->report_path != NULL && ctx->journal != NULL)
    {
      g_autofree char *path = g_canonicalize_filename (sluice_run_get_path (run), NULL);

      sluice_run_set_history (run, sluice_run_history_report (options->state_dir, sluice_run_get_pipeline (run), path));
    }
  if (options->report_path != NULL && !sluice_run_write_report (run, options->report_path, &error))
    {
      fprintf (stderr, "sluice-run: %s\n", error->message);
      status = status == SLUICE_EXIT_COMPLETED ? SLUICE_EXIT_FAILED : status;
    }

  return status;
}

static int
exit_status (const SluiceRunOptions *options,
             SluiceRun              *run,
             RunContext             *ctx)
{
  SluiceExecutor *executor = sluice_run_get_executor (run);
  SluiceRunState state = sluice_executor_get_state (executor);
  const char *error = sluice_executor_get_error (executor);
  const char *tail = sluice_executor_get_stderr_tail (executor);

  /* Input items left out are data not run: say so even with --quiet,
   * with the last reason, so that nobody needs the events to learn it. */
  if (sluice_executor_get_items_rejected (executor) > 0)
    {
      guint64 n = sluice_executor_get_items_rejected (executor);
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n);

      fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                    "sluice-run: %s: %s input item was not run (%s)\n",
                                    "sluice-run: %s: %s input items were not run (the last: %s)\n", n),
               options->pipeline_path, count, sluice_executor_get_last_rejection (executor));
    }

  /* The run may have ended by the interrupt before the main loop
   * dispatched the signal's source: the handler remembers it. */
  if (ctx->signal == 0)
    ctx->signal = sluice_run_interrupt_signal ();
  if (state == SLUICE_RUN_CANCELLED)
    {
      /* Only a write its end had to cancel gives a cancelled run an
       * error: what it wrote there is uncertain. */
      if (error != NULL)
        fprintf (stderr, _("sluice-run: %s: run cancelled: %s\n"), options->pipeline_path, error);
      return ctx->signal != 0 ? 128 + ctx->signal : SLUICE_EXIT_FAILED;
    }
  if (state != SLUICE_RUN_FAILED)
    return SLUICE_EXIT_COMPLETED;

  /* Asked of the sink itself, not read from the message. */
  if (ctx->sink != NULL && sluice_line_sink_get_reader_gone (ctx->sink))
    return 128 + SIGPIPE;

  fprintf (stderr, _("sluice-run: %s: run failed: %s\n"), options->pipeline_path, error);
  if (tail != NULL)
    fprintf (stderr, _("sluice-run: standard error of the command (last part):\n%s%s"),
             tail, g_str_has_suffix (tail, "\n") ? "" : "\n");
  return SLUICE_EXIT_FAILED;
}

int
sluice_run_execute (const SluiceRunOptions *options)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluiceRun) run = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  RunContext ctx = { 0 };
  guint sigint_id, sigterm_id, sigusr1_id, sigusr2_id, progress_id = 0;
  int status;

  /* Loaded once, validated for these parameters: an invalid pipeline
   * never starts. */
  run = sluice_run_new_for_file (options->pipeline_path, options->defines, problems);
  print_problems (problems, options->quiet && run != NULL);
  if (run == NULL)
    return SLUICE_EXIT_INVALID;

  status = open_files (options, run, &ctx);
  if (status == SLUICE_EXIT_COMPLETED && options->dry_run)
    {
      g_autoptr(GError) error = NULL;

      if (!sluice_run_dry_prepare (run, stderr, &error))
        {
          fprintf (stderr, "sluice-run: %s\n", error->message);
          status = SLUICE_EXIT_INVALID;
        }
    }
  if (status != SLUICE_EXIT_COMPLETED)
    {
      if (ctx.events != NULL && ctx.events != stderr)
        fclose (ctx.events);
      g_clear_object (&ctx.sink);
      g_clear_object (&ctx.journal);
      return status;
    }

  ctx.executor = sluice_run_get_executor (run);
  ctx.loop = loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (ctx.executor, "notify::state", G_CALLBACK (state_cb), &ctx);
  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &ctx);
  sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &ctx);
  sigusr1_id = g_unix_signal_add (SIGUSR1, sigusr1_cb, &ctx);
  sigusr2_id = g_unix_signal_add (SIGUSR2, sigusr2_cb, &ctx);
  sluice_run_interrupt_watch (ctx.executor);

  ctx.progress = !options->quiet && (options->progress || isatty (STDERR_FILENO)) &&
                 g_strcmp0 (options->events_path, "-") != 0;
  if (ctx.progress)
    progress_id = g_timeout_add_full (G_PRIORITY_LOW, 250, progress_cb, &ctx, NULL);

  sluice_run_start (run);
  if (ctx.journal != NULL)
    {
      g_autofree char *message = g_strdup_printf ("journal: run %s in %s",
                                                  sluice_journal_get_run_id (ctx.journal),
                                                  sluice_journal_get_directory (ctx.journal));
      sluice_executor_log (ctx.executor, message);
    }
  if (!sluice_run_state_is_final (sluice_run_get_state (run)))
    g_main_loop_run (loop);

  if (progress_id != 0)
    g_source_remove (progress_id);
  sluice_run_interrupt_unwatch ();
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigusr1_id);
  g_source_remove (sigusr2_id);
  clear_progress (&ctx);

  status = exit_status (options, run, &ctx);
  if (ctx.journal != NULL)
    status = sluice_run_journal_close (ctx.journal, status);
  status = close_files (options, run, &ctx, status);
  g_signal_handlers_disconnect_by_data (ctx.executor, &ctx);
  g_clear_object (&ctx.sink);
  g_clear_object (&ctx.journal);
  /* A failed run's loader may still be writing a batch: let it end, so
   * that its step cleans up (e.g. removes its temporary file). */
  g_clear_object (&run);
  sluice_tool_batch_wait_for_writes ();

  return status;
}
