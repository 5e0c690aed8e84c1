/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* Calls into steps (SluiceStep): one SluiceStepCallRun per item at work
 * in a step. The step sees only its SluiceStepCall; the executor applies
 * the module's time-out (by cancelling the call), counts, emits events
 * and moves the outputs on.
 *
 * A call has two owners: the executor until it has taken the call's
 * outcome ("resolved": finished, failed, timed out or abandoned because
 * the run stopped), and the step until it has answered finish() or
 * fail(). Whichever is last frees it, so a step that answers late (a
 * command still dying after a time-out) never touches freed memory. */

typedef struct
{
  SluiceStepCall   call;       /* first: what the step sees */
  SluiceExecutor  *executor;   /* owned ref: it outlives its calls */
  SluiceToken     *token;      /* owned until resolved */
  SluiceModuleRun *info;
  GPtrArray       *outputs;    /* json_t*, emitted so far */
  gpointer         timer;      /* the time-out, or NULL */
  gint64           started;
  guint            ref_count;
  gboolean         resolved;
  gboolean         answered;
  guint            streamed;   /* items handed on by stream() */
  gboolean         unslotted;  /* streaming: no longer one of the controller's calls */
} SluiceStepCallRun;

static void call_step (SluiceExecutor *self, SluiceToken *token, SluiceModuleRun *info);

/* A slot of @ctl_index's controller is free: the next waiting token goes. */
static void
start_waiting (SluiceExecutor *self,
               guint           ctl_index)
{
  SluiceStage *ctl = g_ptr_array_index (self->ctls, ctl_index);

  /* A step that answers at once (a command that cannot start) frees its
   * slot inside call_step(): the loop below takes the next token then,
   * instead of recursing once per waiting token. */
  if (ctl->starting)
    return;

  ctl->starting = TRUE;
  while (!self->stopped && ctl->calls < _sluice_stage_limit (ctl) && ctl->waiting.length > 0)
    {
      SluiceToken *token = g_queue_pop_head (&ctl->waiting);

      if (_sluice_job_is_dead (token->job))
        _sluice_token_drop (self, token);
      else
        call_step (self, token, module_run (self, program_op (token->job->prog, token->pc)->mod));
    }
  ctl->starting = FALSE;
}

static void
call_unref (SluiceStepCallRun *run)
{
  if (--run->ref_count > 0)
    return;

  json_decref (run->call.item);
  g_ptr_array_unref (run->outputs);
  g_object_unref (run->executor);
  g_free (run);
}

/* Takes the outcome of @run: @error NULL means its outputs go on. */
static void
resolve (SluiceStepCallRun *run,
         const char        *error,
         const char        *stderr_tail)
{
  SluiceExecutor *self = run->executor;
  SluiceModuleRun *info = run->info;
  SluiceToken *token = g_steal_pointer (&run->token);
  SluiceOp *op = program_op (token->job->prog, token->pc);
  gint64 duration = g_get_monotonic_time () - run->started;

  g_assert (!run->resolved);
  run->resolved = TRUE;
  g_hash_table_remove (self->calls, run);
  if (!run->unslotted)
    token->job->ctl->calls--;
  if (run->timer != NULL)
    _sluice_executor_remove_timer (self, g_steal_pointer (&run->timer));

  info->stats->active--;
  info->stats->time_us += duration;

  if (self->stopped || _sluice_job_is_dead (token->job))
    {
      if (self->stopped)
        _sluice_token_free (token);
      else
        _sluice_token_drop (self, token);
    }
  else if (error != NULL)
    {
      token->error = g_strdup (error);
      token->stderr_tail = g_strdup (stderr_tail);
      _sluice_token_failed (self, token);
    }
  else
    {
      GPtrArray *outputs = run->outputs;

      _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_FINISHED, op->mod, token->job,
                                    token->child, token->parent, duration, outputs->len + run->streamed);
      if (G_UNLIKELY (info->preview != NULL))
        sluice_preview_record_items (info->preview, TRUE, (json_t **) outputs->pdata, outputs->len);
      info->stats->items_out += outputs->len;
      if (outputs->len == 0 && run->streamed == 0)
        info->stats->dropped++;
      token->job->pending += outputs->len;
      if (outputs->len > 0)
        {
          guint first = _sluice_origin_new_ids (token->job->origin, outputs->len);

          for (guint i = 0; i < outputs->len; i++)
            {
              SluiceToken *next = _sluice_token_new (json_incref (g_ptr_array_index (outputs, i)),
                                                     token->job, op->next);

              /* A step that passes its item on unchanged keeps its id. */
              next->child = outputs->len == 1 ? token->child : first + i;
              next->parent = outputs->len == 1 ? token->parent : token->child;
              g_queue_push_tail (&self->ready, next);
            }
        }
      g_ptr_array_set_size (outputs, 0);
      _sluice_token_drop (self, token);
    }

  start_waiting (self, run->info->ctl);
  _sluice_executor_schedule (self);
  call_unref (run);
}

