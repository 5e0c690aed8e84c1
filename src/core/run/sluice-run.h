/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* One run of a pipeline, as every front end makes it: `sluice-run`, the
 * designer's live runs, `serve` and the tests. It loads the file once,
 * validates it for the run's parameters (-D), builds the executor with
 * its base directory (commands run beside the file), and builds the run
 * report. Items come from a SluiceItemSource and go to a SluiceItemSink
 * set on the executor (sluice_run_get_executor()); events are the
 * executor's "event" signal. So the designer and the runner give the
 * same items, events and report by construction. */

#define SLUICE_TYPE_RUN (sluice_run_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRun, sluice_run, SLUICE, RUN, GObject)

/* Loads and validates @path for a run with @defines (name → value; may
 * be NULL). Every problem found goes to @problems, sorted. NULL when the
 * file cannot run (errors, or a parameter the executor refuses: that one
 * is added to @problems too). */
SluiceRun      *sluice_run_new_for_file  (const char      *path,
                                          GHashTable      *defines,
                                          GPtrArray       *problems);
/* A run of a pipeline already in memory, e.g. a document in the
 * designer; @path is its file (NULL for one never saved): it names the
 * pipeline in the report and commands run in its folder. Validation is
 * the caller's (the designer validates as the user types). NULL with
 * @error when the executor refuses it (a missing parameter, …). */
SluiceRun      *sluice_run_new           (SluicePipeline  *pipeline,
                                          const char      *path,
                                          GHashTable      *defines,
                                          GError         **error);

SluicePipeline *sluice_run_get_pipeline  (SluiceRun       *self);
SluiceExecutor *sluice_run_get_executor  (SluiceRun       *self);
/* The file's path, or NULL. */
const char     *sluice_run_get_path      (SluiceRun       *self);

void            sluice_run_start         (SluiceRun       *self);
void            sluice_run_pause         (SluiceRun       *self);
void            sluice_run_resume        (SluiceRun       *self);
void            sluice_run_cancel        (SluiceRun       *self);
SluiceRunState  sluice_run_get_state     (SluiceRun       *self);

/* The run report (see sluice-run-report.h), now. */
json_t         *sluice_run_build_report  (SluiceRun       *self);
/* A "history" section for the report (the progression rate per stage
 * over the pipeline's past runs, see sluice_run_history_report()), or
 * NULL for none. Taken. */
void            sluice_run_set_history   (SluiceRun       *self,
                                          json_t          *history);
/* Writes it as FILE.json or a self-contained FILE.html. */
gboolean        sluice_run_write_report  (SluiceRun       *self,
                                          const char      *report_path,
                                          GError         **error);

G_END_DECLS
