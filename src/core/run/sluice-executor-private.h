/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-clock.h"
#include "sluice-controller.h"
#include "sluice-executor.h"
#include "sluice-executor-boundary.h"
#include "sluice-executor-queue.h"
#include "sluice-free-list.h"
#include "sluice-gate.h"
#include "sluice-item-sink.h"
#include "sluice-item-source.h"
#include "sluice-lua-runtime.h"
#include "sluice-module.h"
#include "sluice-preview.h"
#include "sluice-step.h"

G_BEGIN_DECLS

/* The executor's own types, shared by its files:
 *
 *   sluice-executor.c          the object: construction, run control, getters
 *   sluice-executor-program.c  compiling a controller into a program of ops
 *   sluice-executor-segment.c  running consecutive Lua ops on one item
 *   sluice-executor-flow.c     tokens, jobs, stages and modes, scheduling
 *   sluice-executor-steps.c    calls into SluiceStep implementations
 *   sluice-executor-timers.c   the one deadline heap
 *   sluice-executor-events.c   building and emitting events
 *
 * Functions one file offers the others are named _sluice_executor_*. */

/* A controller's phases (and the branches and groups inside them) are
 * compiled into one flat program; an item in flight is a token at a
 * program counter. Conditions jump; combinations run a sub-program as a
 * sub-job so that their retries and time-out cover the whole group. What
 * a module does to an item is a SluiceStep: an op of kind LUA when the
 * step is Lua code (run in the executor's Lua states), STEP otherwise. */
typedef enum
{
  SLUICE_OP_LUA,
  SLUICE_OP_COND,
  SLUICE_OP_JUMP,
  SLUICE_OP_STEP,
  SLUICE_OP_GROUP,
  SLUICE_OP_FAIL,
  SLUICE_OP_GATE,         /* sluice-executor-gate.c */
} SluiceOpKind;

typedef struct _SluiceProgram SluiceProgram;
typedef struct _SluiceGateRun SluiceGateRun;

typedef struct
{
  SluiceOpKind   kind;
  guint          mod;     /* index in self->mods */
  guint          slot;    /* Lua code slot of LUA and COND */
  guint          target;  /* COND: first op of else; JUMP: where to go */
  guint          next;    /* where an item goes on with on-error=continue */
  SluiceProgram *sub;     /* GROUP, owned */
} SluiceOp;

struct _SluiceProgram
{
  GArray *ops;            /* of SluiceOp */
};

/* One module of the run. */
typedef struct
{
  SluiceModule      *module;      /* borrowed: the executor keeps the pipeline */
  const char        *id;
  guint              ctl;         /* controller index */
  gint64             timeout_us;  /* 0 = none */
  guint              retries;
  double             backoff;
  SluiceOnError      on_error;
  gboolean           snapshot;    /* Lua: keep a copy of the item to retry or continue with */
  SluiceStep        *step;        /* owned; NULL for conditions, groups, <fail> */
  char              *reason;      /* <fail> */
  gboolean           last_of_ctl; /* superseded items are counted here */
  SluiceModuleStats *stats;       /* in the executor's module_stats; updated atomically */
  SluicePreview     *preview;     /* owned; NULL unless a preview was asked for */
  gboolean           flushed;     /* its step's flush was called (sluice-executor-flush.c) */
  SluiceGateRun     *gate;        /* owned; <gate>: its compiled checks and results */
} SluiceModuleRun;

typedef struct _SluiceStage SluiceStage;
typedef struct _SluiceJob SluiceJob;

/* The input item a piece of work came from. It lives while anything of
 * it is queued, in a job, or held back (order-by-sequence); then the sink
 * is told it is done, with its tag. */
typedef struct
{
  gpointer  tag;      /* the source's, given back to the sink */
  guint64   number;   /* 1 for the first input item */
  guint     live;     /* queue entries, top-level jobs and held jobs */
  guint     children; /* item ids given out under it so far (atomic) */
  char     *error;    /* why it failed (isolated items), or NULL */
  gboolean  end_of_stream; /* a flush's, not an input item: no sink hears of it */
} SluiceOrigin;

/* One item in flight: a JSON object (shared, never changed in place) at
 * an op of its job's program. A failed token carries its error to the
 * main thread, which applies retries and on-error. */
