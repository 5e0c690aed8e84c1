/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-managed-run.h"
#include "sluice-run-metrics.h"

G_BEGIN_DECLS

/* The runs of `sluice-run daemon`: creates runs `pending` and starts them
 * later, steers them (SPEC 6 transitions), lists them, and keeps each in
 * STATE-DIR/runs/ID so that a restarted daemon lists past runs and runs
 * again, from the beginning, those that were running or paused when it
 * stopped. The HTTP API (SluiceRunApi) and, later, a scheduler are front
 * ends of this object; it knows nothing of HTTP.
 *
 * Files named by a request — a pipeline, an input file — must lie under
 * one of the roots (after resolving symbolic links and ".."), or under
 * the state directory; a relative path is taken relative to the first
 * root. */

#define SLUICE_TYPE_RUN_MANAGER (sluice_run_manager_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunManager, sluice_run_manager, SLUICE, RUN_MANAGER, GObject)

/* What a new run runs. Give exactly one of pipeline_path and
 * pipeline_xml, and at most one of input_items and input_path. */
typedef struct
{
  const char *pipeline_path;  /* a pipeline file under a root */
  const char *pipeline_xml;   /* or the pipeline itself */
  GHashTable *parameters;     /* name → value (-D), or NULL */
  json_t     *input_items;    /* a JSON array of objects, or NULL */
  const char *input_path;     /* a JSON lines file under a root, or NULL */
} SluiceRunRequest;

/* Which runs sluice_run_manager_list() answers; zero fields match all. */
typedef struct
{
  gboolean        by_state;
  SluiceRunState  state;
  const char     *pipeline;   /* the pipeline id or file path */
  gint64          since;      /* created at or after (wall µs), 0 = any */
  gint64          until;      /* created before, 0 = any */
} SluiceRunFilter;

/* Creates STATE-DIR (and STATE-DIR/runs) if needed and takes its lock:
 * one daemon per state directory. @roots: NULL-terminated directories,
 * may be NULL. */
SluiceRunManager *sluice_run_manager_new        (const char            *state_dir,
                                                 const char * const    *roots,
                                                 GError               **error);
/* Loads the runs recorded in the state directory and restarts those that
 * were running or paused (paused ones stay paused). Runs whose record is
 * unreadable are skipped with a warning; runs whose pipeline can no
 * longer run are marked failed. Returns how many were restarted. */
guint             sluice_run_manager_recover    (SluiceRunManager      *self);

/* A new `pending` run (validated: a pipeline that cannot run is refused
 * with a PIPELINE error listing its problems). Borrowed; see
 * SluiceRunManagerError for the errors. */
SluiceManagedRun *sluice_run_manager_create_run (SluiceRunManager      *self,
                                                 const SluiceRunRequest *request,
                                                 GError               **error);
/* Shorthand for a scheduler: create from a file and start at once. */
SluiceManagedRun *sluice_run_manager_create_and_start (SluiceRunManager *self,
                                                       const char       *pipeline_path,
                                                       GHashTable       *parameters,
                                                       GError          **error);
/* NULL with a NOT_FOUND error naming @id (or an INVALID one for an id of
 * the wrong shape). */
SluiceManagedRun *sluice_run_manager_lookup     (SluiceRunManager      *self,
                                                 const char            *id,
                                                 GError               **error);
gboolean          sluice_run_manager_apply      (SluiceRunManager      *self,
                                                 const char            *id,
                                                 SluiceRunAction        action,
                                                 gboolean              *changed,
                                                 GError               **error);
/* The runs @filter matches, oldest first (container only). */
GPtrArray        *sluice_run_manager_list       (SluiceRunManager      *self,
                                                 const SluiceRunFilter *filter);
/* Every run, oldest first (container only). */
GPtrArray        *sluice_run_manager_list_all   (SluiceRunManager      *self);
SluiceRunMetrics *sluice_run_manager_get_metrics (SluiceRunManager     *self);
const char       *sluice_run_manager_get_state_dir (SluiceRunManager   *self);

/* Flushes what is buffered (events). Runs that are not over stay so in
 * their records, to be restarted by the next daemon. */
void              sluice_run_manager_shutdown   (SluiceRunManager      *self);

G_END_DECLS
