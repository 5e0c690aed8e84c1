/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sluice-executor.h"
#include "sluice-listen.h"
#include "sluice-serve-stats.h"
#include "sluice-server.h"
#include "sluice-service-client.h"
#include "sluice-single-source.h"

#define TOO_LARGE_KEY "sluice-too-large"
#define RECEIVED_KEY "sluice-received"

struct _SluiceServer
{
  GObject           parent_instance;

  SluicePipeline   *pipeline;
  GHashTable       *defines;        /* owned copy, or NULL */
  char             *base_directory;
  char             *file_hash;
  guint             capacity;
  guint             queue_limit;
  gsize             max_body;
  char             *token;

  SoupServer       *server;
  char             *url;
  GQueue            queue;          /* Request*, waiting for a run */
  GHashTable       *running;        /* Request* */
  SluiceServeStats *stats;
  gint64            started;
  guint64           rejected;       /* 503s beyond the queue */
  guint64           failed;         /* 4xx/5xx answers for items */
  gboolean          draining;
  gboolean          drained;
};

G_DEFINE_FINAL_TYPE (SluiceServer, sluice_server, G_TYPE_OBJECT)

enum { DRAINED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One POST being served. */
typedef struct
{
  SluiceServer      *server;     /* borrowed: it outlives its requests */
  SoupServerMessage *msg;        /* owned */
  json_t            *item;
  SluiceExecutor    *executor;
  GString           *outputs;    /* "[a,b" … closed when answering */
  guint              n_outputs;
  gint64             arrived;
  gulong             finished_id;
  gboolean           gone;       /* the client went away */
} Request;

static void start_next (SluiceServer *self);

static void
request_free (Request *request)
{
  if (request->finished_id != 0)
    g_signal_handler_disconnect (request->msg, request->finished_id);
  g_clear_object (&request->executor);
  g_object_unref (request->msg);
  json_decref (request->item);
  if (request->outputs != NULL)
    g_string_free (request->outputs, TRUE);
  g_free (request);
}

static void
set_load_header (SluiceServer      *self,
                 SoupServerMessage *msg)
{
  guint load = g_hash_table_size (self->running) + self->queue.length;
  char value[32];

  /* Besides the request being answered. */
  g_snprintf (value, sizeof value, "%u", load > 0 ? load - 1 : 0);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), SLUICE_LOAD_HEADER, value);
}

static void
answer_json (SluiceServer      *self,
             SoupServerMessage *msg,
             guint              status,
             json_t            *json)
{
  char *text = json_dumps (json, JSON_COMPACT);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
  free (text);
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
  if (self->draining && !self->drained &&
      g_hash_table_size (self->running) == 0 && g_queue_is_empty (&self->queue))
    {
      self->drained = TRUE;
      g_signal_emit (self, signals[DRAINED], 0);
    }
}

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  Request *request = user_data;

  g_string_append_c (request->outputs, request->n_outputs++ == 0 ? '[' : ',');
  g_string_append_len (request->outputs, line, length);
}

/* From an idle, never from within the executor's own notification:
 * the run's last reference goes here. */
static gboolean
run_done_cb (gpointer user_data)
{
  Request *request = user_data;
  SluiceServer *self = request->server;
  SluiceExecutor *executor = request->executor;
  SluiceRunState state = sluice_executor_get_state (executor);
  gint64 now = g_get_monotonic_time ();

  g_hash_table_steal (self->running, request);

  if (!request->gone)
    {
      SoupServerMessage *msg = request->msg;

      if (state == SLUICE_RUN_COMPLETED)
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
          set_load_header (self, msg);
        }
      else
        {
          const char *module = sluice_executor_get_failed_module (executor);
          const char *error = sluice_executor_get_error (executor);

          self->failed++;
          /* A module that failed the item is the item's failure (4xx:
           * another instance would fail it alike); anything else is ours. */
          answer_error (self, msg, module != NULL ? SOUP_STATUS_UNPROCESSABLE_ENTITY
                                                  : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                        error != NULL ? error : "the run was cancelled", module);
        }
      soup_server_message_unpause (msg);
      sluice_serve_stats_record (self->stats, now, now - request->arrived);
    }

  request_free (request);
  start_next (self);
  check_drained (self);
  return G_SOURCE_REMOVE;
}

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  Request *request = user_data;

  if (sluice_run_state_is_final (sluice_executor_get_state (request->executor)))
    {
      g_signal_handlers_disconnect_by_data (request->executor, request);
      g_idle_add_full (G_PRIORITY_DEFAULT, run_done_cb, request, NULL);
    }
}

static void
start_run (SluiceServer *self,
           Request      *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceSingleSource) source = NULL;

  request->executor = sluice_executor_new (self->pipeline, self->defines, &error);
  if (request->executor == NULL)
    {
      answer_error (self, request->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message, NULL);
      soup_server_message_unpause (request->msg);
      request_free (request);
      return;
    }

  request->outputs = g_string_new (NULL);
  sluice_executor_set_base_directory (request->executor, self->base_directory);
  source = sluice_single_source_new (request->item);
  sluice_executor_set_source (request->executor, SLUICE_ITEM_SOURCE (source));
  sluice_executor_set_output_func (request->executor, output_cb, request, NULL);
  g_signal_connect (request->executor, "notify::state", G_CALLBACK (state_cb), request);
  g_hash_table_add (self->running, request);
  sluice_executor_start (request->executor);
}

