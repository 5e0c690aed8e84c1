/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sluice-executor.h"
#include "sluice-http-guard.h"
#include "sluice-listen.h"
#include "sluice-serve-stats.h"
#include "sluice-run.h"
#include "sluice-server.h"
#include "sluice-service-client.h"
#include "sluice-json.h"
#include "sluice-request-sink.h"
#include "sluice-request-source.h"

struct _SluiceServer
{
  GObject              parent_instance;

  SluicePipeline      *pipeline;
  char                *file_hash;
  guint                capacity;
  guint                queue_limit;
  SluiceHttpGuard     *guard;      /* token, body limit */

  SoupServer          *server;
  char                *url;
  SluiceRun           *run;        /* one run for every request, owned */
  SluiceExecutor      *executor;   /* borrowed from @run */
  SluiceRequestSource *source;
  GHashTable          *requests;   /* Request*: waiting or in the run */
  SluiceServeStats    *stats;
  gint64               started;
  guint64              rejected;   /* 503s beyond the queue */
  guint64              failed;     /* items a module failed */
  gboolean             draining;
  gboolean             drained;
  gboolean             https;
};

G_DEFINE_FINAL_TYPE (SluiceServer, sluice_server, G_TYPE_OBJECT)

enum { DRAINED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One POST being served: the tag of its item in the run. */
typedef struct
{
  SluiceServer      *server;     /* borrowed: it outlives its requests */
  SoupServerMessage *msg;        /* owned */
  GString           *outputs;    /* "[a,b" … closed when answering */
  guint              n_outputs;
  gint64             arrived;
  gulong             finished_id;
  gboolean           gone;       /* the client went away */
  gboolean           answered;   /* kept until the answer is written */
} Request;

static void
request_free (Request *request)
{
  if (request->finished_id != 0)
    g_signal_handler_disconnect (request->msg, request->finished_id);
  g_object_unref (request->msg);
  g_string_free (request->outputs, TRUE);
  g_free (request);
}

static guint
load_of (SluiceServer *self)
{
  return sluice_request_source_get_running (self->source) + sluice_request_source_get_waiting (self->source);
}

static void
set_load_header (SluiceServer      *self,
                 SoupServerMessage *msg)
{
  guint load = load_of (self);
  char value[32];

  /* Besides the request being answered. */
  g_snprintf (value, sizeof value, "%u", load > 0 ? load - 1 : 0);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), SLUICE_LOAD_HEADER, value);
  sluice_listen_close_after (msg);
}

static void
answer_json (SluiceServer      *self,
             SoupServerMessage *msg,
             guint              status,
             json_t            *json)
{
  sluice_http_set_json (msg, status, json);
  set_load_header (self, msg);
}

static void
answer_error (SluiceServer      *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *error,
              const char        *module)
{
  json_t *json = json_pack ("{s:s}", "error", error);

  if (module != NULL)
    json_object_set_new (json, "module", json_string (module));
  answer_json (self, msg, status, json);
  json_decref (json);
}

static void
answer_busy (SluiceServer      *self,
             SoupServerMessage *msg,
             const char        *why)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  answer_error (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, why, NULL);
  soup_message_headers_replace (headers, "Retry-After", "1");
  if (self->draining)
    soup_message_headers_replace (headers, "Connection", "close");
}

static void
check_drained (SluiceServer *self)
{
  if (self->draining && !self->drained && g_hash_table_size (self->requests) == 0)
    {
      self->drained = TRUE;
      g_signal_emit (self, signals[DRAINED], 0);
    }
}

static void
output_cb (gpointer  tag,
           json_t   *item,
           gpointer  user_data)
{
  Request *request = tag;
  char *text;

  if (request->gone)
    return;
  /* As sluice-run writes items: keys sorted, numbers as they came. */
  text = sluice_json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS);
  g_string_append_c (request->outputs, request->n_outputs++ == 0 ? '[' : ',');
  g_string_append (request->outputs, text);
  free (text);
}

