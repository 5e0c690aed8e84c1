/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-json.h"
#include "sluice-params.h"
#include "sluice-pipeline.h"
#include "sluice-run-state.h"
#include "sluice-step-stub.h"

typedef struct
{
  json_t *match;     /* object, or NULL: any item */
  json_t *outputs;   /* array of objects */
} Answer;

struct _SluiceStepStub
{
  SluiceStep          parent_instance;

  SluiceStubRecorder *recorder;   /* owned, NULL when refusing */
  char               *refusal;    /* set: fail every item with it */
  SluiceStubFault     fault;
  guint               status;
  guint               times;
  char               *message;
  gint64              after_us;
  gboolean            after_set;  /* given by the stub, not the default */
  GArray             *answers;    /* of Answer, parsed at prepare */
  GPtrArray          *texts;      /* of SluiceStubAnswer*: copies, for prepare */
  char               *action;     /* what the real step would do */
  guint               calls;
};

G_DEFINE_FINAL_TYPE (SluiceStepStub, sluice_step_stub, SLUICE_TYPE_STEP)

static const SluiceToolInfo stub_info = {
  "stub",
  N_("Stub"),
  N_("Stands in for a step with side effects in tests and dry runs"),
  NULL,
};

#define DEFAULT_TIMEOUT_AFTER_US (30 * G_USEC_PER_SEC)

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->match, json_decref);
  g_clear_pointer (&answer->outputs, json_decref);
}

static void
stub_answer_free (SluiceStubAnswer *answer)
{
  g_free (answer->match);
  g_free (answer->text);
  g_free (answer);
}

char *
sluice_step_stub_describe (SluiceModule *module,
                           GHashTable   *params)
{
  if (SLUICE_IS_EXTERNAL (module))
    {
      const char *name = sluice_external_get_service (SLUICE_EXTERNAL (module));
      SluiceNode *node = SLUICE_NODE (module);
      SluicePipeline *pipeline = NULL;
      SluiceService *service = NULL;
      g_autofree char *urls = NULL;

      while (node != NULL && !SLUICE_IS_PIPELINE (node))
        node = sluice_node_get_parent (node);
      pipeline = node != NULL ? SLUICE_PIPELINE (node) : NULL;
      if (pipeline != NULL)
        service = sluice_pipeline_find_service (pipeline, name);
      if (service != NULL && sluice_service_get_endpoints (service) != NULL &&
          sluice_service_get_endpoints (service)[0] != NULL)
        urls = g_strjoinv (" or ", (char **) sluice_service_get_endpoints (service));
      else if (service != NULL && sluice_service_get_balancer (service) != NULL)
        urls = g_strdup_printf ("an endpoint the balancer %s picks", sluice_service_get_balancer (service));
      return g_strdup_printf ("POST the item as JSON to service “%s” (%s)", name,
                              urls != NULL ? urls : "no endpoints");
    }

  if (SLUICE_IS_EXECUTION (module))
    {
      SluiceExecution *execution = SLUICE_EXECUTION (module);

      if (sluice_execution_get_body_kind (execution) == SLUICE_BODY_COMMAND)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *line = sluice_params_substitute (sluice_execution_get_code (execution),
                                                            params, TRUE, &error);

          g_autofree char *quoted = NULL;

          if (line == NULL)
            return g_strdup_printf ("run: %s (%s)", sluice_execution_get_code (execution), error->message);
          quoted = g_shell_quote (line);
          return g_strdup_printf ("run: /bin/sh -c %s", quoted);
        }
      if (sluice_execution_get_body_kind (execution) == SLUICE_BODY_TOOL)
        {
          GPtrArray *tool_params = sluice_execution_get_tool_params (execution);
          g_autoptr(GString) text = g_string_new (NULL);

          g_string_append_printf (text, "tool %s (", sluice_execution_get_tool (execution));
          for (guint i = 0; tool_params != NULL && i < tool_params->len; i++)
            {
              SluiceToolParam *param = g_ptr_array_index (tool_params, i);
              g_autofree char *value = sluice_params_substitute (param->value, params, FALSE, NULL);

              g_string_append_printf (text, "%s%s=%s", i > 0 ? ", " : "", param->name,
                                      value != NULL ? value : param->value);
            }
          g_string_append_c (text, ')');
          return g_string_free (g_steal_pointer (&text), FALSE);
        }
    }

  return g_strdup ("run the module");
}

