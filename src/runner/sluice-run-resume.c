/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "sluice-run-resume.h"

/* `sluice-run resume RUN-ID`: continues a journaled run that was killed,
 * failed or cancelled, with the pipeline file, parameters, input and
 * output it was started with. A completed run has nothing to resume; a
 * run another process holds is refused; a pipeline file that changed
 * since the run started is refused unless --force. */

typedef struct
{
  char    *state_dir;
  char    *events;
  char    *report;
  gboolean force;
  gboolean quiet;
  gboolean progress;
  char   **args;
} ResumeLine;

static void
resume_line_clear (ResumeLine *line)
{
  g_clear_pointer (&line->state_dir, g_free);
  g_clear_pointer (&line->events, g_free);
  g_clear_pointer (&line->report, g_free);
  g_clear_pointer (&line->args, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ResumeLine, resume_line_clear)

static void
options_clear (SluiceRunOptions *options)
{
  g_clear_pointer (&options->pipeline_path, g_free);
  g_clear_pointer (&options->input_path, g_free);
  g_clear_pointer (&options->output_path, g_free);
  g_clear_pointer (&options->events_path, g_free);
  g_clear_pointer (&options->report_path, g_free);
  g_clear_pointer (&options->defines, g_hash_table_unref);
  g_clear_object (&options->resume);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SluiceRunOptions, options_clear)

static int
refuse (const char *format,
        ...) G_GNUC_PRINTF (1, 2);

static int
refuse (const char *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "sluice-run: resume: %s\n", message);
  return SLUICE_EXIT_INVALID;
}

/* The file must be the one the run started with: its items already went
 * through that pipeline, and the rest must go through the same. */
static int
check_pipeline (SluiceJournal *journal,
                const char    *path,
                gboolean       force)
{
  g_autofree char *expected = sluice_journal_dup_meta (journal, "pipeline-sha256");
  g_autofree char *text = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, &error))
    return refuse (_("the run's pipeline file cannot be read: %s (a copy of it is in %s/pipeline.xml)"),
                   error->message, sluice_journal_get_directory (journal));
  actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, length);
  if (g_strcmp0 (actual, expected) == 0)
    return SLUICE_EXIT_COMPLETED;
  if (force)
    {
      fprintf (stderr, _("sluice-run: resume: warning: %s changed since run %s started; "
                         "going on with it as it is now (--force)\n"),
               path, sluice_journal_get_run_id (journal));
      return SLUICE_EXIT_COMPLETED;
    }
  return refuse (_("%s changed since run %s started (SHA-256 %.12s… then, %.12s… now): "
                   "the items not run yet would go through another pipeline; "
                   "use --force to resume with the file as it is now"),
                 path, sluice_journal_get_run_id (journal), expected != NULL ? expected : "?", actual);
}

static int
resume_run (ResumeLine *line)
{
  g_auto(SluiceRunOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  const char *run_id = line->args[1];
  const char *state;
  int status;

  directory = sluice_run_id_directory (line->state_dir, run_id, &error);
  if (directory == NULL)
    return refuse ("%s", error->message);
  options.resume = sluice_journal_open (directory, &error);
  if (options.resume == NULL)
    return refuse ("%s", error->message);

  state = sluice_journal_get_last_state (options.resume);
  if (g_str_equal (state, "completed"))
    return refuse (_("run %s completed already: there is nothing to resume"), run_id);

  options.pipeline_path = sluice_journal_dup_meta (options.resume, "pipeline-path");
  if (options.pipeline_path == NULL)
    return refuse (_("journal %s names no pipeline file"), sluice_journal_get_path (options.resume));
  status = check_pipeline (options.resume, options.pipeline_path, line->force);
  if (status != SLUICE_EXIT_COMPLETED)
    return status;
  options.defines = sluice_journal_dup_defines (options.resume, &error);
  if (options.defines == NULL)
    return refuse ("%s", error->message);
  options.input_path = sluice_journal_dup_meta (options.resume, "input-path");
  options.output_path = sluice_journal_dup_meta (options.resume, "output-path");
  options.events_path = g_strdup (line->events);
  options.report_path = g_strdup (line->report);
  options.quiet = line->quiet;
  options.progress = line->progress;
  options.journal = TRUE;

  return sluice_run_execute (&options);
}

int
sluice_run_resume_command (int    argc,
                           char **argv)
{
  g_auto(ResumeLine) line = { 0 };
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &line.state_dir,
      N_("Where the run directories are (default: ~/.local/share/sluice/runs)"), N_("DIR") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &line.force,
      N_("Resume even though the pipeline file changed since the run started"), NULL },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &line.events,
      N_("Write run events to FILE as JSON lines (- for standard error)"), N_("FILE") },
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &line.report,
      N_("Write a run report to FILE (.html or .json)"), N_("FILE") },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &line.progress,
      N_("Show a progress line on standard error even when it is not a terminal"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &line.quiet,
      N_("Show no progress line and no warnings"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("RUN-ID — continue a journaled run"));
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Continues a run started with --journal after it was killed, failed or was\n"
      "cancelled: with the same pipeline, parameters, input and output. Items\n"
      "in flight at the crash run again; the output file is cut back to the\n"
      "last committed item first, so no output item is written twice.\n"));
  line.args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &line.args, &error))
    return refuse ("%s", error->message);
  if (g_strv_length (line.args) != 2)
    return refuse (_("give one RUN-ID (the run directories are in --state-dir, "
                     "by default ~/.local/share/sluice/runs)"));
  if (line.report != NULL &&
      !g_str_has_suffix (line.report, ".html") && !g_str_has_suffix (line.report, ".json"))
    return refuse (_("--report needs a file name ending in .html or .json, not “%s”"), line.report);
  if (line.progress && line.quiet)
    return refuse (_("--progress and --quiet cannot be used together"));

  return resume_run (&line);
}
