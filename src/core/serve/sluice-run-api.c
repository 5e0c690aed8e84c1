/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* pread, O_CLOEXEC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "sluice-event-stream.h"
#include "sluice-http-guard.h"
#include "sluice-json.h"
#include "sluice-listen.h"
#include "sluice-pipelines-api.h"
#include "sluice-run-api.h"
#include "sluice-run-request.h"

#define PING_SECONDS 10
#define DEFAULT_MAX_BODY (16 * 1024 * 1024)

struct _SluiceRunApi
{
  GObject           parent_instance;

  SluiceRunManager *manager;   /* owned */
  SluiceRegistryRuns *pipelines; /* owned, or NULL */
  SoupServer       *server;    /* owned */
  SluiceHttpGuard  *guard;     /* token, body limit */
  char             *url;
  gboolean          https;
  GHashTable       *streams;   /* SluiceEventStream *, owned */
  guint             ping_id;
};

G_DEFINE_FINAL_TYPE (SluiceRunApi, sluice_run_api, G_TYPE_OBJECT)

static const SluiceRunApiRoute routes[] = {
  { "GET", "/runs" },
  { "POST", "/runs" },
  { "GET", "/runs/{id}" },
  { "POST", "/runs/{id}/start" },
  { "POST", "/runs/{id}/pause" },
  { "POST", "/runs/{id}/resume" },
  { "POST", "/runs/{id}/cancel" },
  { "GET", "/runs/{id}/events" },
  { "GET", "/runs/{id}/output" },
  { "GET", "/runs/{id}/report" },
  { "GET", "/runs/{id}/pipeline" },
  { "GET", "/pipelines" },
  { "GET", "/pipelines/{id}" },
  { "PUT", "/pipelines/{id}" },
  { "DELETE", "/pipelines/{id}" },
  { "GET", "/pipelines/{id}/versions" },
  { "GET", "/pipelines/{id}/versions/{version}" },
  { "POST", "/pipelines/{id}/runs" },
  { "GET", "/metrics" },
};

const SluiceRunApiRoute *
sluice_run_api_get_routes (guint *n_routes)
{
  *n_routes = G_N_ELEMENTS (routes);
  return routes;
}

static void
count (SluiceRunApi *self,
       guint         status)
{
  sluice_run_metrics_count_request (sluice_run_manager_get_metrics (self->manager), status);
}

static void
answer_text (SluiceRunApi      *self,
             SoupServerMessage *msg,
             guint              status,
             const char        *content_type,
             char              *text,     /* taken */
             gsize              length)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, length);
  sluice_listen_close_after (msg);
  count (self, status);
}

static void
answer_json (SluiceRunApi      *self,
             SoupServerMessage *msg,
             guint              status,
             json_t            *json)   /* taken */
{
  sluice_http_set_json (msg, status, json);
  json_decref (json);
  sluice_listen_close_after (msg);
  count (self, status);
}

static void
answer_error (SluiceRunApi      *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *message)
{
  answer_json (self, msg, status, json_pack ("{s:s, s:i}", "error", message, "status", (int) status));
}

static void
answer_gerror (SluiceRunApi      *self,
               SoupServerMessage *msg,
               const GError      *error,
               SluiceManagedRun  *run)
{
  guint status = sluice_run_manager_error_status (error);
  json_t *json = json_pack ("{s:s, s:i}", "error", error->message, "status", (int) status);

  if (run != NULL)
    {
      json_object_set_new (json, "run", json_string (sluice_managed_run_get_id (run)));
      json_object_set_new (json, "state", json_string (sluice_run_state_to_string (sluice_managed_run_get_state (run))));
    }
  answer_json (self, msg, status, json);
}

static void
too_large (SluiceRunApi      *self,
           SoupServerMessage *msg)
{
  answer_error (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, sluice_http_guard_too_large_message (self->guard));
}

/* Before the body is read: a request without the token, or announcing a
 * body beyond the limit, is refused without reading it. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SluiceRunApi *self = user_data;
  const char *message = NULL;
  guint status = sluice_http_guard_check_early (self->guard, msg, TRUE, &message);

  if (status != 0)
    answer_error (self, msg, status, message);
}

/* ---- POST /runs ---- */