typedef struct
{
  json_t    *item;
  SluiceJob *job;
  guint      pc;
  guint      attempt;       /* failed attempts of the op at pc so far */
  char      *error;         /* set: the op at pc failed */
  char      *stderr_tail;
  guint      child;         /* its id under its input item: 0 for the input item itself */
  guint      parent;        /* the id it was emitted from (when child > 0) */
  gboolean   flush;         /* item is NULL: the step at pc flushes (end of stream) */
  char      *text;          /* instead of @item, at the end of the program: the output
                             * line, written straight from Lua (_sluice_executor_wants_text()) */
  gsize      text_length;
} SluiceToken;

struct _SluiceJob
{
  SluiceStage   *ctl;
  SluiceOrigin  *origin;     /* a reference for top-level jobs; borrowed by groups */
  SluiceProgram *prog;
  guint64        seq;
  guint          pending;    /* tokens of this job in flight */
  gboolean       collect;    /* outputs wait for the job's end (ordered modes, groups) */
  GPtrArray     *outputs;    /* SluiceToken* at the end of the program, each with
                              * its item or its line of text; NULL until the first */
  SluiceJob     *parent;     /* combination: the job that waits */
  guint          parent_pc;
  json_t        *input;      /* combination: what to retry with */
  guint          attempt;
  gint64         started;
  gpointer       timer;      /* combination time-out */
  gboolean       dead;       /* cancelled: its tokens are dropped as they come back */
  guint          entry;      /* group: the id of the item that entered it */
  guint          entry_parent;
  guint64        mark;       /* top-level: its item's mark at a controller boundary */
  SluiceJob     *live_prev;  /* the executor's list of live jobs (for cleanup) */
  SluiceJob     *live_next;
};

/* A controller during the run. */
struct _SluiceStage
{
  SluiceController *controller;  /* borrowed */
  const char       *id;
  guint             index;
  SluiceMode        mode;
  guint             workers;
  SluiceProgram    *prog;
  GQueue            input;       /* json_t* */
  GQueue            origins;     /* SluiceOrigin* of the items in @input, a reference each */
  GQueue            marks;       /* their boundary marks, when someone listens there */
  gboolean          input_done;
  gboolean          started;
  gboolean          finished;
  guint64           next_seq;    /* given to the next admitted item, from 1 */
  guint             in_flight;
  guint64           next_emit;   /* order-by-sequence */
  GHashTable       *held;        /* seq → SluiceJob* done, outputs held back */
  guint64           last_emitted;/* first-wins */
  guint             calls;       /* its tokens in steps now */
  GQueue            waiting;     /* SluiceToken* for a step, beyond the limit */
  gboolean          starting;    /* taking waiting tokens */
  guint64           items_out;   /* items delivered on */
  guint64           items_failed;/* items failed past every on-error */
  guint64           dropped;     /* failures dropped by on-error="drop" */
  gint64            first_in;    /* monotonic µs of its first job; 0 = none yet */
  gint64            last_out;    /* monotonic µs its last job completed */
  guint32           lua_dear;    /* bit i: the i-th last Lua segment was dear (run_lua) */
  guint             lua_measured;/* segments measured */
};

/* How many items a controller works on at once: its admitted items, and
 * also the calls into steps, fan-out included (SPEC 7). */
static inline guint
_sluice_stage_limit (SluiceStage *ctl)
{
  return ctl->mode == SLUICE_MODE_NOT_PARALLEL ? 1 : ctl->workers;
}

/* Per-op record of a segment run on a worker, for events. */
typedef struct
{
  guint   mod;
  guint   child;
  guint   parent;
  gint64  started;
  gint64  duration;
  guint   outputs;
} SluiceStepRecord;

typedef struct _SluiceSegmentResult SluiceSegmentResult;
struct _SluiceSegmentResult
{
  SluiceSegmentResult *next; /* the next of its batch (one hand-over to a worker) */
  SluiceToken *token;     /* the one sent; NULL once the segment consumed it */
  SluiceJob   *job;       /* the token's job */
  GPtrArray   *out;       /* SluiceToken* */
  GArray      *records;   /* SluiceStepRecord, or NULL */
  gint64       elapsed;   /* µs its Lua took on its worker */
};

typedef void (*SluiceTimerFunc) (SluiceExecutor *self, gpointer data);

