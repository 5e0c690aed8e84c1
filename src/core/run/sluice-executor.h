/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-clock.h"
#include "sluice-event.h"
#include "sluice-step.h"
#include "sluice-item-sink.h"
#include "sluice-item-source.h"
#include "sluice-pipeline.h"
#include "sluice-run-state.h"
#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_EXECUTOR (sluice_executor_get_type ())
G_DECLARE_FINAL_TYPE (SluiceExecutor, sluice_executor, SLUICE, EXECUTOR, GObject)

/* Counters of one module in a run. Read them with
 * sluice_executor_get_module_stats(); they change while the run goes. */
typedef struct
{
  guint64           items_in;     /* items that entered (retries not counted) */
  guint64           items_out;    /* items it produced */
  guint64           dropped;      /* items it dropped (return false, no output, on-error=drop) */
  guint64           failed;       /* failed attempts, retried ones included */
  guint64           superseded;   /* first-wins: outputs discarded (counted on the controller's last module) */
  guint64           time_us;      /* time spent in the module, summed over items */
  guint             active;       /* items in the module now */
  SluiceModuleState state;
  guint64           retries;      /* attempts retried after a failure */
} SluiceModuleStats;

/* Counters of one controller (a stage) in a run. */
typedef struct
{
  guint64           items_in;     /* items it admitted */
  guint64           items_out;    /* items it passed on (or wrote, for the last one) */
  gint64            started_us;   /* its first item, from the start of the run; -1 never */
  gint64            duration_us;  /* from its first item to its last item's end */
  guint64           items_failed; /* items whose failure no on-error took care of */
  guint64           dropped;      /* failures of its modules dropped by on-error="drop" */
} SluiceStageStats;

/* Called with each output item of the pipeline, serialised as one JSON
 * object without the newline. */
typedef void (*SluiceOutputFunc) (const char *line,
                                  gsize       length,
                                  gpointer    user_data);

/* Runs a pipeline on the thread-default main context of its creator.
 *
 * The executor never blocks that main loop: it works in bounded slices
 * (a few ms) from one GSource at G_PRIORITY_DEFAULT_IDLE, below GTK's
 * redraw; Lua of parallel controllers runs on a pool of worker threads
 * (one Lua state each); commands run through GSubprocess; every delay,
 * retry back-off and time-out shares that one source's deadline heap.
 * Lua of `not-parallel` controllers runs in the slices on the main thread
 * itself (it is one item at a time anyway, and it avoids a thread hop per
 * item): a chunk that loops forever there needs a `timeout`.
 *
 * Events: the "event" signal carries every event of SPEC section 6. The
 * per-item events (module-started, module-finished) are only built while
 * a handler is connected to "event", so a run nobody watches pays nothing
 * for them.
 *
 * Creating an executor sets SIGPIPE to be ignored in the process: a
 * command that exits without reading its input must not kill us. */
SluiceExecutor   *sluice_executor_new                (SluicePipeline   *pipeline,
                                                      GHashTable       *defines,
                                                      GError          **error);

SluicePipeline   *sluice_executor_get_pipeline       (SluiceExecutor   *self);
/* Commands run in this directory (the pipeline file's); NULL = ours. */
void              sluice_executor_set_base_directory (SluiceExecutor   *self,
                                                      const char       *directory);
/* Where input items come from. Without a source, the run has a single
 * {} trigger item. Call before start. */
void              sluice_executor_set_source         (SluiceExecutor   *self,
                                                      SluiceItemSource *source);
/* Where output items go; without a sink they are only counted. A sink
 * that cannot write fails the run. */
void              sluice_executor_set_sink           (SluiceExecutor   *self,
                                                      SluiceItemSink   *sink);
/* With isolated items, a failure that would fail the run (a module's
 * on-error="fail", a <fail>) fails only the input item it came from: its
 * other work stops, the sink is told (SluiceItemSink.done) and the run
 * goes on. For servers, where each request is one input item. Call
 * before start. */
void              sluice_executor_set_isolated_items (SluiceExecutor   *self,
                                                      gboolean          isolated);
/* Runs Lua modules on the executor's thread in every mode, not on its
 * worker threads: for a process that is one of several (a Redis worker),
 * where handing each item to a thread and back costs more than the Lua.
 * Call before start. */
void              sluice_executor_set_lua_inline     (SluiceExecutor   *self,
                                                      gboolean          lua_inline);
/* For a process whose main thread must stay free (the designer's window):
 * a Lua chunk without a `timeout` of its own that runs on this thread
 * (not-parallel controllers, cheap Lua of the others) is stopped after
 * @limit_us and its item fails with a message saying why (0, the
 * default: no limit). Call before start. */