static void
post_runs (SluiceRunApi      *self,
           SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GHashTable) parameters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  SluiceRunRequest request = { 0 };
  SluiceManagedRun *run;
  g_autofree char *location = NULL;
  json_error_t jerror;
  gboolean start = FALSE, changed;
  json_t *body;

  body = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                     JSON_REJECT_DUPLICATES, &jerror);
  if (body == NULL)
    {
      g_autofree char *text = g_strdup_printf ("POST /runs: the body is not JSON: %s (line %d, column %d)",
                                               jerror.text, jerror.line, jerror.column);

      answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, text);
      return;
    }
  if (!sluice_run_request_parse (body, &request, parameters, &start, &error) ||
      (run = sluice_run_manager_create_run (self->manager, &request, &error)) == NULL)
    {
      json_decref (body);
      answer_gerror (self, msg, error, NULL);
      return;
    }
  json_decref (body);
  if (start && !sluice_managed_run_apply (run, SLUICE_RUN_ACTION_START, &changed, &error))
    {
      answer_gerror (self, msg, error, run);
      return;
    }
  location = g_strdup_printf ("/runs/%s", sluice_managed_run_get_id (run));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  answer_json (self, msg, SOUP_STATUS_CREATED, sluice_managed_run_to_json (run));
}

/* ---- GET /runs ---- */

/* ISO 8601 or seconds since the epoch, to µs. */
static gboolean
parse_time (const char *text,
            gint64     *time)
{
  g_autoptr(GDateTime) dt = NULL;
  char *end = NULL;
  double seconds;

  if (text == NULL || *text == '\0')
    return FALSE;
  seconds = g_ascii_strtod (text, &end);
  if (end != NULL && *end == '\0' && seconds >= 0 && seconds < 1e11)
    {
      *time = (gint64) (seconds * G_USEC_PER_SEC);
      return TRUE;
    }
  dt = g_date_time_new_from_iso8601 (text, g_time_zone_new_utc ());
  if (dt == NULL)
    return FALSE;
  *time = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static void
get_runs (SluiceRunApi      *self,
          SoupServerMessage *msg,
          GHashTable        *query)
{
  SluiceRunFilter filter = { 0 };
  g_autoptr(GPtrArray) runs = NULL;
  const char *value;
  guint64 limit = G_MAXUINT64;
  json_t *list;

  if (query != NULL && (value = g_hash_table_lookup (query, "state")) != NULL)
    {
      if (!sluice_run_state_from_string (value, &filter.state))
        {
          g_autofree char *text = g_strdup_printf ("state: unknown state “%s” (pending, running, paused, completed, failed, cancelled)", value);

          answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, text);
          return;
        }
      filter.by_state = TRUE;
    }
  if (query != NULL)
    filter.pipeline = g_hash_table_lookup (query, "pipeline");
  const char *time_keys[] = { "since", "until" };
  gint64 *time_slots[] = { &filter.since, &filter.until };
  for (guint i = 0; i < G_N_ELEMENTS (time_keys); i++)
    if (query != NULL && (value = g_hash_table_lookup (query, time_keys[i])) != NULL &&
        !parse_time (value, time_slots[i]))
      {
        g_autofree char *text = g_strdup_printf ("%s: expected an ISO 8601 time (2026-01-31T12:00:00Z) or seconds since the epoch, not “%s”",
                                                 time_keys[i], value);

        answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, text);
        return;
      }
  if (query != NULL && (value = g_hash_table_lookup (query, "limit")) != NULL &&
      !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &limit, NULL))
    {
      answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, "limit: expected a positive whole number");
      return;
    }

  runs = sluice_run_manager_list (self->manager, &filter);
  list = json_array ();
  /* The most recent @limit, still oldest first. */
  for (guint i = runs->len > limit ? runs->len - limit : 0; i < runs->len; i++)
    json_array_append_new (list, sluice_managed_run_to_json (g_ptr_array_index (runs, i)));
  answer_json (self, msg, SOUP_STATUS_OK, json_pack ("{s:o}", "runs", list));
}

/* ---- /runs/ID/… ---- */

static void
stream_closed_cb (SluiceEventStream *stream,
                  gpointer           user_data)
{
  SluiceRunApi *self = user_data;

  sluice_run_metrics_add_stream_clients (sluice_run_manager_get_metrics (self->manager), -1);
  g_hash_table_remove (self->streams, stream);
}