static void
call_emit (SluiceStepCall *call,
           json_t         *item)
{
  SluiceStepCallRun *run = (SluiceStepCallRun *) call;

  g_return_if_fail (!run->answered);

  /* Answers after a time-out or a stop go nowhere. */
  if (run->resolved)
    json_decref (item);
  else
    g_ptr_array_add (run->outputs, item);
}

/* An item goes on from the step at once (sluice_step_call_stream). */
static void
call_stream (SluiceStepCall *call,
             json_t         *item)
{
  SluiceStepCallRun *run = (SluiceStepCallRun *) call;
  SluiceExecutor *self = run->executor;
  SluiceToken *token = run->token;
  SluiceToken *next;

  g_return_if_fail (!run->answered);

  if (run->resolved || self->stopped || _sluice_job_is_dead (token->job))
    {
      json_decref (item);
      return;
    }

  if (!run->unslotted)
    {
      /* Its items need the slots it would hold. */
      run->unslotted = TRUE;
      token->job->ctl->calls--;
    }
  if (G_UNLIKELY (run->info->preview != NULL))
    sluice_preview_record_items (run->info->preview, TRUE, &item, 1);
  run->info->stats->items_out++;
  run->streamed++;
  token->job->pending++;
  next = _sluice_token_new (item, token->job, program_op (token->job->prog, token->pc)->next);
  next->child = _sluice_origin_new_ids (token->job->origin, 1);
  next->parent = token->child;
  g_queue_push_tail (&self->ready, next);
  if (run->unslotted && run->streamed == 1)
    start_waiting (self, run->info->ctl);
  _sluice_executor_schedule (self);
}

static guint
call_backlog (SluiceStepCall *call)
{
  SluiceStepCallRun *run = (SluiceStepCallRun *) call;
  SluiceExecutor *self = run->executor;
  SluiceStage *ctl;
  guint backlog;

  if (run->resolved || run->token == NULL)
    return 0;

  /* The job's tokens other than this call's own, and what waits in
   * front of the next controller. */
  ctl = run->token->job->ctl;
  backlog = run->token->job->pending > 0 ? run->token->job->pending - 1 : 0;
  if (ctl->index + 1 < self->ctls->len)
    backlog += ((SluiceStage *) g_ptr_array_index (self->ctls, ctl->index + 1))->input.length;
  return backlog;
}

static void
call_answered (SluiceStepCallRun *run,
               const char        *error,
               const char        *stderr_tail)
{
  g_return_if_fail (!run->answered);

  run->answered = TRUE;
  if (!run->resolved)
    resolve (run, error, stderr_tail);   /* drops the executor's reference */
  call_unref (run);                      /* and this is the step's */
}

static void
call_finish (SluiceStepCall *call)
{
  call_answered ((SluiceStepCallRun *) call, NULL, NULL);
}

static void
call_fail (SluiceStepCall *call,
           const char     *message,
           const char     *stderr_tail)
{
  call_answered ((SluiceStepCallRun *) call, message, stderr_tail);
}