void              sluice_executor_set_main_thread_lua_limit (SluiceExecutor *self,
                                                             gint64          limit_us);
/* Shorthands: input items as JSON lines from @stream (a
 * SluiceLineSource); outputs handed to @func (a SluiceFuncSink). */
void              sluice_executor_set_input_stream   (SluiceExecutor   *self,
                                                      GInputStream     *stream);
void              sluice_executor_set_output_func    (SluiceExecutor   *self,
                                                      SluiceOutputFunc  func,
                                                      gpointer          user_data,
                                                      GDestroyNotify    destroy);

void              sluice_executor_start              (SluiceExecutor   *self);
void              sluice_executor_pause              (SluiceExecutor   *self);
void              sluice_executor_resume             (SluiceExecutor   *self);
void              sluice_executor_cancel             (SluiceExecutor   *self);
/* Asks for a cancel from anywhere: a signal handler (it only sets an
 * atomic flag), another thread. Lua running at that moment, on this
 * thread or a worker, stops within a few thousand instructions, and the
 * run ends cancelled at the executor's next slice, as with
 * sluice_executor_cancel(). */
void              sluice_executor_interrupt          (SluiceExecutor   *self);

SluiceRunState    sluice_executor_get_state          (SluiceExecutor   *self);
/* Why the run failed, with the module id; NULL unless failed. */
const char       *sluice_executor_get_error          (SluiceExecutor   *self);
/* The id of the module that failed the run; NULL when none did. */
const char       *sluice_executor_get_failed_module  (SluiceExecutor   *self);
/* The last 64 KiB of the failing command's standard error, or NULL. */
const char       *sluice_executor_get_stderr_tail    (SluiceExecutor   *self);

guint64           sluice_executor_get_items_in       (SluiceExecutor   *self);
guint64           sluice_executor_get_items_out      (SluiceExecutor   *self);
/* Input items the source could not take (a number beyond int64 or a
 * double): each is a "log" event; the run goes on without them. */
guint64           sluice_executor_get_items_rejected (SluiceExecutor   *self);
const char       *sluice_executor_get_last_rejection (SluiceExecutor  *self);
/* When the run started, in µs since the epoch; 0 before it starts. */
gint64            sluice_executor_get_start_time     (SluiceExecutor   *self);
/* Wall time of the run so far in µs. */
gint64            sluice_executor_get_elapsed        (SluiceExecutor   *self);
/* CPU time in µs the worker threads spent on this run's items so far
 * (any thread may ask): with the thread that runs the executor, what the
 * run costs the process. */
gint64            sluice_executor_get_workers_cpu_time (SluiceExecutor *self);
/* FALSE when no module has @module_id. */
gboolean          sluice_executor_get_module_stats   (SluiceExecutor   *self,
                                                      const char       *module_id,
                                                      SluiceModuleStats *stats);
/* FALSE when no controller has @controller_id. */
gboolean          sluice_executor_get_stage_stats    (SluiceExecutor   *self,
                                                      const char       *controller_id,
                                                      SluiceStageStats *stats);
/* Items waiting at the controller's input; -1 for an unknown id. */
gint              sluice_executor_get_queue_depth    (SluiceExecutor   *self,
                                                      const char       *controller_id);
/* Items of the controller in flight; -1 for an unknown id. */
gint              sluice_executor_get_in_flight      (SluiceExecutor   *self,
                                                      const char       *controller_id);
/* Modules by index, in document order: cheap for a viewer that polls
 * every module each frame (get_module_stats looks the id up). */
guint             sluice_executor_get_n_modules      (SluiceExecutor   *self);
const char       *sluice_executor_get_module_id      (SluiceExecutor   *self,
                                                      guint             index);
void              sluice_executor_get_module_stats_at (SluiceExecutor  *self,
                                                      guint             index,
                                                      SluiceModuleStats *stats);
/* The first @n_stats modules' counters at once, as
 * sluice_executor_get_module_stats_at() gives each: what a live view
 * copies once a frame (5,000 modules), without a call and its checks
 * per module. */
void              sluice_executor_copy_module_stats  (SluiceExecutor    *self,
                                                      SluiceModuleStats *stats,
                                                      guint              n_stats);
/* The step the module at @index runs (borrowed; it lives as long as the
 * executor), or NULL for conditions, groups and fails. */
SluiceStep       *sluice_executor_get_module_step    (SluiceExecutor   *self,
                                                      guint             index);
/* order-by-sequence: input items whose outputs are complete and held
 * back until the earlier ones are out; -1 for an unknown id. */
gint              sluice_executor_get_held_back      (SluiceExecutor   *self,
                                                      const char       *controller_id);
/* The clock of the run's timers (delays, back-offs, time-outs); NULL,
 * the default, is g_get_monotonic_time(). Tests give a fake clock
 * (sluice-clock.h). Call before start. */
