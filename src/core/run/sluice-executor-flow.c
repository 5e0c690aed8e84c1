/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-executor-private.h"
#include "sluice-json.h"

/* The life of an item in a controller: tokens move through a job's
 * program; a job completes when its last token is done, and its
 * controller's mode decides what its outputs do (stream on, wait for
 * their turn, or lose to a newer item); failures are retried or handled
 * by on-error. */

SluiceToken *
_sluice_token_new (json_t    *item,
                   SluiceJob *job,
                   guint      pc)
{
  SluiceToken *token = g_new (SluiceToken, 1);

  token->item = item;
  token->job = job;
  token->pc = pc;
  token->attempt = 0;
  token->error = NULL;
  token->stderr_tail = NULL;
  token->flush = FALSE;
  /* Callers that know better set these; an item entering a controller
   * has no parent there (left unset, events carried stack garbage). */
  token->child = 0;
  token->parent = 0;
  token->text = NULL;
  token->text_length = 0;
  return token;
}

void
_sluice_token_free (SluiceToken *token)
{
  if (token->item != NULL)
    json_decref (token->item);
  g_free (token->error);
  g_free (token->stderr_tail);
  g_free (token->text);
  g_free (token);
}

/* An output of the pipeline. Consumes @item. A sink that cannot take it
 * fails the run: output is never lost silently. */
static void
write_output (SluiceExecutor *self,
              json_t         *item,
              SluiceOrigin   *origin)
{
  g_autoptr(GError) error = NULL;

  self->items_out++;
  if (self->output != NULL && !sluice_item_sink_write (self->output, item, origin->tag, &error))
    _sluice_executor_fail_run (self, NULL, error->message, NULL);
  json_decref (item);
}

static void deliver (SluiceExecutor *self,
                     SluiceJob      *job,
                     json_t         *item);

/* An output line of @job written from Lua (token->text). */
static void
write_text (SluiceExecutor *self,
            SluiceJob      *job,
            SluiceToken    *token)
{
  g_autoptr(GError) error = NULL;
  SluiceOrigin *origin = job->origin;

  if (G_UNLIKELY (!_sluice_executor_wants_text (self, job)))
    {
      /* Cannot happen (the segment asked the same); the ordinary way. */
      json_t *item = sluice_json_parse_item (token->text, token->text_length, &error);

      if (item == NULL)
        _sluice_executor_fail_run (self, NULL, error->message, NULL);
      else
        deliver (self, job, item);
      return;
    }

  /* As deliver() and write_output() do for the last controller. */
  if (origin->error != NULL)
    return;
  job->ctl->items_out++;
  self->items_out++;
  if (!self->output_write_text (self->output, token->text, token->text_length, origin->tag, &error))
    _sluice_executor_fail_run (self, NULL, error->message, NULL);
}

/* An item leaves controller @ctl. Consumes @item. */
static void
deliver (SluiceExecutor *self,
         SluiceJob      *job,
         json_t         *item)
{
  SluiceStage *ctl = job->ctl;
  SluiceOrigin *origin = job->origin;
  SluiceStage *next;

  if (origin->error != NULL)
    {
      json_decref (item);
      return;
    }

  ctl->items_out++;

  if (ctl->index + 1 == self->ctls->len)
    {
      if (self->boundary != NULL)
        _sluice_boundary_entered (self, job, item);
      write_output (self, item, origin);
      return;
    }

  next = g_ptr_array_index (self->ctls, ctl->index + 1);
  if (!next->started)
    {
      next->started = TRUE;
      if (self->listening)
        {
          SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_STAGE_TRANSITION, next->id, NULL, 0);
          event->from_id = g_strdup (ctl->id);
          event->to_id = g_strdup (next->id);
          _sluice_executor_emit (self, event);
        }
    }
  if (self->boundary != NULL)
    g_queue_push_tail (&next->marks, GSIZE_TO_POINTER (_sluice_boundary_entered (self, job, item)));
  sluice_spare_links_push (&self->spare_links, &next->input, item);
  sluice_spare_links_push (&self->spare_links, &next->origins, origin);
  origin->live++;
}

