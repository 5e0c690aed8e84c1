/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-duration.h"
#include "sluice-run-state.h"
#include "sluice-tool-batch.h"

typedef struct
{
  GPtrArray      *items;    /* json_t*, owned */
  SluiceStepCall *waiter;   /* the call that answers with this write, or NULL */
  json_t         *trigger;  /* the item of the call that completed it: its retry resends it */
  gboolean        hold;     /* the waiter waits for the outcome (a resend), not only the start */
} Batch;

/* One worker-thread job: a batch's write, or the commit. */
typedef struct
{
  SluiceToolBatch *owner;   /* NULL once the helper is freed */
  SluiceStep      *step;    /* the owner's, held until the answer goes */
  GMainContext    *context; /* the run's, where the answer goes; held until it is there */
  GPtrArray       *items;   /* NULL for the commit */
  GCancellable    *cancellable; /* the run's stop gives up on the write with it */
  char            *error;   /* the answer: NULL or the message */
  gboolean         working; /* under jobs_lock: the pool thread has not answered yet */
  gboolean         cancelled; /* under jobs_lock: its run's stop cancelled it */
  gboolean         abandoned; /* under jobs_lock: its run's stop gave up waiting */
} Job;

struct _SluiceToolBatch
{
  SluiceStepContext        *context;   /* borrowed: the run outlives its steps */
  char                     *module_id;
  char                     *target;    /* where the writes go, for messages; or NULL */
  guint                     size;
  gint64                    interval_us;
  SluiceToolBatchWriteFunc  write;
  gpointer                  user_data;

  GPtrArray                *open;      /* json_t*: the batch being collected */
  gpointer                  timer;     /* the interval, while @open has items */
  GQueue                    queue;     /* Batch*, closed, in order of writing */
  Batch                    *writing;   /* the one write outstanding */
  GPtrArray                *failed;    /* Batch*: failed writes kept for a retry */
  SluiceStepCall           *flushing;  /* the flush call, until all is written */
  gboolean                  pumping;
  gboolean                  paused;    /* a write failed: nothing more until the next call */
  gpointer                  resume;    /* after a failure, for calls already waiting */
  gboolean                  stopped;   /* the run stopped: no write starts any more */

  /* A worker's (sluice_tool_batch_new_worker). */
  SluiceStep               *step;      /* borrowed: owns the helper */
  SluiceToolBatchWorkFunc   work;
  SluiceToolBatchCommitFunc commit;
  Job                      *job;       /* the one running, if any */
  gboolean                  pass;

  SluiceToolBatchEncodeFunc encode;    /* NULL: items are kept as they are */
  gpointer                  encode_data;
};

static void pump (SluiceToolBatch *self);
static void register_batch (SluiceToolBatch *self);
static void unregister_batch (SluiceToolBatch *self);

static Batch *
batch_new (GPtrArray      *items,
           SluiceStepCall *waiter)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->items = items;
  batch->waiter = waiter;
  batch->trigger = waiter != NULL ? json_incref (waiter->item) : NULL;
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->items);
  if (batch->trigger != NULL)
    json_decref (batch->trigger);
  g_free (batch);
}

static GPtrArray *
items_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
}

/* The batch being collected, room for a whole batch at once: growing it
 * from 16 by reallocation cost ~400 instructions an item. */
static GPtrArray *
open_new (SluiceToolBatch *self)
{
  return g_ptr_array_new_full (MIN (self->size, 65536), (GDestroyNotify) json_decref);
}

SluiceToolBatch *
sluice_tool_batch_new (SluiceStepContext        *context,
                       const char               *module_id,
                       guint                     size,
                       gint64                    interval_us,
                       SluiceToolBatchWriteFunc  write,
                       gpointer                  user_data)
{
  SluiceToolBatch *self = g_new0 (SluiceToolBatch, 1);

  g_return_val_if_fail (write != NULL, NULL);

  self->context = context;
  self->module_id = g_strdup (module_id);
  self->size = MAX (size, 1);
  self->interval_us = interval_us;
  self->write = write;
  self->user_data = user_data;
  self->open = open_new (self);
  self->failed = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
  g_queue_init (&self->queue);
  register_batch (self);
  return self;
}