static gboolean
parse_answers (SluiceStepStub  *self,
               const char      *id,
               GError         **error)
{
  for (guint i = 0; self->texts != NULL && i < self->texts->len; i++)
    {
      SluiceStubAnswer *text = g_ptr_array_index (self->texts, i);
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_decref);
      g_autoptr(GError) local = NULL;
      Answer answer = { NULL, json_array () };

      if (text->match != NULL)
        {
          answer.match = json_loads (text->match, 0, NULL);
          if (answer.match == NULL || !json_is_object (answer.match))
            {
              answer_clear (&answer);
              g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                           "module “%s”: the match of a stub answer (line %u) is not a JSON object",
                           id, text->line);
              return FALSE;
            }
        }
      if (!sluice_test_parse_items (text->text, text->line, items, NULL, &local))
        {
          answer_clear (&answer);
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                       "module “%s”: a stub answer: %s", id, local->message);
          return FALSE;
        }
      for (guint j = 0; j < items->len; j++)
        json_array_append (answer.outputs, g_ptr_array_index (items, j));
      g_array_append_val (self->answers, answer);
    }
  return TRUE;
}

static gboolean
sluice_step_stub_prepare (SluiceStep         *step,
                          SluiceModule       *module,
                          SluiceStepContext  *context,
                          GError            **error)
{
  SluiceStepStub *self = SLUICE_STEP_STUB (step);

  self->action = sluice_step_stub_describe (module, context->params);
  /* An injected time-out is meant to meet the module's own. */
  if (!self->after_set && sluice_module_get_timeout_ms (module) > 0)
    self->after_us = (sluice_module_get_timeout_ms (module) + 1000) * 1000;
  return parse_answers (self, sluice_node_get_id (SLUICE_NODE (module)), error);
}

/* Every field of @match is in @item with an equal value. */
static gboolean
item_matches (json_t *item,
              json_t *match)
{
  const char *key;
  json_t *value;

  json_object_foreach (match, key, value)
    if (!json_equal (json_object_get (item, key), value))
      return FALSE;
  return TRUE;
}

/* A call that waits for an injected time-out (call->step_data). */
typedef struct
{
  SluiceStepStub *self;    /* a reference */
  SluiceStepCall *call;
  gpointer        timer;
} Hanging;

static void
timeout_cb (gpointer data)
{
  Hanging *hanging = data;
  SluiceStepStub *self = hanging->self;
  SluiceStepCall *call = hanging->call;
  g_autofree char *message = g_strdup_printf ("timed out after %" G_GINT64_FORMAT " ms (injected by the test)",
                                              self->after_us / 1000);

  call->step_data = NULL;
  g_free (hanging);
  sluice_step_call_fail (call, self->message != NULL ? self->message : message, NULL);
  g_object_unref (self);
}

static gboolean
inject_fault (SluiceStepStub *self,
              SluiceStepCall *call)
{
  g_autofree char *message = NULL;

  if (self->fault == SLUICE_STUB_FAULT_NONE || (self->times > 0 && self->calls > self->times))
    return FALSE;

  switch (self->fault)
    {
    case SLUICE_STUB_FAULT_EXIT:
      message = g_strdup_printf ("exited with status %u", self->status > 0 ? self->status : 1);
      break;
    case SLUICE_STUB_FAULT_HTTP:
      message = g_strdup_printf ("answered %u (injected by the test)", self->status > 0 ? self->status : 503);
      break;
    case SLUICE_STUB_FAULT_TIMEOUT:
      {
        SluiceStepContext *context = sluice_step_get_context (SLUICE_STEP (self));
        Hanging *hanging = g_new0 (Hanging, 1);

        /* Never answers by itself: the module's time-out (on the run's
         * clock) cancels it, or it gives up after @after_us. */
        hanging->self = g_object_ref (self);
        hanging->call = call;
        hanging->timer = sluice_step_context_add_timer (context,
                                                        sluice_step_context_now (context) + self->after_us,
                                                        timeout_cb, hanging);
        call->step_data = hanging;
        return TRUE;
      }
    case SLUICE_STUB_FAULT_NONE:
    default:
      g_assert_not_reached ();
    }

  sluice_step_call_fail (call, self->message != NULL ? self->message : message, NULL);
  return TRUE;
}

