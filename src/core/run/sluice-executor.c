/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include "sluice-executor-private.h"
#include "sluice-json.h"
#include "sluice-parameter.h"
#include "sluice-phase.h"

/* How much work one dispatch of the executor's source may do before it
 * gives the main loop back (checked every SLICE_CHECK tokens). */
#define SLICE_US 4000
#define SLICE_CHECK 32
/* Bounded queue between controllers (and in front of the first one):
 * a slow controller makes the ones before it wait, never buffer. */
#define QUEUE_CAP 512
#define READ_CHUNK 65536
/* Order-by-sequence: items admitted beyond the oldest not yet emitted. */
#define ORDER_WINDOW_FACTOR 2

typedef struct
{
  gint64          deadline;
  guint64         serial;
  TimerFunc       func;
  gpointer        data;
  GSequenceIter  *iter;
} Timer;

struct _SluiceExecutor
{
  GObject           parent_instance;

  SluicePipeline   *pipeline;       /* owned */
  GHashTable       *params;         /* name → value, owned */
  char             *base_directory;
  GPtrArray        *mods;           /* of ModuleInfo*, owned */
  GPtrArray        *lua_codes;      /* of SluiceLuaCode*, owned */
  GPtrArray        *ctls;           /* of Ctl*, owned */

  SluiceRunState    state;
  char             *error;
  char             *failed_module;
  char             *stderr_tail;
  gboolean          stopped;        /* final state reached: drop everything */
  gint              cancel_flag;    /* read by Lua hooks on workers */

  GSource          *source;
  GQueue            ready;          /* Token* ready to advance */
  GSequence        *timers;         /* of Timer*, by deadline */
  guint64           timer_serial;
  GHashTable       *commands;       /* Command* set */
  GHashTable       *jobs;           /* every live Job* (for cleanup) */
  GPtrArray        *scratch;        /* reused by segments on the main thread */

  SluiceLuaRuntime *main_rt;
  GThreadPool      *pool;
  GAsyncQueue      *free_rts;       /* runtimes not in use by a worker */
  GPtrArray        *all_rts;        /* every worker runtime, owned */
  GMutex            rts_lock;
  GAsyncQueue      *results;        /* of SegmentResult* from workers */
  guint             pool_threads;

  GInputStream     *input;
  GCancellable     *cancellable;
  GByteArray       *inbuf;
  gsize             inbuf_pos;
  guint64           input_line;
  gboolean          reading;
  gboolean          input_eof;
  gboolean          trigger_sent;

  SluiceOutputFunc  output_func;
  gpointer          output_data;
  GDestroyNotify    output_destroy;
  char             *outbuf;
  gsize             outbuf_size;

  guint64           items_in;
  guint64           items_out;
  gint64            started;
  gint64            ended;
  gboolean          listening;      /* someone handles "event" */
  GArray           *records;        /* main-thread step records when listening */
};

typedef struct
{
  Token     *token;     /* the one sent; NULL once the segment consumed it */
  Job       *job;       /* the token's job */
  GPtrArray *out;       /* Token* */
  GArray    *records;   /* StepRecord, or NULL */
} SegmentResult;

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_STATE,
  N_PROPS
};

enum
{
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceExecutor, sluice_executor, G_TYPE_OBJECT)

static void schedule (SluiceExecutor *self);
static void token_advance (SluiceExecutor *self, Token *token);
static void token_failed (SluiceExecutor *self, Token *token);
static void job_pending_dec (SluiceExecutor *self, Job *job);
static void stop_run (SluiceExecutor *self, SluiceRunState state);

/* ---------------------------------------------------------------- tokens */

Token *
sluice_token_new (json_t *item,
                  Job    *job,
                  guint   pc)
{
  Token *token = g_new (Token, 1);

  token->item = item;
  token->job = job;
  token->pc = pc;
  token->attempt = 0;
  token->error = NULL;
  token->stderr_tail = NULL;
  return token;
}

void
sluice_token_free (Token *token)
{
  if (token->item != NULL)
    json_decref (token->item);
  g_free (token->error);
  g_free (token->stderr_tail);
  g_free (token);
}

/* ---------------------------------------------------------------- model tables */

ModuleInfo *
sluice_executor_get_module_info (SluiceExecutor *self,
                                 guint           mod)
{
  return g_ptr_array_index (self->mods, mod);
}

guint
sluice_executor_add_module (SluiceExecutor *self,
                            SluiceModule   *module,
                            guint           ctl)
{
  ModuleInfo *info = g_new0 (ModuleInfo, 1);

  info->module = module;
  info->id = sluice_node_get_id (SLUICE_NODE (module));
  if (info->id == NULL)
    info->id = "";
  info->ctl = ctl;
  info->timeout_us = sluice_module_get_timeout_ms (module) * 1000;
  info->retries = sluice_module_get_retries (module);
  info->backoff = sluice_module_get_backoff (module);
  info->on_error = sluice_module_get_on_error (module);
  g_ptr_array_add (self->mods, info);

  return self->mods->len - 1;
}

static void
module_info_free (ModuleInfo *info)
{
  sluice_preview_free (info->preview);
  g_free (info->command);
  g_free (info->reason);
  g_free (info);
}

static void
lua_code_free (SluiceLuaCode *code)
{
  g_free (code->module_id);
  g_free (code->code);
  g_free (code);
}

guint
sluice_executor_add_lua (SluiceExecutor *self,
                         const char     *module_id,
                         const char     *code,
                         guint           code_line,
                         gboolean        expression)
{
  SluiceLuaCode *lua = g_new0 (SluiceLuaCode, 1);

  lua->module_id = g_strdup (module_id);
  lua->code = g_strdup (code != NULL ? code : "");
  lua->code_line = code_line;
  lua->expression = expression;
  g_ptr_array_add (self->lua_codes, lua);

  return self->lua_codes->len - 1;
}

GHashTable *
sluice_executor_get_params (SluiceExecutor *self)
{
  return self->params;
}

static Ctl *
find_ctl (SluiceExecutor *self,
          const char     *id)
{
  for (guint i = 0; i < self->ctls->len; i++)
    {
      Ctl *ctl = g_ptr_array_index (self->ctls, i);
      if (g_strcmp0 (ctl->id, id) == 0)
        return ctl;
    }
  return NULL;
}

/* ---------------------------------------------------------------- events */

static SluiceEvent *
event_new (SluiceExecutor  *self,
           SluiceEventType  type,
           const char      *controller_id,
           const char      *module_id,
           guint64          item)
{
  SluiceEvent *event = sluice_event_new (type);

  event->pipeline_id = g_strdup (sluice_node_get_id (SLUICE_NODE (self->pipeline)));
  event->controller_id = g_strdup (controller_id);
  event->module_id = g_strdup (module_id);
  event->item = item;
  return event;
}

static void
emit_event (SluiceExecutor *self,
            SluiceEvent    *event)
{
  g_signal_emit (self, signals[EVENT], 0, event);
  sluice_event_unref (event);
}