void
sluice_tool_batch_free (SluiceToolBatch *self)
{
  if (self == NULL)
    return;

  unregister_batch (self);
  /* The interval's timer is the step's to remove, also after its run
   * stopped or went (the step may outlive it while a write runs). */
  if (self->timer != NULL)
    sluice_step_context_remove_timer (self->context, g_steal_pointer (&self->timer));
  if (self->resume != NULL)
    sluice_step_context_remove_timer (self->context, g_steal_pointer (&self->resume));
  if (self->job != NULL)
    self->job->owner = NULL;
  g_ptr_array_unref (self->open);
  g_queue_clear_full (&self->queue, (GDestroyNotify) batch_free);
  g_clear_pointer (&self->writing, batch_free);
  g_ptr_array_unref (self->failed);
  g_free (self->module_id);
  g_free (self->target);
  g_free (self);
}

/* To the run's log; not once the run stopped: what it has to say of its
 * writes then, the stop said (sluice_tool_writes_stop), and the run may
 * be gone by the time a write it gave up on answers. */
static void
log_message (SluiceToolBatch *self,
             const char      *message)
{
  if (self->context != NULL && !self->stopped)
    sluice_step_context_log (self->context, self->module_id, message);
}

/* Closes the batch being collected; @waiter answers with its write. */
static void
close_open (SluiceToolBatch *self,
            SluiceStepCall  *waiter)
{
  if (self->timer != NULL)
    sluice_step_context_remove_timer (self->context, g_steal_pointer (&self->timer));
  if (self->open->len == 0 && waiter == NULL)
    return;

  g_queue_push_tail (&self->queue, batch_new (g_steal_pointer (&self->open), waiter));
  self->open = open_new (self);
}

static void
interval_cb (gpointer data)
{
  SluiceToolBatch *self = data;

  self->timer = NULL;
  close_open (self, NULL);
  pump (self);
}

/* The flush call finishes once nothing is left to write. */
static void start_job (SluiceToolBatch *self, GPtrArray *items);

static void
maybe_finish_flush (SluiceToolBatch *self)
{
  if (self->flushing == NULL || self->writing != NULL || !g_queue_is_empty (&self->queue))
    return;

  if (self->commit != NULL)
    {
      if (self->job == NULL && !self->stopped)
        start_job (self, NULL);
      return;
    }
  sluice_step_call_finish (g_steal_pointer (&self->flushing));
}

static void
pump (SluiceToolBatch *self)
{
  /* A writer that answers at once calls back into write_done(), which
   * comes back here: the loop below takes the next batch then. */
  if (self->pumping || self->paused || self->stopped)
    return;

  self->pumping = TRUE;
  while (self->writing == NULL && !g_queue_is_empty (&self->queue))
    {
      Batch *batch = g_queue_pop_head (&self->queue);

      self->writing = batch;
      self->write (self, batch->items, self->user_data);
      /* Still being written: the call that completed it goes on (the
       * next batch fills meanwhile). Should the write fail, the batch is
       * nobody's, and the next call resends it. */
      if (self->writing == batch && batch->waiter != NULL && !batch->hold)
        {
          g_clear_pointer (&batch->trigger, json_decref);
          sluice_step_call_finish (g_steal_pointer (&batch->waiter));
        }
    }
  self->pumping = FALSE;

  maybe_finish_flush (self);
}

static gboolean
queue_has_waiter (SluiceToolBatch *self)
{
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    if (((Batch *) l->data)->waiter != NULL)
      return TRUE;
  return FALSE;
}

/* After a failed write: calls that were already waiting for their
 * batches (several workers) wait for no next call — none would come
 * while they hold the workers. When the run goes on (on-error drop,
 * continue, a retry), their batches are written; when the failure
 * stopped it, its steps' timers no longer fire and its calls were
 * cancelled. */
static void
resume_cb (gpointer data)
{
  SluiceToolBatch *self = data;

  self->resume = NULL;
  if (self->paused && queue_has_waiter (self))
    {
      self->paused = FALSE;
      pump (self);
    }
}

