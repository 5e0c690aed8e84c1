/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* Events of SPEC section 6, built only while someone listens to the
 * executor's "event" signal (per-item events cost the run time). */

static guint event_signal;

void
_sluice_executor_install_event_signal (SluiceExecutorClass *klass)
{
  /**
   * SluiceExecutor::event:
   * @event: a #SluiceEvent
   *
   * Every run event of SPEC section 6, in order. Per-item events are only
   * built while at least one handler is connected.
   */
  event_signal = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                               0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                               SLUICE_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

gboolean
_sluice_executor_has_listeners (SluiceExecutor *self)
{
  return g_signal_has_handler_pending (self, event_signal, 0, FALSE);
}

SluiceEvent *
_sluice_executor_event_new (SluiceExecutor  *self,
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

void
_sluice_executor_emit (SluiceExecutor *self,
                       SluiceEvent    *event)
{
  event->seq = ++self->event_seq;
  g_signal_emit (self, event_signal, 0, event);
  sluice_event_unref (event);
}

const char *
_sluice_executor_ctl_id_of_mod (SluiceExecutor  *self,
                                SluiceModuleRun *info)
{
  return ((SluiceStage *) g_ptr_array_index (self->ctls, info->ctl))->id;
}

/* A record of what an event of @type for @mod would say. */
static inline void
fill_record (SluiceExecutor   *self,
             SluiceItemRecord *record,
             SluiceEventType   type,
             SluiceModuleRun  *info,
             guint             mod,
             SluiceJob        *job,
             guint             child,
             guint             parent,
             gint64            duration,
             guint             outputs,
             gint64            time)
{
  *record = (SluiceItemRecord) {
    .type = type, .module = mod, .module_id = info->id,
    .controller_id = _sluice_executor_ctl_id_of_mod (self, info),
    .seq = ++self->event_seq, .time = time, .item = job->seq,
    .input = job->origin != NULL ? job->origin->number : 0,
    .child = child, .parent = parent, .outputs = outputs, .duration = duration,
  };
}

void
_sluice_executor_emit_module (SluiceExecutor  *self,
                              SluiceEventType  type,
                              guint            mod,
                              SluiceJob       *job,
                              guint            child,
                              guint            parent,
                              gint64           duration,
                              guint            outputs)
{
  SluiceModuleRun *info;
  SluiceEvent *event;

  if (!self->listening)
    return;

  info = module_run (self, mod);
  if (self->item_record_func != NULL)
    {
      SluiceItemRecord record;

      fill_record (self, &record, type, info, mod, job, child, parent, duration, outputs, g_get_real_time ());
      self->item_record_func (&record, 1, self->item_record_data);
      return;
    }
  event = _sluice_executor_event_new (self, type, _sluice_executor_ctl_id_of_mod (self, info), info->id, job->seq);
  event->input = job->origin != NULL ? job->origin->number : 0;
  event->child = child;
  event->parent = parent;
  event->duration_ms = duration / 1000.0;
  event->outputs = outputs;
  _sluice_executor_emit (self, event);
}

/* A segment's records as records: built into one array, handed on in
 * one call (a designer's run has two per module an item goes through,
 * some two million a run: a call and a copy each was a few per cent of
 * the run's thread). */
static void
hand_on_records (SluiceExecutor *self,
                 SluiceJob      *job,
                 GArray         *records,
                 gint64          now)
{
  SluiceItemRecord *out;

  g_array_set_size (self->record_batch, 2 * records->len);
  out = (SluiceItemRecord *) (gpointer) self->record_batch->data;
  for (guint i = 0; i < records->len; i++)
    {
      SluiceStepRecord *rec = &g_array_index (records, SluiceStepRecord, i);
      SluiceModuleRun *info = module_run (self, rec->mod);

      fill_record (self, out++, SLUICE_EVENT_MODULE_STARTED, info, rec->mod, job,
                   rec->child, rec->parent, 0, 0, now);
      fill_record (self, out++, SLUICE_EVENT_MODULE_FINISHED, info, rec->mod, job,
                   rec->child, rec->parent, rec->duration, rec->outputs, now);
    }
  self->item_record_func ((const SluiceItemRecord *) (gpointer) self->record_batch->data,
                          self->record_batch->len, self->item_record_data);
}

/* A segment's records as module-started and -finished events. */
static void
emit_as_events (SluiceExecutor *self,
                SluiceJob      *job,
                GArray         *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      SluiceStepRecord *rec = &g_array_index (records, SluiceStepRecord, i);

      _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_STARTED, rec->mod, job,
                                    rec->child, rec->parent, 0, 0);
      _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_FINISHED, rec->mod, job,
                                    rec->child, rec->parent, rec->duration, rec->outputs);
    }
}

/* The wall-clock time at the monotonic time @monotonic, from the two
 * clocks read together at most a second before: records are stamped with
 * the segment's own end instead of a clock read of their own (a million
 * a designer's run of 100,000 items through ten controllers, half a per
 * cent of its thread). Never earlier than the last one given, nor (the
 * wall clock read first) later than the wall clock. */
