/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "sluice-run-state.h"

G_BEGIN_DECLS

/* What the run API keeps of one run on disk: STATE-DIR/runs/ID/state.json,
 * written atomically (a new file renamed over the old one) at every change
 * of state, so that a daemon killed at any moment finds each run as it
 * last was. Beside it in the run directory: pipeline.xml (an inline
 * pipeline), input.jsonl (inline items), output.jsonl, events.jsonl and,
 * once the run is over, report.json.
 *
 * Deliberately small and separate from the run journal: the journal, when
 * it lands, records items and progress; this record says which runs exist
 * and in what state. */
typedef struct
{
  char           *id;             /* r-YYYYMMDDTHHMMSS-XXXXXXXX: sortable, safe in a path */
  char           *directory;      /* STATE-DIR/runs/ID, absolute */
  char           *pipeline_path;  /* the file run: under a root, or DIRECTORY/pipeline.xml */
  char           *pipeline_id;    /* the pipeline's id attribute */
  gboolean        pipeline_inline;
  json_t         *parameters;     /* object, name → string */
  char           *input_kind;     /* "none", "items" or "file" */
  char           *input_path;     /* the file read, for "items" DIRECTORY/input.jsonl */
  SluiceRunState  state;
  gint64          created;        /* wall-clock µs since the epoch */
  gint64          started;        /* 0 = not yet */
  gint64          finished;       /* 0 = not yet */
  char           *error;          /* why it failed, or NULL */
  guint           attempts;       /* times started (a restart after a crash adds one) */
  guint64         n_events;       /* events recorded, as of the last save */
  json_t         *history;        /* array of {"state", "time", "reason"?} */
  /* Runs of a registered pipeline (`sluice-run daemon DIR`): pipeline_path
   * is then a copy of the file's bytes in the run directory, so that a
   * changed file never affects the run. */
  char           *trigger;        /* "api" or "schedule" */
  char           *registry_id;    /* the pipeline's id in the folder, or NULL */
  char           *registry_file;  /* its file there: names the pipeline, commands run beside it */
  char           *pipeline_hash;  /* SHA-256 of the bytes the run started with, or NULL */
  gint64          fire_time;      /* a scheduled run's fire time (Unix seconds), 0 = none */
} SluiceRunRecord;

SluiceRunRecord *sluice_run_record_new      (const char       *runs_directory);
void             sluice_run_record_free     (SluiceRunRecord  *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRunRecord, sluice_run_record_free)

/* Sets the state, appends it to the history (with @reason, may be NULL)
 * and stamps started/finished. Does not save. */
void             sluice_run_record_set_state (SluiceRunRecord *record,
                                              SluiceRunState   state,
                                              const char      *reason);
/* The record as the API shows it (new reference). */
json_t          *sluice_run_record_to_json  (const SluiceRunRecord *record);
/* Writes DIRECTORY/state.json atomically. */
gboolean         sluice_run_record_save     (const SluiceRunRecord *record,
                                             GError               **error);
/* Reads @directory/state.json; NULL with @error naming the file. */
SluiceRunRecord *sluice_run_record_load     (const char       *directory,
                                             GError          **error);
/* Whether @id has the shape of a run id (so it is safe in a path). */
gboolean         sluice_run_record_id_is_valid (const char    *id);
/* ISO 8601 UTC with milliseconds, for µs since the epoch (owned). */
char            *sluice_run_record_format_time (gint64         time);
/* "running" → SLUICE_RUN_RUNNING; FALSE for an unknown name. */
gboolean         sluice_run_state_from_string  (const char     *name,
                                                SluiceRunState *state);

G_END_DECLS