void
sluice_tool_batch_write_done (SluiceToolBatch *self,
                              const char      *error)
{
  Batch *batch = g_steal_pointer (&self->writing);
  SluiceStepCall *waiter;

  g_return_if_fail (batch != NULL);

  waiter = g_steal_pointer (&batch->waiter);
  if (error == NULL)
    {
      batch_free (batch);
      if (waiter != NULL)
        sluice_step_call_finish (waiter);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "a batch of %u item was not written: %s",
                                                               "a batch of %u items was not written: %s", batch->items->len),
                                                  batch->items->len, error);

      /* Kept for the retry of its call, or of the flush, or of the next
       * call when nobody waited for it. Nothing more is written until a
       * call comes: when the failure stops the run, none will. */
      if (waiter == NULL && !g_queue_is_empty (&self->queue) &&
          ((Batch *) g_queue_peek_head (&self->queue))->waiter != NULL)
        {
          /* A call waits with the next batch: it takes this one along
           * and answers with the outcome of both. */
          Batch *next = g_queue_peek_head (&self->queue);

          log_message (self, message);
          g_ptr_array_extend_and_steal (batch->items, g_steal_pointer (&next->items));
          next->items = g_steal_pointer (&batch->items);
          next->hold = TRUE;
          batch->items = items_new ();
          batch_free (batch);
          pump (self);
          return;
        }
      g_ptr_array_add (self->failed, batch);
      self->paused = TRUE;
      if (self->resume == NULL && queue_has_waiter (self))
        self->resume = sluice_step_context_add_timer (self->context, g_get_monotonic_time (), resume_cb, self);
      if (waiter != NULL)
        sluice_step_call_fail (waiter, message, NULL);
      else if (self->flushing != NULL)
        {
          /* Nothing more is written in this flush: its retry resends. */
          while (!g_queue_is_empty (&self->queue))
            g_ptr_array_add (self->failed, g_queue_pop_head (&self->queue));
          sluice_step_call_fail (g_steal_pointer (&self->flushing), message, NULL);
          return;
        }
      else
        log_message (self, message);
    }

  pump (self);
}

/* The failed batch of @call's own (its retry), or NULL. */
static Batch *
take_own_failed (SluiceToolBatch *self,
                 SluiceStepCall  *call)
{
  for (guint i = 0; i < self->failed->len; i++)
    {
      Batch *batch = g_ptr_array_index (self->failed, i);

      if (batch->trigger != NULL && batch->trigger == call->item)
        return g_ptr_array_steal_index (self->failed, i);
    }
  return NULL;
}

/* The first failed batch nobody waits for, which @call's item (@kept,
 * as encode made it) joins, so that its retry resends both; or NULL. */
static Batch *
take_orphan_failed (SluiceToolBatch *self,
                    SluiceStepCall  *call,
                    json_t          *kept)
{
  for (guint i = 0; i < self->failed->len; i++)
    {
      Batch *batch = g_ptr_array_index (self->failed, i);

      if (batch->trigger == NULL)
        {
          g_ptr_array_add (batch->items, kept);
          batch->trigger = json_incref (call->item);
          return g_ptr_array_steal_index (self->failed, i);
        }
    }
  return NULL;
}

/* What the batch keeps of call->item (encode's form), or NULL after
 * failing @call. */
static json_t *
keep_item (SluiceToolBatch *self,
           SluiceStepCall  *call)
{
  g_autoptr(GError) error = NULL;
  json_t *kept;

  if (self->encode == NULL)
    return json_incref (call->item);
  kept = self->encode (call->item, self->encode_data, &error);
  if (kept == NULL)
    sluice_step_call_fail (call, error->message, NULL);
  return kept;
}

void
sluice_tool_batch_add (SluiceToolBatch *self,
                       SluiceStepCall  *call)
{
  Batch *retry;
  json_t *kept;

  g_return_if_fail (self != NULL);
  g_return_if_fail (call->item != NULL);

  self->paused = FALSE;
  retry = take_own_failed (self, call);
  if (retry == NULL)
    {
      kept = keep_item (self, call);
      if (kept == NULL)
        return;
      retry = take_orphan_failed (self, call, kept);
      if (retry == NULL)
        g_ptr_array_add (self->open, kept);
    }
  if (retry != NULL)
    {
      retry->waiter = call;
      retry->hold = TRUE;
      g_queue_push_head (&self->queue, retry);
      pump (self);
      return;
    }

  if (self->open->len >= self->size)
    {
      close_open (self, call);
      pump (self);
      return;
    }

  if (self->timer == NULL && self->interval_us > 0)
    self->timer = sluice_step_context_add_timer (self->context, g_get_monotonic_time () + self->interval_us,
                                                 interval_cb, self);
  sluice_step_call_finish (call);
}

