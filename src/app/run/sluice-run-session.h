/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-core.h"
#include "sluice-run-log.h"

G_BEGIN_DECLS

/* What a node shows during and after a run. */
typedef enum
{
  SLUICE_LIVE_IDLE,       /* nothing yet */
  SLUICE_LIVE_WAITING,    /* its stage runs; no item in it right now */
  SLUICE_LIVE_RUNNING,    /* items in it now */
  SLUICE_LIVE_DONE,
  SLUICE_LIVE_FAILED,
  SLUICE_LIVE_SKIPPED,    /* its stage finished and no item reached it */
  SLUICE_LIVE_CANCELLED,  /* the run was cancelled before it was done */
  SLUICE_LIVE_PAUSED,     /* a stage with items in it, the run paused */
} SluiceLiveState;

typedef struct
{
  SluiceLiveState   state;
  SluiceModuleStats stats;
  double            rate;       /* items out per second, recent */
  gboolean          moving;     /* its counters changed in the last frames */
} SluiceModuleLive;

typedef struct
{
  SluiceLiveState state;
  gint            queue_depth;
  gint            in_flight;
  gint            held_back;    /* order-by-sequence */
  guint64         superseded;   /* first-wins */
  /* As the executor counts them (sluice_executor_get_stage_stats()). */
  guint64         items_in;
  guint64         items_out;
  guint64         items_failed; /* failed past every on-error, or dropped after failing */
  gint64          started;      /* monotonic µs, 0 = not yet */
  gint64          finished;
} SluiceControllerLive;

const char *sluice_live_state_to_string (SluiceLiveState state);

#define SLUICE_TYPE_RUN_SESSION (sluice_run_session_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunSession, sluice_run_session, SLUICE, RUN_SESSION, GObject)

/* A run of a document's pipeline in the designer, on the core executor,
 * fed exactly as sluice-run feeds it (defines, input, base directory),
 * on a thread of its own (sluice-run-thread.h). It takes the counters
 * that thread publishes once a frame into per-node live state
 * for the canvas, keeps the event log and the last output items, and
 * emits "updated" at most once a frame while the run moves.
 *
 * The log keeps the newest SLUICE_RUN_SESSION_MAX_EVENTS routine events
 * (a ring) and every warning, error and run-state change; the counters
 * stay exact. */
#define SLUICE_RUN_SESSION_MAX_EVENTS 100000
#define SLUICE_RUN_SESSION_PREVIEW_DEPTH 10

SluiceRunSession *sluice_run_session_new              (SluicePipeline   *pipeline);
/* @defines: name → value (copied); @path: the pipeline's file (commands
 * run in its folder; NULL for one never saved); @input: JSON lines, or
 * NULL for one {} trigger. FALSE with @error when the executor refuses
 * the pipeline (missing parameter, …). */
gboolean          sluice_run_session_start            (SluiceRunSession *self,
                                                       GHashTable       *defines,
                                                       const char       *path,
                                                       GInputStream     *input,
                                                       GError          **error);
void              sluice_run_session_pause            (SluiceRunSession *self);
void              sluice_run_session_resume           (SluiceRunSession *self);
void              sluice_run_session_cancel           (SluiceRunSession *self);

SluiceRunState    sluice_run_session_get_state        (SluiceRunSession *self);
/* Started and not in a final state. */
gboolean          sluice_run_session_get_active       (SluiceRunSession *self);
/* The executor of a local run. It runs on a thread of its own (see
 * sluice-run-thread.h): until the session is settled, read only what
 * never changes in a run (its modules' ids and steps) and the data
 * preview (locked); the counters are the session's. */
SluiceExecutor   *sluice_run_session_get_executor     (SluiceRunSession *self);
/* A local run whose thread is over and joined: its executor and run are
 * the window thread's to read (report, gate results, services). */
gboolean          sluice_run_session_get_settled      (SluiceRunSession *self);
/* CPU time (µs) of a local run's own thread (so far, as last
 * published; all of it once settled); -1 for other runs. */
gint64            sluice_run_session_get_run_cpu_time (SluiceRunSession *self);
/* The core run object (its report is sluice-run's), NULL before start. */
SluiceRun        *sluice_run_session_get_run          (SluiceRunSession *self);
SluicePipeline   *sluice_run_session_get_pipeline     (SluiceRunSession *self);
SluiceRunLog     *sluice_run_session_get_log          (SluiceRunSession *self);
/* The last output items (JSON lines, oldest first) and how many there were. */
GPtrArray        *sluice_run_session_get_outputs      (SluiceRunSession *self);
guint64           sluice_run_session_get_n_outputs    (SluiceRunSession *self);
/* What the run was fed, for "Add Test From This Run": typed JSON lines
 * (@text) or a file (@file), both NULL for the one {} trigger, and the
 * parameter values (@defines, copied; borrowed when got, may be NULL). */
void              sluice_run_session_set_input_items  (SluiceRunSession *self,
                                                       const char       *text,
                                                       const char       *file,
                                                       GHashTable       *defines);
const char       *sluice_run_session_get_input_items  (SluiceRunSession *self,
                                                       const char      **file,
                                                       GHashTable      **defines);
/* Whether the log let older routine events go. */
gboolean          sluice_run_session_get_log_truncated (SluiceRunSession *self);

/* Live state of a module or controller node (FALSE for other nodes or
 * before a run). */
