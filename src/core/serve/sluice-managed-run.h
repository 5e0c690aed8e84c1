/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-run.h"
#include "sluice-run-record.h"

G_BEGIN_DECLS

/* Errors of the run API's core, one code per HTTP answer it becomes. */
#define SLUICE_RUN_MANAGER_ERROR (sluice_run_manager_error_quark ())
GQuark sluice_run_manager_error_quark (void);

typedef enum
{
  SLUICE_RUN_MANAGER_ERROR_INVALID,    /* a bad request field: 400 */
  SLUICE_RUN_MANAGER_ERROR_FORBIDDEN,  /* a path outside the roots: 403 */
  SLUICE_RUN_MANAGER_ERROR_NOT_FOUND,  /* no such run or file: 404 */
  SLUICE_RUN_MANAGER_ERROR_CONFLICT,   /* a transition SPEC 6 does not allow: 409 */
  SLUICE_RUN_MANAGER_ERROR_PIPELINE,   /* the pipeline cannot run: 422 */
  SLUICE_RUN_MANAGER_ERROR_IO,         /* the state directory failed us: 500 */
} SluiceRunManagerError;

/* The HTTP status that answers @error (500 for any other domain). */
guint sluice_run_manager_error_status (const GError *error);

typedef enum
{
  SLUICE_RUN_ACTION_START,
  SLUICE_RUN_ACTION_PAUSE,
  SLUICE_RUN_ACTION_RESUME,
  SLUICE_RUN_ACTION_CANCEL,
} SluiceRunAction;

const char *sluice_run_action_to_string   (SluiceRunAction  action);
gboolean    sluice_run_action_from_string (const char      *name,
                                           SluiceRunAction *action);

/* One run the daemon knows: its record on disk, the SluiceRun while it
 * can still run (pending, running, paused), its events (numbered 1, 2, …
 * across restarts, kept in memory and in events.jsonl) and its output
 * (output.jsonl). Once the run is over the SluiceRun is let go and what
 * is asked comes from report.json.
 *
 * Signals: "event" (guint64 seq, const char *json) for every event as it
 * is recorded; "executor-event" (SluiceEvent *) with the executor's event
 * itself, for metrics; "finished" once, when the run reaches a final
 * state, after its report and record are written and before its
 * SluiceRun is let go; "journal-committed" (double seconds) for every
 * batch its journal writes. */
#define SLUICE_TYPE_MANAGED_RUN (sluice_managed_run_get_type ())
G_DECLARE_FINAL_TYPE (SluiceManagedRun, sluice_managed_run, SLUICE, MANAGED_RUN, GObject)

/* Takes @record. Builds the SluiceRun (validating the pipeline) unless
 * the record is final; NULL with a PIPELINE error naming the file and
 * its problems when the pipeline cannot run. */
SluiceManagedRun *sluice_managed_run_new            (SluiceRunRecord   *record,
                                                     GError           **error);
/* For a record whose pipeline can no longer run (found at start-up):
 * marks it failed with @why and keeps it listed. */
SluiceManagedRun *sluice_managed_run_new_failed     (SluiceRunRecord   *record,
                                                     const char        *why);

const SluiceRunRecord *sluice_managed_run_get_record (SluiceManagedRun *self);
const char       *sluice_managed_run_get_id         (SluiceManagedRun  *self);
SluiceRunState    sluice_managed_run_get_state      (SluiceManagedRun  *self);
/* The live run, or NULL once it is over. */
SluiceRun        *sluice_managed_run_get_run        (SluiceManagedRun  *self);

/* Applies @action as SPEC 6 allows: FALSE with a CONFLICT error saying
 * why when it does not; a repeated start, pause, resume or cancel that
 * finds the run already there succeeds with *@changed FALSE. */
gboolean          sluice_managed_run_apply          (SluiceManagedRun  *self,
                                                     SluiceRunAction    action,
                                                     gboolean          *changed,
                                                     GError           **error);
/* Goes on with a run that was running or paused when the daemon died,
 * through its journal: items in flight at the crash run again, no input
 * item is lost and no output line is written twice (the output is cut
 * back to the last commit); its events go on numbering after the ones
 * recorded. A run the journal saw end only takes that state. A run
 * without a journal (made by an older daemon) starts from the beginning.
 * FALSE with @error when the journal cannot be opened (damaged, or held
 * by another process). */
gboolean          sluice_managed_run_restart        (SluiceManagedRun  *self,
                                                     GError           **error);

/* Marks a run that cannot go on failed, with @why, and lets it go. */
void              sluice_managed_run_fail           (SluiceManagedRun  *self,
                                                     const char        *why);
/* The record with the counters now: items in/out, current stage, … */
json_t           *sluice_managed_run_to_json        (SluiceManagedRun  *self);
/* The run report (sluice_run_build_report(), or report.json once over). */
json_t           *sluice_managed_run_dup_report     (SluiceManagedRun  *self);
/* output.jsonl */
char             *sluice_managed_run_get_output_path (SluiceManagedRun *self);
/* Events recorded so far, as the record says (cheap: for listings). */
guint64           sluice_managed_run_get_n_events   (SluiceManagedRun  *self);
/* Events that can be read now with get_event (reads events.jsonl back if
 * needed): what streams and histories iterate over. */
guint64           sluice_managed_run_count_events   (SluiceManagedRun  *self);
const char       *sluice_managed_run_get_event      (SluiceManagedRun  *self,
                                                     guint64            seq);

/* Per controller of the run: when its first item started and its last
 * one finished (wall µs, 0 = never) — the stage's span, for metrics. */
typedef struct
{
  gint64 first_start;
  gint64 last_end;
} SluiceStageSpan;

/* The span of @controller_id, or NULL if no item reached it. */
const SluiceStageSpan *sluice_managed_run_get_stage_span (SluiceManagedRun *self,
                                                          const char       *controller_id);
/* The controller of the module that failed the run, or NULL. */
const char       *sluice_managed_run_get_failed_controller (SluiceManagedRun *self);

G_END_DECLS