void
sluice_tool_batch_set_target (SluiceToolBatch *self,
                              const char      *target)
{
  g_return_if_fail (self != NULL);

  g_free (self->target);
  self->target = g_strdup (target);
}

void
sluice_tool_batch_set_encode (SluiceToolBatch           *self,
                              SluiceToolBatchEncodeFunc  encode,
                              gpointer                   user_data)
{
  g_return_if_fail (self != NULL);

  self->encode = encode;
  self->encode_data = user_data;
}

void
sluice_tool_batch_flush (SluiceToolBatch *self,
                         SluiceStepCall  *call)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->flushing == NULL);

  /* Calls that gave up on their batch (on-error drop or continue) are
   * done by now: their batches are not written, and that is said. */
  for (guint i = self->failed->len; i > 0; i--)
    {
      Batch *batch = g_ptr_array_index (self->failed, i - 1);

      if (batch->trigger != NULL)
        {
          g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                   "gave up a batch of %u item after its write failed",
                                                                   "gave up a batch of %u items after its write failed",
                                                                   batch->items->len),
                                                      batch->items->len);

          log_message (self, message);
          g_ptr_array_remove_index (self->failed, i - 1);
        }
    }

  /* Resend what failed without a caller, in the order it came. */
  for (guint i = self->failed->len; i > 0; i--)
    g_queue_push_head (&self->queue, g_ptr_array_steal_index (self->failed, i - 1));

  close_open (self, NULL);
  self->flushing = call;
  self->paused = FALSE;
  pump (self);
}

void
sluice_tool_batch_cancel (SluiceToolBatch *self,
                          SluiceStepCall  *call,
                          const char      *reason)
{
  g_return_if_fail (self != NULL);

  if (self->flushing == call)
    {
      self->flushing = NULL;
      sluice_step_call_fail (call, reason, NULL);
      return;
    }
  if (self->writing != NULL && self->writing->waiter == call)
    {
      self->writing->waiter = NULL;
      sluice_step_call_fail (call, reason, NULL);
      return;
    }
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    {
      Batch *batch = l->data;

      if (batch->waiter == call)
        {
          batch->waiter = NULL;
          sluice_step_call_fail (call, reason, NULL);
          return;
        }
    }
}

gboolean
sluice_tool_batch_is_writing (SluiceToolBatch *self)
{
  return self->writing != NULL || self->job != NULL;
}

void
sluice_tool_batch_process (SluiceToolBatch *self,
                           SluiceStepCall  *call)
{
  g_return_if_fail (self != NULL);

  if (self->pass)
    sluice_step_call_emit (call, json_incref (call->item));
  sluice_tool_batch_add (self, call);
}

/* ---- a worker's writes, on a worker thread
 *
 * Each job runs on a thread of a shared pool and answers on the main
 * context of the run that started it, through a source of its own. Two
 * designer runs may write at once, each from a thread of its own: what
 * the pool threads and the runs' threads share is under @jobs_lock.
 *
 * When a run stops (sluice_tool_writes_stop), none of its batches starts
 * another write, and the run waits for the one its worker is doing: no
 * write of a run lands after the run said it ended, and no thread works
 * for it any more. The answer is then on the run's context, dispatched
 * by its next iteration (or dropped with the context, which lets go of
 * the step). */

static GMutex jobs_lock;
static GCond  jobs_cond;
/* SluiceToolBatch*, every live one: the stop finds its run's here. */
static GList *batches;

/* Jobs started and not yet freed, in every run. Atomic: sluice-run
 * waits for them at its end (sluice_tool_batch_wait_for_writes), on its
 * main context. */
static gint n_writes_in_flight;
/* Of those, the ones a run's stop gave up waiting for: the process's end
 * does not wait for them again. */
static gint n_writes_abandoned;

/* How long a process waits at its end for writes still going, and a
 * run at its stop for the write its worker is doing. */