typedef struct
{
  SluiceStepTimer handle;     /* first: how a step removes it */
  gint64          deadline;
  guint64         serial;
  SluiceTimerFunc func;       /* the executor's own, or */
  SluiceStepTimerFunc step_func;  /* a step's (SluiceStepContext) */
  gpointer        data;
  GSequenceIter  *iter;
} SluiceTimer;

struct _SluiceExecutor
{
  GObject             parent_instance;

  SluicePipeline     *pipeline;       /* owned */
  GHashTable         *params;         /* name → value, owned */
  char               *base_directory;
  GPtrArray          *mods;           /* of SluiceModuleRun*, owned */
  /* The modules' counters side by side, by module index, each in a
   * cache line of its own, and their controllers' indexes: a window's
   * run copies all of them some 80 times a second, and reading them
   * through each module's own structure was a cache miss a module. */
  SluiceModuleStats  *module_stats;   /* owned (g_aligned_alloc0) */
  guint              *module_ctls;    /* owned */
  gint64              workers_cpu_ns;  /* atomic: the workers' CPU on this run's batches */
  GHashTable         *mod_by_id;      /* id (borrowed) → index + 1, the first module of that id */
  GPtrArray          *lua_codes;      /* of SluiceLuaCode*, owned */
  GPtrArray          *ctls;           /* of SluiceStage*, owned */
  SluiceStepContext   step_context;   /* what steps may use of the run */

  SluiceRunState      state;
  char               *error;
  char               *failed_module;
  char               *stderr_tail;
  gboolean            stopped;        /* final state reached: drop everything */
  gint                cancel_flag;    /* read by Lua hooks on workers */

  GSource            *source;
  GQueue              ready;          /* SluiceToken* ready to advance */
  GSequence          *timers;         /* of SluiceTimer*, by deadline */
  guint64             timer_serial;
  GHashTable         *calls;          /* set of SluiceStepCallRun*: steps at work */
  SluiceJob          *live_jobs;      /* every live SluiceJob, linked through live_next
                                       * (not a hash table: an insert and a remove
                                       * an item cost ~250 instructions) */
  SluiceSpareLinks    spare_links;    /* for the ready, input and origins queues */
  SluiceFreeList      spare_jobs;     /* SluiceJob blocks for reuse */
  SluiceFreeList      spare_origins;  /* SluiceOrigin blocks for reuse */
  GPtrArray          *scratch;        /* reused by segments on the main thread */
  gint64              segment_ended;  /* while a segment's outputs are taken on this
                                       * thread: when its Lua ended (a clock read
                                       * to reuse), else 0 */
  gint64              real_offset;    /* wall-clock time less monotonic time, */
  gint64              real_offset_at; /* as read at this monotonic time (0: never), */
  gint64              real_last;      /* and the last time a record was given */

  SluiceLuaRuntime   *main_rt;
  GThreadPool        *pool;
  GAsyncQueue        *free_rts;       /* runtimes not in use by a worker */
  GPtrArray          *all_rts;        /* every worker runtime, owned */
  GMutex              rts_lock;
  GAsyncQueue        *results;        /* of SluiceSegmentResult* from workers */
  guint               segments_out;   /* sent to workers, not drained yet */
  guint64             segments_sent;  /* sent to workers in all (tests look) */
  GPtrArray          *to_workers;     /* SluiceSegmentResult* not handed over yet (a batch) */
  SluiceClock        *clock;          /* owned; NULL = the monotonic clock */
  GAsyncQueue        *prints;         /* what Lua printed, for "log" events */
  guint               pool_threads;
  gboolean            lua_inline;     /* Lua on this thread in every mode */
  gint64              main_lua_limit_us; /* 0, or how long Lua may hold this thread */
  gboolean            yield_now;      /* a long op on this thread: end the slice */

  SluiceItemSource   *input;          /* owned; NULL = one {} trigger */
  gboolean            input_waiting;  /* asked the source to tell when ready */
  gboolean            trigger_sent;
  char               *input_error;    /* the source broke: fail when the items before are through */
  SluiceItemSink     *output;         /* owned; NULL = outputs are only counted */
  gboolean            output_text;    /* @output takes lines of text: */
  gboolean          (*output_write_text) (SluiceItemSink *, const char *, gsize, gpointer, GError **);
  /* Called once an item, so without the interfaces' type checks: */
  void              (*output_done) (SluiceItemSink *, gpointer, const char *);
  SluiceSourceStatus (*input_next) (SluiceItemSource *, json_t **, gpointer *, GError **);
  guint64             n_origins;
  gboolean            isolated;       /* a failure fails its input item, not the run */