static void
sluice_step_stub_process (SluiceStep     *step,
                          SluiceStepCall *call)
{
  SluiceStepStub *self = SLUICE_STEP_STUB (step);

  if (self->refusal != NULL)
    {
      sluice_step_call_fail (call, self->refusal, NULL);
      return;
    }

  self->calls++;
  sluice_stub_recorder_add (self->recorder, sluice_step_get_id (step), self->action, call->item);

  if (inject_fault (self, call))
    return;

  if (self->answers->len == 0)
    {
      sluice_step_call_emit (call, json_deep_copy (call->item));
      sluice_step_call_finish (call);
      return;
    }

  for (guint i = 0; i < self->answers->len; i++)
    {
      Answer *answer = &g_array_index (self->answers, Answer, i);
      json_t *output;
      gsize index;

      if (answer->match != NULL && !item_matches (call->item, answer->match))
        continue;
      json_array_foreach (answer->outputs, index, output)
        sluice_step_call_emit (call, json_deep_copy (output));
      sluice_step_call_finish (call);
      return;
    }

  {
    g_autofree char *text = sluice_json_dumps (call->item, JSON_COMPACT | JSON_SORT_KEYS);
    g_autofree char *message = g_strdup_printf ("the stub has no answer that matches %.200s%s", text,
                                                strlen (text) > 200 ? "…" : "");

    sluice_step_call_fail (call, message, NULL);
  }
}

static void
sluice_step_stub_cancel (SluiceStep     *step,
                         SluiceStepCall *call,
                         const char     *reason)
{
  Hanging *hanging = call->step_data;

  if (hanging == NULL)
    return;

  sluice_step_context_remove_timer (sluice_step_get_context (step), hanging->timer);
  call->step_data = NULL;
  sluice_step_call_fail (call, reason, NULL);
  g_object_unref (hanging->self);
  g_free (hanging);
}

static void
sluice_step_stub_finalize (GObject *object)
{
  SluiceStepStub *self = SLUICE_STEP_STUB (object);

  g_clear_object (&self->recorder);
  g_free (self->refusal);
  g_free (self->message);
  g_free (self->action);
  g_array_unref (self->answers);
  g_clear_pointer (&self->texts, g_ptr_array_unref);

  G_OBJECT_CLASS (sluice_step_stub_parent_class)->finalize (object);
}

static void
sluice_step_stub_class_init (SluiceStepStubClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_step_stub_finalize;
  step_class->info = &stub_info;
  step_class->prepare = sluice_step_stub_prepare;
  step_class->process = sluice_step_stub_process;
  step_class->cancel = sluice_step_stub_cancel;
  /* It stands in for a side effect and has none itself. */
  step_class->side_effects = FALSE;
}

static void
sluice_step_stub_init (SluiceStepStub *self)
{
  self->answers = g_array_new (FALSE, TRUE, sizeof (Answer));
  g_array_set_clear_func (self->answers, (GDestroyNotify) answer_clear);
  self->after_us = DEFAULT_TIMEOUT_AFTER_US;
}

SluiceStep *
sluice_step_stub_new (SluiceStubRecorder   *recorder,
                      const SluiceTestStub *stub)
{
  SluiceStepStub *self;

  g_return_val_if_fail (SLUICE_IS_STUB_RECORDER (recorder), NULL);

  self = g_object_new (SLUICE_TYPE_STEP_STUB, NULL);
  self->recorder = g_object_ref (recorder);
  if (stub != NULL)
    {
      self->fault = stub->fault;
      self->status = stub->status;
      self->times = stub->times;
      self->message = g_strdup (stub->message);
      if (stub->after_ms > 0)
        {
          self->after_us = stub->after_ms * 1000;
          self->after_set = TRUE;
        }
      self->texts = g_ptr_array_new_with_free_func ((GDestroyNotify) stub_answer_free);
      for (guint i = 0; i < stub->answers->len; i++)
        {
          SluiceStubAnswer *answer = g_ptr_array_index (stub->answers, i);
          SluiceStubAnswer *copy = g_new0 (SluiceStubAnswer, 1);

          copy->match = g_strdup (answer->match);
          copy->text = g_strdup (answer->text);
          copy->line = answer->line;
          g_ptr_array_add (self->texts, copy);
        }
    }
  return SLUICE_STEP (self);
}

SluiceStep *
sluice_step_stub_new_refusing (const char *reason)
{
  SluiceStepStub *self = g_object_new (SLUICE_TYPE_STEP_STUB, NULL);

  self->refusal = g_strdup (reason);
  return SLUICE_STEP (self);
}