#define WAIT_FOR_WRITES_MS 10000
/* How long a run's stop waits for a write it cancelled to give up. */
#define WAIT_FOR_CANCELLED_MS 2000

static void
register_batch (SluiceToolBatch *self)
{
  g_mutex_lock (&jobs_lock);
  batches = g_list_prepend (batches, self);
  g_mutex_unlock (&jobs_lock);
}

static void
unregister_batch (SluiceToolBatch *self)
{
  g_mutex_lock (&jobs_lock);
  batches = g_list_remove (batches, self);
  g_mutex_unlock (&jobs_lock);
}

static void
job_free (Job *job)
{
  if (job->items != NULL)
    g_ptr_array_unref (job->items);
  g_clear_object (&job->cancellable);
  g_free (job->error);
  /* Not answered (its context went first): the helper forgets it
   * before it may go with its step. */
  if (job->owner != NULL && job->owner->job == job)
    job->owner->job = NULL;
  /* The step goes with its last write's answer (a replace-mode file's
   * temporary file is removed then, unless the run still holds it). */
  g_clear_object (&job->step);
  if (job->abandoned)
    g_atomic_int_add (&n_writes_abandoned, -1);
  g_free (job);
  g_atomic_int_add (&n_writes_in_flight, -1);
}

static gboolean
job_done_cb (gpointer data)
{
  Job *job = data;
  SluiceToolBatch *self = job->owner;
  SluiceStepCall *flushing;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  self->job = NULL;
  if (job->items != NULL)
    {
      sluice_tool_batch_write_done (self, job->error);
      return G_SOURCE_REMOVE;
    }

  /* The commit: the flush (unless cancelled meanwhile) answers with it. */
  flushing = g_steal_pointer (&self->flushing);
  if (flushing == NULL)
    return G_SOURCE_REMOVE;
  if (job->error != NULL)
    sluice_step_call_fail (flushing, job->error, NULL);
  else
    sluice_step_call_finish (flushing);
  return G_SOURCE_REMOVE;
}

/* On a pool thread. The owner is alive: the job holds its step. */
static void
job_thread (gpointer data,
            gpointer unused)
{
  Job *job = data;
  SluiceToolBatch *self = job->owner;
  char *error = job->items != NULL ? self->work (job->items, job->cancellable, self->user_data)
                                    : self->commit (self->user_data);
  /* The job is the source's once attached: it may go at once. */
  GMainContext *context = g_steal_pointer (&job->context);
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "sluice-tool-batch write done");
  g_source_set_callback (source, job_done_cb, job, (GDestroyNotify) job_free);

  /* Answered and no longer working, in one step for the stop: once it
   * sees the job done, the answer is on the run's context. */
  g_mutex_lock (&jobs_lock);
  job->error = error;
  job->working = FALSE;
  g_source_attach (source, context);
  g_cond_broadcast (&jobs_cond);
  g_mutex_unlock (&jobs_lock);

  /* The source, not the job, holds the context from now on: should the
   * context go undispatched, the job goes with it. */
  g_source_unref (source);
  g_main_context_unref (context);
}

static GThreadPool *
job_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (job_thread, NULL, -1, FALSE, NULL));
  return pool;
}

static void
start_job (SluiceToolBatch *self,
           GPtrArray       *items)
{
  Job *job = g_new0 (Job, 1);

  job->owner = self;
  job->step = g_object_ref (self->step);
  job->context = g_main_context_ref_thread_default ();
  job->items = items != NULL ? g_ptr_array_ref (items) : NULL;
  job->cancellable = g_cancellable_new ();
  job->working = TRUE;
  self->job = job;
  g_atomic_int_inc (&n_writes_in_flight);
  g_thread_pool_push (job_pool (), job, NULL);
}

/* Whether a batch of @context's still has its worker writing; under
 * @jobs_lock. */
static gboolean
context_is_writing (SluiceStepContext *context)
{
  for (GList *l = batches; l != NULL; l = l->next)
    {
      SluiceToolBatch *batch = l->data;

      /* ->job is only set and cleared on this run's thread, the caller. */
      if (batch->context == context && batch->job != NULL && batch->job->working)
        return TRUE;
    }
  return FALSE;
}

/* Waits until no batch of @context has its worker writing, or until
 * @deadline; under @jobs_lock. The worker needs nothing of this thread
 * to end its write. */
