/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>

#include "sluice-executor-private.h"
#include "sluice-func-sink.h"
#include "sluice-line-source.h"
#include "sluice-parameter.h"
#include "sluice-phase.h"

/* The executor object: building a run from a pipeline (parameters,
 * programs, Lua states), run control, and what viewers read of it. The
 * work itself is in the other sluice-executor-*.c files (see
 * sluice-executor-private.h). */

enum
{
  PROP_0,
  PROP_PIPELINE,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SluiceExecutor, sluice_executor, G_TYPE_OBJECT)


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

  /* A scheduled pipeline's window: given by the scheduler (or -D), or
   * the one its schedule fired for last. */
  if (sluice_pipeline_get_schedule (self->pipeline) != NULL &&
      !sluice_schedule_fill_params (sluice_pipeline_get_schedule (self->pipeline), defines,
                                    g_get_real_time () / G_USEC_PER_SEC, self->params, error))
    return FALSE;

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
ctl_free (SluiceStage *ctl)
{
  g_queue_clear_full (&ctl->input, (GDestroyNotify) json_decref);
  g_queue_clear (&ctl->origins);   /* freed when the run stopped */
  g_queue_clear (&ctl->marks);
  g_queue_clear_full (&ctl->waiting, (GDestroyNotify) _sluice_token_free);
  g_clear_pointer (&ctl->held, g_hash_table_unref);
  _sluice_program_free (ctl->prog);
  g_free (ctl);
}

static void
module_info_free (SluiceModuleRun *info)
{
  sluice_preview_free (info->preview);
  g_clear_object (&info->step);
  _sluice_gate_run_free (info->gate);
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
_sluice_executor_add_module (SluiceExecutor *self,
                             SluiceModule   *module,
                             guint           ctl)
{
  SluiceModuleRun *info = g_new0 (SluiceModuleRun, 1);

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
  if (!g_hash_table_contains (self->mod_by_id, info->id))
    g_hash_table_insert (self->mod_by_id, (gpointer) info->id, GUINT_TO_POINTER (self->mods->len));

  return self->mods->len - 1;
}

gint
_sluice_executor_find_module (SluiceExecutor *self,
                              const char     *module_id)
{
  if (module_id == NULL)
    return -1;
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (self->mod_by_id, module_id)) - 1;
}

guint
_sluice_executor_add_lua (SluiceExecutor *self,
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

/* The run-state event of @state (the current one, or pending). */
static void
emit_state (SluiceExecutor *self,
            SluiceRunState  state)
{
  SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_RUN_STATE, NULL,
                                                   self->failed_module, 0);

  event->state = state;
  if (state == SLUICE_RUN_FAILED)
    {
      event->error = g_strdup (self->error);
      event->stderr_tail = g_strdup (self->stderr_tail);
    }
  _sluice_executor_emit (self, event);
}

void
_sluice_executor_set_state (SluiceExecutor *self,
                            SluiceRunState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  emit_state (self, state);
}

/* The last top-level module of a controller counts its superseded items
 * (first-wins): the last op that is not a jump, or the condition whose
 * branch it is in. */
static void
mark_last_module (SluiceExecutor *self,
                  SluiceProgram  *prog)
{
  for (guint pc = prog->ops->len; pc > 0; pc--)
    {
      SluiceOp *op = program_op (prog, pc - 1);
      guint mod = op->mod;

      if (op->kind == SLUICE_OP_JUMP)
        continue;

      for (guint k = 0; k < pc - 1; k++)
        {
          SluiceOp *top = program_op (prog, k);

          if (top->kind == SLUICE_OP_COND && pc - 1 < top->next)
            {
              mod = top->mod;
              break;
            }
        }
      module_run (self, mod)->last_of_ctl = TRUE;
      return;
    }
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
      SluiceStage *ctl = g_new0 (SluiceStage, 1);

      ctl->controller = controller;
      ctl->id = sluice_node_get_id (SLUICE_NODE (controller));
      ctl->index = i;
      ctl->mode = sluice_controller_get_mode (controller);
      ctl->workers = sluice_controller_get_workers (controller);
      if (ctl->workers == 0)
        ctl->workers = g_get_num_processors ();
      ctl->next_seq = 1;
      ctl->next_emit = 1;
      ctl->held = g_hash_table_new (NULL, NULL);   /* the jobs are in self->live_jobs */
      g_queue_init (&ctl->input);
      g_queue_init (&ctl->origins);
      g_queue_init (&ctl->marks);
      g_queue_init (&ctl->waiting);
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

      ctl->prog = _sluice_executor_compile (self, G_LIST_MODEL (all), i, error);
      if (ctl->prog == NULL)
        return FALSE;
      mark_last_module (self, ctl->prog);

      if (ctl->mode != SLUICE_MODE_NOT_PARALLEL)
        max_workers = MAX (max_workers, ctl->workers);
    }

  self->main_rt = sluice_lua_runtime_new (self->lua_codes, self->params, &self->cancel_flag);
  sluice_lua_runtime_set_memory_limit (self->main_rt, sluice_pipeline_get_lua_memory_limit (self->pipeline));
  _sluice_executor_watch_prints (self, self->main_rt);
  if (!sluice_lua_runtime_check (self->main_rt, error))
    return FALSE;

  if (max_workers > 0)
    {
      GError *local = NULL;

      self->pool_threads = MIN (max_workers, g_get_num_processors ());
      self->pool = g_thread_pool_new (_sluice_executor_worker_cb, self, self->pool_threads, FALSE, &local);
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
  _sluice_executor_lay_out_stats (self);

  return g_steal_pointer (&self);
}

