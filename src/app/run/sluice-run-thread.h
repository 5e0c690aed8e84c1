/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-core.h"
#include "sluice-item-ring.h"
#include "sluice-endpoint-watch.h"

G_BEGIN_DECLS

/* A designer run on a thread of its own: the SluiceRun (and so the
 * executor, its line source, its commands' child watches, its external
 * modules' HTTP sessions, the history journal's timer) is made on that
 * thread with a GMainContext of its own pushed as thread-default, and
 * runs there; the window's thread only lays out and draws.
 *
 * What crosses between the threads, and how:
 * - to the run: pause, resume and cancel, as callbacks on its context;
 *   cancel also interrupts Lua that is running (sluice_executor_interrupt);
 * - to the window: a snapshot of the counters the run's thread publishes
 *   once a frame, at every change of state and at every stage
 *   transition (a later stage's Lua may hold the thread long), with
 *   copies of what changed of its gates' results and of its external
 *   modules' endpoints, its events (refs) and
 *   per-item records (a ring) in sequence order, and the output lines,
 *   all under one lock, taken by the window once a frame;
 * - "changed" is called on the default main context (the window's
 *   thread) when the run's state changed and when the thread is over.
 *
 * The snapshot's state is never final: the final state is the
 * executor's, read once the thread is joined (sluice_run_thread_join),
 * when everything of the run is the window thread's to read.
 *
 * A run of a pipeline that an earlier run's thread (of the same
 * pipeline object or file) has not finished yet waits for it, pending,
 * before it starts: their writes to the same targets never interleave. */
typedef struct _SluiceRunThread SluiceRunThread;

typedef struct
{
  SluiceStageStats stats;
  gint             queue_depth;
  gint             in_flight;
  gint             held_back;
} SluiceRunStageSnapshot;

typedef struct
{
  SluiceRunState          state;
  guint64                 items_in;
  guint64                 items_out;
  gint64                  elapsed;
  gint64                  cpu_us;    /* the run's thread's CPU time so far */
  guint                   n_modules;
  SluiceModuleStats      *modules;   /* by executor index */
  guint                   n_stages;
  SluiceRunStageSnapshot *stages;    /* in the order of SluiceRunThreadSetup.stage_ids */
  /* By SluiceRunThreadSetup.gate_ids: each gate's results as
   * sluice_executor_dup_gate_results() gave them (owned refs, NULL until
   * the gate saw an item), rebuilt only for a gate that evaluated an
   * item since; never changed once built (the run's thread makes a new
   * one), and jansson counts references atomically, so both threads may
   * hold one. */
  guint                   n_gates;
  json_t                **gates;
  guint                   gates_serial;     /* bumped when one changed */
  /* The endpoints the external modules call (SluiceEndpointCopy), copied
   * when anything of them changed. */
  GArray                 *endpoints;
  guint                   endpoints_serial; /* bumped when they changed */
} SluiceRunSnapshot;

/* Sizes @snapshot's arrays for @n_modules, @n_stages and @n_gates. */
void sluice_run_snapshot_init  (SluiceRunSnapshot *snapshot,
                                guint              n_modules,
                                guint              n_stages,
                                guint              n_gates);
void sluice_run_snapshot_clear (SluiceRunSnapshot *snapshot);

typedef void (*SluiceRunStartedFunc) (SluiceExecutor *executor,
                                      gpointer        user_data);

typedef struct
{
  SluicePipeline      *pipeline;
  const char          *path;          /* the pipeline's file, or NULL */
  GHashTable          *defines;
  GInputStream        *input;         /* or NULL: one {} trigger */
  guint                preview_depth;
  guint                ring_capacity; /* per-item records kept between two takes */
  const char * const  *stage_ids;     /* controllers whose counts the snapshot carries */
  const char * const  *gate_ids;      /* gates whose results it carries */
  /* On the caller's thread with the run's context pushed as
   * thread-default, once the run is made and before it starts (its
   * thread waits meanwhile): what it attaches goes to the run's context,
   * its handlers of the executor's signals are called on the run's
   * thread. */
  SluiceRunStartedFunc started;
  /* On the default main context; @user_data is not touched after
   * sluice_run_thread_disown(). */
  GSourceFunc          changed;
  gpointer             user_data;
} SluiceRunThreadSetup;

/* Makes the run on a new thread and starts it; returns once it runs or
 * waits, pending, for an earlier run of its pipeline (or NULL with
 * @error when the run could not be made). */
SluiceRunThread *sluice_run_thread_start   (const SluiceRunThreadSetup *setup,
                                            GError                    **error);
/* The run (borrowed, the thread's until the join; what never changes in
 * a run may be read before: the modules' ids and steps). */
SluiceRun       *sluice_run_thread_get_run (SluiceRunThread *self);
void             sluice_run_thread_pause   (SluiceRunThread *self);
void             sluice_run_thread_resume  (SluiceRunThread *self);
void             sluice_run_thread_cancel  (SluiceRunThread *self);
/* The run's thread is over (its run is in a final state). */
gboolean         sluice_run_thread_get_ended (SluiceRunThread *self);
/* Everything since the last take: copies the snapshot into @snapshot
 * (arrays as large as the run's), hands the per-item records and events
 * (SluiceEvent refs) in sequence order to @record_func and @event_func,
 * appends the output lines to @outputs (keeping at most @max_outputs
 * beyond what was there) and returns how many outputs there were in all,
 * and in @lost how many records were overwritten. */
guint64          sluice_run_thread_take    (SluiceRunThread    *self,
                                            SluiceRunSnapshot  *snapshot,
                                            SluiceItemRingFunc  record_func,
                                            GFunc               event_func,
                                            gpointer            user_data,
                                            GPtrArray          *outputs,
                                            guint               max_outputs,
                                            guint64            *lost);
/* Interrupts the run unless it is over, and waits for its thread. Then
 * the run is the caller's thread's to read. */
void             sluice_run_thread_join    (SluiceRunThread *self);
/* CPU time (user + system, µs) the run's thread took, once joined; -1
 * before. */
gint64           sluice_run_thread_get_cpu_time (SluiceRunThread *self);
/* The CPU time (µs) the threads of every run of this process and their
 * Lua workers used so far, as last published (every 16 ms while a run
 * goes; all of it once a run's thread ended). Any thread. */
gint64           sluice_run_thread_get_all_cpu_time (void);
/* No more "changed" calls. */
void             sluice_run_thread_disown  (SluiceRunThread *self);
/* Joins if not joined; frees. The run is unreffed after the context's
 * remaining sources. Blocks for as long as the run takes to end: a
 * window lets go with sluice_run_thread_release() instead. */
void             sluice_run_thread_free    (SluiceRunThread *self);
/* Lets go of the run without waiting for it: disowns and cancels it; its
 * thread frees the run (executor, steps, Lua states, what was attached
 * to them) on itself once it is over and has an idle on the default
 * main context join it and free the rest. Meanwhile the default
 * GApplication, if any, is held, for at most a bound (20 s: longer than
 * the run's own waits at its end), so that quitting waits for the run's
 * end. To be called on the thread that iterates the default main
 * context. */
void             sluice_run_thread_release (SluiceRunThread *self);
/* The bound of that hold, for tests. */
void             sluice_run_thread_set_release_bound (guint ms);
/* Threads released and not joined yet. */
guint            sluice_run_thread_count_released    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRunThread, sluice_run_thread_free)

G_END_DECLS