static const SluiceStepCallFuncs call_funcs = {
  call_emit,
  call_finish,
  call_fail,
  call_stream,
  call_backlog,
};

/* Cancels @run's work; when the step does not answer at once, the
 * executor takes @reason as its outcome and lets the step answer later. */
static void
cancel_run (SluiceStepCallRun *run,
            const char        *reason)
{
  run->ref_count++;   /* the step may answer, and free it, right away */
  sluice_step_cancel (run->info->step, &run->call, reason);
  if (!run->resolved)
    resolve (run, reason, NULL);
  call_unref (run);
}

static void
timeout_cb (SluiceExecutor *self,
            gpointer        data)
{
  SluiceStepCallRun *run = data;
  g_autofree char *reason = g_strdup_printf ("timed out after %" G_GINT64_FORMAT " ms",
                                             run->info->timeout_us / 1000);

  run->timer = NULL;
  cancel_run (run, reason);
}

void
_sluice_executor_call_step (SluiceExecutor  *self,
                            SluiceToken     *token,
                            SluiceModuleRun *info)
{
  SluiceStage *ctl = token->job->ctl;

  /* Fan-out must not get around the controller's limit: children of one
   * item wait for a free slot like items do. */
  if (info->step != NULL && ctl->calls >= _sluice_stage_limit (ctl))
    {
      g_queue_push_tail (&ctl->waiting, token);
      return;
    }
  call_step (self, token, info);
}

static void
call_step (SluiceExecutor  *self,
           SluiceToken     *token,
           SluiceModuleRun *info)
{
  SluiceStepCallRun *run;

  if (token->attempt == 0 && !token->flush)
    info->stats->items_in++;

  if (info->step == NULL)
    {
      /* No step is registered for this kind of module (yet): every item
       * fails with the reason, and retrying cannot help. */
      token->error = g_strdup (info->reason);
      token->attempt = MAX (token->attempt, info->retries);
      _sluice_token_failed (self, token);
      return;
    }

  info->stats->active++;
  _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_STARTED,
                                program_op (token->job->prog, token->pc)->mod,
                                token->job, token->child, token->parent, 0, 0);

  run = g_new0 (SluiceStepCallRun, 1);
  run->call.funcs = &call_funcs;
  run->call.item = json_incref (token->item);
  run->executor = g_object_ref (self);
  run->token = token;
  run->info = info;
  run->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  run->started = g_get_monotonic_time ();
  run->ref_count = 2;   /* the executor's and the step's */
  if (info->timeout_us > 0)
    {
      run->call.deadline = run->started + info->timeout_us;
      run->timer = _sluice_executor_add_timer (self, _sluice_executor_now (self) + info->timeout_us,
                                               timeout_cb, run);
    }
  g_hash_table_add (self->calls, run);
  token->job->ctl->calls++;

  if (token->flush)
    sluice_step_flush (info->step, &run->call);
  else
    sluice_step_process (info->step, &run->call);
}

static gboolean
job_within (SluiceJob *job,
            SluiceJob *ancestor)
{
  for (; job != NULL; job = job->parent)
    if (job == ancestor)
      return TRUE;
  return FALSE;
}

void
_sluice_executor_cancel_calls (SluiceExecutor *self,
                               SluiceJob      *job,
                               const char     *reason)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  /* Cancelling resolves calls, which leave the set: walk a copy. */
  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SluiceStepCallRun *run = key;

      if (job == NULL || job_within (run->token->job, job))
        {
          run->ref_count++;
          g_ptr_array_add (runs, run);
        }
    }

  for (guint i = 0; i < runs->len; i++)
    {
      SluiceStepCallRun *run = g_ptr_array_index (runs, i);

      if (!run->resolved)
        cancel_run (run, reason);
      call_unref (run);
    }
}

SluiceStep *
_sluice_executor_call_step_of (gpointer call)
{
  return ((SluiceStepCallRun *) call)->info->step;
}