void              sluice_executor_set_clock          (SluiceExecutor   *self,
                                                      SluiceClock      *clock);
/* Replaces the steps of modules before a run (tests' stubs, dry runs):
 * @func is called for every module whose work is a step other than Lua
 * (a command, a tool, an external; @step is NULL when none could be
 * made, e.g. an unknown tool) and returns a new step (owned) or NULL to
 * keep it. The new step is prepared for the module here: FALSE with
 * @error when it refuses. Call before start. */
typedef SluiceStep *(*SluiceStepReplaceFunc) (SluiceModule *module,
                                              SluiceStep   *step,
                                              gpointer      user_data);
gboolean          sluice_executor_replace_steps      (SluiceExecutor   *self,
                                                      SluiceStepReplaceFunc func,
                                                      gpointer          user_data,
                                                      GError          **error);

/* The priority of the executor's main-loop source (G_PRIORITY_DEFAULT_IDLE
 * unless set): a viewer that redraws continuously can lift it now and
 * then so that the run is not starved by drawing. */
void              sluice_executor_set_priority       (SluiceExecutor   *self,
                                                      int               priority);
/* The data preview: keep the last @depth items that went into and came
 * out of each module (0, the default, keeps none and costs nothing).
 * Call before start. While a module sees more than a few hundred items a
 * second, the kept ones are samples of the most recent. */
void              sluice_executor_set_preview        (SluiceExecutor   *self,
                                                      guint             depth);
/* Compact JSON texts, newest first, NULL-terminated (never NULL itself:
 * empty for an unknown id or with the preview off). */
char            **sluice_executor_dup_preview        (SluiceExecutor   *self,
                                                      const char       *module_id,
                                                      gboolean          outputs);
/* Listeners of "event" want only the run's own events (run-state,
 * item-superseded, rejected input): per-item events (module-started,
 * -finished, -failed, stage-transition, step logs) are not built even
 * though someone listens. For a journal that must not slow the run down;
 * call before start. */
void              sluice_executor_set_run_events_only (SluiceExecutor *self,
                                                      gboolean          run_events_only);
/* A module's start or end of one item (what module-started and
 * module-finished events say), as a plain record. */
typedef struct
{
  SluiceEventType  type;          /* SLUICE_EVENT_MODULE_STARTED or _FINISHED */
  guint            module;        /* index, as sluice_executor_get_module_id() */
  const char      *module_id;     /* borrowed: live as long as the executor */
  const char      *controller_id; /* borrowed */
  guint64          seq;           /* the event sequence number it takes */
  gint64           time;          /* wall-clock µs since the epoch */
  guint64          item;
  guint64          input;
  guint            child;
  guint            parent;
  guint            outputs;       /* finished */
  gint64           duration;      /* µs, finished */
} SluiceItemRecord;

/* @records: @n_records of them, oldest first: a Lua segment's starts and
 * ends come in one call, other modules' one at a time. */
typedef void (*SluiceItemRecordFunc) (const SluiceItemRecord *records,
                                      guint                   n_records,
                                      gpointer                user_data);

/* Per-item module-started and -finished go to @func, on the executor's
 * thread, instead of being built as events for "event" (a viewer that
 * keeps only the newest of millions pays a copy per record, not an
 * allocated event and a signal emission). They keep their place in the
 * event sequence; every other event still goes to "event", per-item ones
 * too (failures, gates, transitions). Call before start. */
void              sluice_executor_set_item_record_func (SluiceExecutor       *self,
                                                        SluiceItemRecordFunc  func,
                                                        gpointer              user_data);
/* While Lua holds the executor's thread (a long chunk of a not-parallel
 * controller), @func is called from inside it whenever another thread
 * sets *@wanted (atomically); @func clears it. It may read the
 * executor's counters and state (as between two items), nothing more.
 * See sluice_lua_runtime_set_busy_func(). Call before start. */
void              sluice_executor_set_busy_func       (SluiceExecutor       *self,
                                                       const gint           *wanted,
                                                       GSourceFunc           func,
                                                       gpointer              user_data);
/* Numbers events from @seq instead of 1: a resumed run goes on with the
 * sequence of the run it continues. Call before start. */
void              sluice_executor_set_first_event_seq (SluiceExecutor *self,
                                                      guint64           seq);
/* Sends a "log" event of the run itself (not of a module), e.g. where
 * its journal is. */
void              sluice_executor_log                (SluiceExecutor   *self,
                                                      const char       *message);
/* The controller the run is at (the last one that has received items and
 * not finished), or NULL. */
const char       *sluice_executor_get_current_controller (SluiceExecutor *self);

G_END_DECLS