SluiceOrigin *
_sluice_origin_new (SluiceExecutor *self,
                    gpointer        tag)
{
  SluiceOrigin *origin = sluice_free_list_take (&self->spare_origins, sizeof (SluiceOrigin));

  *origin = (SluiceOrigin) {
    .tag = tag,
    .number = ++self->n_origins,
    .live = 1,
  };
  return origin;
}

void
_sluice_origin_unref (SluiceExecutor *self,
                      SluiceOrigin   *origin)
{
  g_assert (origin->live > 0);
  if (--origin->live > 0)
    return;

  if (self->output_done != NULL && !origin->end_of_stream)
    self->output_done (self->output, origin->tag, origin->error);
  g_free (origin->error);
  sluice_free_list_give (&self->spare_origins, origin);
}

SluiceJob *
_sluice_job_new (SluiceExecutor *self,
                 SluiceStage    *ctl,
                 SluiceProgram  *prog,
                 guint64         seq,
                 gboolean        collect)
{
  SluiceJob *job = sluice_free_list_take (&self->spare_jobs, sizeof (SluiceJob));

  *job = (SluiceJob) {
    .ctl = ctl,
    .prog = prog,
    .seq = seq,
    /* Read only where it is used: a group's job (its duration) and the
     * controller's first (first_in); a clock read costs ~40 ns here
     * (perf: 4 reads were ~8 % of a pass-through item). */
    .started = prog != ctl->prog || ctl->first_in == 0 ? g_get_monotonic_time () : 0,
  };
  if (ctl->first_in == 0)
    ctl->first_in = job->started;
  /* Its outputs array is made for its first output: most jobs of an
   * ordered mode are at the head of the order when they complete, and
   * many have a single output. */
  job->collect = collect;
  job->live_next = self->live_jobs;
  if (self->live_jobs != NULL)
    self->live_jobs->live_prev = job;
  self->live_jobs = job;

  return job;
}

static void
job_free (SluiceExecutor *self,
          SluiceJob      *job)
{
  if (job->live_prev != NULL)
    job->live_prev->live_next = job->live_next;
  else
    self->live_jobs = job->live_next;
  if (job->live_next != NULL)
    job->live_next->live_prev = job->live_prev;
  /* A top-level job holds its origin; after the run stopped, origins
   * are gone already. */
  if (job->parent == NULL && job->origin != NULL && !self->stopped)
    _sluice_origin_unref (self, job->origin);
  if (job->timer != NULL)
    _sluice_executor_remove_timer (self, job->timer);
  g_clear_pointer (&job->outputs, g_ptr_array_unref);
  g_clear_pointer (&job->input, json_decref);
  sluice_free_list_give (&self->spare_jobs, job);
}

gboolean
_sluice_job_is_dead (SluiceJob *job)
{
  for (; job != NULL; job = job->parent)
    if (job->dead)
      return TRUE;
  return FALSE;
}

static inline guint
job_n_outputs (SluiceJob *job)
{
  return job->outputs != NULL ? job->outputs->len : 0;
}

/* What @token carries leaves its controller: its line of text or its
 * item (taken from the token). */
static void
deliver_token (SluiceExecutor *self,
               SluiceJob      *job,
               SluiceToken    *token)
{
  if (token->text != NULL)
    write_text (self, job, token);
  else
    deliver (self, job, g_steal_pointer (&token->item));
}

/* Whether @token, the last of its job and its first output, may leave
 * its ordered controller at once: the job completes right after it, and
 * its turn has come (order-by-sequence: every earlier item delivered;
 * first-wins: nothing newer delivered), so holding the output until then
 * would change nothing but its cost. The common case when Lua runs on
 * this thread, where items complete in order anyway. */
static gboolean
turn_has_come (SluiceExecutor *self,
               SluiceJob      *job)
{
  SluiceStage *ctl = job->ctl;

  if (job->pending != 1 || job->outputs != NULL || job->parent != NULL ||
      job->dead || self->boundary != NULL)
    return FALSE;
  if (ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE)
    return job->seq == ctl->next_emit;
  if (ctl->mode == SLUICE_MODE_FIRST_WINS && job->seq > ctl->last_emitted)
    {
      ctl->last_emitted = job->seq;
      return TRUE;
    }
  return FALSE;
}