static void
start_next (SluiceServer *self)
{
  while (g_hash_table_size (self->running) < self->capacity && !g_queue_is_empty (&self->queue))
    start_run (self, g_queue_pop_head (&self->queue));
}

/* The connection ended before we answered: a waiting request leaves the
 * queue, a running one is cancelled. "finished" also comes after our own
 * answer is written; by then the request is gone from both. */
static void
message_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Request *request = user_data;
  SluiceServer *self = request->server;
  GList *link = g_queue_find (&self->queue, request);

  g_signal_handler_disconnect (msg, request->finished_id);
  request->finished_id = 0;
  request->gone = TRUE;
  if (link != NULL)
    {
      g_queue_delete_link (&self->queue, link);
      request_free (request);
      check_drained (self);
    }
  else if (request->executor != NULL && g_hash_table_contains (self->running, request))
    sluice_executor_cancel (request->executor);
}

static gboolean
token_ok (SluiceServer      *self,
          SoupServerMessage *msg)
{
  const char *value;
  gsize length, expected;
  guint diff = 0;

  if (self->token == NULL)
    return TRUE;

  value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return FALSE;
  value += 7;
  length = strlen (value);
  expected = strlen (self->token);
  /* Same time whatever the first wrong byte. */
  for (gsize i = 0; i < expected; i++)
    diff |= (guchar) self->token[i] ^ (guchar) (i < length ? value[i] : 0);
  return diff == 0 && length == expected;
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SluiceServer *self = user_data;
  gsize received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), RECEIVED_KEY));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), RECEIVED_KEY, GSIZE_TO_POINTER (received));
  if (received > self->max_body && g_object_get_data (G_OBJECT (msg), TOO_LARGE_KEY) == NULL)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      /* Read to its end and thrown away, never kept. */
      g_object_set_data (G_OBJECT (msg), TOO_LARGE_KEY, GINT_TO_POINTER (1));
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

static void
too_large (SluiceServer      *self,
           SoupServerMessage *msg)
{
  g_autofree char *text = g_strdup_printf ("the request body is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                                           self->max_body);

  answer_error (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text, NULL);
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
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);

  if (!g_str_equal (soup_server_message_get_method (msg), SOUP_METHOD_POST))
    return;

  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self);
  if (!token_ok (self, msg))
    {
      answer_error (self, msg, SOUP_STATUS_UNAUTHORIZED, "a bearer token is required (Authorization: Bearer …)", NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate", "Bearer");
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
    }
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
           (guint64) length > self->max_body)
    {
      too_large (self, msg);
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
    }
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

  if (g_object_get_data (G_OBJECT (msg), TOO_LARGE_KEY) != NULL)
    {
      too_large (self, msg);
      return;
    }
  if (self->draining)
    {
      answer_busy (self, msg, "the server is draining: it takes no new requests");
      return;
    }
  if (g_hash_table_size (self->running) >= self->capacity && self->queue.length >= self->queue_limit)
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
  request->item = item;
  request->arrived = g_get_monotonic_time ();
  request->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), request);
  soup_server_message_pause (msg);

  g_queue_push_tail (&self->queue, request);
  start_next (self);
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

  G_OBJECT_CLASS (sluice_server_parent_class)->dispose (object);
}

static void
sluice_server_finalize (GObject *object)
{
  SluiceServer *self = SLUICE_SERVER (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) request_free);
  g_hash_table_unref (self->running);
  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->defines, g_hash_table_unref);
  g_free (self->base_directory);
  g_free (self->file_hash);
  g_free (self->token);
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
  g_queue_init (&self->queue);
  self->running = g_hash_table_new (NULL, NULL);
  self->stats = sluice_serve_stats_new ();
  self->started = g_get_monotonic_time ();
}

SluiceServer *
sluice_server_new (const SluiceServerConfig *config)
{
  SluiceServer *self;

  g_return_val_if_fail (config != NULL && SLUICE_IS_PIPELINE (config->pipeline), NULL);

  self = g_object_new (SLUICE_TYPE_SERVER, NULL);
  self->pipeline = g_object_ref (config->pipeline);
  if (config->defines != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      self->defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, config->defines);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->defines, g_strdup (key), g_strdup (value));
    }
  self->base_directory = g_strdup (config->base_directory);
  self->file_hash = g_strdup (config->file_hash);
  self->capacity = MAX (config->capacity, 1);
  self->queue_limit = config->queue;
  self->max_body = config->max_body > 0 ? config->max_body : 16 * 1024 * 1024;
  self->token = g_strdup (config->token);

  self->server = soup_server_new ("server-header", "sluice-run/" PACKAGE_VERSION " ", NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  return self;
}

gboolean
sluice_server_listen (SluiceServer  *self,
                      const char    *address,
                      GError       **error)
{
  g_return_val_if_fail (SLUICE_IS_SERVER (self), FALSE);

  if (!sluice_listen (self->server, address, error))
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

  self->draining = TRUE;
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
  return g_hash_table_size (self->running);
}

guint
sluice_server_get_queued (SluiceServer *self)
{
  return self->queue.length;
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
                    "in_flight", (json_int_t) g_hash_table_size (self->running),
                    "queue_depth", (json_int_t) self->queue.length,
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