static void
sluice_executor_dispose (GObject *object)
{
  SluiceExecutor *self = SLUICE_EXECUTOR (object);

  if (!sluice_run_state_is_final (self->state) && self->state != SLUICE_RUN_PENDING)
    _sluice_executor_stop_run (self, SLUICE_RUN_CANCELLED);
  self->stopped = TRUE;
  g_atomic_int_set (&self->cancel_flag, 1);

  if (self->pool != NULL)
    {
      g_thread_pool_free (self->pool, FALSE, TRUE);
      self->pool = NULL;
    }
  if (self->results != NULL)
    _sluice_executor_drain_results (self);

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
  SluiceToken *token;

  while ((token = g_queue_pop_head (&self->ready)) != NULL)
    _sluice_token_free (token);
  _sluice_executor_clear_timers (self);
  while (self->live_jobs != NULL)
    {
      SluiceJob *job = self->live_jobs;

      self->live_jobs = job->live_next;
      g_clear_pointer (&job->outputs, g_ptr_array_unref);
      g_clear_pointer (&job->input, json_decref);
      g_free (job);
    }
  sluice_spare_links_clear (&self->spare_links);
  sluice_free_list_clear (&self->spare_jobs);
  sluice_free_list_clear (&self->spare_origins);
  g_hash_table_unref (self->calls);
  g_clear_object (&self->output);

  g_ptr_array_unref (self->ctls);
  sluice_lua_runtime_free (self->main_rt);
  g_ptr_array_unref (self->all_rts);
  g_async_queue_unref (self->free_rts);
  g_async_queue_unref (self->results);
  g_ptr_array_unref (self->to_workers);
  _sluice_executor_free_prints (self);
  g_mutex_clear (&self->rts_lock);
  /* Steps first: a step may remove a timer of its own as it goes (a
   * loader's batch interval after a failed run). */
  g_hash_table_unref (self->mod_by_id);
  g_ptr_array_unref (self->mods);
  g_aligned_free (self->module_stats);
  g_free (self->module_ctls);
  _sluice_executor_free_timers (self);
  g_ptr_array_unref (self->lua_codes);
  g_ptr_array_unref (self->scratch);
  g_array_unref (self->records);
  g_array_unref (self->record_batch);
  g_hash_table_unref (self->params);
  if (self->input != NULL)
    g_signal_handlers_disconnect_by_data (self->input, self);
  g_clear_object (&self->input);
  g_free (self->base_directory);
  g_free (self->error);
  g_free (self->input_error);
  g_free (self->last_rejection);
  g_free (self->failed_module);
  g_free (self->stderr_tail);
  g_clear_object (&self->clock);
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

  _sluice_executor_install_event_signal (klass);

  /* A command that exits without reading its input must not kill us. */
  signal (SIGPIPE, SIG_IGN);
}

static void
sluice_executor_init (SluiceExecutor *self)
{
  self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->mods = g_ptr_array_new_with_free_func ((GDestroyNotify) module_info_free);
  self->mod_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->lua_codes = g_ptr_array_new_with_free_func ((GDestroyNotify) lua_code_free);
  self->ctls = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_free);
  self->timers = g_sequence_new (NULL);   /* SluiceTimer: see sluice-executor-timers.c */
  self->calls = g_hash_table_new (NULL, NULL);
  self->scratch = g_ptr_array_new ();
  self->records = g_array_new (FALSE, FALSE, sizeof (SluiceStepRecord));
  self->record_batch = g_array_new (FALSE, FALSE, sizeof (SluiceItemRecord));
  self->free_rts = g_async_queue_new ();
  self->all_rts = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_lua_runtime_free);
  g_mutex_init (&self->rts_lock);
  self->results = g_async_queue_new ();
  self->to_workers = g_ptr_array_new ();
  self->prints = g_async_queue_new ();
  self->step_context.funcs = &_sluice_executor_step_context_funcs;
  self->step_context.owner = self;
  self->step_context.params = self->params;
  g_queue_init (&self->ready);

  self->source = g_source_new (&_sluice_executor_source_funcs, sizeof (GSource));
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_name (self->source, "SluiceExecutor");
  g_source_set_callback (self->source, NULL, self, NULL);
  g_source_attach (self->source, g_main_context_get_thread_default ());
}