static gboolean
parse_after (SoupServerMessage *msg,
             GHashTable        *query,
             guint64           *after)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Last-Event-ID");

  if (query != NULL && g_hash_table_lookup (query, "after") != NULL)
    value = g_hash_table_lookup (query, "after");
  *after = 0;
  return value == NULL || g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, after, NULL);
}

static void
get_events (SluiceRunApi      *self,
            SoupServerMessage *msg,
            GHashTable        *query,
            SluiceManagedRun  *run)
{
  const char *accept = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Accept");
  guint64 after, n;
  GString *text;

  if (!parse_after (msg, query, &after))
    {
      answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, "Last-Event-ID / after: expected an event seq (a whole number)");
      return;
    }
  if (accept != NULL && strstr (accept, "text/event-stream") != NULL)
    {
      SluiceEventStream *stream = sluice_event_stream_new (msg, run, after, stream_closed_cb, self);

      g_hash_table_add (self->streams, stream);
      sluice_run_metrics_add_stream_clients (sluice_run_manager_get_metrics (self->manager), 1);
      count (self, SOUP_STATUS_OK);
      return;
    }

  n = sluice_managed_run_count_events (run);
  text = g_string_new ("[");
  for (guint64 seq = after + 1; seq <= n; seq++)
    {
      if (seq > after + 1)
        g_string_append_c (text, ',');
      g_string_append (text, sluice_managed_run_get_event (run, seq));
    }
  g_string_append_c (text, ']');
  {
    gsize length = text->len;

    answer_text (self, msg, SOUP_STATUS_OK, "application/json", g_string_free (text, FALSE), length);
  }
}

/* The last @lines whole lines of @path (all of it when shorter), read
 * backwards from its end in blocks: a viewer asking for the newest items
 * of a big output costs the server what it gets, not the whole file. */
static gboolean
read_tail (const char  *path,
           guint64      lines,
           char       **contents,
           gsize       *length,
           GError     **error)
{
  g_autoptr(GString) tail = g_string_new (NULL);
  char block[65536];
  guint64 newlines = 0;
  goffset end, start;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  end = lseek (fd, 0, SEEK_END);
  start = end;
  /* Stop at the newline before the first line wanted (the file's last
   * byte is the newline of its last line). */
  while (start > 0 && newlines <= lines)
    {
      gsize size = MIN ((goffset) sizeof block, start);
      ssize_t n = pread (fd, block, size, start - size);
      gsize i;

      if (n != (ssize_t) size)
        {
          int saved = n < 0 ? errno : EIO;

          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
          return FALSE;
        }
      g_string_prepend_len (tail, block, size);
      start -= size;
      for (i = size; i > 0; i--)
        if (block[i - 1] == '\n' && ++newlines > lines)
          break;
      if (newlines > lines)
        {
          /* Drop up to that newline. */
          g_string_erase (tail, 0, i);
          break;
        }
    }
  close (fd);
  *length = tail->len;
  *contents = g_string_free (g_steal_pointer (&tail), FALSE);
  return TRUE;
}

static void
get_output (SluiceRunApi      *self,
            SoupServerMessage *msg,
            GHashTable        *query,
            SluiceManagedRun  *run)
{
  g_autofree char *path = sluice_managed_run_get_output_path (run);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;
  const char *value = query != NULL ? g_hash_table_lookup (query, "tail") : NULL;
  guint64 tail = 0;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &tail, NULL))
    {
      answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, "tail: expected a positive whole number of lines");
      return;
    }
  if (tail > 0 ? !read_tail (path, tail, &contents, &length, &error)
               : !g_file_get_contents (path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autofree char *text = g_strdup_printf ("run %s: %s", sluice_managed_run_get_id (run), error->message);

          answer_error (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, text);
          return;
        }
      contents = g_strdup ("");   /* not started yet: no output */
    }
  answer_text (self, msg, SOUP_STATUS_OK, "application/x-ndjson", contents, length);
}

/* The pipeline file the run runs, for a client that draws it (the
 * designer's Server view). */
static void
get_pipeline (SluiceRunApi      *self,
              SoupServerMessage *msg,
              SluiceManagedRun  *run)
{
  const SluiceRunRecord *record = sluice_managed_run_get_record (run);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (record->pipeline_path, &contents, &length, &error))
    {
      g_autofree char *text = g_strdup_printf ("run %s: %s", record->id, error->message);

      answer_error (self, msg, SOUP_STATUS_NOT_FOUND, text);
      return;
    }
  answer_text (self, msg, SOUP_STATUS_OK, "application/xml", contents, length);
}

