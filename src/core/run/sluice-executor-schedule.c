/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>

#include "sluice-executor-private.h"
#include "sluice-tool-writes.h"

/* How much work one dispatch of the executor's source may do before it
 * gives the main loop back (checked every SLICE_CHECK tokens). */
#define SLICE_US 4000
#define SLICE_CHECK 32
/* Bounded queue between controllers (and in front of the first one):
 * a slow controller makes the ones before it wait, never buffer. */
#define QUEUE_CAP 512
/* Order-by-sequence: items admitted beyond the oldest not yet emitted. */
#define ORDER_WINDOW_FACTOR 2

/* Scheduling: one GSource on the run's main context does the work in
 * bounded slices (a few ms), so that the main loop never blocks: it takes
 * results back from the Lua workers, fires timers, pulls input while the
 * first queue has room, admits items into controllers as their modes and
 * the next queue allow, and moves ready tokens on. */

void
_sluice_executor_segment_done (SluiceExecutor *self,
                               SluiceJob      *job,
                               GPtrArray      *out)
{
  /* Lua stopped by an interrupt failed its items "cancelled": that is the
   * run's cancel, not theirs. */
  if (G_UNLIKELY (g_atomic_int_get (&self->cancel_flag)) && !self->stopped)
    {
      sluice_executor_cancel (self);
      for (guint i = 0; i < out->len; i++)
        _sluice_token_free (g_ptr_array_index (out, i));
      g_ptr_array_set_size (out, 0);
      return;
    }
  if (out->len == 0)
    {
      if (!self->stopped)
        _sluice_job_pending_dec (self, job);
      return;
    }
  /* The segment's token becomes the first of @out: the job's last one
   * is then seen as such (_sluice_token_finish()). */
  job->pending += out->len - 1;
  for (guint i = 0; i < out->len; i++)
    {
      SluiceToken *token = g_ptr_array_index (out, i);

      if (token->error != NULL)
        _sluice_token_failed (self, token);
      else if (token->pc >= token->job->prog->ops->len)
        _sluice_token_finish (self, token);
      else
        sluice_spare_links_push (&self->spare_links, &self->ready, token);

      if (self->stopped)
        {
          for (guint j = i + 1; j < out->len; j++)
            _sluice_token_free (g_ptr_array_index (out, j));
          break;
        }
    }
  g_ptr_array_set_size (out, 0);
}

/* Segments go to the workers in batches: all the Lua segments one slice
 * of this thread's work sent their way are split over the pool's threads
 * (round robin, so that items next in the order are not all behind one
 * another), and each batch comes back as one result and one wake-up of
 * this thread, not one per item. A batch is handed over early once it is
 * this big, so that the workers start while this thread admits more. */
#define WORKER_BATCH_MAX 32

/* The calling thread's CPU time (one system call: once a batch). */
static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
_sluice_executor_worker_cb (gpointer data,
                            gpointer user_data)
{
  SluiceExecutor *self = user_data;
  SluiceSegmentResult *batch = data;
  SluiceLuaRuntime *rt = NULL;
  gint64 cpu0 = thread_cpu_ns ();

  for (SluiceSegmentResult *result = batch; result != NULL; result = result->next)
    {
      /* Cancelled: the rest go back as they came (their tokens set). */
      if (g_atomic_int_get (&self->cancel_flag))
        break;

      if (rt == NULL)
        rt = g_async_queue_try_pop (self->free_rts);
      if (rt == NULL)
        {
          rt = sluice_lua_runtime_new (self->lua_codes, self->params, &self->cancel_flag);
          /* The file's lua-memory-limit, per state (0: the default). */
          sluice_lua_runtime_set_memory_limit (rt, sluice_pipeline_get_lua_memory_limit (self->pipeline));
          _sluice_executor_watch_prints (self, rt);
          g_mutex_lock (&self->rts_lock);
          g_ptr_array_add (self->all_rts, rt);
          g_mutex_unlock (&self->rts_lock);
        }

      result->out = g_ptr_array_new ();
      result->elapsed = _sluice_executor_run_segment (self, rt, result->token, result->out, result->records, NULL);
      result->token = NULL;
    }
  if (rt != NULL)
    g_async_queue_push (self->free_rts, rt);

  __atomic_add_fetch (&self->workers_cpu_ns, thread_cpu_ns () - cpu0, __ATOMIC_RELAXED);
  g_async_queue_push (self->results, batch);
  g_source_set_ready_time (self->source, 0);
}

