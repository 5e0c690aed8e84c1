/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-registry.h"
#include "sluice-run-manager.h"
#include "sluice-scheduler.h"

G_BEGIN_DECLS

/* The pipelines of `sluice-run daemon DIR`: the registry of DIR and its
 * scheduler in front of the run manager. The scheduler's launch is the
 * manager's create-and-start of a journaled run of the file's bytes as
 * they are at that moment (a copy in the run directory: a changed file
 * never affects a run already going); a scheduled run resumed after a
 * restart counts as its pipeline's run going (overlap), and its fire time
 * is never launched a second time (the scheduler writes it as handled
 * before it launches).
 *
 * The folder is watched: new, changed and removed files are picked up
 * without a restart; a broken file is reported with its file and line
 * (on standard error, and in its problems) and never stops the others.
 *
 * Errors are SLUICE_RUN_MANAGER_ERROR codes, as the run API answers
 * them. */

#define SLUICE_TYPE_REGISTRY_RUNS (sluice_registry_runs_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRegistryRuns, sluice_registry_runs, SLUICE, REGISTRY_RUNS, GObject)

/* Takes refs on @manager and @clock. File versions and the scheduler's
 * state are kept in the manager's state directory. Connect before
 * sluice_run_manager_recover(), so that resumed scheduled runs are
 * counted; then call sluice_registry_runs_start(). */
SluiceRegistryRuns  *sluice_registry_runs_new        (SluiceRunManager   *manager,
                                                      const char         *folder,
                                                      SluiceWallClock    *clock,
                                                      gboolean            quiet);
/* Scans and watches the folder: schedules start. FALSE with @error when
 * the folder itself cannot be read. */
gboolean             sluice_registry_runs_start      (SluiceRegistryRuns *self,
                                                      GError            **error);
SluiceRegistry      *sluice_registry_runs_get_registry  (SluiceRegistryRuns *self);
SluiceScheduler     *sluice_registry_runs_get_scheduler (SluiceRegistryRuns *self);

/* GET /pipelines: {"pipelines": [...], "problems": [...]} (new ref). */
json_t              *sluice_registry_runs_list_json  (SluiceRegistryRuns *self);
/* GET /pipelines/ID (new ref), or NULL with NOT_FOUND. */
json_t              *sluice_registry_runs_get_json   (SluiceRegistryRuns *self,
                                                      const char         *id,
                                                      GError            **error);
/* A problem as the API shows it; @file replaces its file when not NULL. */
json_t              *sluice_registry_runs_problem_json (SluiceProblem    *problem,
                                                        const char       *file);

/* POST /pipelines/ID/runs: a run of the file as it is now, with
 * @request's parameters and input (its pipeline fields are ignored),
 * started unless @start is FALSE. */
SluiceManagedRun    *sluice_registry_runs_trigger    (SluiceRegistryRuns      *self,
                                                      const char              *id,
                                                      const SluiceRunRequest  *request,
                                                      gboolean                 start,
                                                      GError                 **error);
/* PUT /pipelines/ID: checks @xml as the registry would load it and, when
 * it can run, writes it to DIR/ID.xml (atomically) and scans, so that the
 * answer shows the new version. *@created: there was no such file. When
 * it cannot run: NULL with a PIPELINE error and *@problems (file named
 * "ID.xml"); an id that is not a safe relative name: INVALID. */
SluiceRegistryEntry *sluice_registry_runs_register   (SluiceRegistryRuns *self,
                                                      const char         *id,
                                                      GBytes             *xml,
                                                      gboolean           *created,
                                                      GPtrArray         **problems,
                                                      GError            **error);
/* DELETE /pipelines/ID: removes DIR/ID.xml and scans. */
gboolean             sluice_registry_runs_unregister (SluiceRegistryRuns *self,
                                                      const char         *id,
                                                      GError            **error);
/* GET /pipelines/ID/versions (new ref). */
json_t              *sluice_registry_runs_versions_json (SluiceRegistryRuns *self,
                                                         const char         *id,
                                                         GError            **error);
/* GET /pipelines/ID/versions/N: the file's bytes then. */
GBytes              *sluice_registry_runs_get_version (SluiceRegistryRuns *self,
                                                       const char         *id,
                                                       guint64             version,
                                                       GError            **error);

/* Whether @id is a safe relative pipeline id: segments of letters,
 * digits, "_", "-" and ".", separated by "/", none starting with "." */
gboolean             sluice_registry_runs_id_is_valid (const char        *id);

G_END_DECLS
