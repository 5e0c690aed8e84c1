/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "sluice-run-resume.h"

/* The files of a journaled run: a new run creates its run directory and
 * journal; a resumed one goes on from the journal's last commit (the
 * input where it stopped, the output cut back to what was committed). */

static char *
absolute (const char *path)
{
  if (path == NULL || g_str_equal (path, "-"))
    return g_strdup (path);
  return g_canonicalize_filename (path, NULL);
}

static SluiceJournal *
create_journal (const SluiceRunOptions  *options,
                SluiceRun               *run,
                GError                 **error)
{
  g_autofree char *run_id = options->run_id != NULL ? g_strdup (options->run_id) : sluice_run_id_generate ();
  g_autofree char *directory = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pipeline_path = absolute (options->pipeline_path);
  g_autofree char *input_path = absolute (options->input_path);
  g_autofree char *output_path = NULL;
  SluiceJournalRunInfo info = { 0 };
  gsize length;

  directory = sluice_run_id_directory (options->state_dir, run_id, error);
  if (directory == NULL)
    return NULL;
  if (g_file_test (directory, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "run %s exists already (%s): resume it with `sluice-run resume %s`, or choose another --run-id",
                   run_id, directory, run_id);
      return NULL;
    }
  /* The bytes that were validated are the bytes hashed and copied. */
  if (!g_file_get_contents (options->pipeline_path, &text, &length, error))
    return NULL;
  if (options->output_path != NULL && !g_str_equal (options->output_path, "-"))
    output_path = absolute (options->output_path);

  info.pipeline_path = pipeline_path;
  info.pipeline_text = text;
  info.pipeline_length = length;
  info.defines = options->defines;
  info.input_path = input_path;
  info.output_path = output_path;
  return sluice_journal_create (directory, run_id, &info, error);
}

static int
open_output (const SluiceRunOptions  *options,
             SluiceJournal           *journal,
             GError                 **error)
{
  int fd;

  if (options->output_path == NULL || g_str_equal (options->output_path, "-"))
    return dup (STDOUT_FILENO);
  if (options->resume != NULL)
    return sluice_journal_reopen_output (journal, options->output_path, error);

  fd = open (options->output_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot write %s: %s", options->output_path, g_strerror (errno));
  return fd;
}

int
sluice_run_journal_open_files (const SluiceRunOptions  *options,
                               SluiceRun               *run,
                               SluiceJournal          **journal_out,
                               SluiceLineSink         **sink_out)
{
  g_autoptr(SluiceJournal) journal = NULL;
  g_autoptr(SluiceItemSource) input = NULL;
  g_autoptr(SluiceLineSink) sink = NULL;
  g_autoptr(GError) error = NULL;
  const SluiceJournalCommit *commit = NULL;
  int fd;

  if (options->resume != NULL)
    {
      journal = g_object_ref (options->resume);
      commit = sluice_journal_get_last_commit (journal);
    }
  else if ((journal = create_journal (options, run, &error)) == NULL)
    {
      fprintf (stderr, "sluice-run: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  input = sluice_journal_open_input (commit, options->input_path, &error);
  if (error != NULL)
    {
      fprintf (stderr, _("sluice-run: cannot read %s: %s\n"), options->input_path, error->message);
      return SLUICE_EXIT_INVALID;
    }

  fd = open_output (options, journal, &error);
  if (fd < 0)
    {
      fprintf (stderr, "sluice-run: %s\n", error != NULL ? error->message : g_strerror (errno));
      return SLUICE_EXIT_INVALID;
    }
  sink = sluice_line_sink_new (fd, TRUE);

  if (!sluice_journal_attach (journal, sluice_run_get_executor (run), input, sink,
                              options->events_path != NULL, &error))
    {
      fprintf (stderr, "sluice-run: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  if (options->resume == NULL)
    fprintf (stderr, _("sluice-run: journal: run %s in %s (after a crash: sluice-run resume %s%s%s)\n"),
             sluice_journal_get_run_id (journal), sluice_journal_get_directory (journal),
             sluice_journal_get_run_id (journal),
             options->state_dir != NULL ? " --state-dir " : "",
             options->state_dir != NULL ? options->state_dir : "");
  else if (!options->quiet)
    fprintf (stderr, _("sluice-run: resuming run %s: %" PRIu64 " input items replayed from the journal (read, not complete), "
                       "%" PRIu64 " output items kept; %" PRIu64 " items go on from the controller they had reached, "
                       "%" PRIu64 " outputs written again\n"),
             sluice_journal_get_run_id (journal), sluice_journal_get_n_replayed (journal),
             commit->output_lines, sluice_journal_get_n_resumed_items (journal),
             sluice_journal_get_n_rewritten (journal));
  if (!options->quiet && (options->output_path == NULL || g_str_equal (options->output_path, "-")))
    fprintf (stderr, _("sluice-run: warning: output to standard output cannot be taken back after a crash: "
                       "a resume may repeat the outputs of the last moments (use -o FILE)\n"));

  *journal_out = g_steal_pointer (&journal);
  *sink_out = g_steal_pointer (&sink);
  return SLUICE_EXIT_COMPLETED;
}

int
sluice_run_journal_close (SluiceJournal *journal,
                          int            status)
{
  g_autoptr(GError) error = NULL;

  /* A run that failed already said why (often this very error). */
  if (sluice_journal_commit (journal, &error) || status != SLUICE_EXIT_COMPLETED)
    return status;
  fprintf (stderr, "sluice-run: %s\n", error->message);
  return SLUICE_EXIT_FAILED;
}