/* Takes one segment's result back; frees @result. */
static void
take_result (SluiceExecutor      *self,
             SluiceSegmentResult *result)
{
  self->segments_out--;
  if (result->token != NULL)
    {
      /* Cancelled before it ran. */
      _sluice_token_free (result->token);
    }
  else if (self->stopped)
    {
      for (guint i = 0; i < result->out->len; i++)
        _sluice_token_free (g_ptr_array_index (result->out, i));
    }
  else
    {
      _sluice_stage_note_lua_cost (result->job->ctl, result->elapsed);
      if (result->records != NULL)
        _sluice_executor_emit_records (self, result->job, result->records);
      if (_sluice_job_is_dead (result->job))
        {
          result->job->pending += result->out->len;
          for (guint i = 0; i < result->out->len; i++)
            _sluice_token_drop (self, g_ptr_array_index (result->out, i));
          g_ptr_array_set_size (result->out, 0);
          _sluice_job_pending_dec (self, result->job);
        }
      else
        _sluice_executor_segment_done (self, result->job, result->out);
    }
  g_clear_pointer (&result->out, g_ptr_array_unref);
  g_clear_pointer (&result->records, g_array_unref);
  g_free (result);
}

void
_sluice_executor_drain_results (SluiceExecutor *self)
{
  SluiceSegmentResult *batch;

  while ((batch = g_async_queue_try_pop (self->results)) != NULL)
    while (batch != NULL)
      {
        SluiceSegmentResult *next = batch->next;

        take_result (self, batch);
        batch = next;
      }
}

/* Hands the queued segments to the workers, split into one batch per
 * pool thread at most. */
static void
hand_to_workers (SluiceExecutor *self)
{
  guint n = self->to_workers->len;
  guint n_batches = MIN (n, MAX (self->pool_threads, 1));
  SluiceSegmentResult *heads[64] = { NULL };
  SluiceSegmentResult **tails[64];

  if (n == 0)
    return;
  n_batches = MIN (n_batches, G_N_ELEMENTS (heads));
  for (guint b = 0; b < n_batches; b++)
    tails[b] = &heads[b];
  for (guint i = 0; i < n; i++)
    {
      SluiceSegmentResult *result = g_ptr_array_index (self->to_workers, i);
      guint b = i % n_batches;

      result->next = NULL;
      *tails[b] = result;
      tails[b] = &result->next;
    }
  g_ptr_array_set_size (self->to_workers, 0);
  self->segments_out += n;
  self->segments_sent += n;
  for (guint b = 0; b < n_batches; b++)
    g_thread_pool_push (self->pool, heads[b], NULL);
}

void
_sluice_executor_send_to_worker (SluiceExecutor      *self,
                                 SluiceSegmentResult *result)
{
  g_ptr_array_add (self->to_workers, result);
  if (self->to_workers->len >= WORKER_BATCH_MAX * MAX (self->pool_threads, 1))
    hand_to_workers (self);
}

/* The run stopped: segments not handed over yet are dropped. */
static void
drop_unsent (SluiceExecutor *self)
{
  for (guint i = 0; i < self->to_workers->len; i++)
    {
      SluiceSegmentResult *result = g_ptr_array_index (self->to_workers, i);

      _sluice_token_free (result->token);
      g_clear_pointer (&result->records, g_array_unref);
      g_free (result);
    }
  g_ptr_array_set_size (self->to_workers, 0);
}

/* Fills controller 0's queue from the input, up to the queue bound. */
static void
fill_input (SluiceExecutor *self)
{
  SluiceStage *first = g_ptr_array_index (self->ctls, 0);

  if (first->input_done)
    return;

  if (self->input == NULL)
    {
      if (!self->trigger_sent)
        {
          self->trigger_sent = TRUE;
          self->items_in++;
          g_queue_push_tail (&first->input, json_object ());
          g_queue_push_tail (&first->origins, _sluice_origin_new (self, NULL));
        }
      first->input_done = TRUE;
      return;
    }

  while (first->input.length < QUEUE_CAP && !self->stopped)
    {
      g_autoptr(GError) error = NULL;
      json_t *item = NULL;
      gpointer tag = NULL;

      switch (self->input_next (self->input, &item, &tag, &error))
        {
        case SLUICE_SOURCE_ITEM:
          self->items_in++;
          sluice_spare_links_push (&self->spare_links, &first->input, item);
          sluice_spare_links_push (&self->spare_links, &first->origins, _sluice_origin_new (self, tag));
          break;

        case SLUICE_SOURCE_WAIT:
          self->input_waiting = TRUE;
          return;

        case SLUICE_SOURCE_END:
          first->input_done = TRUE;
          return;

        case SLUICE_SOURCE_REJECTED:
          _sluice_executor_reject_input (self, error->message);
          /* Whoever waits for that item (a request) hears it at once. */
          if (tag != NULL && self->output != NULL)
            sluice_item_sink_done (self->output, tag, error->message);
          break;

        case SLUICE_SOURCE_ERROR:
        default:
          /* Not an item, so no module's on-error can apply to it: the
           * run fails there, once the items before it are through. */
          self->input_error = g_strdup (error != NULL ? error->message : "cannot read input");
          first->input_done = TRUE;
          return;
        }
    }
}

