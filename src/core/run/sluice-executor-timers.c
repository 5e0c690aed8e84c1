/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* One deadline heap for the whole run: delays, retry back-offs and
 * time-outs of every item share it, and the executor's one GSource wakes
 * up for its earliest deadline. 100,000 waiting items cost no GSource
 * each.
 *
 * Whose timer is it: the executor's own (func) are its to remove, also
 * when the run stops. A step's (step_func) belong to the step, which
 * removes them (in its cancel, or when it is finalized); the executor
 * never removes them under it. When the run stops, they stay in the
 * heap but no longer fire. When the executor goes while a step still
 * holds one (a step kept alive by its worker thread), the timer is left
 * orphaned (iter NULL) for the step to free when it removes it. */

static gint
timer_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const SluiceTimer *ta = a, *tb = b;

  if (ta->deadline != tb->deadline)
    return ta->deadline < tb->deadline ? -1 : 1;
  return ta->serial < tb->serial ? -1 : ta->serial > tb->serial;
}

static SluiceTimer *
add_timer (SluiceExecutor *self,
           gint64          deadline,
           gpointer        data)
{
  SluiceTimer *timer = g_new0 (SluiceTimer, 1);

  timer->deadline = deadline;
  timer->serial = self->timer_serial++;
  timer->data = data;
  timer->iter = g_sequence_insert_sorted (self->timers, timer, timer_compare, NULL);
  _sluice_executor_schedule (self);

  return timer;
}

gpointer
_sluice_executor_add_timer (SluiceExecutor  *self,
                            gint64           deadline,
                            SluiceTimerFunc  func,
                            gpointer         data)
{
  SluiceTimer *timer = add_timer (self, deadline, data);

  timer->func = func;
  return timer;
}

/* Touches neither a context nor the executor: the run may be gone. */
static void
step_timer_remove (gpointer timer)
{
  SluiceTimer *t = timer;

  if (t->iter != NULL)
    g_sequence_remove (t->iter);
  g_free (t);
}

/* The timers of steps (SluiceStepContext). */
static gpointer
step_add_timer (SluiceStepContext   *context,
                gint64               deadline,
                SluiceStepTimerFunc  func,
                gpointer             data)
{
  SluiceTimer *timer = add_timer (context->owner, deadline, data);

  timer->step_func = func;
  timer->handle.remove = step_timer_remove;
  return timer;
}

static void
step_remove_timer (SluiceStepContext *context,
                   gpointer           timer)
{
  step_timer_remove (timer);
}

static void
step_log (SluiceStepContext *context,
          const char        *module_id,
          const char        *message)
{
  SluiceExecutor *self = context->owner;
  SluiceEvent *event;

  if (!self->listening)
    return;
  event = _sluice_executor_event_new (self, SLUICE_EVENT_LOG, NULL, module_id, 0);
  event->message = g_strdup (message);
  _sluice_executor_emit (self, event);
}

static gint64
step_now (SluiceStepContext *context)
{
  return _sluice_executor_now (context->owner);
}

const SluiceStepContextFuncs _sluice_executor_step_context_funcs = {
  step_add_timer,
  step_remove_timer,
  step_log,
  step_now,
};

void
_sluice_executor_remove_timer (SluiceExecutor *self,
                               gpointer        timer)
{
  SluiceTimer *t = timer;

  g_sequence_remove (t->iter);
  g_free (t);
}

void
_sluice_executor_fire_timers (SluiceExecutor *self)
{
  gint64 now = _sluice_executor_now (self);

  /* A stopped run's steps' timers wait for their steps to remove them. */
  if (self->stopped)
    return;
  while (!g_sequence_is_empty (self->timers))
    {
      GSequenceIter *iter = g_sequence_get_begin_iter (self->timers);
      SluiceTimer *timer = g_sequence_get (iter);
      SluiceTimerFunc func;
      SluiceStepTimerFunc step_func;
      gpointer data;

      if (timer->deadline > now)
        break;
      func = timer->func;
      step_func = timer->step_func;
      data = timer->data;
      g_sequence_remove (iter);
      g_free (timer);
      if (step_func != NULL)
        step_func (data);
      else
        func (self, data);
      if (self->stopped)
        break;
    }
}

void
_sluice_executor_clear_timers (SluiceExecutor *self)
{
  GSequenceIter *iter = g_sequence_get_begin_iter (self->timers);

  while (!g_sequence_iter_is_end (iter))
    {
      GSequenceIter *next = g_sequence_iter_next (iter);
      SluiceTimer *timer = g_sequence_get (iter);

      /* A retry owns its token; a group's time-out is pointed at by its
       * job. A step's timer is the step's (above). */
      if (timer->step_func == NULL)
        {
          if (timer->func == _sluice_executor_retry_cb)
            _sluice_token_free (timer->data);
          else if (timer->func == _sluice_executor_group_timeout_cb)
            ((SluiceJob *) timer->data)->timer = NULL;
          g_sequence_remove (iter);
          g_free (timer);
        }
      iter = next;
    }
}

void
_sluice_executor_free_timers (SluiceExecutor *self)
{
  GSequenceIter *iter;

  _sluice_executor_clear_timers (self);
  /* What is left belongs to steps that outlive the run. */
  for (iter = g_sequence_get_begin_iter (self->timers); !g_sequence_iter_is_end (iter);
       iter = g_sequence_iter_next (iter))
    ((SluiceTimer *) g_sequence_get (iter))->iter = NULL;
  g_sequence_free (self->timers);
  self->timers = NULL;
}

gint64
_sluice_executor_next_deadline (SluiceExecutor *self)
{
  SluiceTimer *timer;

  if (g_sequence_is_empty (self->timers))
    return -1;
  timer = g_sequence_get (g_sequence_get_begin_iter (self->timers));
  return timer->deadline;
}

/* Is anything in flight that takes real time? Lua on the workers, input
 * still being read, a step with side effects that really runs (a real
 * command in a test). Stubs and delays only wait for timers. */
static gboolean
real_work_in_flight (SluiceExecutor *self)
{
  GHashTableIter iter;
  gpointer key;

  if (self->segments_out > 0 || self->input_waiting || self->ready.length > 0)
    return TRUE;
  g_hash_table_iter_init (&iter, self->calls);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SluiceStep *step = _sluice_executor_call_step_of (key);

      if (step != NULL && sluice_step_has_side_effects (step))
        return TRUE;
    }
  return FALSE;
}

gboolean
_sluice_executor_skip_to_next_timer (SluiceExecutor *self)
{
  gint64 deadline;

  if (!sluice_clock_is_fake (self->clock) || self->state != SLUICE_RUN_RUNNING)
    return FALSE;
  deadline = _sluice_executor_next_deadline (self);
  if (deadline == -1 || real_work_in_flight (self))
    return FALSE;
  sluice_clock_advance_to (self->clock, deadline);
  return TRUE;
}