void
sluice_executor_start (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  self->started = g_get_monotonic_time ();
  self->started_real = g_get_real_time ();
  ((SluiceStage *) g_ptr_array_index (self->ctls, 0))->started = TRUE;
  /* SPEC 6: a run is pending before it runs; say so, so that a
   * consumer of the events sees every state. */
  emit_state (self, SLUICE_RUN_PENDING);
  _sluice_executor_set_state (self, SLUICE_RUN_RUNNING);
  _sluice_executor_schedule (self);
}

void
sluice_executor_pause (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->state == SLUICE_RUN_RUNNING)
    _sluice_executor_set_state (self, SLUICE_RUN_PAUSED);
}

void
sluice_executor_resume (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->state == SLUICE_RUN_PAUSED)
    {
      _sluice_executor_set_state (self, SLUICE_RUN_RUNNING);
      _sluice_executor_schedule (self);
    }
}

void
sluice_executor_interrupt (SluiceExecutor *self)
{
  /* Async-signal-safe: no check that could log, no lock. The hook of
   * every Lua state reads this flag; the source sees it (below). */
  g_atomic_int_set (&self->cancel_flag, 1);
}

/* An interrupt seen from the main context: the run ends cancelled. */
void
_sluice_executor_check_interrupt (SluiceExecutor *self)
{
  if (G_UNLIKELY (g_atomic_int_get (&self->cancel_flag)) && !self->stopped)
    sluice_executor_cancel (self);
}

void
sluice_executor_cancel (SluiceExecutor *self)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (sluice_run_state_is_final (self->state))
    return;
  if (self->state == SLUICE_RUN_PENDING)
    {
      self->started = g_get_monotonic_time ();
      self->started_real = g_get_real_time ();
    }
  _sluice_executor_stop_run (self, SLUICE_RUN_CANCELLED);
}

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
  self->step_context.base_directory = self->base_directory;
}

static void
input_ready_cb (SluiceItemSource *source,
                SluiceExecutor   *self)
{
  self->input_waiting = FALSE;
  _sluice_executor_schedule (self);
}

void
sluice_executor_set_source (SluiceExecutor   *self,
                            SluiceItemSource *source)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (source == NULL || SLUICE_IS_ITEM_SOURCE (source));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  if (self->input != NULL)
    g_signal_handlers_disconnect_by_data (self->input, self);
  g_set_object (&self->input, source);
  /* Called once an item: without the interface's type checks. */
  self->input_next = source != NULL ? SLUICE_ITEM_SOURCE_GET_IFACE (source)->next : NULL;
  if (source != NULL)
    g_signal_connect (source, "ready", G_CALLBACK (input_ready_cb), self);
}

void
sluice_executor_set_main_thread_lua_limit (SluiceExecutor *self,
                                           gint64          limit_us)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (limit_us >= 0);

  self->main_lua_limit_us = limit_us;
}

void
sluice_executor_set_sink (SluiceExecutor *self,
                          SluiceItemSink *sink)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (sink == NULL || SLUICE_IS_ITEM_SINK (sink));

  g_set_object (&self->output, sink);
  self->output_text = sink != NULL && sluice_item_sink_can_write_text (sink);
  /* Called once an output: without the interface's type checks. */
  self->output_write_text = self->output_text ? SLUICE_ITEM_SINK_GET_IFACE (sink)->write_text : NULL;
  self->output_done = sink != NULL ? SLUICE_ITEM_SINK_GET_IFACE (sink)->done : NULL;
}

void
sluice_executor_set_isolated_items (SluiceExecutor *self,
                                    gboolean        isolated)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  self->isolated = isolated;
}

void
sluice_executor_set_lua_inline (SluiceExecutor *self,
                                gboolean        lua_inline)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  self->lua_inline = lua_inline;
}

void
sluice_executor_set_input_stream (SluiceExecutor *self,
                                  GInputStream   *stream)
{
  g_autoptr(SluiceLineSource) source = NULL;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (stream != NULL)
    {
      source = sluice_line_source_new (stream);
      sluice_line_source_set_threaded (source);
    }
  sluice_executor_set_source (self, SLUICE_ITEM_SOURCE (source));
}

void
sluice_executor_set_output_func (SluiceExecutor   *self,
                                 SluiceOutputFunc  func,
                                 gpointer          user_data,
                                 GDestroyNotify    destroy)
{
  g_autoptr(SluiceFuncSink) sink = NULL;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (func != NULL)
    sink = sluice_func_sink_new (func, user_data, destroy);
  sluice_executor_set_sink (self, SLUICE_ITEM_SINK (sink));
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

void
sluice_executor_set_clock (SluiceExecutor *self,
                           SluiceClock    *clock)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (clock == NULL || SLUICE_IS_CLOCK (clock));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  g_set_object (&self->clock, clock);
}

void
sluice_executor_set_priority (SluiceExecutor *self,
                              int             priority)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->source != NULL && g_source_get_priority (self->source) != priority)
    g_source_set_priority (self->source, priority);
}
