/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "sluice-model.h"

G_BEGIN_DECLS

/* The history of a pipeline: its journaled runs (from `sluice-run
 * --journal` and from the designer) read back from the state directory.
 *
 * Journals are opened read-only and never locked, so a run being
 * written can be listed while it goes on (SQLite's WAL lets a reader see
 * the last commit). A journal that cannot be read — damaged, truncated,
 * not a journal, of a newer format, busy for too long — is still listed,
 * as a record with @error set, naming its file. Nothing here writes. */

/* Where one controller (a stage) of a run stood at its last record. */
typedef struct
{
  char    *controller;
  guint64  items_in;
  guint64  items_out;
} SluicePastStage;

/* How often one gate of a run let items through or stopped them (from
 * its gate-passed and gate-failed events). */
typedef struct
{
  char    *gate;
  guint64  passed;
  guint64  failed;
} SluicePastGate;

typedef struct
{
  char      *run_id;
  char      *directory;
  char      *journal_path;
  char      *error;            /* set: the journal could not be read (and why) */
  char      *pipeline_path;    /* as the run was started, absolute */
  char      *pipeline_id;      /* from the saved copy of the pipeline */
  char      *pipeline_sha256;
  char      *origin;           /* "designer" or "sluice-run" */
  char      *state;            /* the last state recorded: "running" for a run that was killed */
  char      *reason;           /* why it failed, as recorded */
  gint64     created_us;       /* wall clock, µs since the epoch; 0 unknown */
  gint64     started_us;       /* first "running" */
  gint64     ended_us;         /* the final state; 0 while running or killed */
  char      *stage_reached;    /* the last controller that took an item, or NULL */
  char      *failed_module;    /* the module the run failed in, or NULL */
  char      *failed_check;     /* "Sharpe: 1.81, must be ≥ 3: missed by 1.19", or NULL */
  GPtrArray *stages;           /* SluicePastStage*, in pipeline order */
  GPtrArray *gates;            /* SluicePastGate* */
  guint64    n_events;
  gboolean   item_events;      /* per-item events or module samples were recorded (replay per module) */
  /* A run of a sluice-run daemon (sluice-server-runs.h), not a journal:
   * @directory and @journal_path are NULL; its events and pipeline are
   * kept here once fetched. */
  char      *server_url;
  gboolean   file_matches;     /* its pipeline's hash is the open file's */
  GPtrArray *server_events;    /* json_t*, NULL until fetched */
  gboolean   server_events_truncated;
  GBytes    *server_pipeline;  /* NULL until fetched */
  /*< private >*/
  gint       ref_count;
} SluicePastRun;

#define SLUICE_TYPE_PAST_RUN (sluice_past_run_get_type ())
GType            sluice_past_run_get_type   (void);
SluicePastRun   *sluice_past_run_ref          (SluicePastRun   *record);
void             sluice_past_run_unref      (SluicePastRun *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluicePastRun, sluice_past_run_unref)

/* A run of the sluice-run daemon at @server_url, to be filled from what
 * it says (sluice-server-runs.h). */
SluicePastRun *sluice_past_run_new_remote (const char *server_url,
                                           const char *run_id);
/* The state and, for a failed run, its reason: the module and the
 * failed checks are read from the reason when nothing else said them. */
void           sluice_past_run_set_outcome (SluicePastRun *record,
                                            const char    *state,
                                            const char    *reason);
/* A remote run's events (json_t*, in order; taken) and whether the
 * server had more: they give its gates' passes and failures, and are
 * what sluice_past_run_load_events() returns from now on. */
void           sluice_past_run_take_events (SluicePastRun *record,
                                            GPtrArray     *events,
                                            gboolean       truncated);

/* Reads the run in @directory. Never NULL: a run that cannot be read
 * comes back with @error set. */
SluicePastRun *sluice_past_run_read       (const char       *directory);
/* Whether the run had ended (completed, failed or cancelled). */
gboolean         sluice_past_run_is_final   (const SluicePastRun *record);
/* Its duration in µs: to the end, or to its last record for a run that
 * did not end; 0 when unknown. */
gint64           sluice_past_run_get_duration (const SluicePastRun *record);
/* The stage record of @controller, or NULL. */
const SluicePastStage *sluice_past_run_find_stage (const SluicePastRun *record,
                                                          const char            *controller);

/* Every recorded event of the run, in sequence order, as JSON objects
 * (SPEC section 6), at most @max_events (0: no limit; *truncated says
 * whether there were more). NULL with @error naming the journal. */
GPtrArray       *sluice_past_run_load_events (const SluicePastRun *record,
                                                guint                  max_events,
                                                gboolean              *truncated,
                                                GError               **error);
/* -D parameters of the run (name → value). */
GHashTable      *sluice_past_run_load_defines (const SluicePastRun *record,
                                                 GError               **error);
/* The copy of the pipeline file saved with the run. */
char            *sluice_past_run_load_pipeline_copy (const SluicePastRun *record,
                                                       gsize                 *length,
                                                       GError               **error);

/* The runs in @state_dir (NULL: the default) of the pipeline saved as
 * @pipeline_path with id @pipeline_id, newest first: those started from
 * that file, those of a pipeline with that id whose file is gone (it was
 * moved or renamed), and unreadable ones that may be either. Never
 * fails: a state directory that does not exist has no runs. */
GPtrArray       *sluice_run_history_list      (const char       *state_dir,
                                               const char       *pipeline_id,
                                               const char       *pipeline_path);

/* The progression rate per stage over @records (readable runs only):
 * for each of @controllers (ids, in pipeline order) how many runs
 * reached it (it took an item), how many passed it (it passed an item
 * on and the run did not fail in it) and the rate passed / reached; and
 * for each gate seen, how many runs it let through and stopped.
 * {"runs": N, "stages": [{"stage", "reached", "passed", "rate"}…],
 *  "gates": [{"gate", "runs", "passed", "failed", "rate"}…]}. */
json_t          *sluice_run_history_progression (GPtrArray        *records,
                                                 const char *const *controllers);

/* The "history" section of a run report: the progression over the runs
 * of @path (in @state_dir, NULL: the default) of @pipeline, with each
 * stage's and gate's name: {"runs", "unreadable", "stages": [{"stage",
 * "stage_name", "reached", "passed", "rate"}…], "gates": [{"gate",
 * "gate_name", "runs", "passed", "failed", "rate"}…]}. */
json_t          *sluice_run_history_report      (const char        *state_dir,
                                                 SluicePipeline    *pipeline,
                                                 const char        *path);

G_END_DECLS