static void
wait_for_context (SluiceStepContext *context,
                  gint64             deadline)
{
  while (context_is_writing (context) && g_cond_wait_until (&jobs_cond, &jobs_lock, deadline))
    ;
}

/* The writes of @context's batches still going are cancelled: under
 * @jobs_lock. Returns their cancellables, to cancel once the lock is
 * let go (a cancellable's handlers run in the caller). */
static GPtrArray *
cancel_writes (SluiceStepContext *context)
{
  GPtrArray *cancellables = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = batches; l != NULL; l = l->next)
    {
      SluiceToolBatch *batch = l->data;

      if (batch->context == context && batch->job != NULL && batch->job->working)
        {
          batch->job->cancelled = TRUE;
          g_ptr_array_add (cancellables, g_object_ref (batch->job->cancellable));
        }
    }
  return cancellables;
}

/* What the run says of @batch's write at its stop: that it failed
 * (answered, its answer not yet dispatched: nobody will resend it),
 * that it was cancelled, or that it is left to end on its own (the
 * process's end does not wait for it again); NULL when it was written.
 * Under @jobs_lock. */
static char *
describe_write (SluiceToolBatch *batch)
{
  Job *job = batch->job;
  const char *target = batch->target != NULL ? batch->target : "its target";

  if (job->working)
    {
      if (!job->abandoned)
        g_atomic_int_inc (&n_writes_abandoned);
      job->abandoned = TRUE;
      return g_strdup_printf ("module “%s”: its batched write to %s was still going %d s after the run stopped, "
                              "and it did not end when cancelled: it is left to end on its own",
                              batch->module_id, target, WAIT_FOR_WRITES_MS / 1000);
    }
  if (job->error == NULL)
    return NULL;
  if (job->cancelled)
    return g_strdup_printf ("module “%s”: its batched write to %s was still going %d s after the run stopped: "
                            "it was cancelled", batch->module_id, target, WAIT_FOR_WRITES_MS / 1000);
  if (job->items == NULL)
    return g_strdup_printf ("module “%s”: its last write to %s did not end: %s", batch->module_id, target, job->error);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "module “%s”: a batch of %u item was not written: %s",
                                       "module “%s”: a batch of %u items was not written: %s", job->items->len),
                          batch->module_id, job->items->len, job->error);
}

/* The messages of describe_write() for @context's batches, and their
 * modules' ids, in the same order: under @jobs_lock. */
static void
describe_writes (SluiceStepContext *context,
                 GPtrArray         *module_ids,
                 GPtrArray         *messages)
{
  for (GList *l = batches; l != NULL; l = l->next)
    {
      SluiceToolBatch *batch = l->data;
      char *message;

      if (batch->context != context || batch->job == NULL)
        continue;
      message = describe_write (batch);
      if (message == NULL)
        continue;
      g_ptr_array_add (module_ids, g_strdup (batch->module_id));
      g_ptr_array_add (messages, message);
    }
}

char *
sluice_tool_writes_stop (SluiceStepContext *context)
{
  g_autoptr(GPtrArray) cancellables = NULL;
  g_autoptr(GPtrArray) module_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&jobs_lock);
  for (GList *l = batches; l != NULL; l = l->next)
    if (((SluiceToolBatch *) l->data)->context == context)
      ((SluiceToolBatch *) l->data)->stopped = TRUE;
  /* Bounded: a server that stalls must not hold the run's end forever. */
  wait_for_context (context, g_get_monotonic_time () + WAIT_FOR_WRITES_MS * G_TIME_SPAN_MILLISECOND);
  cancellables = cancel_writes (context);
  if (cancellables->len > 0)
    {
      /* A request gives up at once: its answer (the cancellation) is
       * then on the run's context before the run says it ended, and
       * nothing of the run is still going after. */
      g_mutex_unlock (&jobs_lock);
      for (guint i = 0; i < cancellables->len; i++)
        g_cancellable_cancel (g_ptr_array_index (cancellables, i));
      g_mutex_lock (&jobs_lock);
      wait_for_context (context, g_get_monotonic_time () + WAIT_FOR_CANCELLED_MS * G_TIME_SPAN_MILLISECOND);
    }
  describe_writes (context, module_ids, messages);
  g_mutex_unlock (&jobs_lock);

  for (guint i = 0; i < messages->len; i++)
    sluice_step_context_log (context, g_ptr_array_index (module_ids, i), g_ptr_array_index (messages, i));
  if (messages->len == 0)
    return NULL;
  g_ptr_array_add (messages, NULL);
  return g_strjoinv ("; ", (GStrv) messages->pdata);
}