static gint64
real_time_at (SluiceExecutor *self,
              gint64          monotonic)
{
  gint64 real;

  if (self->real_offset_at == 0 || monotonic - self->real_offset_at > G_USEC_PER_SEC ||
      monotonic < self->real_offset_at)
    {
      real = g_get_real_time ();
      self->real_offset_at = g_get_monotonic_time ();
      self->real_offset = real - self->real_offset_at;
    }
  real = MAX (monotonic + self->real_offset, self->real_last);
  self->real_last = real;
  return real;
}

void
_sluice_executor_emit_records (SluiceExecutor *self,
                               SluiceJob      *job,
                               GArray         *records)
{
  /* A segment's records are handed on right after it ran, all at the
   * time it ended. */
  if (records->len > 0 && self->listening && self->item_record_func != NULL)
    hand_on_records (self, job, records,
                     real_time_at (self, self->segment_ended != 0 ? self->segment_ended : g_get_monotonic_time ()));
  else if (records->len > 0 && self->listening)
    emit_as_events (self, job, records);
  g_array_set_size (records, 0);
}

/* What Lua chunks print, from whichever thread runs them: queued here and
 * sent as "log" events from the main context, never to standard output
 * (which carries the items). */
typedef struct
{
  char *module_id;
  char *text;
} PrintLine;

static void
print_line_free (PrintLine *line)
{
  g_free (line->module_id);
  g_free (line->text);
  g_free (line);
}

static void
print_cb (const char *module_id,
          const char *text,
          gsize       length,
          gpointer    user_data)
{
  SluiceExecutor *self = user_data;
  PrintLine *line;

  if (!g_atomic_int_get (&self->listening))
    return;
  line = g_new (PrintLine, 1);
  line->module_id = g_strdup (module_id);
  line->text = g_strndup (text, length);
  g_async_queue_push (self->prints, line);
  g_source_set_ready_time (self->source, 0);
}

void
_sluice_executor_watch_prints (SluiceExecutor   *self,
                               SluiceLuaRuntime *rt)
{
  sluice_lua_runtime_set_print_func (rt, print_cb, self);
}

void
_sluice_executor_emit_prints (SluiceExecutor *self)
{
  PrintLine *line;

  while ((line = g_async_queue_try_pop (self->prints)) != NULL)
    {
      if (self->listening && !self->stopped)
        {
          SluiceEvent *event = _sluice_executor_event_new (self, SLUICE_EVENT_LOG, NULL, line->module_id, 0);

          event->message = g_steal_pointer (&line->text);
          _sluice_executor_emit (self, event);
        }
      print_line_free (line);
    }
}

void
_sluice_executor_free_prints (SluiceExecutor *self)
{
  PrintLine *line;

  while ((line = g_async_queue_try_pop (self->prints)) != NULL)
    print_line_free (line);
  g_async_queue_unref (self->prints);
}

/* An input item the source could not take: never silent. It is counted,
 * and said as a "log" event, even when nobody listened before. */
void
_sluice_executor_reject_input (SluiceExecutor *self,
                               const char     *message)
{
  SluiceEvent *event;

  self->items_rejected++;
  g_free (self->last_rejection);
  self->last_rejection = g_strdup (message);
  event = _sluice_executor_event_new (self, SLUICE_EVENT_LOG, NULL, NULL, 0);
  event->message = g_strdup_printf ("%s: the item was not run", message);
  _sluice_executor_emit (self, event);
}

void
sluice_executor_set_run_events_only (SluiceExecutor *self,
                                     gboolean        run_events_only)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  self->run_events_only = run_events_only;
}

void
sluice_executor_set_item_record_func (SluiceExecutor       *self,
                                      SluiceItemRecordFunc  func,
                                      gpointer              user_data)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  self->item_record_func = func;
  self->item_record_data = user_data;
}

void
sluice_executor_set_busy_func (SluiceExecutor *self,
                               const gint     *wanted,
                               GSourceFunc     func,
                               gpointer        user_data)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->main_rt != NULL);

  /* Only the executor's own thread's Lua: a worker's chunk does not hold
   * it. */
  sluice_lua_runtime_set_busy_func (self->main_rt, wanted, func, user_data);
}

void
sluice_executor_set_first_event_seq (SluiceExecutor *self,
                                     guint64         seq)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING && self->event_seq == 0);
  g_return_if_fail (seq > 0);

  self->event_seq = seq - 1;
}

void
sluice_executor_log (SluiceExecutor *self,
                     const char     *message)
{
  SluiceEvent *event;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (message != NULL);

  event = _sluice_executor_event_new (self, SLUICE_EVENT_LOG, NULL, NULL, 0);
  event->message = g_strdup (message);
  _sluice_executor_emit (self, event);
}