  guint64             items_in;
  guint64             items_rejected; /* input items the source could not take */
  char               *last_rejection;
  guint64             items_out;
  gint64              started;
  gint64              started_real;   /* wall clock of @started, for reports */
  gint64              ended;
  gboolean            listening;      /* someone handles "event" */
  guint64             event_seq;      /* of the last event emitted */
  gboolean            run_events_only; /* listeners want no per-item events (a journal) */
  SluiceItemRecordFunc item_record_func; /* per-item starts and ends, instead of events */
  gpointer            item_record_data;
  GArray             *records;        /* main-thread step records when listening */
  GArray             *record_batch;   /* SluiceItemRecord: a segment's, handed to item_record_func */
  const SluiceBoundaryFuncs *boundary; /* sluice-executor-boundary.c; NULL = none */
  gpointer            boundary_data;
  GHashTable         *injecting;      /* tag → SluiceOrigin* while a resume injects */
};

/* sluice-executor.c */
/* The index of the module of @module_id, or -1: a hash lookup (reports
 * and viewers ask by id for thousands of modules). */
gint           _sluice_executor_find_module    (SluiceExecutor   *self,
                                                const char       *module_id);
guint          _sluice_executor_add_module     (SluiceExecutor   *self,
                                                SluiceModule     *module,
                                                guint             ctl);
guint          _sluice_executor_add_lua        (SluiceExecutor   *self,
                                                const char       *module_id,
                                                const char       *code,
                                                guint             code_line,
                                                gboolean          expression);
/* Once every module is built: their counters into one array. */
void           _sluice_executor_lay_out_stats  (SluiceExecutor   *self);
void           _sluice_executor_set_state      (SluiceExecutor   *self,
                                                SluiceRunState    state);

/* sluice-executor-program.c */
SluiceProgram *_sluice_executor_compile        (SluiceExecutor   *self,
                                                GListModel       *modules,
                                                guint             ctl,
                                                GError          **error);
void           _sluice_program_free            (SluiceProgram    *prog);
static inline SluiceOp *
program_op (SluiceProgram *prog, guint pc)
{
  return &g_array_index (prog->ops, SluiceOp, pc);
}
static inline gboolean
op_is_lua (const SluiceOp *op)
{
  return op->kind == SLUICE_OP_LUA || op->kind == SLUICE_OP_COND || op->kind == SLUICE_OP_JUMP;
}

/* Notes a Lua segment's time for @ctl's choice of thread (main thread). */
void           _sluice_stage_note_lua_cost     (SluiceStage      *ctl,
                                                gint64            elapsed);
/* sluice-executor-segment.c: runs @token through consecutive Lua ops in
 * @rt (any thread). Appends the resulting tokens (at an asynchronous op,
 * at the end, or failed) to @out and consumes @token. @records may be
 * NULL. Returns the µs from the segment's first op to the end of its
 * last one, and sets *@ended (if not NULL) to that end, from the clock
 * reads it makes anyway. */
gint64         _sluice_executor_run_segment    (SluiceExecutor   *self,
                                                SluiceLuaRuntime *rt,
                                                SluiceToken      *token,
                                                GPtrArray        *out,
                                                GArray           *records,
                                                gint64           *ended);

/* sluice-executor-flow.c */
SluiceToken   *_sluice_token_new               (json_t           *item,
                                                SluiceJob        *job,
                                                guint             pc);
void           _sluice_token_free              (SluiceToken      *token);
/* @collect: keep the job's outputs until it completes (ordered modes). */
SluiceJob     *_sluice_job_new                 (SluiceExecutor   *self,
                                                SluiceStage      *ctl,
                                                SluiceProgram    *prog,
                                                guint64           seq,
                                                gboolean          collect);
void           _sluice_token_drop              (SluiceExecutor   *self,
                                                SluiceToken      *token);
void           _sluice_token_failed            (SluiceExecutor   *self,
                                                SluiceToken      *token);