static void
get_report (SluiceRunApi      *self,
            SoupServerMessage *msg,
            SluiceManagedRun  *run)
{
  json_t *report = sluice_managed_run_dup_report (run);

  if (report == NULL)
    {
      g_autofree char *text = g_strdup_printf ("run %s has no report (its report.json is missing)",
                                               sluice_managed_run_get_id (run));

      answer_error (self, msg, SOUP_STATUS_NOT_FOUND, text);
      return;
    }
  answer_json (self, msg, SOUP_STATUS_OK, report);
}

static void
post_action (SluiceRunApi      *self,
             SoupServerMessage *msg,
             SluiceManagedRun  *run,
             SluiceRunAction    action)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;
  json_t *json;

  if (!sluice_managed_run_apply (run, action, &changed, &error))
    {
      answer_gerror (self, msg, error, run);
      return;
    }
  json = sluice_managed_run_to_json (run);
  json_object_set_new (json, "changed", json_boolean (changed));
  answer_json (self, msg, SOUP_STATUS_OK, json);
}

static gboolean
method_is (SluiceRunApi      *self,
           SoupServerMessage *msg,
           const char        *allowed)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (method, allowed) || (g_str_equal (allowed, "GET") && g_str_equal (method, "HEAD")))
    return TRUE;
  {
    g_autofree char *text = g_strdup_printf ("%s %s: method not allowed (use %s)", method,
                                             g_uri_get_path (soup_server_message_get_uri (msg)), allowed);

    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed);
    answer_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, text);
  }
  return FALSE;
}

static void
run_route (SluiceRunApi      *self,
           SoupServerMessage *msg,
           GHashTable        *query,
           const char        *id,
           const char        *what)
{
  g_autoptr(GError) error = NULL;
  SluiceManagedRun *run = sluice_run_manager_lookup (self->manager, id, &error);
  SluiceRunAction action;

  if (run == NULL)
    {
      answer_gerror (self, msg, error, NULL);
      return;
    }
  if (what == NULL)
    {
      if (method_is (self, msg, "GET"))
        answer_json (self, msg, SOUP_STATUS_OK, sluice_managed_run_to_json (run));
    }
  else if (sluice_run_action_from_string (what, &action))
    {
      if (method_is (self, msg, "POST"))
        post_action (self, msg, run, action);
    }
  else if (g_str_equal (what, "events"))
    {
      if (method_is (self, msg, "GET"))
        get_events (self, msg, query, run);
    }
  else if (g_str_equal (what, "output"))
    {
      if (method_is (self, msg, "GET"))
        get_output (self, msg, query, run);
    }
  else if (g_str_equal (what, "report"))
    {
      if (method_is (self, msg, "GET"))
        get_report (self, msg, run);
    }
  else if (g_str_equal (what, "pipeline"))
    {
      if (method_is (self, msg, "GET"))
        get_pipeline (self, msg, run);
    }
  else
    {
      g_autofree char *text = g_strdup_printf ("run %s: no such endpoint “%s” (start, pause, resume, cancel, events, output, report, pipeline)",
                                               id, what);

      answer_error (self, msg, SOUP_STATUS_NOT_FOUND, text);
    }
}

