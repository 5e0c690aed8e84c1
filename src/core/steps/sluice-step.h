/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "sluice-module.h"
#include "sluice-problem.h"
#include "sluice-tool.h"

G_BEGIN_DECLS

/* A step is what one kind of module does to an item: given an item, it
 * produces zero or more items, later, or fails with a reason. Lua, a
 * command and each built-in tool are one SluiceStep subclass in a file of
 * their own (sluice-step-*.c), registered in sluice-step-registry.c; a
 * plug-in implements the same class.
 *
 * The life of a step, for one module of one run:
 *
 *   prepare ()            once, before the run: read the module's settings
 *                         (its ${name}s already substituted), fail early
 *   process (call)        for every item, on the run's main context; the
 *                         step answers with sluice_step_call_emit() any
 *                         number of times, then exactly one of
 *                         sluice_step_call_finish() or _fail()
 *   cancel (call)         the run stops or the item timed out: stop the
 *                         work soon; the call must still finish or fail
 *   flush (call)          once, when no further item can reach the
 *                         module: write what was held back (below)
 *
 * A step never sees the executor: what it may use of the run (timers,
 * parameters, the base directory, the log) is its SluiceStepContext, and
 * what it knows of an item is its SluiceStepCall. The executor applies
 * time-outs, retries and on-error around every step alike.
 *
 * Validation: check () reports problems of the module's settings before
 * any run, with the line in the file. */

typedef struct _SluiceStepCall    SluiceStepCall;
typedef struct _SluiceStepContext SluiceStepContext;
typedef struct _SluiceStepCheck   SluiceStepCheck;

#define SLUICE_TYPE_STEP (sluice_step_get_type ())
G_DECLARE_DERIVABLE_TYPE (SluiceStep, sluice_step, SLUICE, STEP, GObject)

struct _SluiceStepClass
{
  GObjectClass parent_class;

  /* What the palette and the inspector show, and what check() checks
   * the module's tool parameters against. Set in class_init. */
  const SluiceToolInfo *info;

  /* Reports problems of @module's settings through @check. Optional. */
  void         (*check)       (SluiceStepClass   *klass,
                               SluiceModule      *module,
                               SluiceStepCheck   *check);

  /* Reads @module's settings for a run (context has the run's
   * parameters). FALSE with @error (SLUICE_EXECUTOR_ERROR) to refuse the
   * run; the message names the module. */
  gboolean     (*prepare)     (SluiceStep        *self,
                               SluiceModule      *module,
                               SluiceStepContext *context,
                               GError           **error);

  /* A step whose work is Lua code returns it here: the executor then runs
   * it in its own Lua states, several consecutive Lua steps on an item
   * without leaving Lua (the hot path). Such a step has no process(). */
  const char * (*get_lua)     (SluiceStep        *self,
                               guint             *line);

  void         (*process)     (SluiceStep        *self,
                               SluiceStepCall    *call);
  void         (*cancel)      (SluiceStep        *self,
                               SluiceStepCall    *call,
                               const char        *reason);

  /* End of stream: no further item will reach this module in this run.
   * A step that holds items back (a loader's batch) writes them now. It
   * answers like process(): emits, then finish or fail; call->item is
   * NULL. Optional: without it nothing is called.
   *
   * When: once per run, after the module's controller has taken its
   * last input item (every controller before it has finished, flushes
   * included) and has no item in flight; the controller's steps flush
   * one at a time in program order, so a step flushes only after what
   * the steps before it flushed has gone by. Not when the run fails or
   * is cancelled first.
   * How: like an item. What it emits goes on from the module (through
   * the rest of its group and controller, in every mode); the module's
   * time-out cancels it; a fail() is retried with the module's retries
   * (flush is called again: keep what was not written) and then follows
   * on-error (drop and continue pass nothing on; fail fails the run).
   * Inside a combination, a failed flush fails the group, whose
   * on-error applies (a group cannot re-run a flush, its own retries do
   * not apply to it). */
  void         (*flush)       (SluiceStep        *self,
                               SluiceStepCall    *call);

  /* TRUE when the step acts on the world outside the run (runs a
   * command, calls a server, writes a table or a file), so that tests and
   * dry runs replace it by a recorder. Lua and pure transformers leave
   * it FALSE. Set in class_init. */
  gboolean side_effects;

  gpointer padding[6];
};

/* ---- the call: one item going through one step */

/* What the executor does with a call's answers. */
typedef struct
{
  void (*emit)   (SluiceStepCall *call, json_t *item);
  void (*finish) (SluiceStepCall *call);
  void (*fail)   (SluiceStepCall *call, const char *message, const char *stderr_tail);
  void (*stream) (SluiceStepCall *call, json_t *item);
  guint (*backlog) (SluiceStepCall *call);
} SluiceStepCallFuncs;

struct _SluiceStepCall
{
  const SluiceStepCallFuncs *funcs;      /* the executor's */
  json_t                    *item;       /* borrowed: the input, never changed */
  gint64                     deadline;   /* monotonic µs; 0 = none (the executor enforces it) */
  gpointer                   step_data;  /* the step's own, while it works on the call */
};