/* "module “id”: …" as the executor words it: the id, or NULL. */
static char *
module_of (const char *error)
{
  const char *start, *end;

  if (!g_str_has_prefix (error, "module “"))
    return NULL;
  start = error + strlen ("module “");
  end = strstr (start, "”");
  return end != NULL ? g_strndup (start, end - start) : NULL;
}

static void
done_cb (gpointer    tag,
         const char *error,
         gpointer    user_data)
{
  SluiceServer *self = user_data;
  Request *request = tag;
  gint64 now = g_get_monotonic_time ();

  sluice_request_source_release (self->source);

  if (!request->gone)
    {
      SoupServerMessage *msg = request->msg;

      if (error == NULL)
        {
          gsize length;

          if (request->n_outputs == 0)
            g_string_append_c (request->outputs, '[');
          g_string_append_c (request->outputs, ']');
          length = request->outputs->len;
          soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                            g_string_free (g_steal_pointer (&request->outputs), FALSE),
                                            length);
          request->outputs = g_string_new (NULL);
          set_load_header (self, msg);
        }
      else
        {
          g_autofree char *module = module_of (error);

          /* A module that failed the item is the item's failure (4xx:
           * another instance would fail it alike). */
          self->failed++;
          answer_error (self, msg, module != NULL ? SOUP_STATUS_UNPROCESSABLE_ENTITY
                                                  : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                        error, module);
        }
      soup_server_message_unpause (msg);
      sluice_serve_stats_record (self->stats, now, now - request->arrived);
      /* Forgotten once written ("finished"), so that draining waits for
       * the answers to be on the wire. */
      request->answered = TRUE;
      return;
    }

  g_hash_table_remove (self->requests, request);
  check_drained (self);
}

/* The run should go on for ever; when it ends anyway (a sink or an
 * executor error, or after draining), what is left is answered. */
static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  SluiceServer *self = user_data;
  SluiceExecutor *executor = SLUICE_EXECUTOR (object);
  SluiceRunState state = sluice_executor_get_state (executor);
  g_autoptr(GPtrArray) left = NULL;
  GHashTableIter iter;
  gpointer key;

  if (!sluice_run_state_is_final (state))
    return;

  if (state != SLUICE_RUN_COMPLETED)
    g_printerr ("sluice-run serve: the run ended (%s): %s\n", sluice_run_state_to_string (state),
                sluice_executor_get_error (executor) ?: "cancelled");

  left = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (left, key);
  for (guint i = 0; i < left->len; i++)
    {
      Request *request = g_ptr_array_index (left, i);

      if (!request->gone && !request->answered)
        {
          answer_error (self, request->msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
                        "the server's run has ended", NULL);
          soup_server_message_unpause (request->msg);
          request->answered = TRUE;
        }
      else if (request->gone)
        g_hash_table_remove (self->requests, request);
    }
  self->draining = TRUE;
  check_drained (self);
}

/* The answer was written, or the connection ended before we answered:
 * a waiting request leaves the queue; one in the run finishes there
 * unanswered. */
static void
message_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Request *request = user_data;
  SluiceServer *self = request->server;

  g_signal_handler_disconnect (msg, request->finished_id);
  request->finished_id = 0;
  request->gone = TRUE;
  if (request->answered || sluice_request_source_remove (self->source, request))
    {
      g_hash_table_remove (self->requests, request);
      check_drained (self);
    }
}