static const char *
ctl_id_of_mod (SluiceExecutor *self,
               ModuleInfo     *info)
{
  return ((Ctl *) g_ptr_array_index (self->ctls, info->ctl))->id;
}

static void
emit_module_event (SluiceExecutor  *self,
                   SluiceEventType  type,
                   guint            mod,
                   guint64          seq,
                   gint64           duration,
                   guint            outputs)
{
  ModuleInfo *info;
  SluiceEvent *event;

  if (!self->listening)
    return;

  info = sluice_executor_get_module_info (self, mod);
  event = event_new (self, type, ctl_id_of_mod (self, info), info->id, seq);
  event->duration_ms = duration / 1000.0;
  event->outputs = outputs;
  emit_event (self, event);
}

static void
emit_records (SluiceExecutor *self,
              GArray         *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      StepRecord *rec = &g_array_index (records, StepRecord, i);

      emit_module_event (self, SLUICE_EVENT_MODULE_STARTED, rec->mod, rec->seq, 0, 0);
      emit_module_event (self, SLUICE_EVENT_MODULE_FINISHED, rec->mod, rec->seq,
                         rec->duration, rec->outputs);
    }
  g_array_set_size (records, 0);
}

static void
set_state (SluiceExecutor *self,
           SluiceRunState  state)
{
  SluiceEvent *event;

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  event = event_new (self, SLUICE_EVENT_RUN_STATE, NULL, self->failed_module, 0);
  event->state = state;
  if (state == SLUICE_RUN_FAILED)
    {
      event->error = g_strdup (self->error);
      event->stderr_tail = g_strdup (self->stderr_tail);
    }
  emit_event (self, event);
}

/* ---------------------------------------------------------------- timers */

static gint
timer_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const Timer *ta = a, *tb = b;

  if (ta->deadline != tb->deadline)
    return ta->deadline < tb->deadline ? -1 : 1;
  return ta->serial < tb->serial ? -1 : ta->serial > tb->serial;
}

gpointer
sluice_executor_add_timer (SluiceExecutor *self,
                           gint64          deadline,
                           TimerFunc       func,
                           gpointer        data)
{
  Timer *timer = g_new (Timer, 1);

  timer->deadline = deadline;
  timer->serial = self->timer_serial++;
  timer->func = func;
  timer->data = data;
  timer->iter = g_sequence_insert_sorted (self->timers, timer, timer_compare, NULL);
  schedule (self);

  return timer;
}

void
sluice_executor_remove_timer (SluiceExecutor *self,
                              gpointer        timer)
{
  Timer *t = timer;

  g_sequence_remove (t->iter);
}

static void
fire_timers (SluiceExecutor *self)
{
  gint64 now = g_get_monotonic_time ();

  while (!g_sequence_is_empty (self->timers))
    {
      GSequenceIter *iter = g_sequence_get_begin_iter (self->timers);
      Timer *timer = g_sequence_get (iter);
      TimerFunc func;
      gpointer data;

      if (timer->deadline > now)
        break;
      func = timer->func;
      data = timer->data;
      g_sequence_remove (iter);
      func (self, data);
      if (self->stopped)
        break;
    }
}

/* ---------------------------------------------------------------- output */

static void
write_output (SluiceExecutor *self,
              json_t         *item)
{
  size_t size, flags;

  self->items_out++;
  if (self->output_func == NULL)
    return;

  /* Sorted keys: Lua tables iterate in an order that differs between Lua
   * states (their hash seeds are random), and output must not depend on
   * which worker ran an item. */
  flags = sluice_json_dump_flags (item, JSON_COMPACT | JSON_SORT_KEYS);
  size = json_dumpb (item, self->outbuf, self->outbuf_size, flags);
  if (size > self->outbuf_size)
    {
      self->outbuf_size = MAX (size, self->outbuf_size * 2);
      self->outbuf = g_realloc (self->outbuf, self->outbuf_size);
      size = json_dumpb (item, self->outbuf, self->outbuf_size, flags);
    }
  self->output_func (self->outbuf, size, self->output_data);
}

/* An item leaves controller @ctl. Consumes @item. */
static void
deliver (SluiceExecutor *self,
         Ctl            *ctl,
         json_t         *item)
{
  Ctl *next;

  if (ctl->index + 1 == self->ctls->len)
    {
      write_output (self, item);
      json_decref (item);
      return;
    }

  next = g_ptr_array_index (self->ctls, ctl->index + 1);
  if (!next->started)
    {
      next->started = TRUE;
      if (self->listening)
        {
          SluiceEvent *event = event_new (self, SLUICE_EVENT_STAGE_TRANSITION, next->id, NULL, 0);
          event->from_id = g_strdup (ctl->id);
          event->to_id = g_strdup (next->id);
          emit_event (self, event);
        }
    }
  g_queue_push_tail (&next->input, item);
}

/* ---------------------------------------------------------------- jobs */

static Job *
job_new (SluiceExecutor *self,
         Ctl            *ctl,
         Program        *prog,
         guint64         seq,
         gboolean        collect)
{
  Job *job = g_new0 (Job, 1);

  job->ctl = ctl;
  job->prog = prog;
  job->seq = seq;
  job->started = g_get_monotonic_time ();
  if (collect)
    job->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
  g_hash_table_add (self->jobs, job);

  return job;
}

static void
job_free (SluiceExecutor *self,
          Job            *job)
{
  g_hash_table_remove (self->jobs, job);
  if (job->timer != NULL)
    sluice_executor_remove_timer (self, job->timer);
  g_clear_pointer (&job->outputs, g_ptr_array_unref);
  g_clear_pointer (&job->input, json_decref);
  g_free (job);
}

static gboolean
job_is_dead (Job *job)
{
  for (; job != NULL; job = job->parent)
    if (job->dead)
      return TRUE;
  return FALSE;
}

/* An item reached the end of its job's program. Consumes @item. */
static void
job_output (SluiceExecutor *self,
            Job            *job,
            json_t         *item)
{
  if (job->outputs != NULL)
    g_ptr_array_add (job->outputs, item);
  else
    deliver (self, job->ctl, item);
}

static void
flush_ordered (SluiceExecutor *self,
               Ctl            *ctl)
{
  GPtrArray *outputs;

  while ((outputs = g_hash_table_lookup (ctl->held, GSIZE_TO_POINTER (ctl->next_emit))) != NULL)
    {
      g_hash_table_steal (ctl->held, GSIZE_TO_POINTER (ctl->next_emit));
      for (guint i = 0; i < outputs->len; i++)
        deliver (self, ctl, json_incref (g_ptr_array_index (outputs, i)));
      g_ptr_array_unref (outputs);
      ctl->next_emit++;
    }
}

static ModuleInfo *
last_module (SluiceExecutor *self,
             Ctl            *ctl)
{
  for (guint i = self->mods->len; i > 0; i--)
    {
      ModuleInfo *info = g_ptr_array_index (self->mods, i - 1);
      if (info->ctl == ctl->index && info->last_of_ctl)
        return info;
    }
  return NULL;
}

