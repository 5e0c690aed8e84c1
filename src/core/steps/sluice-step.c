/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-step.h"

typedef struct
{
  char              *id;       /* the module's */
  SluiceStepContext *context;  /* borrowed: the run outlives its steps */
} SluiceStepPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SluiceStep, sluice_step, G_TYPE_OBJECT)

static void
sluice_step_finalize (GObject *object)
{
  SluiceStepPrivate *priv = sluice_step_get_instance_private (SLUICE_STEP (object));

  g_free (priv->id);

  G_OBJECT_CLASS (sluice_step_parent_class)->finalize (object);
}

static void
sluice_step_class_init (SluiceStepClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_step_finalize;
}

static void
sluice_step_init (SluiceStep *self)
{
}

const SluiceToolInfo *
sluice_step_get_info (SluiceStep *self)
{
  g_return_val_if_fail (SLUICE_IS_STEP (self), NULL);

  return SLUICE_STEP_GET_CLASS (self)->info;
}

const char *
sluice_step_get_id (SluiceStep *self)
{
  SluiceStepPrivate *priv = sluice_step_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_STEP (self), NULL);

  return priv->id;
}

SluiceStepContext *
sluice_step_get_context (SluiceStep *self)
{
  SluiceStepPrivate *priv = sluice_step_get_instance_private (self);

  g_return_val_if_fail (SLUICE_IS_STEP (self), NULL);

  return priv->context;
}

gboolean
sluice_step_prepare (SluiceStep         *self,
                     SluiceModule       *module,
                     SluiceStepContext  *context,
                     GError            **error)
{
  SluiceStepPrivate *priv = sluice_step_get_instance_private (self);
  SluiceStepClass *klass;

  g_return_val_if_fail (SLUICE_IS_STEP (self), FALSE);
  g_return_val_if_fail (SLUICE_IS_MODULE (module), FALSE);
  g_return_val_if_fail (context != NULL, FALSE);

  g_free (priv->id);
  priv->id = g_strdup (sluice_node_get_id (SLUICE_NODE (module)));
  priv->context = context;

  klass = SLUICE_STEP_GET_CLASS (self);
  return klass->prepare == NULL || klass->prepare (self, module, context, error);
}

const char *
sluice_step_get_lua (SluiceStep *self,
                     guint      *line)
{
  SluiceStepClass *klass;

  g_return_val_if_fail (SLUICE_IS_STEP (self), NULL);

  klass = SLUICE_STEP_GET_CLASS (self);
  return klass->get_lua != NULL ? klass->get_lua (self, line) : NULL;
}

void
sluice_step_process (SluiceStep     *self,
                     SluiceStepCall *call)
{
  g_return_if_fail (SLUICE_IS_STEP (self));
  g_return_if_fail (call != NULL);
  g_return_if_fail (SLUICE_STEP_GET_CLASS (self)->process != NULL);

  SLUICE_STEP_GET_CLASS (self)->process (self, call);
}

void
sluice_step_cancel (SluiceStep     *self,
                    SluiceStepCall *call,
                    const char     *reason)
{
  g_return_if_fail (SLUICE_IS_STEP (self));
  g_return_if_fail (call != NULL);

  if (SLUICE_STEP_GET_CLASS (self)->cancel != NULL)
    SLUICE_STEP_GET_CLASS (self)->cancel (self, call, reason);
}

void
sluice_step_flush (SluiceStep     *self,
                   SluiceStepCall *call)
{
  g_return_if_fail (SLUICE_IS_STEP (self));
  g_return_if_fail (call != NULL);

  if (SLUICE_STEP_GET_CLASS (self)->flush != NULL)
    SLUICE_STEP_GET_CLASS (self)->flush (self, call);
  else
    sluice_step_call_finish (call);
}

gboolean
sluice_step_has_side_effects (SluiceStep *self)
{
  g_return_val_if_fail (SLUICE_IS_STEP (self), FALSE);

  return SLUICE_STEP_GET_CLASS (self)->side_effects;
}

void
sluice_step_call_emit (SluiceStepCall *call,
                       json_t         *item)
{
  g_return_if_fail (call != NULL);
  g_return_if_fail (item != NULL);

  call->funcs->emit (call, item);
}

void
sluice_step_call_stream (SluiceStepCall *call,
                         json_t         *item)
{
  g_return_if_fail (call != NULL);
  g_return_if_fail (item != NULL);

  /* Callers that do not stream (a test's recorder) collect instead. */
  if (call->funcs->stream != NULL)
    call->funcs->stream (call, item);
  else
    call->funcs->emit (call, item);
}

guint
sluice_step_call_backlog (SluiceStepCall *call)
{
  g_return_val_if_fail (call != NULL, 0);

  return call->funcs->backlog != NULL ? call->funcs->backlog (call) : 0;
}

void
sluice_step_call_finish (SluiceStepCall *call)
{
  g_return_if_fail (call != NULL);

  call->funcs->finish (call);
}

void
sluice_step_call_fail (SluiceStepCall *call,
                       const char     *message,
                       const char     *stderr_tail)
{
  g_return_if_fail (call != NULL);
  g_return_if_fail (message != NULL);

  call->funcs->fail (call, message, stderr_tail);
}

gint64
sluice_step_context_now (SluiceStepContext *context)
{
  if (context == NULL || context->funcs->now == NULL)
    return g_get_monotonic_time ();
  return context->funcs->now (context);
}

gpointer
sluice_step_context_add_timer (SluiceStepContext   *context,
                               gint64               deadline,
                               SluiceStepTimerFunc  func,
                               gpointer             data)
{
  g_return_val_if_fail (context != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return context->funcs->add_timer (context, deadline, func, data);
}

void
sluice_step_context_remove_timer (SluiceStepContext *context,
                                  gpointer           timer)
{
  g_return_if_fail (timer != NULL);

  /* Not through @context: the run may be gone (SluiceStepTimer). */
  ((SluiceStepTimer *) timer)->remove (timer);
}

void
sluice_step_context_log (SluiceStepContext *context,
                         const char        *module_id,
                         const char        *message)
{
  g_return_if_fail (context != NULL);

  if (context->funcs->log != NULL)
    context->funcs->log (context, module_id, message);
}

void
sluice_step_check_report (SluiceStepCheck *check,
                          SluiceSeverity   severity,
                          guint            line,
                          const char      *format,
                          ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  check->report (check, severity, line, message, check->data);
}