static void
too_large (SluiceServer      *self,
           SoupServerMessage *msg)
{
  answer_error (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, sluice_http_guard_too_large_message (self->guard), NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* Before the body is read: what can be refused without it is refused
 * now, and with "Expect: 100-continue" the body is never sent. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SluiceServer *self = user_data;
  const char *message = NULL;
  guint status;

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    return;

  status = sluice_http_guard_check_early (self->guard, msg, TRUE, &message);
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    too_large (self, msg);
  else if (status != 0)
    answer_error (self, msg, status, message, NULL);
}

static void
post_item (SluiceServer      *self,
           SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  json_error_t jerror;
  json_t *item;
  Request *request;

  if (sluice_http_guard_body_too_large (msg))
    {
      too_large (self, msg);
      return;
    }
  if (self->draining)
    {
      answer_busy (self, msg, "the server is draining: it takes no new requests");
      return;
    }
  /* Counted as a whole: in a burst the run has not taken any yet. */
  if (g_hash_table_size (self->requests) >= self->capacity + self->queue_limit)
    {
      self->rejected++;
      answer_busy (self, msg, "the server is at capacity and its queue is full");
      return;
    }

  bytes = soup_message_body_flatten (body);
  item = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), JSON_REJECT_DUPLICATES, &jerror);
  if (item == NULL || !json_is_object (item))
    {
      g_autofree char *text = item == NULL
        ? g_strdup_printf ("the body is not JSON: %s (line %d, column %d)", jerror.text, jerror.line, jerror.column)
        : g_strdup ("the body must be one JSON object (an item)");

      json_decref (item);
      answer_error (self, msg, SOUP_STATUS_BAD_REQUEST, text, NULL);
      return;
    }

  request = g_new0 (Request, 1);
  request->server = self;
  request->msg = g_object_ref (msg);
  request->outputs = g_string_new (NULL);
  request->arrived = g_get_monotonic_time ();
  request->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), request);
  soup_server_message_pause (msg);
  g_hash_table_add (self->requests, request);
  sluice_request_source_push (self->source, item, request);
  json_decref (item);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  SluiceServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/status"))
    {
      if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
        answer_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use GET /status", NULL);
      else
        {
          json_t *status = sluice_server_build_status (self);

          answer_json (self, msg, SOUP_STATUS_OK, status);
          json_decref (status);
        }
      return;
    }

  if (!g_str_equal (path, "/") && !g_str_equal (path, "/items"))
    {
      answer_error (self, msg, SOUP_STATUS_NOT_FOUND, "not found: POST items to / or /items, GET /status", NULL);
      return;
    }
  if (method != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");
      answer_error (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "POST one item (a JSON object)", NULL);
      return;
    }

  post_item (self, msg);
}

static void
sluice_server_dispose (GObject *object)
{
  SluiceServer *self = SLUICE_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  if (self->executor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->executor, self);
      sluice_executor_cancel (self->executor);
    }
  self->executor = NULL;
  g_clear_object (&self->run);

  G_OBJECT_CLASS (sluice_server_parent_class)->dispose (object);
}

static void
sluice_server_finalize (GObject *object)
{
  SluiceServer *self = SLUICE_SERVER (object);

  g_hash_table_unref (self->requests);
  g_clear_object (&self->source);
  g_clear_object (&self->pipeline);
  g_free (self->file_hash);
  g_clear_pointer (&self->guard, sluice_http_guard_free);
  g_free (self->url);
  sluice_serve_stats_free (self->stats);

  G_OBJECT_CLASS (sluice_server_parent_class)->finalize (object);
}

static void
sluice_server_class_init (SluiceServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_server_dispose;
  object_class->finalize = sluice_server_finalize;

  signals[DRAINED] = g_signal_new ("drained", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sluice_server_init (SluiceServer *self)
{
  self->requests = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) request_free, NULL);
  self->stats = sluice_serve_stats_new ();
  self->started = g_get_monotonic_time ();
}