/* Hands on one output item (consumed). */
void        sluice_step_call_emit   (SluiceStepCall *call,
                                     json_t         *item);
/* The work is done; no more emits. Calls made after it are invalid. */
void        sluice_step_call_finish (SluiceStepCall *call);
/* The work failed: no emitted item counts. @stderr_tail may be NULL. */
void        sluice_step_call_fail   (SluiceStepCall *call,
                                     const char     *message,
                                     const char     *stderr_tail);
/* Streaming, for a step that turns one item into very many (an
 * extractor reading a file): hands @item (consumed) on at once instead
 * of when the call finishes, so that the step holds none of them. Items
 * streamed before a fail() have gone on already (a retry streams them
 * again). A streaming call stops counting against its controller's
 * limit of calls at once, so the steps after it can take its items even
 * in a not-parallel controller. */
void        sluice_step_call_stream (SluiceStepCall *call,
                                     json_t         *item);
/* Back-pressure for streaming: how many items the call streamed are
 * still waiting or being worked on in its controller (and waiting in
 * front of the next one). A step pauses while it is above a bound of
 * its choosing, e.g. with a short timer. Items held for ordering (the
 * outputs of order-by-sequence and first-wins controllers, or of a
 * combination) do not count: there, memory grows with the stream. */
guint       sluice_step_call_backlog (SluiceStepCall *call);

/* ---- the context: what a step may use of its run */

typedef void (*SluiceStepTimerFunc) (gpointer data);

/* A timer is the step's: it removes it (in cancel, or when finalized);
 * the run never removes it under the step, and stops firing it when the
 * run stops. What add_timer returns starts with this, so that removing
 * needs neither the context nor the run: a step kept alive by a thread
 * of its own may remove its timer after its run has gone. */
typedef struct
{
  void (*remove) (gpointer timer);
} SluiceStepTimer;

typedef struct
{
  /* One deadline heap for the whole run: a step with 100,000 items
   * waiting costs no GSource each. */
  gpointer (*add_timer)    (SluiceStepContext *context, gint64 deadline,
                            SluiceStepTimerFunc func, gpointer data);
  void     (*remove_timer) (SluiceStepContext *context, gpointer timer);
  /* A line for the run's log (events, the designer's event log). */
  void     (*log)          (SluiceStepContext *context, const char *module_id,
                            const char *message);
  /* The run's clock, in which timer deadlines are given: monotonic µs,
   * or a test run's fake clock (sluice-clock.h). NULL = monotonic. */
  gint64   (*now)          (SluiceStepContext *context);
} SluiceStepContextFuncs;

struct _SluiceStepContext
{
  const SluiceStepContextFuncs *funcs;
  gpointer                      owner;          /* the executor's */
  GHashTable                   *params;         /* name → value, borrowed */
  const char                   *base_directory; /* commands run here; NULL = ours */
};

gpointer    sluice_step_context_add_timer    (SluiceStepContext   *context,
                                              gint64               deadline,
                                              SluiceStepTimerFunc  func,
                                              gpointer             data);
void        sluice_step_context_remove_timer (SluiceStepContext   *context,
                                              gpointer             timer);
/* Now on the run's clock: add timers at sluice_step_context_now() + delay. */
gint64      sluice_step_context_now          (SluiceStepContext   *context);
void        sluice_step_context_log          (SluiceStepContext   *context,
                                              const char          *module_id,
                                              const char          *message);

/* ---- validation */

typedef void (*SluiceStepReportFunc) (SluiceStepCheck *check,
                                      SluiceSeverity   severity,
                                      guint            line,
                                      const char      *message,
                                      gpointer         data);

struct _SluiceStepCheck
{
  SluiceStepReportFunc report;
  gpointer             data;
};

void        sluice_step_check_report (SluiceStepCheck *check,
                                      SluiceSeverity   severity,
                                      guint            line,
                                      const char      *format,
                                      ...) G_GNUC_PRINTF (4, 5);

/* ---- for the executor */

const SluiceToolInfo *sluice_step_get_info    (SluiceStep        *self);
/* The module this step was prepared for. */
const char           *sluice_step_get_id      (SluiceStep        *self);
gboolean              sluice_step_prepare     (SluiceStep        *self,
                                               SluiceModule      *module,
                                               SluiceStepContext *context,
                                               GError           **error);
SluiceStepContext    *sluice_step_get_context (SluiceStep        *self);
/* Lua source when the step is Lua code (see get_lua), else NULL. */
const char           *sluice_step_get_lua     (SluiceStep        *self,
                                               guint             *line);
void                  sluice_step_process     (SluiceStep        *self,
                                               SluiceStepCall    *call);
void                  sluice_step_cancel      (SluiceStep        *self,
                                               SluiceStepCall    *call,
                                               const char        *reason);
/* See SluiceStepClass.flush; finishes @call at once for steps without. */
void                  sluice_step_flush       (SluiceStep        *self,
                                               SluiceStepCall    *call);
gboolean              sluice_step_has_side_effects (SluiceStep   *self);

G_END_DECLS
