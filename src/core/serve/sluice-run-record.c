/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-run-record.h"

#define STATE_FILE "state.json"

static char *
new_run_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  /* Sortable by creation, and unguessable enough that two daemons sharing
   * nothing never collide. */
  return g_strdup_printf ("r-%s-%08x", stamp, g_random_int ());
}

gboolean
sluice_run_record_id_is_valid (const char *id)
{
  gsize length;

  if (id == NULL || !g_str_has_prefix (id, "r-"))
    return FALSE;
  length = strlen (id);
  if (length < 3 || length > 64)
    return FALSE;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
sluice_run_state_from_string (const char     *name,
                              SluiceRunState *state)
{
  for (SluiceRunState s = SLUICE_RUN_PENDING; s <= SLUICE_RUN_CANCELLED; s++)
    if (name != NULL && g_str_equal (name, sluice_run_state_to_string (s)))
      {
        *state = s;
        return TRUE;
      }
  return FALSE;
}

char *
sluice_run_record_format_time (gint64 time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  g_autofree char *base = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : g_strdup ("1970-01-01T00:00:00");

  return g_strdup_printf ("%s.%03dZ", base, (int) ((time % G_USEC_PER_SEC) / 1000));
}

SluiceRunRecord *
sluice_run_record_new (const char *runs_directory)
{
  SluiceRunRecord *record = g_new0 (SluiceRunRecord, 1);

  record->id = new_run_id ();
  record->directory = g_build_filename (runs_directory, record->id, NULL);
  record->parameters = json_object ();
  record->input_kind = g_strdup ("none");
  record->state = SLUICE_RUN_PENDING;
  record->created = g_get_real_time ();
  record->history = json_array ();
  record->trigger = g_strdup ("api");
  sluice_run_record_set_state (record, SLUICE_RUN_PENDING, NULL);
  return record;
}

void
sluice_run_record_free (SluiceRunRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->directory);
  g_free (record->pipeline_path);
  g_free (record->pipeline_id);
  json_decref (record->parameters);
  g_free (record->input_kind);
  g_free (record->input_path);
  g_free (record->error);
  json_decref (record->history);
  g_free (record->trigger);
  g_free (record->registry_id);
  g_free (record->registry_file);
  g_free (record->pipeline_hash);
  g_free (record);
}

void
sluice_run_record_set_state (SluiceRunRecord *record,
                             SluiceRunState   state,
                             const char      *reason)
{
  gint64 now = g_get_real_time ();
  g_autofree char *stamp = sluice_run_record_format_time (now);
  json_t *entry = json_pack ("{s:s, s:s}", "state", sluice_run_state_to_string (state), "time", stamp);

  if (reason != NULL)
    json_object_set_new (entry, "reason", json_string (reason));
  json_array_append_new (record->history, entry);
  record->state = state;
  if (state == SLUICE_RUN_RUNNING && record->started == 0)
    record->started = now;
  if (sluice_run_state_is_final (state))
    record->finished = now;
}

static void
set_time (json_t     *object,
          const char *key,
          gint64      time)
{
  g_autofree char *text = NULL;

  if (time == 0)
    return;
  text = sluice_run_record_format_time (time);
  json_object_set_new (object, key, json_string (text));
}

json_t *
sluice_run_record_to_json (const SluiceRunRecord *record)
{
  json_t *json = json_pack ("{s:s, s:s, s:s?, s:b, s:O, s:{s:s, s:s?}, s:s, s:I, s:O}",
                            "id", record->id,
                            "pipeline", record->pipeline_path,
                            "pipeline_id", record->pipeline_id,
                            "pipeline_inline", record->pipeline_inline,
                            "parameters", record->parameters,
                            "input", "kind", record->input_kind, "path", record->input_path,
                            "state", sluice_run_state_to_string (record->state),
                            "attempts", (json_int_t) record->attempts,
                            "history", record->history);

  set_time (json, "created", record->created);
  set_time (json, "started", record->started);
  set_time (json, "finished", record->finished);
  if (record->error != NULL)
    json_object_set_new (json, "error", json_string (record->error));
  json_object_set_new (json, "trigger", json_string (record->trigger != NULL ? record->trigger : "api"));
  if (record->registry_id != NULL)
    {
      json_object_set_new (json, "registry_id", json_string (record->registry_id));
      /* The API names the registered file, not the run's private copy. */
      json_object_set_new (json, "pipeline", json_string (record->registry_file));
    }
  if (record->pipeline_hash != NULL)
    json_object_set_new (json, "pipeline_hash", json_string (record->pipeline_hash));
  if (record->fire_time != 0)
    set_time (json, "fire_time", record->fire_time * G_USEC_PER_SEC);
  return json;
}