static void
pipelines_route (SluiceRunApi      *self,
                 SoupServerMessage *msg,
                 const char        *path)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_auto(SluicePipelinesAnswer) answer = { 0 };
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *rest = path + strlen ("/pipelines");

  sluice_pipelines_api_answer (self->pipelines, soup_server_message_get_method (msg),
                               *rest == '/' ? rest + 1 : rest, body, &answer);
  if (answer.location != NULL)
    soup_message_headers_replace (headers, "Location", answer.location);
  if (answer.allow != NULL)
    soup_message_headers_replace (headers, "Allow", answer.allow);
  if (answer.json != NULL)
    answer_json (self, msg, answer.status, g_steal_pointer (&answer.json));
  else
    {
      gsize length;
      const char *data = g_bytes_get_data (answer.bytes, &length);

      answer_text (self, msg, answer.status, answer.content_type, g_memdup2 (data, length), length);
    }
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SluiceRunApi *self = user_data;
  g_auto(GStrv) parts = NULL;
  guint n;

  if (sluice_http_guard_body_too_large (msg))
    {
      too_large (self, msg);
      return;
    }

  parts = g_strsplit (path + (path[0] == '/'), "/", 5);
  n = g_strv_length (parts);
  if (n > 0 && *parts[n - 1] == '\0')   /* a trailing slash */
    {
      g_free (parts[n - 1]);
      parts[--n] = NULL;
    }

  if (n == 1 && g_str_equal (parts[0], "metrics"))
    {
      if (method_is (self, msg, "GET"))
        {
          g_autoptr(GPtrArray) runs = sluice_run_manager_list_all (self->manager);
          char *text = sluice_run_metrics_render (sluice_run_manager_get_metrics (self->manager), runs);

          answer_text (self, msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", text, strlen (text));
        }
      return;
    }
  if (n == 1 && g_str_equal (parts[0], "runs"))
    {
      const char *method = soup_server_message_get_method (msg);

      if (g_str_equal (method, "POST"))
        post_runs (self, msg);
      else if (method_is (self, msg, "GET"))
        get_runs (self, msg, query);
      return;
    }
  if ((n == 2 || n == 3) && g_str_equal (parts[0], "runs"))
    {
      run_route (self, msg, query, parts[1], n == 3 ? parts[2] : NULL);
      return;
    }
  if (g_str_equal (path, "/pipelines") || g_str_has_prefix (path, "/pipelines/"))
    {
      pipelines_route (self, msg, path);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf ("%s: not found (the API: /runs, /runs/ID, /runs/ID/ACTION, /pipelines, /pipelines/ID, /metrics)", path);

    answer_error (self, msg, SOUP_STATUS_NOT_FOUND, text);
  }
}

static gboolean
ping_cb (gpointer user_data)
{
  SluiceRunApi *self = user_data;
  GHashTableIter iter;
  gpointer stream;

  g_hash_table_iter_init (&iter, self->streams);
  while (g_hash_table_iter_next (&iter, &stream, NULL))
    sluice_event_stream_ping (stream);
  return G_SOURCE_CONTINUE;
}

static void
sluice_run_api_dispose (GObject *object)
{
  SluiceRunApi *self = SLUICE_RUN_API (object);

  g_clear_handle_id (&self->ping_id, g_source_remove);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_hash_table_remove_all (self->streams);
  g_clear_object (&self->pipelines);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (sluice_run_api_parent_class)->dispose (object);
}

static void
sluice_run_api_finalize (GObject *object)
{
  SluiceRunApi *self = SLUICE_RUN_API (object);

  g_hash_table_unref (self->streams);
  sluice_http_guard_free (self->guard);
  g_free (self->url);

  G_OBJECT_CLASS (sluice_run_api_parent_class)->finalize (object);
}

static void
sluice_run_api_class_init (SluiceRunApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_run_api_dispose;
  object_class->finalize = sluice_run_api_finalize;
}

static void
sluice_run_api_init (SluiceRunApi *self)
{
  self->streams = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) sluice_event_stream_free, NULL);
}

SluiceRunApi *
sluice_run_api_new (const SluiceRunApiConfig *config)
{
  SluiceRunApi *self;

  g_return_val_if_fail (config != NULL && SLUICE_IS_RUN_MANAGER (config->manager), NULL);

  self = g_object_new (SLUICE_TYPE_RUN_API, NULL);
  self->manager = g_object_ref (config->manager);
  self->pipelines = config->pipelines != NULL ? g_object_ref (config->pipelines) : NULL;
  self->guard = sluice_http_guard_new (config->token, config->max_body > 0 ? config->max_body : DEFAULT_MAX_BODY);
  self->server = soup_server_new ("server-header", "sluice-run/" PACKAGE_VERSION " ",
                                  "tls-certificate", config->tls, NULL);
  self->https = config->tls != NULL;
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  self->ping_id = g_timeout_add_seconds (PING_SECONDS, ping_cb, self);
  return self;
}

gboolean
sluice_run_api_listen (SluiceRunApi  *self,
                       const char    *address,
                       GError       **error)
{
  g_return_val_if_fail (SLUICE_IS_RUN_API (self), FALSE);

  if (!sluice_listen (self->server, address, self->https, error))
    return FALSE;
  if (self->url == NULL)
    self->url = sluice_listen_get_url (self->server);
  return TRUE;
}

const char *
sluice_run_api_get_url (SluiceRunApi *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_API (self), NULL);
  return self->url;
}
