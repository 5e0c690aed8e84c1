/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-controller.h"
#include "sluice-executor.h"
#include "sluice-lua-runtime.h"
#include "sluice-module.h"

G_BEGIN_DECLS

/* A controller's phases (and the branches and groups inside them) are
 * compiled into one flat program; an item in flight is a token at a
 * program counter. Conditions jump; combinations run a sub-program as a
 * sub-job so that their retries and time-out cover the whole group. */
typedef enum
{
  STEP_LUA,
  STEP_COND,
  STEP_JUMP,
  STEP_COMMAND,
  STEP_DELAY,
  STEP_COMBO,
  STEP_FAIL,
  STEP_EXTERNAL,
} StepKind;

typedef struct _Program Program;

typedef struct
{
  StepKind  kind;
  guint     mod;     /* index in self->mods */
  guint     slot;    /* Lua code slot of LUA and COND */
  guint     target;  /* COND: first step of else; JUMP: where to go */
  guint     next;    /* where an item goes on with on-error=continue */
  Program  *sub;     /* COMBO, owned */
} Step;

struct _Program
{
  GArray *steps;     /* of Step */
};

/* The data preview of one module (sluice-executor-preview.c). */
typedef struct _Preview Preview;

typedef struct
{
  SluiceModule *module;      /* borrowed: the executor keeps the pipeline */
  const char   *id;
  guint         ctl;         /* controller index */
  gint64        timeout_us;  /* 0 = none */
  guint         retries;
  double        backoff;
  SluiceOnError on_error;
  gboolean      snapshot;    /* Lua: keep a copy of the item to retry or continue with */
  char         *command;     /* parameters substituted, shell-quoted */
  char         *reason;      /* <fail> */
  gint64        delay_min_us;
  gint64        delay_max_us;
  gboolean      last_of_ctl; /* superseded items are counted here */
  SluiceModuleStats stats;   /* counters updated atomically */
  Preview      *preview;     /* owned; NULL unless a preview was asked for */
} ModuleInfo;

typedef struct _Ctl Ctl;
typedef struct _Job Job;

/* One item in flight: a JSON object (shared, never changed in place) at
 * a step of its job's program. A failed token carries its error to the
 * main thread, which applies retries and on-error. */
typedef struct
{
  json_t *item;
  Job    *job;
  guint   pc;
  guint   attempt;       /* failed attempts of the step at pc so far */
  char   *error;         /* set: the step at pc failed */
  char   *stderr_tail;
} Token;

struct _Job
{
  Ctl       *ctl;
  Program   *prog;
  guint64    seq;
  guint      pending;    /* tokens of this job in flight */
  GPtrArray *outputs;    /* json_t*; NULL for streaming modes */
  Job       *parent;     /* combination: the job that waits */
  guint      parent_pc;
  json_t    *input;      /* combination: what to retry with */
  guint      attempt;
  gint64     started;
  gpointer   timer;      /* combination time-out */
  gboolean   dead;       /* cancelled: its tokens are dropped as they come back */
};

struct _Ctl
{
  SluiceController *controller;  /* borrowed */
  const char       *id;
  guint             index;
  SluiceMode        mode;
  guint             workers;
  Program          *prog;
  GQueue            input;       /* json_t* */
  gboolean          input_done;
  gboolean          started;
  gboolean          finished;
  guint64           next_seq;    /* given to the next admitted item, from 1 */
  guint             in_flight;
  guint64           next_emit;   /* order-by-sequence */
  GHashTable       *held;        /* seq → GPtrArray of json_t* */
  guint64           last_emitted;/* first-wins */
};

/* Per-step record of a segment run on a worker, for events. */
typedef struct
{
  guint  mod;
  guint64 seq;
  gint64 started;
  gint64 duration;
  guint  outputs;
} StepRecord;

/* sluice-executor-program.c */
Program  *sluice_program_compile (SluiceExecutor *self,
                                  GListModel     *modules,
                                  guint           ctl,
                                  GError        **error);
void      sluice_program_free    (Program        *prog);
static inline Step *
program_step (Program *prog, guint pc)
{
  return &g_array_index (prog->steps, Step, pc);
}
static inline gboolean
step_is_lua (const Step *step)
{
  return step->kind == STEP_LUA || step->kind == STEP_COND || step->kind == STEP_JUMP;
}
/* Runs @token through consecutive Lua steps in @rt (any thread). Appends
 * the resulting tokens (at an asynchronous step, at the end, or failed)
 * to @out and consumes @token. @records may be NULL. */
void      sluice_program_run_segment (SluiceExecutor   *self,
                                      SluiceLuaRuntime *rt,
                                      Token            *token,
                                      GPtrArray        *out,
                                      GArray           *records);

/* sluice-executor.c, for the other executor files */
ModuleInfo *sluice_executor_get_module_info (SluiceExecutor *self,
                                             guint           mod);
guint       sluice_executor_add_module      (SluiceExecutor *self,
                                             SluiceModule   *module,
                                             guint           ctl);
guint       sluice_executor_add_lua         (SluiceExecutor *self,
                                             const char     *module_id,
                                             const char     *code,
                                             guint           code_line,
                                             gboolean        expression);
GHashTable *sluice_executor_get_params      (SluiceExecutor *self);
Token      *sluice_token_new                (json_t         *item,
                                             Job            *job,
                                             guint           pc);
void        sluice_token_free               (Token          *token);
/* Called by the command runner when a command ends. */
typedef struct _Command Command;
void        sluice_executor_command_done    (SluiceExecutor *self,
                                             Command        *command,
                                             Token          *token,
                                             GPtrArray      *outputs,
                                             gint64          duration);

/* sluice-executor-command.c */
Command  *sluice_command_start  (SluiceExecutor *self,
                                 const char     *command_line,
                                 const char     *directory,
                                 Token          *token,
                                 gint64          timeout_us);
/* Kills it (and its process group); it reports a failure soon after. */
void      sluice_command_kill   (Command        *command,
                                 const char     *reason);
Token    *sluice_command_get_token (Command     *command);

/* sluice-executor-preview.c: last items in and out of a module. */
Preview  *sluice_preview_new    (guint     depth);
void      sluice_preview_free   (Preview  *preview);
/* Whether an item at @now should be recorded; FALSE when @preview is NULL. */
gboolean  sluice_preview_due    (Preview  *preview,
                                 gboolean  outputs,
                                 gint64    now);
void      sluice_preview_record (Preview  *preview,
                                 gboolean  outputs,
                                 json_t   *item,
                                 gint64    now);
/* Newest first, NULL-terminated. */
char    **sluice_preview_dup    (Preview  *preview,
                                 gboolean  outputs);

/* Timers: one heap for the executor (sluice-executor.c). */
typedef void (*TimerFunc) (SluiceExecutor *self, gpointer data);
gpointer  sluice_executor_add_timer    (SluiceExecutor *self,
                                        gint64          deadline,
                                        TimerFunc       func,
                                        gpointer        data);
void      sluice_executor_remove_timer (SluiceExecutor *self,
                                        gpointer        timer);

G_END_DECLS
