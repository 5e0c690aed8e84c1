/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-managed-run.h"
#include "sluice-run-metrics.h"

G_BEGIN_DECLS

/* The runs of `sluice-run daemon`: creates runs `pending` and starts them
 * later, steers them (SPEC 6 transitions), lists them, and keeps each in
 * STATE-DIR/runs/ID with its journal, so that a restarted daemon lists
 * past runs and resumes those that were running or paused when it
 * stopped. The HTTP API (SluiceRunApi) and, later, a scheduler are front
 * ends of this object; it knows nothing of HTTP.
 *
 * Files named by a request — a pipeline, an input file — must lie under
 * one of the roots (after resolving symbolic links and ".."), or under
 * the state directory; a relative path is taken relative to the first
 * root. */

#define SLUICE_TYPE_RUN_MANAGER (sluice_run_manager_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunManager, sluice_run_manager, SLUICE, RUN_MANAGER, GObject)

/* What a new run runs. Give exactly one of pipeline_path, pipeline_xml
 * and registry_file, and at most one of input_items and input_path. */
typedef struct
{
  const char *pipeline_path;  /* a pipeline file under a root */
  const char *pipeline_xml;   /* or the pipeline itself */
  GHashTable *parameters;     /* name → value (-D), or NULL */
  json_t     *input_items;    /* a JSON array of objects, or NULL */
  const char *input_path;     /* a JSON lines file under a root, or NULL */
  /* A registered pipeline (`sluice-run daemon DIR`): its id, its file
   * (trusted: it is the daemon's own folder), and the bytes to run — a
   * copy in the run directory, so that the file may change meanwhile. */
  const char *registry_id;
  const char *registry_file;
  GBytes     *registry_bytes;
  const char *trigger;        /* "api" (NULL) or "schedule" */
  gint64      fire_time;      /* a scheduled run's fire time, Unix seconds */
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
/* Loads the runs recorded in the state directory and resumes, through
 * their journals, those that were running or paused (paused ones stay
 * paused), and starts scheduled runs the crash caught before they
 * started; each such run is announced by "recovered". Runs whose record
 * is unreadable are skipped with a warning; runs whose pipeline or
 * journal can no longer be used are marked failed with the reason.
 * Returns how many went on. */
guint             sluice_run_manager_recover    (SluiceRunManager      *self);

/* A new `pending` run (validated: a pipeline that cannot run is refused
 * with a PIPELINE error listing its problems). Borrowed; see
 * SluiceRunManagerError for the errors. */
SluiceManagedRun *sluice_run_manager_create_run (SluiceRunManager      *self,
                                                 const SluiceRunRequest *request,
                                                 GError               **error);
/* Create and start at once (what a scheduler's launch does). */
SluiceManagedRun *sluice_run_manager_create_and_start (SluiceRunManager       *self,
                                                       const SluiceRunRequest *request,
                                                       GError                **error);
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
