/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"
#include "sluice-run-options.h"

G_BEGIN_DECLS

/* `sluice-run resume RUN-ID [OPTION…]` (sluice-run-resume.c). */
int sluice_run_resume_command     (int                      argc,
                                   char                   **argv);

/* For a journaled run (--journal, or resume): creates or takes the
 * journal, opens the input and the output and attaches the journal to
 * the run's executor (sluice-run-journal.c). Returns an exit status;
 * on success *journal and *sink are set (owned by the caller). */
int sluice_run_journal_open_files (const SluiceRunOptions  *options,
                                   SluiceRun               *run,
                                   SluiceJournal          **journal,
                                   SluiceLineSink         **sink);

/* After the run: the last commit. A journal that cannot be written
 * fails a run that had completed (its output is whole, but the journal
 * no longer says so). Returns the status to exit with. */
int sluice_run_journal_close      (SluiceJournal           *journal,
                                   int                      status);

G_END_DECLS