static void
ctl_job_complete (SluiceExecutor *self,
                  Job            *job)
{
  Ctl *ctl = job->ctl;

  ctl->in_flight--;

  switch (ctl->mode)
    {
    case SLUICE_MODE_ORDER_BY_SEQUENCE:
      g_hash_table_insert (ctl->held, GSIZE_TO_POINTER (job->seq), g_steal_pointer (&job->outputs));
      flush_ordered (self, ctl);
      break;

    case SLUICE_MODE_FIRST_WINS:
      if (job->outputs->len == 0)
        break;
      if (job->seq > ctl->last_emitted)
        {
          ctl->last_emitted = job->seq;
          for (guint i = 0; i < job->outputs->len; i++)
            deliver (self, ctl, json_incref (g_ptr_array_index (job->outputs, i)));
        }
      else
        {
          ModuleInfo *last = last_module (self, ctl);

          if (last != NULL)
            last->stats.superseded += job->outputs->len;
          {
            SluiceEvent *event = event_new (self, SLUICE_EVENT_ITEM_SUPERSEDED, ctl->id,
                                            last != NULL ? last->id : NULL, job->seq);
            event->outputs = job->outputs->len;
            emit_event (self, event);
          }
        }
      break;

    case SLUICE_MODE_NOT_PARALLEL:
    case SLUICE_MODE_NO_ORDER:
    default:
      break;
    }

  job_free (self, job);
}

static void
combo_complete (SluiceExecutor *self,
                Job            *job)
{
  Job *parent = job->parent;
  Step *step = program_step (parent->prog, job->parent_pc);
  ModuleInfo *info = sluice_executor_get_module_info (self, step->mod);
  gint64 duration = g_get_monotonic_time () - job->started;
  guint n = job->outputs->len;

  __atomic_fetch_add (&info->stats.items_out, n, __ATOMIC_RELAXED);
  __atomic_fetch_add (&info->stats.time_us, duration, __ATOMIC_RELAXED);
  if (n == 0)
    info->stats.dropped++;
  info->stats.active--;
  emit_module_event (self, SLUICE_EVENT_MODULE_FINISHED, step->mod, parent->seq, duration, n);

  parent->pending += n;
  for (guint i = 0; i < n; i++)
    g_queue_push_tail (&self->ready,
                       sluice_token_new (json_incref (g_ptr_array_index (job->outputs, i)),
                                         parent, step->next));
  job_free (self, job);
  job_pending_dec (self, parent);
}

static void
job_pending_dec (SluiceExecutor *self,
                 Job            *job)
{
  g_assert (job->pending > 0);
  if (--job->pending > 0)
    return;

  if (job_is_dead (job))
    job_free (self, job);
  else if (job->parent != NULL)
    combo_complete (self, job);
  else
    ctl_job_complete (self, job);
}

/* Drops a token (it leaves its job without output). */
static void
token_drop (SluiceExecutor *self,
            Token          *token)
{
  Job *job = token->job;

  sluice_token_free (token);
  job_pending_dec (self, job);
}

/* Kills the commands of @job and its sub-jobs; their tokens come back
 * failed and are dropped as dead. */
static void
job_kill (SluiceExecutor *self,
          Job            *job)
{
  GHashTableIter iter;
  gpointer key;

  job->dead = TRUE;
  g_hash_table_iter_init (&iter, self->commands);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Token *token = sluice_command_get_token (key);
      Job *j;

      for (j = token->job; j != NULL && j != job; j = j->parent)
        ;
      if (j == job)
        sluice_command_kill (key, "cancelled");
    }
}

/* ---------------------------------------------------------------- failure */

static void
fail_run (SluiceExecutor *self,
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
  stop_run (self, SLUICE_RUN_FAILED);
}

static void
retry_cb (SluiceExecutor *self,
          gpointer        data)
{
  g_queue_push_tail (&self->ready, data);
}

static void
combo_timeout_cb (SluiceExecutor *self,
                  gpointer        data)
{
  Job *job = data;
  Step *step = program_step (job->parent->prog, job->parent_pc);
  ModuleInfo *info = sluice_executor_get_module_info (self, step->mod);
  Token *token;

  job->timer = NULL;
  token = sluice_token_new (json_incref (job->input), job->parent, job->parent_pc);
  token->attempt = job->attempt;
  token->error = g_strdup_printf ("timed out after %" G_GINT64_FORMAT " ms", info->timeout_us / 1000);
  job_kill (self, job);
  info->stats.active--;
  /* The dead job is freed when its last token comes back. */
  job->pending++;
  job_pending_dec (self, job);
  token_failed (self, token);
}

/* A step failed for @token (token->error says why): retry it after its
 * back-off, or apply its on-error. */
