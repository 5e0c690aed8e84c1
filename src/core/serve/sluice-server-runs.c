/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-run-record.h"
#include "sluice-server-runs.h"

/* GETs read through the run client's session and message (its URL, its
 * token), but into a buffer with a limit: the client's own calls read a
 * whole answer, and a server that lies may send gigabytes. */

#define READ_CHUNK (64 * 1024)
#define ERROR_BODY_LIMIT (64 * 1024)

typedef struct
{
  SoupMessage  *msg;
  GInputStream *stream;
  GByteArray   *body;
  gsize         limit;
  char         *where;   /* the URL asked, for messages */
} BoundedGet;

static void
bounded_get_free (BoundedGet *get)
{
  g_clear_object (&get->msg);
  g_clear_object (&get->stream);
  g_clear_pointer (&get->body, g_byte_array_unref);
  g_free (get->where);
  g_free (get);
}

static gboolean
status_ok (BoundedGet *get)
{
  guint status = soup_message_get_status (get->msg);

  return status >= 200 && status < 300;
}

/* A refusal: the daemon says why in JSON; anything else is not one. */
static GError *
status_error (BoundedGet *get)
{
  guint status = soup_message_get_status (get->msg);
  json_t *answer = json_loadb ((const char *) get->body->data, get->body->len, 0, NULL);
  const char *reason = json_string_value (json_object_get (answer, "error"));
  GError *error;

  if (status == SOUP_STATUS_UNAUTHORIZED)
    error = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED,
                         "GET %s: 401: the token is missing or wrong", get->where);
  else if (reason != NULL)
    error = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_REFUSED,
                         "GET %s: %u %s", get->where, status, reason);
  else
    error = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                         "%s does not answer like sluice-run daemon: %u %s", get->where, status,
                         soup_message_get_reason_phrase (get->msg));
  json_decref (answer);
  return error;
}

static GError *
too_large (BoundedGet *get)
{
  g_autofree char *size = g_format_size_full (get->limit, G_FORMAT_SIZE_IEC_UNITS);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                      "%s: the answer is larger than %s; it was not read", get->where, size);
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_more (GTask *task)
{
  BoundedGet *get = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (get->stream, READ_CHUNK, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   read_cb, task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  BoundedGet *get = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,
                                 "%s: the answer broke off: %s", get->where, error->message);
      g_object_unref (task);
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      g_byte_array_append (get->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (get->body->len > get->limit)
        {
          g_task_return_error (task, status_ok (get) ? too_large (get) : status_error (get));
          g_object_unref (task);
          return;
        }
      read_more (task);
      return;
    }
  if (!status_ok (get))
    g_task_return_error (task, status_error (get));
  else
    g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&get->body)),
                           (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  BoundedGet *get = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  goffset length;

  get->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (get->stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (error->domain == G_TLS_ERROR)
        g_task_return_new_error (task, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_TLS,
                                 "%s: TLS: %s", get->where, error->message);
      else
        g_task_return_new_error (task, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_UNREACHABLE,
                                 "%s: %s", get->where, error->message);
      g_object_unref (task);
      return;
    }
  /* An error page is read only far enough to find the daemon's reason. */
  if (!status_ok (get))
    get->limit = ERROR_BODY_LIMIT;
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (get->msg));
  if (status_ok (get) && length > 0 && (guint64) length > get->limit)
    {
      g_task_return_error (task, too_large (get));
      g_object_unref (task);
      return;
    }
  read_more (task);
}

static void
bounded_get_async (SluiceRunClient     *client,
                   const char          *path,
                   gsize                limit,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (client, cancellable, callback, user_data);
  BoundedGet *get = g_new0 (BoundedGet, 1);

  g_task_set_source_tag (task, bounded_get_async);
  get->msg = sluice_run_client_new_message (client, "GET", path);
  get->body = g_byte_array_new ();
  get->limit = limit;
  get->where = g_strconcat (sluice_run_client_get_url (client), path, NULL);
  g_task_set_task_data (task, get, (GDestroyNotify) bounded_get_free);
  if (get->msg == NULL)
    {
      g_task_return_new_error (task, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_INVALID,
                               "%s is not a URL that can be asked", get->where);
      g_object_unref (task);
      return;
    }
  soup_session_send_async (sluice_run_client_get_session (client), get->msg, G_PRIORITY_DEFAULT, cancellable,
                           sent_cb, task);
}