/* Starts items of @ctl while its mode and the next queue allow. */
static gboolean
admit (SluiceExecutor *self,
       SluiceStage    *ctl)
{
  SluiceStage *next = ctl->index + 1 < self->ctls->len ? g_ptr_array_index (self->ctls, ctl->index + 1) : NULL;
  gboolean admitted = FALSE;

  while (ctl->input.length > 0 && ctl->in_flight < _sluice_stage_limit (ctl))
    {
      SluiceOrigin *origin;
      SluiceJob *job;
      gboolean collect;
      guint64 mark;

      if (next != NULL && next->input.length >= QUEUE_CAP)
        break;
      if (ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE &&
          ctl->next_seq - ctl->next_emit >= (guint64) ORDER_WINDOW_FACTOR * ctl->workers)
        break;

      /* An item whose input failed already (isolated items) goes no further. */
      origin = sluice_spare_links_pop (&self->spare_links, &ctl->origins);
      mark = self->boundary != NULL ? GPOINTER_TO_SIZE (g_queue_pop_head (&ctl->marks)) : 0;
      if (origin->error != NULL)
        {
          json_decref (sluice_spare_links_pop (&self->spare_links, &ctl->input));
          _sluice_origin_unref (self, origin);
          continue;
        }

      collect = ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE || ctl->mode == SLUICE_MODE_FIRST_WINS;
      job = _sluice_job_new (self, ctl, ctl->prog, ctl->next_seq++, collect);
      job->origin = origin;   /* the queue's reference becomes the job's */
      job->mark = mark;
      job->pending = 1;
      ctl->in_flight++;
      ctl->started = TRUE;
      {
        SluiceToken *token = _sluice_token_new (sluice_spare_links_pop (&self->spare_links, &ctl->input), job, 0);

        /* The input item itself is child 0; what reaches a later
         * controller is an item of its own. */
        token->child = ctl->index == 0 ? 0 : _sluice_origin_new_ids (origin, 1);
        sluice_spare_links_push (&self->spare_links, &self->ready, token);
      }
      admitted = TRUE;
    }

  return admitted;
}

static void
finish_ctl (SluiceExecutor *self,
            SluiceStage    *ctl)
{
  ctl->finished = TRUE;
  if (ctl->index + 1 < self->ctls->len)
    ((SluiceStage *) g_ptr_array_index (self->ctls, ctl->index + 1))->input_done = TRUE;
}

static void
check_finished (SluiceExecutor *self)
{
  for (guint i = 0; i < self->ctls->len; i++)
    {
      SluiceStage *ctl = g_ptr_array_index (self->ctls, i);

      if (ctl->finished)
        continue;
      if (!ctl->input_done || ctl->input.length > 0 || ctl->in_flight > 0)
        return;
      /* Its steps that hold items back write them before it finishes;
       * not when the input broke: the run fails then. */
      if (self->input_error == NULL && _sluice_executor_start_flush (self, ctl))
        return;
      finish_ctl (self, ctl);
    }

  if (!g_queue_is_empty (&self->ready) || self->stopped)
    return;
  if (self->input_error != NULL)
    _sluice_executor_fail_run (self, NULL, self->input_error, NULL);
  else
    _sluice_executor_stop_run (self, SLUICE_RUN_COMPLETED);
}

/* Outputs reach their reader after each slice: a bounded delay, and
 * whole lines only. A sink that cannot write fails the run. */