void
_sluice_token_finish (SluiceExecutor *self,
                      SluiceToken    *token)
{
  SluiceJob *job = token->job;

  if (job->collect && !turn_has_come (self, job))
    {
      /* The token itself waits: no copy of its item or text. */
      if (job->outputs == NULL)
        job->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) _sluice_token_free);
      g_ptr_array_add (job->outputs, token);
      _sluice_job_pending_dec (self, job);
      return;
    }
  deliver_token (self, job, token);
  _sluice_token_drop (self, token);
}

static void
deliver_outputs (SluiceExecutor *self,
                 SluiceJob      *job)
{
  for (guint i = 0; i < job_n_outputs (job) && !self->stopped; i++)
    deliver_token (self, job, g_ptr_array_index (job->outputs, i));
}

/* Order-by-sequence: @job, complete, is next in the order. */
static void
emit_in_order (SluiceExecutor *self,
               SluiceStage    *ctl,
               SluiceJob      *job)
{
  ctl->next_emit++;
  deliver_outputs (self, job);
  _sluice_boundary_passed (self, job, job_n_outputs (job));
  job_free (self, job);
}

/* Order-by-sequence: completed jobs wait in @held until every earlier
 * one has delivered. */
static void
flush_ordered (SluiceExecutor *self,
               SluiceStage    *ctl)
{
  SluiceJob *job;

  while (!self->stopped && g_hash_table_size (ctl->held) > 0 &&
         (job = g_hash_table_lookup (ctl->held, GSIZE_TO_POINTER (ctl->next_emit))) != NULL)
    {
      g_hash_table_remove (ctl->held, GSIZE_TO_POINTER (ctl->next_emit));
      emit_in_order (self, ctl, job);
    }
}

static SluiceModuleRun *
last_module (SluiceExecutor *self,
             SluiceStage    *ctl)
{
  for (guint i = self->mods->len; i > 0; i--)
    {
      SluiceModuleRun *info = g_ptr_array_index (self->mods, i - 1);
      if (info->ctl == ctl->index && info->last_of_ctl)
        return info;
    }
  return NULL;
}

static void
ctl_job_complete (SluiceExecutor *self,
                  SluiceJob      *job)
{
  SluiceStage *ctl = job->ctl;

  ctl->in_flight--;
  /* Right after its last Lua on this thread, that segment's last clock
   * read is as good as a new one (~3 % of a cheap item's time here). */
  ctl->last_out = self->segment_ended != 0 ? self->segment_ended : g_get_monotonic_time ();

  switch (ctl->mode)
    {
    case SLUICE_MODE_ORDER_BY_SEQUENCE:
      /* Items mostly complete in order (always when their Lua runs on
       * this thread): the one next in the order goes on at once, without
       * a trip through @held. */
      if (job->seq == ctl->next_emit && !self->stopped)
        emit_in_order (self, ctl, job);
      else
        g_hash_table_insert (ctl->held, GSIZE_TO_POINTER (job->seq), job);
      flush_ordered (self, ctl);
      return;

    case SLUICE_MODE_FIRST_WINS:
      if (job_n_outputs (job) == 0)
        {
          _sluice_boundary_passed (self, job, 0);
          break;
        }
      if (job->seq > ctl->last_emitted)
        {
          ctl->last_emitted = job->seq;
          deliver_outputs (self, job);
          _sluice_boundary_passed (self, job, job_n_outputs (job));
        }
      else
        {
          SluiceModuleRun *last = last_module (self, ctl);

          if (last != NULL)
            last->stats->superseded += job_n_outputs (job);
          {
            SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_ITEM_SUPERSEDED, ctl->id,
                                            last != NULL ? last->id : NULL, job->seq);
            event->outputs = job_n_outputs (job);
            _sluice_executor_emit (self, event);
          }
          _sluice_boundary_passed (self, job, 0);
        }
      break;

    case SLUICE_MODE_NOT_PARALLEL:
    case SLUICE_MODE_NO_ORDER:
    default:
      /* Its outputs went on as they came. */
      _sluice_boundary_passed (self, job, 0);
      break;
    }

  job_free (self, job);
}

