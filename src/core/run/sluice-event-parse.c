/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "sluice-event.h"

/* The inverse of sluice_event_to_json(), for clients of the run API that
 * read a run's events back (the designer watching a server's run). */

static char *
dup_string (json_t     *object,
            const char *key)
{
  return g_strdup (json_string_value (json_object_get (object, key)));
}

static guint64
get_count (json_t     *object,
           const char *key)
{
  json_int_t value = json_integer_value (json_object_get (object, key));

  return value > 0 ? (guint64) value : 0;
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt) : g_get_real_time ();
}

SluiceEvent *
sluice_event_new_from_json (const char  *text,
                            GError     **error)
{
  json_error_t jerror;
  json_t *object = json_loads (text, 0, &jerror);
  const char *name = json_string_value (json_object_get (object, "event"));
  SluiceEvent *event = NULL;

  if (!json_is_object (object))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "an event is not a JSON object: %s",
                   object == NULL ? jerror.text : "another JSON value");
      json_decref (object);
      return NULL;
    }
  for (guint type = 0; name != NULL && type <= SLUICE_EVENT_GATE_FAILED; type++)
    if (g_str_equal (name, sluice_event_type_to_string (type)))
      event = sluice_event_new (type);
  if (event == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown event “%s”", name ? name : "(none)");
      json_decref (object);
      return NULL;
    }

  event->seq = get_count (object, "seq");
  event->time = parse_time (json_string_value (json_object_get (object, "time")));
  event->pipeline_id = dup_string (object, "pipeline");
  event->controller_id = dup_string (object, "controller");
  event->module_id = dup_string (object, "module");
  event->item = get_count (object, "item");
  event->input = get_count (object, "input");
  event->child = get_count (object, "child");
  event->parent = json_object_get (object, "parent") ? get_count (object, "parent") : event->child;
  event->error = dup_string (object, "error");
  event->stderr_tail = dup_string (object, "stderr");
  event->duration_ms = json_number_value (json_object_get (object, "duration_ms"));
  event->outputs = get_count (object, "outputs");
  event->attempt = get_count (object, "attempt");
  event->from_id = dup_string (object, "from");
  event->to_id = dup_string (object, "to");
  event->message = dup_string (object, "message");
  if (json_is_array (json_object_get (object, "checks")))
    event->checks = json_incref (json_object_get (object, "checks"));
  if (event->type == SLUICE_EVENT_RUN_STATE)
    {
      const char *state = json_string_value (json_object_get (object, "state"));
      gboolean known = FALSE;

      for (guint s = SLUICE_RUN_PENDING; state != NULL && s <= SLUICE_RUN_CANCELLED; s++)
        if (g_str_equal (state, sluice_run_state_to_string (s)))
          {
            event->state = s;
            known = TRUE;
          }
      if (!known)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "run-state event %" G_GUINT64_FORMAT ": unknown state “%s”",
                       event->seq, state ? state : "(none)");
          sluice_event_unref (event);
          event = NULL;
        }
    }
  json_decref (object);
  return event;
}