static void
worker_write_cb (SluiceToolBatch *self,
                 GPtrArray       *items,
                 gpointer         user_data)
{
  start_job (self, items);
}

static SluiceToolBatch *
new_for_step (SluiceStep               *step,
              SluiceToolParams         *params,
              SluiceToolBatchWriteFunc  write,
              gpointer                  user_data,
              GError                  **error)
{
  const char *module_id = sluice_tool_params_get_module_id (params);
  SluiceToolBatch *self;
  guint size;
  gint64 interval;

  if (!sluice_tool_batch_read_params (module_id,
                                      sluice_tool_params_get (params, "batch-size"),
                                      sluice_tool_params_get (params, "batch-interval"),
                                      &size, &interval, error))
    return NULL;

  self = sluice_tool_batch_new (sluice_step_get_context (step), module_id, size, interval, write, user_data);
  self->step = step;
  self->pass = sluice_tool_params_get (params, "pass") != NULL && sluice_tool_params_get_bool (params, "pass");
  return self;
}

SluiceToolBatch *
sluice_tool_batch_new_for_params (SluiceStep               *step,
                                  SluiceToolParams         *params,
                                  SluiceToolBatchWriteFunc  write,
                                  gpointer                  user_data,
                                  GError                  **error)
{
  g_return_val_if_fail (SLUICE_IS_STEP (step), NULL);

  return new_for_step (step, params, write, user_data, error);
}

SluiceToolBatch *
sluice_tool_batch_new_worker (SluiceStep                *step,
                              SluiceToolParams          *params,
                              SluiceToolBatchWorkFunc    work,
                              SluiceToolBatchCommitFunc  commit,
                              gpointer                   user_data,
                              GError                   **error)
{
  SluiceToolBatch *self;

  g_return_val_if_fail (SLUICE_IS_STEP (step), NULL);
  g_return_val_if_fail (work != NULL, NULL);

  self = new_for_step (step, params, worker_write_cb, NULL, error);
  if (self == NULL)
    return NULL;
  self->work = work;
  self->commit = commit;
  self->user_data = user_data;
  return self;
}

gboolean
sluice_tool_batch_read_params (const char  *module_id,
                               const char  *size_text,
                               const char  *interval_text,
                               guint       *size,
                               gint64      *interval_us,
                               GError     **error)
{
  guint64 value = 1000;
  gint64 ms = 1000;

  if (size_text != NULL &&
      (!g_ascii_string_to_unsigned (size_text, 10, 1, 10000000, &value, NULL)))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: batch-size must be a whole number from 1 to 10000000: “%s”",
                   module_id, size_text);
      return FALSE;
    }
  if (interval_text != NULL && !sluice_duration_parse (interval_text, &ms))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: batch-interval is not a duration like 500ms or 2s: “%s”",
                   module_id, interval_text);
      return FALSE;
    }

  *size = value;
  *interval_us = ms * 1000;
  return TRUE;
}

static gint
writes_to_wait_for (void)
{
  return g_atomic_int_get (&n_writes_in_flight) - g_atomic_int_get (&n_writes_abandoned);
}

static void
waited_enough_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

void
sluice_tool_batch_wait_for_writes (void)
{
  gboolean waited_enough = FALSE;
  guint timer;

  if (writes_to_wait_for () == 0)
    return;
  /* Bounded: a write to a server that stalls must not keep the process
   * from exiting (its step is then not cleaned up, as before). */
  timer = g_timeout_add_once (WAIT_FOR_WRITES_MS, waited_enough_cb, &waited_enough);
  /* A job holds its step until its answer has been dispatched here;
   * the step goes with the job, within that same iteration. */
  while (writes_to_wait_for () > 0 && !waited_enough)
    g_main_context_iteration (NULL, TRUE);
  if (!waited_enough)
    g_source_remove (timer);
}