static void
token_failed (SluiceExecutor *self,
              Token          *token)
{
  Step *step = program_step (token->job->prog, token->pc);
  ModuleInfo *info = sluice_executor_get_module_info (self, step->mod);
  Job *job = token->job;

  info->stats.failed++;

  if (self->listening)
    {
      SluiceEvent *event = event_new (self, SLUICE_EVENT_MODULE_FAILED,
                                      ctl_id_of_mod (self, info), info->id, job->seq);
      event->error = g_strdup (token->error);
      event->stderr_tail = g_strdup (token->stderr_tail);
      event->attempt = token->attempt == G_MAXUINT ? 1 : token->attempt + 1;
      emit_event (self, event);
    }

  if (token->item != NULL && token->attempt < info->retries)
    {
      gint64 delay = SLUICE_RETRY_BASE_DELAY_MS * 1000 * pow (info->backoff, token->attempt);

      token->attempt++;
      g_clear_pointer (&token->error, g_free);
      g_clear_pointer (&token->stderr_tail, g_free);
      sluice_executor_add_timer (self, g_get_monotonic_time () + delay, retry_cb, token);
      return;
    }

  switch (info->on_error)
    {
    case SLUICE_ON_ERROR_DROP:
      info->stats.dropped++;
      token_drop (self, token);
      return;

    case SLUICE_ON_ERROR_CONTINUE:
      if (token->item != NULL)
        {
          info->stats.items_out++;
          token->pc = step->next;
          token->attempt = 0;
          g_clear_pointer (&token->error, g_free);
          g_clear_pointer (&token->stderr_tail, g_free);
          g_queue_push_tail (&self->ready, token);
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
      Step *combo_step = program_step (job->parent->prog, job->parent_pc);
      ModuleInfo *combo = sluice_executor_get_module_info (self, combo_step->mod);
      Token *group = sluice_token_new (json_incref (job->input), job->parent, job->parent_pc);

      group->attempt = job->attempt;
      group->error = g_strdup_printf ("module “%s”: %s", info->id, token->error);
      group->stderr_tail = g_steal_pointer (&token->stderr_tail);
      combo->stats.active--;
      job_kill (self, job);
      token_drop (self, token);   /* may free the dead job */
      token_failed (self, group);
      return;
    }

  {
    g_autofree char *message = g_strdup_printf ("module “%s”: %s", info->id, token->error);
    fail_run (self, info->id, message, token->stderr_tail);
    sluice_token_free (token);
  }
}

/* ---------------------------------------------------------------- steps */

/* Lua steps record themselves, on whichever thread runs them. */
static void
preview_items (ModuleInfo  *info,
               gboolean     outputs,
               json_t     **items,
               guint        n)
{
  gint64 now = g_get_monotonic_time ();

  if (!sluice_preview_due (info->preview, outputs, now))
    return;
  for (guint i = 0; i < n; i++)
    sluice_preview_record (info->preview, outputs, items[i], now);
}

void
sluice_executor_command_done (SluiceExecutor *self,
                              Command        *command,
                              Token          *token,
                              GPtrArray      *outputs,
                              gint64          duration)
{
  Step *step;
  ModuleInfo *info;

  g_hash_table_remove (self->commands, command);
  step = program_step (token->job->prog, token->pc);
  info = sluice_executor_get_module_info (self, step->mod);
  info->stats.active--;
  info->stats.time_us += duration;

  if (self->stopped || job_is_dead (token->job))
    {
      g_clear_pointer (&outputs, g_ptr_array_unref);
      if (self->stopped)
        sluice_token_free (token);
      else
        token_drop (self, token);
      schedule (self);
      return;
    }

  if (token->error != NULL)
    {
      token_failed (self, token);
      schedule (self);
      return;
    }

  emit_module_event (self, SLUICE_EVENT_MODULE_FINISHED, step->mod, token->job->seq,
                     duration, outputs->len);
  if (G_UNLIKELY (info->preview != NULL))
    preview_items (info, TRUE, (json_t **) outputs->pdata, outputs->len);
  info->stats.items_out += outputs->len;
  if (outputs->len == 0)
    info->stats.dropped++;
  token->job->pending += outputs->len;
  for (guint i = 0; i < outputs->len; i++)
    g_queue_push_tail (&self->ready,
                       sluice_token_new (json_incref (g_ptr_array_index (outputs, i)),
                                         token->job, step->next));
  g_ptr_array_unref (outputs);
  token_drop (self, token);
  schedule (self);
}

static void
delay_done_cb (SluiceExecutor *self,
               gpointer        data)
{
  Token *token = data;
  Step *step = program_step (token->job->prog, token->pc);
  ModuleInfo *info = sluice_executor_get_module_info (self, step->mod);

  info->stats.active--;
  if (job_is_dead (token->job))
    {
      token_drop (self, token);
      return;
    }
  info->stats.items_out++;
  emit_module_event (self, SLUICE_EVENT_MODULE_FINISHED, step->mod, token->job->seq, 0, 1);
  token->pc = step->next;
  token->attempt = 0;
  g_queue_push_tail (&self->ready, token);
}

static void
process_segment_out (SluiceExecutor *self,
                     Job            *job,
                     GPtrArray      *out)
{
  job->pending += out->len;
  for (guint i = 0; i < out->len; i++)
    {
      Token *token = g_ptr_array_index (out, i);

      if (token->error != NULL)
        token_failed (self, token);
      else if (token->pc >= token->job->prog->steps->len)
        {
          json_t *item = g_steal_pointer (&token->item);

          job_output (self, token->job, item);
          token_drop (self, token);
        }
      else
        g_queue_push_tail (&self->ready, token);

      if (self->stopped)
        {
          for (guint j = i + 1; j < out->len; j++)
            sluice_token_free (g_ptr_array_index (out, j));
          break;
        }
    }
  g_ptr_array_set_size (out, 0);
  if (!self->stopped)
    job_pending_dec (self, job);
}

static void
worker_cb (gpointer data,
           gpointer user_data)
{
  SluiceExecutor *self = user_data;
  SegmentResult *result = data;
  SluiceLuaRuntime *rt;

  if (g_atomic_int_get (&self->cancel_flag))
    {
      g_async_queue_push (self->results, result);
      g_source_set_ready_time (self->source, 0);
      return;
    }

  rt = g_async_queue_try_pop (self->free_rts);
  if (rt == NULL)
    {
      rt = sluice_lua_runtime_new (self->lua_codes, self->params, &self->cancel_flag);
      g_mutex_lock (&self->rts_lock);
      g_ptr_array_add (self->all_rts, rt);
      g_mutex_unlock (&self->rts_lock);
    }

  result->out = g_ptr_array_new ();
  sluice_program_run_segment (self, rt, result->token, result->out, result->records);
  result->token = NULL;
  g_async_queue_push (self->free_rts, rt);

  g_async_queue_push (self->results, result);
  g_source_set_ready_time (self->source, 0);
}

static void
drain_results (SluiceExecutor *self)
{
  SegmentResult *result;

  while ((result = g_async_queue_try_pop (self->results)) != NULL)
    {
      if (result->token != NULL)
        {
          /* Cancelled before it ran. */
          sluice_token_free (result->token);
        }
      else if (self->stopped)
        {
          for (guint i = 0; i < result->out->len; i++)
            sluice_token_free (g_ptr_array_index (result->out, i));
        }
      else
        {
          if (result->records != NULL)
            emit_records (self, result->records);
          if (job_is_dead (result->job))
            {
              result->job->pending += result->out->len;
              for (guint i = 0; i < result->out->len; i++)
                token_drop (self, g_ptr_array_index (result->out, i));
              g_ptr_array_set_size (result->out, 0);
              job_pending_dec (self, result->job);
            }
          else
            process_segment_out (self, result->job, result->out);
        }
      g_clear_pointer (&result->out, g_ptr_array_unref);
      g_clear_pointer (&result->records, g_array_unref);
      g_free (result);
    }
}

static guint64
random_delay (ModuleInfo *info)
{
  if (info->delay_max_us <= info->delay_min_us)
    return info->delay_min_us;
  return info->delay_min_us + (guint64) g_random_double_range (0, info->delay_max_us - info->delay_min_us + 1);
}

static void
start_combo (SluiceExecutor *self,
             Token          *token,
             Step           *step,
             ModuleInfo     *info)
{
  Job *job = job_new (self, token->job->ctl, step->sub, token->job->seq, TRUE);

  job->parent = token->job;
  job->parent_pc = token->pc;
  job->input = json_incref (token->item);
  job->attempt = token->attempt;
  job->pending = 1;
  if (info->timeout_us > 0)
    job->timer = sluice_executor_add_timer (self, g_get_monotonic_time () + info->timeout_us,
                                            combo_timeout_cb, job);
  /* The combination's token becomes the sub-job; the parent keeps its
   * pending count until the group completes or fails. */
  token->job = job;
  token->pc = 0;
  token->attempt = 0;
  g_queue_push_tail (&self->ready, token);
}

/* Moves @token on from its step; consumes it. */
static void
token_advance (SluiceExecutor *self,
               Token          *token)
{
  Job *job = token->job;
  Program *prog = job->prog;
  Step *step;
  ModuleInfo *info;

  if (job_is_dead (job))
    {
      token_drop (self, token);
      return;
    }

  while (token->pc < prog->steps->len && program_step (prog, token->pc)->kind == STEP_JUMP)
    token->pc = program_step (prog, token->pc)->target;

  if (token->pc >= prog->steps->len)
    {
      job_output (self, job, g_steal_pointer (&token->item));
      token_drop (self, token);
      return;
    }

  step = program_step (prog, token->pc);
  info = sluice_executor_get_module_info (self, step->mod);
  if (G_UNLIKELY (info->preview != NULL) && !step_is_lua (step) && token->attempt == 0)
    preview_items (info, FALSE, &token->item, 1);

  switch (step->kind)
    {
    case STEP_LUA:
    case STEP_COND:
    case STEP_JUMP:
      if (job->ctl->mode == SLUICE_MODE_NOT_PARALLEL)
        {
          GArray *records = self->listening ? self->records : NULL;

          sluice_program_run_segment (self, self->main_rt, token, self->scratch, records);
          if (records != NULL)
            emit_records (self, records);
          process_segment_out (self, job, self->scratch);
        }
      else
        {
          SegmentResult *result = g_new0 (SegmentResult, 1);

          result->token = token;
          result->job = job;
          if (self->listening)
            result->records = g_array_new (FALSE, FALSE, sizeof (StepRecord));
          g_thread_pool_push (self->pool, result, NULL);
        }
      return;

    case STEP_COMMAND:
      {
        Command *command;

        if (token->attempt == 0)
          info->stats.items_in++;
        info->stats.active++;
        emit_module_event (self, SLUICE_EVENT_MODULE_STARTED, step->mod, job->seq, 0, 0);
        command = sluice_command_start (self, info->command, self->base_directory,
                                        token, info->timeout_us);
        if (command != NULL)
          g_hash_table_add (self->commands, command);
      }
      return;

    case STEP_DELAY:
      if (token->attempt == 0)
        info->stats.items_in++;
      info->stats.active++;
      emit_module_event (self, SLUICE_EVENT_MODULE_STARTED, step->mod, job->seq, 0, 0);
      {
        gint64 delay = random_delay (info);

        info->stats.time_us += delay;
        sluice_executor_add_timer (self, g_get_monotonic_time () + delay, delay_done_cb, token);
      }
      return;

    case STEP_COMBO:
      if (token->attempt == 0)
        info->stats.items_in++;
      info->stats.active++;
      emit_module_event (self, SLUICE_EVENT_MODULE_STARTED, step->mod, job->seq, 0, 0);
      start_combo (self, token, step, info);
      return;

    case STEP_FAIL:
      info->stats.items_in++;
      info->stats.failed++;
      {
        g_autofree char *message = g_strdup_printf ("module “%s”: %s", info->id, info->reason);

        if (self->listening)
          {
            SluiceEvent *event = event_new (self, SLUICE_EVENT_MODULE_FAILED,
                                            job->ctl->id, info->id, job->seq);
            event->error = g_strdup (info->reason);
            event->attempt = 1;
            emit_event (self, event);
          }
        fail_run (self, info->id, message, NULL);
      }
      sluice_token_free (token);
      return;

    case STEP_EXTERNAL:
    default:
      if (token->attempt == 0)
        info->stats.items_in++;
      token->error = g_strdup ("external modules are not supported yet");
      token->attempt = MAX (token->attempt, info->retries);
      token_failed (self, token);
      return;
    }
}

/* ---------------------------------------------------------------- input */

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
request_read (SluiceExecutor *self)
{
  if (self->reading || self->input_eof || self->input == NULL || self->stopped)
    return;

  self->reading = TRUE;
  g_input_stream_read_bytes_async (self->input, READ_CHUNK, G_PRIORITY_DEFAULT_IDLE,
                                   self->cancellable, read_cb, g_object_ref (self));
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SluiceExecutor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  self->reading = FALSE;
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (self->stopped)
    return;

  if (bytes == NULL)
    {
      g_autofree char *message = g_strdup_printf ("cannot read input: %s", error->message);
      fail_run (self, NULL, message, NULL);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    self->input_eof = TRUE;
  else
    {
      /* Keep only the unconsumed tail of the buffer. */
      if (self->inbuf_pos > 0)
        {
          g_byte_array_remove_range (self->inbuf, 0, self->inbuf_pos);
          self->inbuf_pos = 0;
        }
      g_byte_array_append (self->inbuf, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  schedule (self);
}

/* Parses one input line into controller 0's queue; FALSE when the run
 * failed on it. */
static gboolean
take_line (SluiceExecutor *self,
           const char     *line,
           gsize           length)
{
  Ctl *first = g_ptr_array_index (self->ctls, 0);
  json_error_t jerror;
  json_t *item;
  gsize i;

  self->input_line++;
  for (i = 0; i < length && g_ascii_isspace (line[i]); i++)
    ;
  if (i == length)
    return TRUE;

  item = json_loadb (line, length, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerror);
  if (item == NULL || !json_is_object (item))
    {
      g_autofree char *message =
        item == NULL
        ? g_strdup_printf ("input line %" G_GUINT64_FORMAT ": not JSON: %s", self->input_line, jerror.text)
        : g_strdup_printf ("input line %" G_GUINT64_FORMAT ": not a JSON object", self->input_line);

      if (item != NULL)
        json_decref (item);
      fail_run (self, NULL, message, NULL);
      return FALSE;
    }

  self->items_in++;
  g_queue_push_tail (&first->input, item);
  return TRUE;
}

/* Fills controller 0's queue from the input, up to the queue bound. */
static void
fill_input (SluiceExecutor *self)
{
  Ctl *first = g_ptr_array_index (self->ctls, 0);

  if (first->input_done)
    return;

  if (self->input == NULL)
    {
      if (!self->trigger_sent)
        {
          self->trigger_sent = TRUE;
          self->items_in++;
          g_queue_push_tail (&first->input, json_object ());
        }
      first->input_done = TRUE;
      return;
    }

  while (first->input.length < QUEUE_CAP && !self->stopped)
    {
      const char *data = (const char *) self->inbuf->data + self->inbuf_pos;
      gsize avail = self->inbuf->len - self->inbuf_pos;
      const char *nl = avail > 0 ? memchr (data, '\n', avail) : NULL;

      if (nl == NULL)
        {
          if (self->input_eof)
            {
              if (avail > 0)
                {
                  self->inbuf_pos += avail;
                  take_line (self, data, avail);
                }
              if (!self->stopped)
                first->input_done = TRUE;
            }
          else
            request_read (self);
          return;
        }

      self->inbuf_pos += nl - data + 1;
      if (!take_line (self, data, nl - data))
        return;
    }
}

/* ---------------------------------------------------------------- scheduling */

static guint
ctl_limit (Ctl *ctl)
{
  return ctl->mode == SLUICE_MODE_NOT_PARALLEL ? 1 : ctl->workers;
}

/* Starts items of @ctl while its mode and the next queue allow. */
static gboolean
admit (SluiceExecutor *self,
       Ctl            *ctl)
{
  Ctl *next = ctl->index + 1 < self->ctls->len ? g_ptr_array_index (self->ctls, ctl->index + 1) : NULL;
  gboolean admitted = FALSE;

  while (ctl->input.length > 0 && ctl->in_flight < ctl_limit (ctl))
    {
      Job *job;
      gboolean collect;

      if (next != NULL && next->input.length >= QUEUE_CAP)
        break;
      if (ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE &&
          ctl->next_seq - ctl->next_emit >= (guint64) ORDER_WINDOW_FACTOR * ctl->workers)
        break;

      collect = ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE || ctl->mode == SLUICE_MODE_FIRST_WINS;
      job = job_new (self, ctl, ctl->prog, ctl->next_seq++, collect);
      job->pending = 1;
      ctl->in_flight++;
      ctl->started = TRUE;
      g_queue_push_tail (&self->ready, sluice_token_new (g_queue_pop_head (&ctl->input), job, 0));
      admitted = TRUE;
    }

  return admitted;
}

static void
finish_ctl (SluiceExecutor *self,
            Ctl            *ctl)
{
  ctl->finished = TRUE;
  if (ctl->index + 1 < self->ctls->len)
    ((Ctl *) g_ptr_array_index (self->ctls, ctl->index + 1))->input_done = TRUE;
}

static void
check_finished (SluiceExecutor *self)
{
  for (guint i = 0; i < self->ctls->len; i++)
    {
      Ctl *ctl = g_ptr_array_index (self->ctls, i);

      if (ctl->finished)
        continue;
      if (!ctl->input_done || ctl->input.length > 0 || ctl->in_flight > 0)
        return;
      finish_ctl (self, ctl);
    }

  if (g_queue_is_empty (&self->ready) && !self->stopped)
    stop_run (self, SLUICE_RUN_COMPLETED);
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
  self->listening = g_signal_has_handler_pending (self, signals[EVENT], 0, FALSE);

  drain_results (self);
  if (!self->stopped)
    fire_timers (self);

  while (!self->stopped && self->state == SLUICE_RUN_RUNNING)
    {
      Token *token = g_queue_pop_head (&self->ready);

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

      token_advance (self, token);

      if (++count % SLICE_CHECK == 0 && g_get_monotonic_time () - start > SLICE_US)
        {
          more = TRUE;
          break;
        }
    }

  if (!self->stopped && self->state == SLUICE_RUN_RUNNING)
    check_finished (self);

  if (!self->stopped)
    {
      if (more)
        g_source_set_ready_time (source, 0);
      else if (!g_sequence_is_empty (self->timers))
        {
          Timer *timer = g_sequence_get (g_sequence_get_begin_iter (self->timers));
          gint64 ready = g_source_get_ready_time (source);

          if (ready == -1 || ready > timer->deadline)
            g_source_set_ready_time (source, timer->deadline);
        }
    }

  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
  NULL, NULL, source_dispatch, NULL, NULL, NULL,
};

static void
schedule (SluiceExecutor *self)
{
  if (self->source != NULL && !self->stopped)
    g_source_set_ready_time (self->source, 0);
}

/* ---------------------------------------------------------------- run control */

static void
stop_run (SluiceExecutor *self,
          SluiceRunState  state)
{
  GHashTableIter iter;
  gpointer key;
  Token *token;

  if (self->stopped)
    return;

  self->stopped = TRUE;
  self->ended = g_get_monotonic_time ();
  g_atomic_int_set (&self->cancel_flag, 1);
  g_cancellable_cancel (self->cancellable);

  g_hash_table_iter_init (&iter, self->commands);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    sluice_command_kill (key, state == SLUICE_RUN_CANCELLED ? "cancelled" : "run stopped");

  /* Timers own tokens (delays, retries) or point at jobs and commands:
   * tokens are freed, the rest is freed with the jobs. */
  while (!g_sequence_is_empty (self->timers))
    {
      GSequenceIter *it = g_sequence_get_begin_iter (self->timers);
      Timer *timer = g_sequence_get (it);

      if (timer->func == delay_done_cb || timer->func == retry_cb)
        sluice_token_free (timer->data);
      else if (timer->func == combo_timeout_cb)
        ((Job *) timer->data)->timer = NULL;
      g_sequence_remove (it);
    }

  while ((token = g_queue_pop_head (&self->ready)) != NULL)
    sluice_token_free (token);

  if (self->source != NULL)
    g_source_set_ready_time (self->source, -1);

  if (state == SLUICE_RUN_COMPLETED)
    for (guint i = 0; i < self->mods->len; i++)
      {
        ModuleInfo *info = g_ptr_array_index (self->mods, i);
        (void) info;
      }

  set_state (self, state);
}

void
sluice_executor_start (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  self->started = g_get_monotonic_time ();
  ((Ctl *) g_ptr_array_index (self->ctls, 0))->started = TRUE;
  set_state (self, SLUICE_RUN_RUNNING);
  schedule (self);
}

void
sluice_executor_pause (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->state == SLUICE_RUN_RUNNING)
    set_state (self, SLUICE_RUN_PAUSED);
}

void
sluice_executor_resume (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->state == SLUICE_RUN_PAUSED)
    {
      set_state (self, SLUICE_RUN_RUNNING);
      schedule (self);
    }
}

void
sluice_executor_cancel (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (sluice_run_state_is_final (self->state))
    return;
  if (self->state == SLUICE_RUN_PENDING)
    self->started = g_get_monotonic_time ();
  stop_run (self, SLUICE_RUN_CANCELLED);
}

/* ---------------------------------------------------------------- getters */

SluicePipeline *
sluice_executor_get_pipeline (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  return self->pipeline;
}

void
sluice_executor_set_base_directory (SluiceExecutor *self,
                                    const char     *directory)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_free (self->base_directory);
  self->base_directory = g_strdup (directory);
}

void
sluice_executor_set_input_stream (SluiceExecutor *self,
                                  GInputStream   *stream)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);
  g_set_object (&self->input, stream);
}