static void
flush_output (SluiceExecutor *self)
{
  g_autoptr(GError) error = NULL;

  if (self->output == NULL)
    return;
  if (!sluice_item_sink_flush (self->output, &error) && !self->stopped)
    _sluice_executor_fail_run (self, NULL, error->message, NULL);
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  SluiceExecutor *self = user_data;
  gint64 start = g_get_monotonic_time ();
  gboolean more = FALSE;
  guint count = 0;

  g_object_ref (self);
  g_source_set_ready_time (source, -1);
  _sluice_executor_check_interrupt (self);
  g_atomic_int_set (&self->listening, self->item_record_func != NULL ||
                    (!self->run_events_only && _sluice_executor_has_listeners (self)));
  _sluice_executor_emit_prints (self);

  _sluice_executor_drain_results (self);
  if (!self->stopped)
    _sluice_executor_fire_timers (self);

  while (!self->stopped && self->state == SLUICE_RUN_RUNNING)
    {
      SluiceToken *token = sluice_spare_links_pop (&self->spare_links, &self->ready);

      if (token == NULL)
        {
          gboolean admitted = FALSE;

          fill_input (self);
          for (guint i = self->ctls->len; i > 0 && !self->stopped; i--)
            admitted |= admit (self, g_ptr_array_index (self->ctls, i - 1));
          if (!admitted)
            break;
          continue;
        }

      _sluice_token_advance (self, token);

      if (G_UNLIKELY (self->yield_now) ||
          (++count % SLICE_CHECK == 0 && g_get_monotonic_time () - start > SLICE_US))
        {
          self->yield_now = FALSE;
          more = TRUE;
          break;
        }
    }

  if (!self->stopped)
    hand_to_workers (self);
  if (!self->stopped)
    flush_output (self);
  if (!self->stopped && self->state == SLUICE_RUN_RUNNING)
    check_finished (self);

  if (!self->stopped)
    {
      if (more)
        g_source_set_ready_time (source, 0);
      else if (_sluice_executor_skip_to_next_timer (self))
        g_source_set_ready_time (source, 0);
      else if (_sluice_executor_next_deadline (self) != -1)
        {
          gint64 deadline = sluice_clock_to_monotonic (self->clock,
                                                       _sluice_executor_next_deadline (self));
          gint64 ready = g_source_get_ready_time (source);

          if (ready == -1 || ready > deadline)
            g_source_set_ready_time (source, deadline);
        }
    }

  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* The run stopped: every input item not done yet is done now, failed
 * with @reason. They are found where they live (queues and top-level
 * jobs, held ones included) rather than kept in a set all along, which
 * would cost every item a hash insert and remove. Jobs and queues still
 * point at them, but are only freed from now on. */
static void
end_origins (SluiceExecutor *self,
             const char     *reason)
{
  g_autoptr(GHashTable) origins = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < self->ctls->len; i++)
    {
      SluiceStage *ctl = g_ptr_array_index (self->ctls, i);

      for (GList *l = ctl->origins.head; l != NULL; l = l->next)
        g_hash_table_add (origins, l->data);
      g_queue_clear (&ctl->origins);
      g_queue_clear (&ctl->marks);
    }
  for (SluiceJob *job = self->live_jobs; job != NULL; job = job->live_next)
    if (job->parent == NULL && job->origin != NULL)
      g_hash_table_add (origins, job->origin);

  g_hash_table_iter_init (&iter, origins);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SluiceOrigin *origin = key;

      if (self->output != NULL && !origin->end_of_stream)
        sluice_item_sink_done (self->output, origin->tag,
                               origin->error != NULL ? origin->error : reason != NULL ? reason : "run stopped");
      g_free (origin->error);
      g_free (origin);
    }
}

GSourceFuncs _sluice_executor_source_funcs = {
  NULL, NULL, source_dispatch, NULL, NULL, NULL,
};

void
_sluice_executor_schedule (SluiceExecutor *self)
{
  if (self->source != NULL && !self->stopped)
    g_source_set_ready_time (self->source, 0);
}

/* Writes the run's stop had to cancel (a server that stalled) are part
 * of the error of a run that failed or was cancelled: whoever reads how
 * it ended learns that what it wrote there is uncertain. (A completed
 * run has none: its flushes waited for every write.) */
static void
add_unfinished_writes (SluiceExecutor *self,
                       const char     *unfinished)
{
  char *error = self->error != NULL ? g_strdup_printf ("%s; %s", self->error, unfinished) : g_strdup (unfinished);

  g_free (self->error);
  self->error = error;
}

void
_sluice_executor_stop_run (SluiceExecutor *self,
                           SluiceRunState  state)
{
  SluiceToken *token;
  g_autofree char *unfinished = NULL;

  if (self->stopped)
    return;

  /* What Lua printed before the end is part of the run's log, also when
   * the last items went through in the slice that ends the run. */
  _sluice_executor_emit_prints (self);
  self->stopped = TRUE;
  self->ended = g_get_monotonic_time ();
  g_atomic_int_set (&self->cancel_flag, 1);
  if (self->input != NULL)
    sluice_item_source_close (self->input);

  _sluice_executor_cancel_calls (self, NULL,
                                 state == SLUICE_RUN_CANCELLED ? "cancelled" : "run stopped");
  _sluice_executor_clear_timers (self);

  while ((token = g_queue_pop_head (&self->ready)) != NULL)
    _sluice_token_free (token);
  drop_unsent (self);
  for (guint i = 0; i < self->ctls->len; i++)
    g_queue_clear_full (&((SluiceStage *) g_ptr_array_index (self->ctls, i))->waiting,
                        (GDestroyNotify) _sluice_token_free);

  if (self->source != NULL)
    g_source_set_ready_time (self->source, -1);

  end_origins (self, state == SLUICE_RUN_CANCELLED ? "cancelled" : self->error);
  flush_output (self);
  /* No batched write of the run lands after it says it ended. */
  unfinished = sluice_tool_writes_stop (&self->step_context);
  if (unfinished != NULL && state != SLUICE_RUN_COMPLETED)
    add_unfinished_writes (self, unfinished);
  _sluice_executor_set_state (self, state);
}