static void
group_complete (SluiceExecutor *self,
                SluiceJob      *job)
{
  SluiceJob *parent = job->parent;
  SluiceOp *op = program_op (parent->prog, job->parent_pc);
  SluiceModuleRun *info = module_run (self, op->mod);
  gint64 duration = g_get_monotonic_time () - job->started;
  guint n = job_n_outputs (job);

  __atomic_fetch_add (&info->stats->items_out, n, __ATOMIC_RELAXED);
  __atomic_fetch_add (&info->stats->time_us, duration, __ATOMIC_RELAXED);
  if (n == 0)
    info->stats->dropped++;
  info->stats->active--;
  _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_FINISHED, op->mod, parent,
                                job->entry, job->entry_parent, duration, n);

  parent->pending += n;
  if (n > 0)
    {
      guint first = _sluice_origin_new_ids (parent->origin, n);

      for (guint i = 0; i < n; i++)
        {
          SluiceToken *output = g_ptr_array_index (job->outputs, i);
          /* Never text: that is for top-level jobs only. */
          SluiceToken *token = _sluice_token_new (g_steal_pointer (&output->item), parent, op->next);

          token->child = first + i;
          token->parent = job->entry;
          g_queue_push_tail (&self->ready, token);
        }
    }
  job_free (self, job);
  _sluice_job_pending_dec (self, parent);
}

void
_sluice_job_pending_dec (SluiceExecutor *self,
                         SluiceJob      *job)
{
  g_assert (job->pending > 0);
  if (--job->pending > 0)
    return;

  if (_sluice_job_is_dead (job) && job->parent == NULL && !self->stopped)
    {
      /* A cancelled item (isolated failures): its controller still
       * counts it done, with no outputs, so that the ones after it go on. */
      if (job->outputs != NULL)
        g_ptr_array_set_size (job->outputs, 0);
      ctl_job_complete (self, job);
    }
  else if (_sluice_job_is_dead (job))
    job_free (self, job);
  else if (job->parent != NULL)
    group_complete (self, job);
  else
    ctl_job_complete (self, job);
}

/* Drops a token (it leaves its job without output). */
void
_sluice_token_drop (SluiceExecutor *self,
                    SluiceToken    *token)
{
  SluiceJob *job = token->job;

  _sluice_token_free (token);
  _sluice_job_pending_dec (self, job);
}

/* Cancels @job and its sub-jobs: the steps at work on them stop, and
 * their tokens are dropped as they come back. */
static void
job_kill (SluiceExecutor *self,
          SluiceJob      *job)
{
  job->dead = TRUE;
  _sluice_executor_cancel_calls (self, job, "cancelled");
}

/* Isolated items: every top-level job of @origin stops, and what it
 * already sent on is dropped where it waits. */
static void
kill_origin (SluiceExecutor *self,
             SluiceOrigin   *origin)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new ();

  /* Killing resolves calls, which may free the job being killed (never
   * another one): collect first. */
  for (SluiceJob *job = self->live_jobs; job != NULL; job = job->live_next)
    {
      if (job->parent == NULL && job->origin == origin && !job->dead && job->pending > 0)
        g_ptr_array_add (jobs, job);
    }
  for (guint i = 0; i < jobs->len; i++)
    job_kill (self, g_ptr_array_index (jobs, i));
}

/* A failure no on-error took care of: it fails the run or, with isolated
 * items (a server), only the input item it came from. Consumes @token. */
static void
fail_item (SluiceExecutor *self,
           SluiceToken    *token,
           const char     *module_id,
           const char     *message,
           const char     *stderr_tail)
{
  SluiceOrigin *origin = token->job->origin;

  token->job->ctl->items_failed++;
  if (!self->isolated)
    {
      _sluice_executor_fail_run (self, module_id, message, stderr_tail);
      _sluice_token_free (token);
      return;
    }

  if (origin->error == NULL)
    origin->error = g_strdup (message);
  _sluice_token_drop (self, token);
  kill_origin (self, origin);
}

