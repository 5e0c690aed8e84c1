/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-executor.h"
#include "sluice-line-sink.h"
#include "sluice-journal-store.h"

G_BEGIN_DECLS

/* A durable run: everything needed to continue it after the process was
 * killed, in one SQLite journal in the run's directory (see
 * sluice-run-id.h), written in batched transactions.
 *
 * A journal attaches to an executor as a wrapper of its item source (it
 * numbers and records every input item) and of its line sink (it knows
 * which output bytes belong to which input item), and listens to its
 * state and events. Every commit records, in one transaction, the input
 * items read since the last one, the byte offset up to which the output
 * file holds only outputs of input items that are complete, those items,
 * the events and state changes. Resuming replays the recorded input
 * items that are not complete, truncates the output file back to the
 * committed offset and goes on reading the input where it stopped: no
 * input item is lost, no output item is written twice, and an item in
 * flight at the crash runs again (modules are at-least-once).
 *
 * The run directory is locked (flock) while a journal is open: a second
 * process cannot run or resume the same run.
 *
 * Signal "committed" (double seconds): a batch was written, flush of the
 * output included — the journal's write latency. */

#define SLUICE_TYPE_JOURNAL (sluice_journal_get_type ())
G_DECLARE_FINAL_TYPE (SluiceJournal, sluice_journal, SLUICE, JOURNAL, GObject)

/* What a new journaled run was asked to do (all borrowed). */
typedef struct
{
  const char *pipeline_path;  /* absolute */
  const char *pipeline_text;  /* its contents: hashed and copied into the run directory */
  gsize       pipeline_length;
  GHashTable *defines;        /* name → value; may be NULL */
  const char *input_path;     /* absolute, "-" for standard input, NULL for the {} trigger */
  const char *output_path;    /* absolute, NULL for standard output */
} SluiceJournalRunInfo;

/* Creates @run_directory (which must not exist) and its journal. */
SluiceJournal  *sluice_journal_create          (const char                 *run_directory,
                                                const char                 *run_id,
                                                const SluiceJournalRunInfo *info,
                                                GError                    **error);
/* Opens the journal of an existing run to resume it; refuses one locked
 * by another process, damaged, or of another format. */
SluiceJournal  *sluice_journal_open            (const char                 *run_directory,
                                                GError                    **error);

const char     *sluice_journal_get_run_id      (SluiceJournal              *self);
const char     *sluice_journal_get_directory   (SluiceJournal              *self);
/* The SQLite file. */
const char     *sluice_journal_get_path        (SluiceJournal              *self);
/* A value the run was created with: "pipeline-path", "pipeline-sha256",
 * "input-path", "output-path" (NULL when not set). */
char           *sluice_journal_dup_meta        (SluiceJournal              *self,
                                                const char                 *key);
/* -D parameters of the run (name → value). */
GHashTable     *sluice_journal_dup_defines     (SluiceJournal              *self,
                                                GError                    **error);
/* The last state recorded ("running" for a run that was killed). */
const char     *sluice_journal_get_last_state  (SluiceJournal              *self);
/* For a resumed run: what its last commit says. */
const SluiceJournalCommit *sluice_journal_get_last_commit (SluiceJournal   *self);

/* Opens @path for the outputs of a resumed run: cut back to the last
 * committed output (what follows it came from items that run again) and
 * positioned at its end. -1 with @error when it cannot be, or when the
 * file is shorter than what was committed (changed by someone else). */
int             sluice_journal_reopen_output   (SluiceJournal              *self,
                                                const char                 *path,
                                                GError                    **error);

/* Sets the executor's source and sink to the journal's wrappers of
 * @input (the input not read yet, a SluiceLineSource for a file so that
 * its offset is recorded; NULL when there is none) and @output. Items of
 * a resumed run that are not complete are replayed first. With
 * @all_events FALSE, only the run's own events are built and recorded,
 * for every listener of the executor (see
 * sluice_executor_set_run_events_only()): pass TRUE when something else
 * shows per-item events (--events, a live view). FALSE with @error when
 * the journal cannot be read. */
gboolean        sluice_journal_attach          (SluiceJournal              *self,
                                                SluiceExecutor             *executor,
                                                SluiceItemSource           *input,
                                                SluiceLineSink             *output,
                                                gboolean                    all_events,
                                                GError                    **error);
/* The input not read yet, for attach(): all of @path for a new run
 * (@commit NULL); for a resumed one (@commit its last commit), the rest of
 * the file from the committed offset, standard input ("-") anew, or
 * nothing when the input had ended. A NULL @path is a run without input:
 * one {} item. NULL without @error when there is nothing left to read;
 * NULL with @error when the file cannot be read or is shorter than what
 * was read of it. */
SluiceItemSource *sluice_journal_open_input   (const SluiceJournalCommit  *commit,
                                               const char                 *path,
                                               GError                    **error);
/* Records only the run's history (states, the events "event" carries,
 * the modules' counters sampled at each commit, the stages' progress) of
 * a run whose items are someone else's: the designer's runs. Commits once a second and at each state change. Such a run is
 * not resumable: @origin ("designer") is kept in its meta, and
 * sluice_journal_open() refuses it. */
gboolean        sluice_journal_record          (SluiceJournal              *self,
                                                SluiceExecutor             *executor,
                                                const char                 *origin,
                                                GError                    **error);
/* Input items replayed from the journal by attach(). */
guint64         sluice_journal_get_n_replayed  (SluiceJournal              *self);
/* Items of those that attach() put back into the controller they had
 * reached (the progress kept at controller boundaries), and outputs it
 * wrote again rather than made again. */
guint64         sluice_journal_get_n_resumed_items (SluiceJournal          *self);
guint64         sluice_journal_get_n_rewritten (SluiceJournal              *self);

/* Commits what is pending now. A front end calls it once the run has
 * ended, for the events that came after the final state's commit (and
 * to hear of a journal that could not be written); finalizing the
 * journal commits them too, quietly. */
gboolean        sluice_journal_commit          (SluiceJournal              *self,
                                                GError                    **error);

G_END_DECLS