static GBytes *
bounded_get_finish (GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The list. */

static gint64
parse_time (json_t     *run,
            const char *key)
{
  const char *text = json_string_value (json_object_get (run, key));
  g_autoptr(GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time) : 0;
}

/* A run id as it can be shown: printable, not too long. */
static char *
shown_id (json_t *id)
{
  g_autofree char *escaped = NULL;

  g_autoptr(GString) text = NULL;

  if (!json_is_string (id))
    return g_strdup ("(no id)");
  /* Each byte said, a NUL too. */
  text = g_string_new (NULL);
  for (size_t i = 0; i < json_string_length (id); i++)
    {
      char c = json_string_value (id)[i];

      if (c == '\0')
        g_string_append (text, "\\0");
      else
        g_string_append_c (text, c);
    }
  escaped = g_strescape (text->str, NULL);
  if (strlen (escaped) > 80)
    return g_strdup_printf ("%.77s…", escaped);
  return g_steal_pointer (&escaped);
}

static SluicePastRun *
run_from_json (const char *url,
               json_t     *run,
               const char *file_sha256)
{
  const char *id = json_string_value (json_object_get (run, "id"));
  const char *hash = json_string_value (json_object_get (run, "pipeline_hash"));
  const char *state = json_string_value (json_object_get (run, "state"));
  SluiceRunState known;
  SluicePastRun *record;

  /* A NUL inside would cut the id short into another run's. */
  if (id == NULL || json_string_length (json_object_get (run, "id")) != strlen (id) ||
      !sluice_run_record_id_is_valid (id))
    {
      g_autofree char *shown = shown_id (json_object_get (run, "id"));

      record = sluice_past_run_new_remote (url, shown);
      record->error = g_strdup_printf ("%s/runs lists a run whose id “%s” is not a run id; it is not opened",
                                       url, shown);
      return record;
    }
  record = sluice_past_run_new_remote (url, id);
  record->pipeline_id = g_strdup (json_string_value (json_object_get (run, "pipeline_id")));
  record->pipeline_path = g_strdup (json_string_value (json_object_get (run, "pipeline")));
  record->pipeline_sha256 = g_strdup (hash);
  record->file_matches = hash != NULL && file_sha256 != NULL && g_ascii_strcasecmp (hash, file_sha256) == 0;
  record->created_us = parse_time (run, "created");
  record->started_us = parse_time (run, "started");
  record->ended_us = parse_time (run, "finished");
  if (state == NULL || !sluice_run_state_from_string (state, &known))
    {
      g_autofree char *shown = shown_id (json_object_get (run, "state"));

      record->error = g_strdup_printf ("%s/runs/%s: the server says its state is “%s”, which is not one", url, id,
                                       shown);
      return record;
    }
  sluice_past_run_set_outcome (record, state, json_string_value (json_object_get (run, "error")));
  if (record->failed_module == NULL && json_is_string (json_object_get (run, "failed_module")))
    record->failed_module = g_strdup (json_string_value (json_object_get (run, "failed_module")));
  if (json_is_string (json_object_get (run, "current_stage")))
    record->stage_reached = g_strdup (json_string_value (json_object_get (run, "current_stage")));
  return record;
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  const SluicePastRun *x = *(SluicePastRun * const *) a;
  const SluicePastRun *y = *(SluicePastRun * const *) b;

  return x->created_us < y->created_us ? 1 : x->created_us > y->created_us ? -1 : g_strcmp0 (y->run_id, x->run_id);
}

GPtrArray *
sluice_server_runs_from_json (const char  *url,
                              json_t      *answer,
                              const char  *pipeline_id,
                              const char  *file_sha256,
                              GError     **error)
{
  json_t *runs = json_object_get (answer, "runs");
  GPtrArray *records;
  size_t i;
  json_t *run;

  g_return_val_if_fail (url != NULL && pipeline_id != NULL, NULL);

  if (!json_is_array (runs))
    {
      g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                   "%s does not answer like sluice-run daemon: GET /runs has no “runs” list", url);
      return NULL;
    }
  records = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_past_run_unref);
  json_array_foreach (runs, i, run)
    {
      const char *id = json_string_value (json_object_get (run, "pipeline_id"));

      /* Only this pipeline's: the server was asked for them, and a run
       * of another pipeline it sends anyway is not ours to show. */
      if (!json_is_object (run) || g_strcmp0 (id, pipeline_id) != 0)
        continue;
      g_ptr_array_add (records, run_from_json (url, run, file_sha256));
    }
  g_ptr_array_sort (records, newest_first);
  return records;
}

typedef struct
{
  char *pipeline_id;
  char *file_sha256;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->pipeline_id);
  g_free (data->file_sha256);
  g_free (data);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SluiceRunClient *client = SLUICE_RUN_CLIENT (source);
  ListData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = bounded_get_finish (result, &error);
  json_t *answer;
  GPtrArray *records;

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  answer = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), JSON_REJECT_DUPLICATES, NULL);
  if (answer == NULL)
    {
      g_task_return_new_error (task, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                               "%s does not answer like sluice-run daemon: GET /runs: the answer is not JSON",
                               sluice_run_client_get_url (client));
      return;
    }
  records = sluice_server_runs_from_json (sluice_run_client_get_url (client), answer, data->pipeline_id,
                                          data->file_sha256, &error);
  json_decref (answer);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify) g_ptr_array_unref);
}