void
_sluice_executor_fail_run (SluiceExecutor *self,
                           const char     *module_id,
                           const char     *message,
                           const char     *stderr_tail)
{
  if (self->stopped)
    return;

  g_free (self->error);
  self->error = g_strdup (message);
  g_free (self->failed_module);
  self->failed_module = g_strdup (module_id);
  g_free (self->stderr_tail);
  self->stderr_tail = g_strdup (stderr_tail);
  _sluice_executor_stop_run (self, SLUICE_RUN_FAILED);
}

void
_sluice_executor_retry_cb (SluiceExecutor *self,
                           gpointer        data)
{
  g_queue_push_tail (&self->ready, data);
}

void
_sluice_executor_group_timeout_cb (SluiceExecutor *self,
                                   gpointer        data)
{
  SluiceJob *job = data;
  SluiceOp *op = program_op (job->parent->prog, job->parent_pc);
  SluiceModuleRun *info = module_run (self, op->mod);
  SluiceToken *token;

  job->timer = NULL;
  token = _sluice_token_new (json_incref (job->input), job->parent, job->parent_pc);
  token->child = job->entry;
  token->parent = job->entry_parent;
  token->attempt = job->attempt;
  token->error = g_strdup_printf ("timed out after %" G_GINT64_FORMAT " ms", info->timeout_us / 1000);
  /* Steps may give their tokens back while being cancelled: hold the dead
   * job until it is killed; it is freed when its last token is back. */
  job->pending++;
  job_kill (self, job);
  info->stats->active--;
  _sluice_job_pending_dec (self, job);
  _sluice_token_failed (self, token);
}

/* A op failed for @token (token->error says why): retry it after its
 * back-off, or apply its on-error. */
void
_sluice_token_failed (SluiceExecutor *self,
                      SluiceToken    *token)
{
  SluiceOp *op = program_op (token->job->prog, token->pc);
  SluiceModuleRun *info = module_run (self, op->mod);
  SluiceJob *job = token->job;

  info->stats->failed++;

  if (self->listening)
    {
      SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_MODULE_FAILED,
                                      _sluice_executor_ctl_id_of_mod (self, info), info->id, job->seq);
      event->input = job->origin != NULL ? job->origin->number : 0;
      event->child = token->child;
      event->parent = token->parent;
      event->error = g_strdup (token->error);
      event->stderr_tail = g_strdup (token->stderr_tail);
      /* Tries of this module on this item: inside a group that is being
       * retried, the group's earlier runs count too. */
      event->attempt = token->attempt == G_MAXUINT ? 1 : token->attempt + 1;
      if (job->parent != NULL)
        event->attempt += job->attempt * (info->retries + 1);
      _sluice_executor_emit (self, event);
    }

  /* A flush has no item, yet is retried like one: the step still holds
   * what it could not write. */
  if ((token->item != NULL || token->flush) && token->attempt < info->retries)
    {
      gint64 delay = SLUICE_RETRY_BASE_DELAY_MS * 1000 * pow (info->backoff, token->attempt);

      token->attempt++;
      info->stats->retries++;
      g_clear_pointer (&token->error, g_free);
      g_clear_pointer (&token->stderr_tail, g_free);
      _sluice_executor_add_timer (self, _sluice_executor_now (self) + delay, _sluice_executor_retry_cb, token);
      return;
    }

  switch (info->on_error)
    {
    case SLUICE_ON_ERROR_DROP:
      info->stats->dropped++;
      job->ctl->dropped++;
      _sluice_token_drop (self, token);
      return;

    case SLUICE_ON_ERROR_CONTINUE:
      if (token->item != NULL)
        {
          info->stats->items_out++;
          token->pc = op->next;
          token->attempt = 0;
          g_clear_pointer (&token->error, g_free);
          g_clear_pointer (&token->stderr_tail, g_free);
          g_queue_push_tail (&self->ready, token);
          return;
        }
      if (token->flush)
        {
          /* Nothing to continue with at the end of the stream. */
          _sluice_token_drop (self, token);
          return;
        }
      break;

    case SLUICE_ON_ERROR_FAIL:
    default:
      break;
    }

  if (job->parent != NULL)
    {
      /* A module of a combination failed: the whole group failed. */
      SluiceOp *combo_step = program_op (job->parent->prog, job->parent_pc);
      SluiceModuleRun *combo = module_run (self, combo_step->mod);
      SluiceToken *group = _sluice_token_new (json_incref (job->input), job->parent, job->parent_pc);

      group->child = job->entry;
      group->parent = job->entry_parent;
      group->attempt = job->attempt;
      group->error = g_strdup_printf ("module “%s”: %s", info->id, token->error);
      group->stderr_tail = g_steal_pointer (&token->stderr_tail);
      combo->stats->active--;
      job_kill (self, job);
      _sluice_token_drop (self, token);   /* may free the dead job */
      _sluice_token_failed (self, group);
      return;
    }

  {
    g_autofree char *message = g_strdup_printf ("module “%s”: %s", info->id, token->error);
    g_autofree char *tail = g_steal_pointer (&token->stderr_tail);

    fail_item (self, token, info->id, message, tail);
  }
}

