/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sluice-replay-log.h"

/* A sample of a module's counters, said as a log line of that module. */
static SluiceEvent *
progress_event (json_t *object)
{
  SluiceEvent *event = sluice_event_new (SLUICE_EVENT_LOG);
  const char *time = json_string_value (json_object_get (object, "time"));
  g_autoptr(GDateTime) when = time != NULL ? g_date_time_new_from_iso8601 (time, NULL) : NULL;

  event->module_id = g_strdup (json_string_value (json_object_get (object, "module")));
  event->controller_id = g_strdup (json_string_value (json_object_get (object, "controller")));
  if (when != NULL)
    event->time = g_date_time_to_unix (when) * G_USEC_PER_SEC + g_date_time_get_microsecond (when);
  /* TRANSLATORS: a module's counters as sampled during a run */
  event->message = g_strdup_printf (_("counters: in %" PRId64 " · out %" PRId64
                                      " · failed %" PRId64 " · dropped %" PRId64),
                                    (gint64) json_integer_value (json_object_get (object, "items_in")),
                                    (gint64) json_integer_value (json_object_get (object, "items_out")),
                                    (gint64) json_integer_value (json_object_get (object, "failed")),
                                    (gint64) json_integer_value (json_object_get (object, "dropped")));
  return event;
}

static SluiceEvent *
event_at (SluiceRunReplay *replay,
          guint            index)
{
  json_t *object = sluice_run_replay_get_event (replay, index);
  g_autofree char *text = NULL;

  if (g_strcmp0 (json_string_value (json_object_get (object, "event")), "module-progress") == 0)
    return progress_event (object);
  text = json_dumps (object, JSON_COMPACT);
  /* An event the log cannot say (unknown type, a lying server's) is left out. */
  return text != NULL ? sluice_event_new_from_json (text, NULL) : NULL;
}

static void
append (SluiceRunLog    *log,
        SluiceRunReplay *replay,
        guint            index)
{
  g_autoptr(SluiceEvent) event = event_at (replay, index);

  if (event != NULL)
    sluice_run_log_append (log, event);
}

/* What a live log always keeps, whatever its capacity. */
static gboolean
always_kept (json_t *object)
{
  const char *type = json_string_value (json_object_get (object, "event"));
  const char *state = json_string_value (json_object_get (object, "state"));

  if (type == NULL)
    return FALSE;
  if (g_str_equal (type, "run-state"))
    return TRUE;
  return g_str_equal (type, "module-failed") || g_str_equal (type, "item-superseded") ||
         g_str_equal (type, "gate-failed") || (state != NULL && g_str_equal (state, "failed"));
}

void
sluice_replay_log_show (SluiceRunLog    *log,
                        SluiceRunReplay *replay,
                        guint            capacity,
                        guint           *shown)
{
  guint position;

  g_return_if_fail (SLUICE_IS_RUN_LOG (log));
  g_return_if_fail (replay != NULL && shown != NULL);

  position = sluice_run_replay_get_position (replay);
  /* Back, or so far ahead that most of what lies between would be let go. */
  if (position < *shown || (capacity > 0 && position - *shown > capacity))
    {
      guint window = capacity > 0 && position > capacity ? position - capacity : 0;

      sluice_run_log_clear (log);
      for (guint i = 0; i < window; i++)
        if (always_kept (sluice_run_replay_get_event (replay, i)))
          append (log, replay, i);
      *shown = window;
    }
  for (guint i = *shown; i < position; i++)
    append (log, replay, i);
  *shown = position;
  sluice_run_log_flush (log);
}