void
sluice_executor_set_output_func (SluiceExecutor   *self,
                                 SluiceOutputFunc  func,
                                 gpointer          user_data,
                                 GDestroyNotify    destroy)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->output_destroy != NULL)
    self->output_destroy (self->output_data);
  self->output_func = func;
  self->output_data = user_data;
  self->output_destroy = destroy;
}

SluiceRunState
sluice_executor_get_state (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), SLUICE_RUN_PENDING);
  return self->state;
}

const char *
sluice_executor_get_error (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  return self->error;
}

const char *
sluice_executor_get_failed_module (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  return self->failed_module;
}

const char *
sluice_executor_get_stderr_tail (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  return self->stderr_tail;
}

guint64
sluice_executor_get_items_in (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->items_in;
}

guint64
sluice_executor_get_items_out (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->items_out;
}

gint64
sluice_executor_get_elapsed (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);

  if (self->started == 0)
    return 0;
  return (self->ended != 0 ? self->ended : g_get_monotonic_time ()) - self->started;
}

gboolean
sluice_executor_get_module_stats (SluiceExecutor    *self,
                                  const char        *module_id,
                                  SluiceModuleStats *stats)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  for (guint i = 0; i < self->mods->len; i++)
    {
      ModuleInfo *info = g_ptr_array_index (self->mods, i);

      if (g_strcmp0 (info->id, module_id) != 0)
        continue;

      sluice_executor_get_module_stats_at (self, i, stats);
      return TRUE;
    }

  return FALSE;
}