void
sluice_server_runs_list_async (SluiceRunClient     *client,
                               const char          *pipeline_id,
                               const char          *file_sha256,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  ListData *data = g_new0 (ListData, 1);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (SLUICE_IS_RUN_CLIENT (client));
  g_return_if_fail (pipeline_id != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, sluice_server_runs_list_async);
  data->pipeline_id = g_strdup (pipeline_id);
  data->file_sha256 = g_strdup (file_sha256);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  escaped = g_uri_escape_string (pipeline_id, NULL, FALSE);
  path = g_strdup_printf ("/runs?pipeline=%s&limit=%u", escaped, SLUICE_SERVER_RUNS_LIMIT);
  bounded_get_async (client, path, SLUICE_SERVER_RUNS_MAX_LIST_BYTES, cancellable, listed_cb, task);
}

GPtrArray *
sluice_server_runs_list_finish (SluiceRunClient  *client,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One run's events and pipeline. */

GPtrArray *
sluice_server_runs_parse_events (const char  *where,
                                 const char  *data,
                                 gsize        length,
                                 guint        max_events,
                                 gboolean    *truncated,
                                 GError     **error)
{
  json_error_t problem;
  json_t *answer = json_loadb (data, length, 0, &problem);
  g_autoptr(GPtrArray) events = NULL;
  size_t i;
  json_t *event;

  if (truncated != NULL)
    *truncated = FALSE;
  if (answer == NULL)
    {
      g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                   "%s: the events are not JSON: %s (line %d)", where, problem.text, problem.line);
      return NULL;
    }
  if (!json_is_array (answer))
    {
      g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                   "%s: the events are not a JSON array", where);
      json_decref (answer);
      return NULL;
    }
  events = g_ptr_array_new_full (MIN (json_array_size (answer), max_events > 0 ? max_events : G_MAXUINT),
                                 (GDestroyNotify) json_decref);
  json_array_foreach (answer, i, event)
    {
      if (!json_is_object (event))
        {
          g_set_error (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                       "%s: event %zu is not a JSON object", where, i + 1);
          json_decref (answer);
          return NULL;
        }
      if (max_events > 0 && events->len >= max_events)
        {
          if (truncated != NULL)
            *truncated = TRUE;
          break;
        }
      g_ptr_array_add (events, json_incref (event));
    }
  json_decref (answer);
  return g_steal_pointer (&events);
}

typedef struct
{
  SluicePastRun *run;
  guint          max_events;
  GBytes        *pipeline;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  sluice_past_run_unref (data->run);
  g_clear_pointer (&data->pipeline, g_bytes_unref);
  g_free (data);
}

static void
events_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SluiceRunClient *client = SLUICE_RUN_CLIENT (source);
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = bounded_get_finish (result, &error);
  g_autofree char *where = NULL;
  GPtrArray *events;
  gboolean truncated = FALSE;

  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  where = g_strdup_printf ("%s/runs/%s/events", sluice_run_client_get_url (client), data->run->run_id);
  events = sluice_server_runs_parse_events (where, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                            data->max_events, &truncated, &error);
  if (events == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  sluice_past_run_take_events (data->run, events, truncated);
  g_clear_pointer (&data->run->server_pipeline, g_bytes_unref);
  data->run->server_pipeline = g_steal_pointer (&data->pipeline);
  g_task_return_boolean (task, TRUE);
}

static void
pipeline_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  SluiceRunClient *client = SLUICE_RUN_CLIENT (source);
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *path = NULL;

  data->pipeline = bounded_get_finish (result, &error);
  if (data->pipeline == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  path = g_strdup_printf ("/runs/%s/events", data->run->run_id);
  bounded_get_async (client, path, SLUICE_SERVER_RUNS_MAX_EVENT_BYTES, g_task_get_cancellable (task), events_cb,
                     task);
}

void
sluice_server_runs_fetch_async (SluiceRunClient     *client,
                                SluicePastRun       *run,
                                guint                max_events,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  FetchData *data;
  g_autofree char *path = NULL;

  g_return_if_fail (SLUICE_IS_RUN_CLIENT (client));
  g_return_if_fail (run != NULL && run->server_url != NULL);

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, sluice_server_runs_fetch_async);
  /* The id went into a path: only one the daemon makes. */
  if (run->error != NULL || !sluice_run_record_id_is_valid (run->run_id))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                               run->error != NULL ? run->error : "not a run id");
      g_object_unref (task);
      return;
    }
  data = g_new0 (FetchData, 1);
  data->run = sluice_past_run_ref (run);
  data->max_events = max_events;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  path = g_strdup_printf ("/runs/%s/pipeline", run->run_id);
  bounded_get_async (client, path, SLUICE_SERVER_RUNS_MAX_PIPELINE_BYTES, cancellable, pipeline_cb, task);
}

gboolean
sluice_server_runs_fetch_finish (SluiceRunClient  *client,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
