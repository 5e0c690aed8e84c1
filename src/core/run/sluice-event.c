/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <jansson.h>

#include "sluice-event.h"
#include "sluice-json.h"

G_DEFINE_BOXED_TYPE (SluiceEvent, sluice_event, sluice_event_ref, sluice_event_unref)

static const char * const type_names[] = {
  "run-state",
  "module-started",
  "module-finished",
  "module-failed",
  "item-superseded",
  "stage-transition",
  "log",
  "gate-passed",
  "gate-failed",
};

SluiceEvent *
sluice_event_new (SluiceEventType type)
{
  SluiceEvent *event = g_new0 (SluiceEvent, 1);

  event->type = type;
  event->time = g_get_real_time ();
  event->ref_count = 1;

  return event;
}

SluiceEvent *
sluice_event_ref (SluiceEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  g_atomic_int_inc (&event->ref_count);
  return event;
}

void
sluice_event_unref (SluiceEvent *event)
{
  g_return_if_fail (event != NULL);

  if (!g_atomic_int_dec_and_test (&event->ref_count))
    return;

  g_free (event->pipeline_id);
  g_free (event->controller_id);
  g_free (event->module_id);
  g_free (event->from_id);
  g_free (event->to_id);
  g_free (event->message);
  g_free (event->error);
  g_free (event->stderr_tail);
  if (event->checks != NULL)
    json_decref (event->checks);
  g_free (event);
}

const char *
sluice_event_type_to_string (SluiceEventType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (type_names), NULL);
  return type_names[type];
}

static void
set_string (json_t     *object,
            const char *key,
            const char *value)
{
  if (value != NULL)
    json_object_set_new (object, key, json_string (value));
}

char *
sluice_event_to_json (const SluiceEvent *event)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *base = NULL;
  json_t *object;
  char *result;

  g_return_val_if_fail (event != NULL, NULL);

  dt = g_date_time_new_from_unix_utc (event->time / G_USEC_PER_SEC);
  base = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : g_strdup ("");
  stamp = g_strdup_printf ("%s.%03dZ", base,
                           (int) ((event->time % G_USEC_PER_SEC) / 1000));

  object = json_object ();
  json_object_set_new (object, "event", json_string (type_names[event->type]));
  if (event->seq != 0)
    json_object_set_new (object, "seq", json_integer ((json_int_t) event->seq));
  json_object_set_new (object, "time", json_string (stamp));
  set_string (object, "pipeline", event->pipeline_id);
  set_string (object, "controller", event->controller_id);
  set_string (object, "module", event->module_id);
  if (event->item != 0)
    json_object_set_new (object, "item", json_integer ((json_int_t) event->item));
  /* "input" and "child" name an item uniquely within the run; "parent"
   * tells a fanned-out child from the item it came from. */
  if (event->input != 0)
    {
      json_object_set_new (object, "input", json_integer ((json_int_t) event->input));
      json_object_set_new (object, "child", json_integer (event->child));
      if (event->child != 0 && event->parent != event->child)
        json_object_set_new (object, "parent", json_integer (event->parent));
    }

  switch (event->type)
    {
    case SLUICE_EVENT_RUN_STATE:
      json_object_set_new (object, "state",
                           json_string (sluice_run_state_to_string (event->state)));
      set_string (object, "error", event->error);
      set_string (object, "stderr", event->stderr_tail);
      break;

    case SLUICE_EVENT_MODULE_FINISHED:
      json_object_set_new (object, "duration_ms", json_real (event->duration_ms));
      json_object_set_new (object, "outputs", json_integer (event->outputs));
      break;

    case SLUICE_EVENT_MODULE_FAILED:
      set_string (object, "error", event->error);
      json_object_set_new (object, "attempt", json_integer (event->attempt));
      set_string (object, "stderr", event->stderr_tail);
      break;

    case SLUICE_EVENT_STAGE_TRANSITION:
      set_string (object, "from", event->from_id);
      set_string (object, "to", event->to_id);
      break;

    case SLUICE_EVENT_LOG:
      set_string (object, "message", event->message);
      break;

    case SLUICE_EVENT_GATE_PASSED:
    case SLUICE_EVENT_GATE_FAILED:
      if (event->checks != NULL)
        json_object_set (object, "checks", event->checks);
      set_string (object, "error", event->error);
      break;

    case SLUICE_EVENT_ITEM_SUPERSEDED:
      json_object_set_new (object, "outputs", json_integer (event->outputs));
      break;

    case SLUICE_EVENT_MODULE_STARTED:
    default:
      break;
    }

  result = sluice_json_dumps (object, JSON_COMPACT);
  json_decref (object);

  return result;
}