SluiceServer *
sluice_server_new (const SluiceServerConfig  *config,
                   GError                   **error)
{
  g_autoptr(SluiceServer) self = NULL;
  g_autoptr(SluiceRequestSink) sink = NULL;

  g_return_val_if_fail (config != NULL && SLUICE_IS_PIPELINE (config->pipeline), NULL);

  self = g_object_new (SLUICE_TYPE_SERVER, NULL);
  self->pipeline = g_object_ref (config->pipeline);
  self->file_hash = g_strdup (config->file_hash);
  self->capacity = MAX (config->capacity, 1);
  self->queue_limit = config->queue;
  self->guard = sluice_http_guard_new (config->token, config->max_body > 0 ? config->max_body : 16 * 1024 * 1024);

  /* One run serves every request: each item is isolated (a failure fails
   * its request only), and the run is built, its Lua compiled, once. */
  /* The same run object as sluice-run and the designer. */
  self->run = sluice_run_new (config->pipeline, config->path, config->defines, error);
  if (self->run == NULL)
    return NULL;
  self->executor = sluice_run_get_executor (self->run);
  self->source = sluice_request_source_new (self->capacity);
  sink = sluice_request_sink_new (output_cb, done_cb, self);
  if (config->path == NULL && config->base_directory != NULL)
    sluice_executor_set_base_directory (self->executor, config->base_directory);
  sluice_executor_set_source (self->executor, SLUICE_ITEM_SOURCE (self->source));
  sluice_executor_set_sink (self->executor, SLUICE_ITEM_SINK (sink));
  sluice_executor_set_isolated_items (self->executor, TRUE);
  g_signal_connect (self->executor, "notify::state", G_CALLBACK (state_cb), self);
  sluice_executor_start (self->executor);

  self->server = soup_server_new ("server-header", "sluice-run/" PACKAGE_VERSION " ",
                                  "tls-certificate", config->tls, NULL);
  self->https = config->tls != NULL;
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  return g_steal_pointer (&self);
}

gboolean
sluice_server_listen (SluiceServer  *self,
                      const char    *address,
                      GError       **error)
{
  g_return_val_if_fail (SLUICE_IS_SERVER (self), FALSE);

  if (!sluice_listen (self->server, address, self->https, error))
    return FALSE;
  if (self->url == NULL)
    self->url = sluice_listen_get_url (self->server);
  return TRUE;
}

const char *
sluice_server_get_url (SluiceServer *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVER (self), NULL);
  return self->url;
}

void
sluice_server_drain (SluiceServer *self)
{
  g_return_if_fail (SLUICE_IS_SERVER (self));

  if (self->draining)
    return;
  self->draining = TRUE;
  /* The run ends once what is queued has gone through it. */
  sluice_request_source_close (self->source);
  check_drained (self);
}

gboolean
sluice_server_is_draining (SluiceServer *self)
{
  g_return_val_if_fail (SLUICE_IS_SERVER (self), FALSE);
  return self->draining;
}

guint
sluice_server_get_in_flight (SluiceServer *self)
{
  return sluice_request_source_get_running (self->source);
}

guint
sluice_server_get_queued (SluiceServer *self)
{
  return sluice_request_source_get_waiting (self->source);
}

json_t *
sluice_server_build_status (SluiceServer *self)
{
  gint64 now = g_get_monotonic_time ();
  const char *id = sluice_node_get_id (SLUICE_NODE (self->pipeline));

  return json_pack ("{s:b, s:b, s:s?, s:s?, s:I, s:I, s:I, s:I, s:f, s:{s:f, s:f, s:f}, s:I, s:I, s:I, s:f}",
                    "healthy", !self->draining,
                    "draining", self->draining,
                    "pipeline", id,
                    "file_hash", self->file_hash,
                    "in_flight", (json_int_t) sluice_request_source_get_running (self->source),
                    "queue_depth", (json_int_t) sluice_request_source_get_waiting (self->source),
                    "capacity", (json_int_t) self->capacity,
                    "queue_limit", (json_int_t) self->queue_limit,
                    "items_per_second", sluice_serve_stats_rate (self->stats, now),
                    "latency_ms",
                      "p50", sluice_serve_stats_percentile (self->stats, 0.5),
                      "p90", sluice_serve_stats_percentile (self->stats, 0.9),
                      "p99", sluice_serve_stats_percentile (self->stats, 0.99),
                    "served", (json_int_t) sluice_serve_stats_total (self->stats),
                    "rejected", (json_int_t) self->rejected,
                    "failed", (json_int_t) self->failed,
                    "uptime_s", (now - self->started) / (double) G_USEC_PER_SEC);
}