guint
sluice_executor_get_n_modules (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->mods->len;
}

const char *
sluice_executor_get_module_id (SluiceExecutor *self,
                               guint           index)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (index < self->mods->len, NULL);
  return ((ModuleInfo *) g_ptr_array_index (self->mods, index))->id;
}

void
sluice_executor_get_module_stats_at (SluiceExecutor    *self,
                                     guint              index,
                                     SluiceModuleStats *stats)
{
  ModuleInfo *info;
  Ctl *ctl;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (index < self->mods->len);

  info = g_ptr_array_index (self->mods, index);
  ctl = g_ptr_array_index (self->ctls, info->ctl);
  *stats = info->stats;
  stats->items_in = __atomic_load_n (&info->stats.items_in, __ATOMIC_RELAXED);
  stats->items_out = __atomic_load_n (&info->stats.items_out, __ATOMIC_RELAXED);

  if (self->state == SLUICE_RUN_FAILED && g_strcmp0 (self->failed_module, info->id) == 0)
    stats->state = SLUICE_MODULE_FAILED;
  else if (stats->failed > 0 && info->on_error == SLUICE_ON_ERROR_FAIL &&
           sluice_run_state_is_final (self->state) && self->state != SLUICE_RUN_COMPLETED)
    stats->state = SLUICE_MODULE_FAILED;
  else if (stats->active > 0)
    stats->state = SLUICE_MODULE_RUNNING;
  else if (ctl->finished || sluice_run_state_is_final (self->state))
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_DONE : SLUICE_MODULE_SKIPPED;
  else
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_RUNNING : SLUICE_MODULE_IDLE;
}