static void
start_group (SluiceExecutor  *self,
             SluiceToken     *token,
             SluiceOp        *op,
             SluiceModuleRun *info)
{
  SluiceJob *job = _sluice_job_new (self, token->job->ctl, op->sub, token->job->seq, TRUE);

  job->parent = token->job;
  job->origin = token->job->origin;
  job->entry = token->child;
  job->entry_parent = token->parent;
  job->parent_pc = token->pc;
  job->input = json_incref (token->item);
  job->attempt = token->attempt;
  job->pending = 1;
  if (info->timeout_us > 0)
    job->timer = _sluice_executor_add_timer (self, _sluice_executor_now (self) + info->timeout_us,
                                            _sluice_executor_group_timeout_cb, job);
  /* The combination's token becomes the sub-job; the parent keeps its
   * pending count until the group completes or fails. */
  token->job = job;
  token->pc = 0;
  token->attempt = 0;
  g_queue_push_tail (&self->ready, token);
}

/* A Lua segment that takes less than this runs on this thread even in a
 * parallel controller: handing an item to a worker and taking it back
 * costs a few µs and two wake-ups, more than cheap Lua itself, so
 * parallel modes would only make cheap steps slower (and an ordered
 * controller's items then complete in order, so nothing waits in its
 * reorder buffer). Dearer segments go to the worker pool, where they run
 * at once. Until INLINE_AFTER segments were measured on the workers, all
 * go there: a controller whose first item never ends must not block this
 * thread (a cancel, a signal, needs it). */
#define INLINE_LUA_US 20
#define INLINE_AFTER 8
/* The segments a controller's choice looks back on. */
#define LUA_HISTORY 16

/* Which of the last LUA_HISTORY segments took more than the bound: the
 * controller's Lua runs on this thread while fewer than half of them did.
 * A vote, not an average, because the time is wall time: on a busy
 * machine a segment preempted for a few ms weighs one vote, so it takes
 * half of the last sixteen being slow to send cheap Lua to the workers
 * (an average of times capped at twice the bound did it with five in a
 * row, and each hand-off then cost the cheap items far more than the
 * preemptions had), and a chunk's first run, which compiles it, is one
 * vote too; controllers whose segments are mostly dear still go. */
void
_sluice_stage_note_lua_cost (SluiceStage *ctl,
                             gint64       elapsed)
{
  ctl->lua_dear = (ctl->lua_dear << 1) | (elapsed > INLINE_LUA_US);
  if (ctl->lua_measured < LUA_HISTORY)
    ctl->lua_measured++;
}

static inline gboolean
lua_is_cheap (SluiceStage *ctl)
{
  guint n = ctl->lua_measured;

  if (n < INLINE_AFTER)
    return FALSE;
  return 2 * (guint) __builtin_popcount (ctl->lua_dear & ((1u << LUA_HISTORY) - 1)) < n;
}