gboolean          sluice_run_session_get_module_live  (SluiceRunSession *self,
                                                       SluiceNode       *node,
                                                       SluiceModuleLive *live);
gboolean          sluice_run_session_get_controller_live (SluiceRunSession     *self,
                                                          SluiceNode           *node,
                                                          SluiceControllerLive *live);
/* How many items took each branch of @condition so far (an empty branch
 * is counted from the condition and the other branch). FALSE before a
 * run, or when both branches are empty. */
gboolean          sluice_run_session_get_branch_counts (SluiceRunSession *self,
                                                        SluiceCondition  *condition,
                                                        guint64          *then_items,
                                                        guint64          *else_items);
/* Aggregate of the modules below @node (phase, condition branch, …). */
SluiceLiveState   sluice_run_session_get_node_state   (SluiceRunSession *self,
                                                       SluiceNode       *node);
/* Why the run failed and where, or NULL. */
const char       *sluice_run_session_get_error        (SluiceRunSession *self);
const char       *sluice_run_session_get_failed_module (SluiceRunSession *self);
/* Something moves: items in flight or counters changed lately. */
gboolean          sluice_run_session_get_moving       (SluiceRunSession *self);
/* Changes whenever a poll finds different counters or states: viewers
 * redraw only then (or while something moves). */
guint             sluice_run_session_get_serial       (SluiceRunSession *self);
/* The least time between two "updated" signals while the run goes (16 ms
 * to 1 s; final states are always told at once). A viewer whose frames
 * are slow asks for fewer updates, so that drawing does not eat the run's
 * time. */
void              sluice_run_session_set_update_interval (SluiceRunSession *self,
                                                          gint64            interval);
gint64            sluice_run_session_get_update_interval (SluiceRunSession *self);
/* A recorded run played back on @pipeline (modules matched by id): the
 * same live state as a run, from sluice_run_session_seek(). Not active,
 * no executor. */
SluiceRunSession *sluice_run_session_new_replay       (SluicePipeline   *pipeline,
                                                       SluiceRunReplay  *replay);
SluiceRunReplay  *sluice_run_session_get_replay       (SluiceRunSession *self);
/* Shows the recorded run as it was after its first @position events. */
void              sluice_run_session_seek             (SluiceRunSession *self,
                                                       guint             position);
/* A run that goes elsewhere (on a sluice-run daemon), drawn from its
 * events: whoever follows them hands each to apply_event, and sends the
 * "control" signal's action ("pause", "resume", "cancel", or "results":
 * fetch the report and outputs) to the server.
 * The counters are what the events tell (sluice-event-tally.h). */
SluiceRunSession *sluice_run_session_new_remote       (SluicePipeline   *pipeline);
gboolean          sluice_run_session_get_remote       (SluiceRunSession *self);
void              sluice_run_session_apply_event      (SluiceRunSession *self,
                                                       SluiceEvent      *event);
/* What the server says of the run besides its events (GET /runs/ID),
 * when it had recorded @n_events: the state is taken once that many
 * events were applied. */
void              sluice_run_session_set_remote_state (SluiceRunSession *self,
                                                       SluiceRunState    state,
                                                       const char       *error,
                                                       const char       *failed_module,
                                                       guint64           n_events);
/* What the server keeps of a remote run: its report (GET /runs/ID/report;
 * NULL keeps the last) and its newest output items (JSON lines, oldest
 * first, of @n_outputs in all; NULL keeps the last), shown in place of
 * a local run's. */
void              sluice_run_session_set_remote_results (SluiceRunSession *self,
                                                         json_t           *report,
                                                         GPtrArray        *outputs,
                                                         guint64           n_outputs);
json_t           *sluice_run_session_get_remote_report  (SluiceRunSession *self);
/* Whether the outputs are the server's (set_remote_results()). */
gboolean          sluice_run_session_get_remote_outputs (SluiceRunSession *self);
/* A viewer asks for the report and outputs of a remote run now: the
 * "control" signal's action "results". */
void              sluice_run_session_request_results    (SluiceRunSession *self);
void              sluice_run_session_set_remote_totals (SluiceRunSession *self,
                                                        guint64           items_in,
                                                        guint64           items_out,
                                                        gint64            elapsed);
/* A local run started, a remote one watched or a recorded one replayed:
 * there is something to draw. */
gboolean          sluice_run_session_get_started      (SluiceRunSession *self);
/* Items in and out of the run and its time so far (µs). */
void              sluice_run_session_get_totals       (SluiceRunSession *self,
                                                       guint64          *items_in,
                                                       guint64          *items_out,
                                                       gint64           *elapsed);
/* As sluice_executor_dup_gate_results() ({"checks": […]}), for every
 * kind of run: local, remote or replayed. */
json_t           *sluice_run_session_dup_gate_results (SluiceRunSession *self,
                                                       const char       *gate_id);
/* The endpoints of the services a local run's external modules call
 * (SluiceEndpointCopy, see sluice-endpoint-watch.h): as the run's thread
 * last copied them while it goes, read from the clients once it is
 * over; NULL for a run that is not local. */
GArray           *sluice_run_session_dup_endpoints    (SluiceRunSession *self);

/* Polls the executor now (the session does it every frame by itself). */
void              sluice_run_session_poll             (SluiceRunSession *self);

G_END_DECLS