gint
sluice_executor_get_held_back (SluiceExecutor *self,
                               const char     *controller_id)
{
  Ctl *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  if (ctl == NULL)
    return -1;
  return ctl->held != NULL ? (gint) g_hash_table_size (ctl->held) : 0;
}

void
sluice_executor_set_priority (SluiceExecutor *self,
                              int             priority)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->source != NULL && g_source_get_priority (self->source) != priority)
    g_source_set_priority (self->source, priority);
}

void
sluice_executor_set_preview (SluiceExecutor *self,
                             guint           depth)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  for (guint i = 0; i < self->mods->len; i++)
    {
      ModuleInfo *info = g_ptr_array_index (self->mods, i);

      g_clear_pointer (&info->preview, sluice_preview_free);
      if (depth > 0)
        info->preview = sluice_preview_new (depth);
    }
}

char **
sluice_executor_dup_preview (SluiceExecutor *self,
                             const char     *module_id,
                             gboolean        outputs)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->mods->len; i++)
    {
      ModuleInfo *info = g_ptr_array_index (self->mods, i);

      if (g_strcmp0 (info->id, module_id) == 0)
        return sluice_preview_dup (info->preview, outputs);
    }
  return sluice_preview_dup (NULL, outputs);
}

gint
sluice_executor_get_queue_depth (SluiceExecutor *self,
                                 const char     *controller_id)
{
  Ctl *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  return ctl != NULL ? (gint) ctl->input.length : -1;
}

gint
sluice_executor_get_in_flight (SluiceExecutor *self,
                               const char     *controller_id)
{
  Ctl *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  return ctl != NULL ? (gint) ctl->in_flight : -1;
}

const char *
sluice_executor_get_current_controller (SluiceExecutor *self)
{
  const char *current = NULL;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->ctls->len; i++)
    {
      Ctl *ctl = g_ptr_array_index (self->ctls, i);
      if (ctl->started && !ctl->finished)
        current = ctl->id;
    }
  return current;
}

/* ---------------------------------------------------------------- construction */

static gboolean
resolve_params (SluiceExecutor  *self,
                GHashTable      *defines,
                GError         **error)
{
  GListModel *list = G_LIST_MODEL (sluice_pipeline_get_parameters (self->pipeline));
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceParameter) param = g_list_model_get_item (list, i);
      const char *name = sluice_parameter_get_name (param);
      const char *value = defines != NULL ? g_hash_table_lookup (defines, name) : NULL;

      if (value == NULL)
        value = sluice_parameter_get_default_value (param);
      if (value == NULL)
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_PARAMETER,
                       "parameter “%s” has no default: set it with -D %s=VALUE", name, name);
          return FALSE;
        }
      g_hash_table_insert (self->params, g_strdup (name), g_strdup (value));
    }

  if (defines != NULL)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, defines);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (self->params, key))
          {
            g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_PARAMETER,
                         "unknown parameter “%s”: the pipeline declares no such parameter",
                         (const char *) key);
            return FALSE;
          }
    }

  return TRUE;
}

static void
ctl_free (Ctl *ctl)
{
  g_queue_clear_full (&ctl->input, (GDestroyNotify) json_decref);
  g_clear_pointer (&ctl->held, g_hash_table_unref);
  sluice_program_free (ctl->prog);
  g_free (ctl);
}