gboolean
sluice_run_record_save (const SluiceRunRecord  *record,
                        GError                **error)
{
  g_autofree char *path = g_build_filename (record->directory, STATE_FILE, NULL);
  json_t *json = sluice_run_record_to_json (record);
  char *text;
  gboolean ok;

  /* Times again as µs, so that loading loses nothing. */
  json_object_set_new (json, "created_us", json_integer (record->created));
  json_object_set_new (json, "started_us", json_integer (record->started));
  json_object_set_new (json, "finished_us", json_integer (record->finished));
  json_object_set_new (json, "n_events", json_integer ((json_int_t) record->n_events));
  json_object_set_new (json, "pipeline", json_string (record->pipeline_path));
  if (record->registry_file != NULL)
    json_object_set_new (json, "registry_file", json_string (record->registry_file));
  json_object_set_new (json, "fire_time_s", json_integer (record->fire_time));
  text = sluice_json_dumps (json, JSON_INDENT (2) | JSON_SORT_KEYS);
  json_decref (json);
  /* g_file_set_contents writes a temporary file, fsyncs it and renames
   * it over the old one: a reader sees the old record or the new one. */
  ok = g_file_set_contents (path, text, -1, error);
  free (text);
  return ok;
}

static char *
dup_member (json_t     *json,
            const char *key)
{
  return g_strdup (json_string_value (json_object_get (json, key)));
}

SluiceRunRecord *
sluice_run_record_load (const char  *directory,
                        GError     **error)
{
  g_autofree char *path = g_build_filename (directory, STATE_FILE, NULL);
  g_autoptr(SluiceRunRecord) record = g_new0 (SluiceRunRecord, 1);
  json_error_t jerror;
  json_t *json = json_load_file (path, JSON_REJECT_DUPLICATES, &jerror);
  json_t *member;

  if (json == NULL || !json_is_object (json))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path,
                   json == NULL ? jerror.text : "not a JSON object");
      json_decref (json);
      return NULL;
    }
  record->id = dup_member (json, "id");
  record->directory = g_strdup (directory);
  record->pipeline_path = dup_member (json, "pipeline");
  record->pipeline_id = dup_member (json, "pipeline_id");
  record->pipeline_inline = json_is_true (json_object_get (json, "pipeline_inline"));
  member = json_object_get (json, "parameters");
  record->parameters = json_is_object (member) ? json_incref (member) : json_object ();
  member = json_object_get (json, "input");
  record->input_kind = dup_member (member, "kind");
  record->input_path = dup_member (member, "path");
  record->created = json_integer_value (json_object_get (json, "created_us"));
  record->started = json_integer_value (json_object_get (json, "started_us"));
  record->finished = json_integer_value (json_object_get (json, "finished_us"));
  record->error = dup_member (json, "error");
  record->attempts = (guint) json_integer_value (json_object_get (json, "attempts"));
  record->n_events = (guint64) json_integer_value (json_object_get (json, "n_events"));
  member = json_object_get (json, "history");
  record->history = json_is_array (member) ? json_incref (member) : json_array ();
  record->trigger = dup_member (json, "trigger");
  if (record->trigger == NULL)
    record->trigger = g_strdup ("api");
  record->registry_id = dup_member (json, "registry_id");
  record->registry_file = dup_member (json, "registry_file");
  record->pipeline_hash = dup_member (json, "pipeline_hash");
  record->fire_time = json_integer_value (json_object_get (json, "fire_time_s"));
  if (!sluice_run_state_from_string (json_string_value (json_object_get (json, "state")), &record->state) ||
      !sluice_run_record_id_is_valid (record->id) || record->pipeline_path == NULL ||
      record->input_kind == NULL || (record->registry_id != NULL) != (record->registry_file != NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: not a run record (a field is missing or wrong)", path);
      json_decref (json);
      return NULL;
    }
  json_decref (json);
  return g_steal_pointer (&record);
}