/* Lua ops run where the controller's mode says: on this thread for
 * not-parallel (one item at a time anyway, and no thread hop per item),
 * for cheap segments of any mode (above), and for all when told to run
 * them here; on the worker pool otherwise. */
static void
run_lua (SluiceExecutor *self,
         SluiceToken    *token)
{
  SluiceJob *job = token->job;
  SluiceStage *ctl = job->ctl;
  SluiceSegmentResult *result;

  if (ctl->mode == SLUICE_MODE_NOT_PARALLEL || self->pool == NULL || self->lua_inline || lua_is_cheap (ctl))
    {
      GArray *records = self->listening ? self->records : NULL;
      /* Timed by the clock reads the segment makes anyway: two more an
       * item were ~3 % of a cheap item's time here. */
      gint64 elapsed = _sluice_executor_run_segment (self, self->main_rt, token, self->scratch, records,
                                                     &self->segment_ended);

      if (ctl->mode != SLUICE_MODE_NOT_PARALLEL)
        _sluice_stage_note_lua_cost (ctl, elapsed);
      if (records != NULL)
        _sluice_executor_emit_records (self, job, records);
      /* A job that completes with its outputs now ends when its Lua did. */
      _sluice_executor_segment_done (self, job, self->scratch);
      self->segment_ended = 0;
      return;
    }

  result = g_new0 (SluiceSegmentResult, 1);
  result->token = token;
  result->job = job;
  if (self->listening)
    result->records = g_array_new (FALSE, FALSE, sizeof (SluiceStepRecord));
  _sluice_executor_send_to_worker (self, result);
}

/* Moves @token on from its op; consumes it. */
void
_sluice_token_advance (SluiceExecutor *self,
                       SluiceToken    *token)
{
  SluiceJob *job = token->job;
  SluiceProgram *prog = job->prog;
  SluiceOp *op;
  SluiceModuleRun *info;

  if (_sluice_job_is_dead (job))
    {
      _sluice_token_drop (self, token);
      return;
    }

  while (token->pc < prog->ops->len && program_op (prog, token->pc)->kind == SLUICE_OP_JUMP)
    token->pc = program_op (prog, token->pc)->target;

  if (token->pc >= prog->ops->len)
    {
      _sluice_token_finish (self, token);
      return;
    }

  op = program_op (prog, token->pc);
  info = module_run (self, op->mod);
  if (G_UNLIKELY (info->preview != NULL) && !op_is_lua (op) && token->attempt == 0 && token->item != NULL)
    sluice_preview_record_items (info->preview, FALSE, &token->item, 1);

  switch (op->kind)
    {
    case SLUICE_OP_LUA:
    case SLUICE_OP_COND:
    case SLUICE_OP_JUMP:
      run_lua (self, token);
      return;

    case SLUICE_OP_STEP:
      _sluice_executor_call_step (self, token, info);
      return;

    case SLUICE_OP_GATE:
      _sluice_executor_run_gate (self, token, info);
      return;

    case SLUICE_OP_GROUP:
      if (token->attempt == 0)
        info->stats->items_in++;
      info->stats->active++;
      _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_STARTED, op->mod, job,
                                    token->child, token->parent, 0, 0);
      start_group (self, token, op, info);
      return;

    case SLUICE_OP_FAIL:
      info->stats->items_in++;
      info->stats->failed++;
      {
        g_autofree char *message = g_strdup_printf ("module “%s”: %s", info->id, info->reason);

        if (self->listening)
          {
            SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_MODULE_FAILED,
                                            job->ctl->id, info->id, job->seq);
            event->input = job->origin != NULL ? job->origin->number : 0;
            event->child = token->child;
            event->parent = token->parent;
            event->error = g_strdup (info->reason);
            event->attempt = 1;
            _sluice_executor_emit (self, event);
          }
        fail_item (self, token, info->id, message, NULL);
      }
      return;

    default:
      g_assert_not_reached ();
    }
}
