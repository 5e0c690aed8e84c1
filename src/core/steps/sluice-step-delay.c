/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-duration.h"
#include "sluice-execution.h"
#include "sluice-params.h"
#include "sluice-run-state.h"
#include "sluice-step-delay.h"

/* The delay tool: a fixed pause ("duration"), or a random one between
 * "min" and "max". Every waiting item is one timer in the run's heap. */

struct _SluiceStepDelay
{
  SluiceStep parent_instance;

  gint64     min_us;
  gint64     max_us;
};

G_DEFINE_FINAL_TYPE (SluiceStepDelay, sluice_step_delay, SLUICE_TYPE_STEP)

static const SluiceToolParamInfo delay_params[] = {
  { "duration", N_("Fixed pause, e.g. 250ms or 2s"), FALSE, SLUICE_TOOL_PARAM_DURATION, NULL, NULL },
  { "min", N_("Shortest pause of a random range"), FALSE, SLUICE_TOOL_PARAM_DURATION, NULL, NULL },
  { "max", N_("Longest pause of a random range"), FALSE, SLUICE_TOOL_PARAM_DURATION, NULL, NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo delay_info = {
  "delay",
  N_("Delay"),
  N_("Pauses each item without blocking others: a fixed duration, or a random one between min and max"),
  delay_params,
};

enum { DURATION, MIN, MAX, N_NAMES };
static const char * const names[N_NAMES] = { "duration", "min", "max" };

/* Values that contain ${name} are only known at run time. */
static void
sluice_step_delay_check (SluiceStepClass *klass,
                         SluiceModule    *module,
                         SluiceStepCheck *check)
{
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  guint line = sluice_node_get_line (SLUICE_NODE (module));
  GPtrArray *params = sluice_execution_get_tool_params (execution);
  gint64 values[N_NAMES] = { 0 };
  gboolean known[N_NAMES] = { FALSE };
  gboolean given[N_NAMES] = { FALSE };

  for (guint i = 0; i < params->len; i++)
    {
      SluiceToolParam *param = g_ptr_array_index (params, i);

      for (guint j = 0; j < N_NAMES; j++)
        {
          if (!g_str_equal (param->name, names[j]))
            continue;

          given[j] = TRUE;
          if (param->value != NULL && strstr (param->value, "${") != NULL)
            continue;

          /* A bad duration is reported by the validator from its type. */
          if (sluice_duration_parse (param->value, &values[j]))
            known[j] = TRUE;
        }
    }

  if (given[DURATION] && (given[MIN] || given[MAX]))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: tool `delay` takes either `duration` or `min` and `max`, not both"), id);
  else if (!given[DURATION] && !(given[MIN] && given[MAX]))
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: tool `delay` needs `duration`, or both `min` and `max`"), id);
  else if (known[MIN] && known[MAX] && values[MIN] > values[MAX])
    sluice_step_check_report (check, SLUICE_SEVERITY_ERROR, line,
                              _("module `%s`: `min` of tool `delay` is longer than `max`"), id);
}

/* FALSE without @error when the parameter is not given. */
static gboolean
read_duration (SluiceExecution    *execution,
               SluiceStepContext  *context,
               const char         *name,
               gint64             *us,
               GError            **error)
{
  const char *raw = sluice_execution_lookup_tool_param (execution, name);
  g_autofree char *value = NULL;
  gint64 ms;

  if (raw == NULL)
    return FALSE;

  value = sluice_params_substitute (raw, context->params, FALSE, error);
  if (value == NULL)
    return FALSE;

  g_strstrip (value);
  if (!sluice_duration_parse (value, &ms))
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: delay parameter “%s” is not a duration: “%s”",
                   sluice_node_get_id (SLUICE_NODE (execution)), name, value);
      return FALSE;
    }

  *us = ms * 1000;
  return TRUE;
}

static gboolean
sluice_step_delay_prepare (SluiceStep         *step,
                           SluiceModule       *module,
                           SluiceStepContext  *context,
                           GError            **error)
{
  SluiceStepDelay *self = SLUICE_STEP_DELAY (step);
  SluiceExecution *execution = SLUICE_EXECUTION (module);
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  GError *local = NULL;

  if (read_duration (execution, context, "duration", &self->min_us, &local))
    {
      self->max_us = self->min_us;
      return TRUE;
    }
  if (local == NULL &&
      read_duration (execution, context, "min", &self->min_us, &local) &&
      read_duration (execution, context, "max", &self->max_us, &local))
    {
      if (self->max_us >= self->min_us)
        return TRUE;
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: delay min is greater than max", id);
      return FALSE;
    }

  if (local != NULL)
    g_propagate_error (error, local);
  else
    g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                 "module “%s”: the delay tool needs “duration”, or “min” and “max”", id);
  return FALSE;
}

static void
delay_done_cb (gpointer data)
{
  SluiceStepCall *call = data;

  call->step_data = NULL;
  sluice_step_call_emit (call, json_incref (call->item));
  sluice_step_call_finish (call);
}

static void
sluice_step_delay_process (SluiceStep     *step,
                           SluiceStepCall *call)
{
  SluiceStepDelay *self = SLUICE_STEP_DELAY (step);
  gint64 delay = self->min_us;

  if (self->max_us > self->min_us)
    delay += (gint64) g_random_double_range (0, self->max_us - self->min_us + 1);

  call->step_data = sluice_step_context_add_timer (sluice_step_get_context (step),
                                                   sluice_step_context_now (sluice_step_get_context (step)) + delay,
                                                   delay_done_cb, call);
}

static void
sluice_step_delay_cancel (SluiceStep     *step,
                          SluiceStepCall *call,
                          const char     *reason)
{
  if (call->step_data == NULL)
    return;

  sluice_step_context_remove_timer (sluice_step_get_context (step), call->step_data);
  call->step_data = NULL;
  sluice_step_call_fail (call, reason, NULL);
}

static void
sluice_step_delay_class_init (SluiceStepDelayClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  step_class->info = &delay_info;
  step_class->check = sluice_step_delay_check;
  step_class->prepare = sluice_step_delay_prepare;
  step_class->process = sluice_step_delay_process;
  step_class->cancel = sluice_step_delay_cancel;
}

static void
sluice_step_delay_init (SluiceStepDelay *self)
{
}
