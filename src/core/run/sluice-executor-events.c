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
  event = _sluice_executor_event_new (self, type, _sluice_executor_ctl_id_of_mod (self, info), info->id, job->seq);
  event->input = job->origin != NULL ? job->origin->number : 0;
  event->child = child;
  event->parent = parent;
  event->duration_ms = duration / 1000.0;
  event->outputs = outputs;
  _sluice_executor_emit (self, event);
}

void
_sluice_executor_emit_records (SluiceExecutor *self,
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
  g_array_set_size (records, 0);
}