gboolean       _sluice_job_is_dead             (SluiceJob        *job);
void           _sluice_job_pending_dec         (SluiceExecutor   *self,
                                                SluiceJob        *job);
/* Whether an item of @job at the end of its program may leave as text
 * written straight from Lua: it goes to the sink as it is (the last
 * controller, not a combination, no boundary hooks). In an ordered mode
 * the text waits in the job for its turn like an item would. Any thread. */
static inline gboolean
_sluice_executor_wants_text (SluiceExecutor *self,
                             SluiceJob      *job)
{
  return self->output_text && self->boundary == NULL && job->parent == NULL &&
         job->ctl->index + 1 == self->ctls->len;
}

/* @token reached the end of its job's program: its item (or its line of
 * text, token->text) is an output of the job, delivered now or held
 * until the job's turn. Consumes @token and its place in the job. */
void           _sluice_token_finish            (SluiceExecutor   *self,
                                                SluiceToken      *token);
SluiceOrigin  *_sluice_origin_new               (SluiceExecutor   *self,
                                                gpointer          tag);
/* Reserves @n new item ids under @origin (any thread); returns the first. */
static inline guint
_sluice_origin_new_ids (SluiceOrigin *origin,
                        guint         n)
{
  return __atomic_fetch_add (&origin->children, n, __ATOMIC_RELAXED) + 1;
}
void           _sluice_origin_unref            (SluiceExecutor   *self,
                                                SluiceOrigin     *origin);
/* Moves @token on from its op; consumes it. */
void           _sluice_token_advance           (SluiceExecutor   *self,
                                                SluiceToken      *token);
void           _sluice_executor_retry_cb       (SluiceExecutor   *self,
                                                gpointer          data);
void           _sluice_executor_group_timeout_cb (SluiceExecutor *self,
                                                gpointer          data);
void           _sluice_executor_drain_results  (SluiceExecutor   *self);
/* Queues @result's segment for the workers; handed over in batches. */
void           _sluice_executor_send_to_worker (SluiceExecutor   *self,
                                                SluiceSegmentResult *result);
void           _sluice_executor_worker_cb      (gpointer          data,
                                                gpointer          user_data);
void           _sluice_executor_fail_run       (SluiceExecutor   *self,
                                                const char       *module_id,
                                                const char       *message,
                                                const char       *stderr_tail);
void           _sluice_executor_schedule       (SluiceExecutor   *self);
void           _sluice_executor_stop_run       (SluiceExecutor   *self,
                                                SluiceRunState    state);
extern GSourceFuncs _sluice_executor_source_funcs;

/* sluice-executor-schedule.c: takes the tokens a segment produced. */
void           _sluice_executor_segment_done   (SluiceExecutor   *self,
                                                SluiceJob        *job,
                                                GPtrArray        *out);

/* sluice-executor-steps.c */
void           _sluice_executor_call_step      (SluiceExecutor   *self,
                                                SluiceToken      *token,
                                                SluiceModuleRun  *info);
/* Stops every step at work on @job and its sub-jobs (all when @job is
 * NULL); their tokens are dropped as the job is dead or the run stopped. */
void           _sluice_executor_cancel_calls   (SluiceExecutor   *self,
                                                SluiceJob        *job,
                                                const char       *reason);
extern const SluiceStepContextFuncs _sluice_executor_step_context_funcs;
/* The step a call in self->calls is at. */
SluiceStep    *_sluice_executor_call_step_of   (gpointer          call);

/* sluice-executor-flush.c: when @ctl has taken its last item, starts
 * the flush of the next of its steps that has one (in program order),
 * as a job of its own; FALSE when every one has flushed. */
gboolean       _sluice_executor_start_flush    (SluiceExecutor   *self,
                                                SluiceStage      *ctl);

/* sluice-executor-gate.c */
gboolean       _sluice_executor_compile_gate   (SluiceExecutor   *self,
                                                SluiceGate       *gate,
                                                SluiceModuleRun  *info,
                                                GError          **error);
void           _sluice_executor_run_gate       (SluiceExecutor   *self,
                                                SluiceToken      *token,
                                                SluiceModuleRun  *info);
void           _sluice_gate_run_free           (SluiceGateRun    *run);