static gboolean
build (SluiceExecutor  *self,
       GError         **error)
{
  GListModel *controllers = sluice_pipeline_get_controllers (self->pipeline);
  guint n = g_list_model_get_n_items (controllers);
  guint max_workers = 0;

  if (n == 0)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_UNSUPPORTED,
                   "the pipeline has no controller");
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      g_autoptr(GListStore) all = g_list_store_new (SLUICE_TYPE_MODULE);
      GListModel *phases = sluice_controller_get_phases (controller);
      Ctl *ctl = g_new0 (Ctl, 1);

      ctl->controller = controller;
      ctl->id = sluice_node_get_id (SLUICE_NODE (controller));
      ctl->index = i;
      ctl->mode = sluice_controller_get_mode (controller);
      ctl->workers = sluice_controller_get_workers (controller);
      if (ctl->workers == 0)
        ctl->workers = g_get_num_processors ();
      ctl->next_seq = 1;
      ctl->next_emit = 1;
      ctl->held = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
      g_queue_init (&ctl->input);
      g_ptr_array_add (self->ctls, ctl);

      /* Phases run in order, so a controller's program is its phases'
       * modules one after the other. */
      for (guint p = 0; p < g_list_model_get_n_items (phases); p++)
        {
          g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, p);
          GListModel *modules = sluice_phase_get_modules (phase);

          for (guint m = 0; m < g_list_model_get_n_items (modules); m++)
            {
              g_autoptr(GObject) module = g_list_model_get_item (modules, m);
              g_list_store_append (all, module);
            }
        }

      {
        guint first_mod = self->mods->len;

        ctl->prog = sluice_program_compile (self, G_LIST_MODEL (all), i, error);
        if (ctl->prog == NULL)
          return FALSE;
        /* The last top-level module counts superseded items. */
        if (ctl->prog->steps->len > 0)
          {
            for (guint s = ctl->prog->steps->len; s > 0; s--)
              {
                Step *step = program_step (ctl->prog, s - 1);
                if (step->kind != STEP_JUMP)
                  {
                    guint mod = step->mod;
                    /* Walk back to the top-level module (a condition's
                     * branch steps follow the condition). */
                    for (guint k = 0; k < ctl->prog->steps->len; k++)
                      {
                        Step *top = program_step (ctl->prog, k);
                        if (top->kind == STEP_COND && s - 1 > k && s - 1 < top->next)
                          {
                            mod = top->mod;
                            break;
                          }
                      }
                    ((ModuleInfo *) g_ptr_array_index (self->mods, mod))->last_of_ctl = TRUE;
                    break;
                  }
              }
          }
        (void) first_mod;
      }

      if (ctl->mode != SLUICE_MODE_NOT_PARALLEL)
        max_workers = MAX (max_workers, ctl->workers);
    }

  self->main_rt = sluice_lua_runtime_new (self->lua_codes, self->params, &self->cancel_flag);
  if (!sluice_lua_runtime_check (self->main_rt, error))
    return FALSE;

  if (max_workers > 0)
    {
      GError *local = NULL;

      self->pool_threads = MIN (max_workers, g_get_num_processors ());
      self->pool = g_thread_pool_new (worker_cb, self, self->pool_threads, FALSE, &local);
      if (self->pool == NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
    }

  return TRUE;
}

SluiceExecutor *
sluice_executor_new (SluicePipeline  *pipeline,
                     GHashTable      *defines,
                     GError         **error)
{
  g_autoptr(SluiceExecutor) self = NULL;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);

  self = g_object_new (SLUICE_TYPE_EXECUTOR, "pipeline", pipeline, NULL);
  if (!resolve_params (self, defines, error) || !build (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
sluice_executor_dispose (GObject *object)
{
  SluiceExecutor *self = SLUICE_EXECUTOR (object);

  if (!sluice_run_state_is_final (self->state) && self->state != SLUICE_RUN_PENDING)
    stop_run (self, SLUICE_RUN_CANCELLED);
  self->stopped = TRUE;
  g_atomic_int_set (&self->cancel_flag, 1);

  if (self->pool != NULL)
    {
      g_thread_pool_free (self->pool, FALSE, TRUE);
      self->pool = NULL;
    }
  if (self->results != NULL)
    drain_results (self);

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }

  G_OBJECT_CLASS (sluice_executor_parent_class)->dispose (object);
}

static void
sluice_executor_finalize (GObject *object)
{
  SluiceExecutor *self = SLUICE_EXECUTOR (object);
  GHashTableIter iter;
  gpointer key;
  Token *token;

  while ((token = g_queue_pop_head (&self->ready)) != NULL)
    sluice_token_free (token);
  while (!g_sequence_is_empty (self->timers))
    {
      GSequenceIter *it = g_sequence_get_begin_iter (self->timers);
      Timer *timer = g_sequence_get (it);

      if (timer->func == delay_done_cb || timer->func == retry_cb)
        sluice_token_free (timer->data);
      else if (timer->func == combo_timeout_cb)
        ((Job *) timer->data)->timer = NULL;
      g_sequence_remove (it);
    }
  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Job *job = key;
      g_clear_pointer (&job->outputs, g_ptr_array_unref);
      g_clear_pointer (&job->input, json_decref);
      g_free (job);
    }
  g_hash_table_unref (self->jobs);
  g_sequence_free (self->timers);
  g_hash_table_unref (self->commands);

  if (self->output_destroy != NULL)
    self->output_destroy (self->output_data);

  g_ptr_array_unref (self->ctls);
  sluice_lua_runtime_free (self->main_rt);
  g_ptr_array_unref (self->all_rts);
  g_async_queue_unref (self->free_rts);
  g_async_queue_unref (self->results);
  g_mutex_clear (&self->rts_lock);
  g_ptr_array_unref (self->mods);
  g_ptr_array_unref (self->lua_codes);
  g_ptr_array_unref (self->scratch);
  g_array_unref (self->records);
  g_hash_table_unref (self->params);
  g_clear_object (&self->input);
  g_clear_object (&self->cancellable);
  g_byte_array_unref (self->inbuf);
  g_free (self->outbuf);
  g_free (self->base_directory);
  g_free (self->error);
  g_free (self->failed_module);
  g_free (self->stderr_tail);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (sluice_executor_parent_class)->finalize (object);
}

static void
sluice_executor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SluiceExecutor *self = SLUICE_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_PIPELINE:
      g_value_set_object (value, self->pipeline);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_executor_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SluiceExecutor *self = SLUICE_EXECUTOR (object);

  switch (prop_id)
    {
    case PROP_PIPELINE:
      self->pipeline = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_executor_class_init (SluiceExecutorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_executor_dispose;
  object_class->finalize = sluice_executor_finalize;
  object_class->get_property = sluice_executor_get_property;
  object_class->set_property = sluice_executor_set_property;

  properties[PROP_PIPELINE] =
    g_param_spec_object ("pipeline", NULL, NULL, SLUICE_TYPE_PIPELINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SLUICE_TYPE_RUN_STATE, SLUICE_RUN_PENDING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SluiceExecutor::event:
   * @event: a #SluiceEvent
   *
   * Every run event of SPEC section 6, in order. Per-item events are only
   * built while at least one handler is connected.
   */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  SLUICE_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  /* A command that exits without reading its input must not kill us. */
  signal (SIGPIPE, SIG_IGN);
}

static void
sluice_executor_init (SluiceExecutor *self)
{
  self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->mods = g_ptr_array_new_with_free_func ((GDestroyNotify) module_info_free);
  self->lua_codes = g_ptr_array_new_with_free_func ((GDestroyNotify) lua_code_free);
  self->ctls = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_free);
  self->timers = g_sequence_new (g_free);
  self->commands = g_hash_table_new (NULL, NULL);
  self->jobs = g_hash_table_new (NULL, NULL);
  self->scratch = g_ptr_array_new ();
  self->records = g_array_new (FALSE, FALSE, sizeof (StepRecord));
  self->free_rts = g_async_queue_new ();
  self->all_rts = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_lua_runtime_free);
  g_mutex_init (&self->rts_lock);
  self->results = g_async_queue_new ();
  self->cancellable = g_cancellable_new ();
  self->inbuf = g_byte_array_new ();
  self->outbuf_size = 4096;
  self->outbuf = g_malloc (self->outbuf_size);
  g_queue_init (&self->ready);

  self->source = g_source_new (&source_funcs, sizeof (GSource));
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_name (self->source, "SluiceExecutor");
  g_source_set_callback (self->source, NULL, self, NULL);
  g_source_attach (self->source, g_main_context_get_thread_default ());
}