/* sluice-executor-boundary.c: the mark @item gets in the controller
 * after @job's; @job passed its controller, @sent_on items sent on. */
guint64        _sluice_boundary_entered        (SluiceExecutor   *self,
                                                SluiceJob        *job,
                                                json_t           *item);
void           _sluice_boundary_passed         (SluiceExecutor   *self,
                                                SluiceJob        *job,
                                                guint             sent_on);

/* sluice-executor-timers.c */
gpointer       _sluice_executor_add_timer      (SluiceExecutor   *self,
                                                gint64            deadline,
                                                SluiceTimerFunc   func,
                                                gpointer          data);
void           _sluice_executor_remove_timer   (SluiceExecutor   *self,
                                                gpointer          timer);
/* Finalize: the executor's timers go; steps' are left to their steps. */
void           _sluice_executor_free_timers    (SluiceExecutor   *self);
void           _sluice_executor_fire_timers    (SluiceExecutor   *self);
/* Removes the executor's own timers (not steps'); those that own a token free it. */
void           _sluice_executor_clear_timers   (SluiceExecutor   *self);
/* With a fake clock, when nothing but timers is left to wait for, moves
 * the clock to the earliest deadline and returns TRUE. */
gboolean       _sluice_executor_skip_to_next_timer (SluiceExecutor *self);
/* The earliest deadline, or -1. */
gint64         _sluice_executor_next_deadline  (SluiceExecutor   *self);

/* sluice-executor-events.c */
void           _sluice_executor_install_event_signal (SluiceExecutorClass *klass);
gboolean       _sluice_executor_has_listeners  (SluiceExecutor   *self);
/* Lua's print() becomes "log" events (any thread to the main context). */
void           _sluice_executor_watch_prints   (SluiceExecutor   *self,
                                                SluiceLuaRuntime *rt);
void           _sluice_executor_emit_prints    (SluiceExecutor   *self);
void           _sluice_executor_free_prints    (SluiceExecutor   *self);
void           _sluice_executor_reject_input   (SluiceExecutor   *self,
                                                const char       *message);
SluiceEvent   *_sluice_executor_event_new      (SluiceExecutor   *self,
                                                SluiceEventType   type,
                                                const char       *controller_id,
                                                const char       *module_id,
                                                guint64           item);
void           _sluice_executor_emit           (SluiceExecutor   *self,
                                                SluiceEvent      *event);
/* A module event about the item @child (emitted from @parent) of @job's
 * input item. */
void           _sluice_executor_emit_module    (SluiceExecutor   *self,
                                                SluiceEventType   type,
                                                guint             mod,
                                                SluiceJob        *job,
                                                guint             child,
                                                guint             parent,
                                                gint64            duration,
                                                guint             outputs);
void           _sluice_executor_emit_records   (SluiceExecutor   *self,
                                                SluiceJob        *job,
                                                GArray           *records);
const char    *_sluice_executor_ctl_id_of_mod  (SluiceExecutor   *self,
                                                SluiceModuleRun  *info);

/* Now on the run's clock (sluice-clock.h): what timer deadlines are in. */
static inline gint64
_sluice_executor_now (SluiceExecutor *self)
{
  return sluice_clock_now (self->clock);
}

static inline SluiceModuleRun *
module_run (SluiceExecutor *self, guint mod)
{
  return g_ptr_array_index (self->mods, mod);
}

static inline void
stat_add (guint64 *counter,
          guint64  value)
{
  __atomic_fetch_add (counter, value, __ATOMIC_RELAXED);
}

/* stat_add() by the only thread that writes @counter (the Lua modules of
 * a not-parallel controller, which run on the executor's thread alone):
 * no locked read-modify-write, which a Lua chain paid some thirty times
 * an item; readers on other threads still never see a torn value. */
static inline void
stat_add_sole (gboolean  sole,
               guint64  *counter,
               guint64   value)
{
  if (sole)
    __atomic_store_n (counter, __atomic_load_n (counter, __ATOMIC_RELAXED) + value, __ATOMIC_RELAXED);
  else
    __atomic_fetch_add (counter, value, __ATOMIC_RELAXED);
}

/* Cancels the run if an interrupt (sluice_executor_interrupt) came. */
void _sluice_executor_check_interrupt (SluiceExecutor *self);

G_END_DECLS
