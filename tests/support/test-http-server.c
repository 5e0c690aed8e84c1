/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <jansson.h>
#include <libsoup/soup.h>

#include "test-http-server.h"

struct _TestHttpServer
{
  GThread      *thread;
  GMainContext *context;   /* owned: the server thread's */
  GMainLoop    *loop;      /* owned */
  SoupServer   *server;    /* owned; used on the server thread only */
  char         *url;

  GMutex        lock;      /* guards what follows, shared with the test */
  GCond         started;
  gboolean      ready;
  GHashTable   *hits;      /* path → GArray of gint64 */
  GHashTable   *failures;  /* key → remaining failures (GUINT_TO_POINTER) */
  GString      *seen_headers;
  char         *secret_header;
  char         *secret_value;
  GTlsCertificate *certificate;  /* owned, or NULL for plain HTTP */
};

static const char *
query_get (GHashTable *query,
           const char *name,
           const char *fallback)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  return value != NULL ? value : fallback;
}

static guint
query_uint (GHashTable *query,
            const char *name,
            guint       fallback)
{
  const char *value = query_get (query, name, NULL);

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             json_t            *json)   /* consumed */
{
  char *text = json_dumps (json, JSON_COMPACT | JSON_ENCODE_ANY);

  json_decref (json);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
}

static json_t *
page_items (guint page,
            guint pages,
            guint per)
{
  json_t *items = json_array ();

  if (page < 1 || page > pages)
    return items;
  for (guint i = 0; i < per; i++)
    {
      json_t *item = json_object ();

      json_object_set_new (item, "id", json_integer ((page - 1) * per + i + 1));
      json_object_set_new (item, "page", json_integer (page));
      json_array_append_new (items, item);
    }
  return items;
}

static char *
page_url (TestHttpServer *self,
          const char     *path,
          guint           page,
          guint           pages,
          guint           per)
{
  return g_strdup_printf ("%s%s?page=%u&pages=%u&per=%u", self->url, path, page, pages, per);
}

/* TRUE while the requests with @key should still fail. */
static gboolean
take_failure (TestHttpServer *self,
              GHashTable     *query)
{
  const char *key = query_get (query, "key", "");
  guint fail = query_uint (query, "fail", 0);
  gpointer seen;
  guint count;
  gboolean failing;

  g_mutex_lock (&self->lock);
  seen = g_hash_table_lookup (self->failures, key);
  count = GPOINTER_TO_UINT (seen);
  failing = count < fail;
  g_hash_table_insert (self->failures, g_strdup (key), GUINT_TO_POINTER (count + 1));
  g_mutex_unlock (&self->lock);

  return failing;
}

static void
record (TestHttpServer    *self,
        SoupServerMessage *msg,
        const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  GArray *times;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  times = g_hash_table_lookup (self->hits, path);
  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->hits, g_strdup (path), times);
    }
  g_array_append_val (times, now);

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (self->seen_headers, "%s: %s\n", name, value);
  g_mutex_unlock (&self->lock);
}

typedef struct
{
  SoupServerMessage *msg;
  json_t            *json;
} Delayed;

static gboolean
delayed_cb (gpointer data)
{
  Delayed *delayed = data;

  answer_json (delayed->msg, 200, delayed->json);
  soup_server_message_unpause (delayed->msg);
  g_object_unref (delayed->msg);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

static void
answer_later (TestHttpServer    *self,
              SoupServerMessage *msg,
              guint              ms,
              json_t            *json)
{
  Delayed *delayed = g_new0 (Delayed, 1);
  GSource *source = g_timeout_source_new (ms);

  delayed->msg = g_object_ref (msg);
  delayed->json = json;
  soup_server_message_pause (msg);
  g_source_set_callback (source, delayed_cb, delayed, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* ---- /huge: megabytes in chunks, never all in memory */

typedef struct
{
  guint remaining;   /* chunks still to write */
} Huge;

static void
huge_wrote_chunk_cb (SoupServerMessage *msg,
                     gpointer           data)
{
  Huge *huge = data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (huge->remaining == 0)
    {
      soup_message_body_complete (body);
      return;
    }
  huge->remaining--;
  soup_message_body_append_take (body, (guchar *) g_strnfill (1024 * 1024, ' '), 1024 * 1024);
}

static void
answer_huge (SoupServerMessage *msg,
             guint              mb)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  Huge *huge = g_new0 (Huge, 1);

  huge->remaining = mb;
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_server_message_set_status (msg, 200, NULL);
  g_object_set_data_full (G_OBJECT (msg), "huge", huge, g_free);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (huge_wrote_chunk_cb), huge);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "[", 1);
}

/* ---- the routes */

static json_t *
echo (SoupServerMessage *msg,
      GHashTable        *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  json_t *json = json_object ();
  json_t *query_json = json_object ();
  json_t *headers_json = json_object ();
  GHashTableIter qiter;
  gpointer key, val;

  if (query != NULL)
    {
      g_hash_table_iter_init (&qiter, query);
      while (g_hash_table_iter_next (&qiter, &key, &val))
        json_object_set_new (query_json, key, json_string (val));
    }
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);

      json_object_set_new (headers_json, lower, json_string (value));
    }

  json_object_set_new (json, "method", json_string (soup_server_message_get_method (msg)));
  json_object_set_new (json, "query", query_json);
  json_object_set_new (json, "headers", headers_json);
  json_object_set_new (json, "body", json_stringn (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  return json;
}

static json_t *
items_object (json_t *items)
{
  json_t *json = json_object ();

  json_object_set_new (json, "items", items);
  return json;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  TestHttpServer *self = data;
  guint page = query_uint (query, "page", 1);
  guint pages = query_uint (query, "pages", 3);
  guint per = query_uint (query, "per", 2);

  record (self, msg, path);

  if (g_str_equal (path, "/number"))
    {
      json_t *json = json_object ();
      json_t *inner = json_object ();

      json_object_set_new (inner, "items", page_items (page, pages, per));
      json_object_set_new (json, "data", inner);
      answer_json (msg, 200, json);
    }
  else if (g_str_equal (path, "/link"))
    {
      if (page < pages)
        {
          g_autofree char *next = page_url (self, "/link", page + 1, pages, per);
          g_autofree char *link = g_strdup_printf ("<%s>; rel=\"next\", <%s/link?page=1>; rel=\"first\"", next, self->url);

          soup_message_headers_append (soup_server_message_get_response_headers (msg), "Link", link);
        }
      answer_json (msg, 200, page_items (page, pages, per));
    }
  else if (g_str_equal (path, "/next"))
    {
      json_t *json = items_object (page_items (page, pages, per));

      json_object_set_new (json, "next", page < pages ? json_string (page_url (self, "/next", page + 1, pages, per)) : json_null ());
      answer_json (msg, 200, json);
    }
  else if (g_str_equal (path, "/cursor"))
    {
      /* The cursor is the page, spelt so that nobody mistakes it for one. */
      const char *cursor = query_get (query, "cursor", "c1");
      guint at = cursor[0] == 'c' ? (guint) g_ascii_strtoull (cursor + 1, NULL, 10) : 0;
      json_t *json = items_object (page_items (at, pages, per));
      json_t *meta = json_object ();

      json_object_set_new (meta, "next_cursor", at < pages ? json_sprintf ("c%u", at + 1) : json_null ());
      json_object_set_new (json, "meta", meta);
      answer_json (msg, 200, json);
    }
  else if (g_str_equal (path, "/loop"))
    {
      guint step = query_uint (query, "step", 0);
      g_autofree char *link = g_strdup_printf ("<%s/loop?step=%u>; rel=\"next\"", self->url, 1 - (step & 1));

      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Link", link);
      answer_json (msg, 200, page_items (1, 1, 1));
    }
  else if (g_str_equal (path, "/limited"))
    {
      if (take_failure (self, query))
        {
          const char *retry_after = query_get (query, "retry_after", NULL);

          if (retry_after != NULL)
            soup_message_headers_append (soup_server_message_get_response_headers (msg), "Retry-After", retry_after);
          soup_server_message_set_status (msg, 429, NULL);
          soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "slow down", 9);
        }
      else
        answer_json (msg, 200, items_object (page_items (1, 1, per)));
    }
  else if (g_str_equal (path, "/flaky"))
    {
      if (take_failure (self, query))
        {
          soup_server_message_set_status (msg, query_uint (query, "status", 503), NULL);
          soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "upstream broke", 14);
        }
      else
        answer_json (msg, 200, items_object (page_items (1, 1, per)));
    }
  else if (g_str_equal (path, "/slow"))
    answer_later (self, msg, query_uint (query, "ms", 1000), items_object (page_items (1, 1, per)));
  else if (g_str_equal (path, "/bad-json"))
    {
      static const char bad[] = "{\"items\": [{\"id\": 1}, {\"id\": ";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, bad, sizeof bad - 1);
    }
  else if (g_str_equal (path, "/huge"))
    answer_huge (msg, query_uint (query, "mb", 100));
  else if (g_str_equal (path, "/redirect"))
    soup_server_message_set_redirect (msg, 302, query_get (query, "to", "/echo"));
  else if (g_str_equal (path, "/echo"))
    answer_json (msg, query_uint (query, "status", 200), echo (msg, query));
  else if (g_str_equal (path, "/scalar"))
    answer_json (msg, 200, items_object (json_string ("nope")));
  else if (g_str_equal (path, "/object"))
    answer_json (msg, 200, items_object (json_pack ("{s:i}", "id", 1)));
  else if (g_str_equal (path, "/secret"))
    {
      SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
      const char *given;
      gboolean ok;

      g_mutex_lock (&self->lock);
      given = self->secret_header != NULL ? soup_message_headers_get_one (headers, self->secret_header) : NULL;
      ok = given != NULL && g_str_equal (given, self->secret_value);
      g_mutex_unlock (&self->lock);

      if (ok)
        answer_json (msg, 200, items_object (page_items (1, 1, per)));
      else
        answer_json (msg, 401, json_pack ("{s:s}", "error", "missing or wrong key"));
    }
  else if (g_str_equal (path, "/reset"))
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (msg);

      g_io_stream_close (stream, NULL, NULL);
    }
  else
    answer_json (msg, 404, json_pack ("{s:s}", "error", "no such path"));
}

static gpointer
server_thread (gpointer data)
{
  TestHttpServer *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "sluice-test-http",
                                  "tls-certificate", self->certificate, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY |
                                 (self->certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0), &error))
    g_error ("the test HTTP server cannot listen on 127.0.0.1: %s", error->message);

  uris = soup_server_get_uris (self->server);
  g_mutex_lock (&self->lock);
  self->url = g_strdup_printf ("%s://127.0.0.1:%d", self->certificate != NULL ? "https" : "http",
                               g_uri_get_port (uris->data));
  self->ready = TRUE;
  g_cond_signal (&self->started);
  g_mutex_unlock (&self->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* Let the disconnection's idle callbacks run before the context goes. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static TestHttpServer *
start (GTlsCertificate *certificate)
{
  TestHttpServer *self = g_new0 (TestHttpServer, 1);

  self->certificate = certificate;

  g_mutex_init (&self->lock);
  g_cond_init (&self->started);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seen_headers = g_string_new (NULL);

  self->thread = g_thread_new ("test-http-server", server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->started, &self->lock);
  g_mutex_unlock (&self->lock);

  return self;
}

TestHttpServer *
test_http_server_new (void)
{
  return start (NULL);
}

TestHttpServer *
test_http_server_new_tls (const char *cert_file,
                          const char *key_file)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);

  g_assert_no_error (error);
  return start (certificate);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
test_http_server_free (TestHttpServer *self)
{
  if (self == NULL)
    return;

  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->hits);
  g_hash_table_unref (self->failures);
  g_string_free (self->seen_headers, TRUE);
  g_free (self->secret_header);
  g_free (self->secret_value);
  g_free (self->url);
  g_clear_object (&self->certificate);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->started);
  g_free (self);
}

const char *
test_http_server_get_url (TestHttpServer *self)
{
  return self->url;
}

void
test_http_server_set_secret (TestHttpServer *self,
                             const char     *header,
                             const char     *value)
{
  g_mutex_lock (&self->lock);
  g_free (self->secret_header);
  g_free (self->secret_value);
  self->secret_header = g_strdup (header);
  self->secret_value = g_strdup (value);
  g_mutex_unlock (&self->lock);
}

guint
test_http_server_get_hits (TestHttpServer *self,
                           const char     *path)
{
  GArray *times;
  guint hits;

  g_mutex_lock (&self->lock);
  times = g_hash_table_lookup (self->hits, path);
  hits = times != NULL ? times->len : 0;
  g_mutex_unlock (&self->lock);
  return hits;
}

GArray *
test_http_server_get_times (TestHttpServer *self,
                            const char     *path)
{
  GArray *times, *copy = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_mutex_lock (&self->lock);
  times = g_hash_table_lookup (self->hits, path);
  if (times != NULL)
    g_array_append_vals (copy, times->data, times->len);
  g_mutex_unlock (&self->lock);
  return copy;
}

char *
test_http_server_get_seen_headers (TestHttpServer *self)
{
  char *text;

  g_mutex_lock (&self->lock);
  text = g_strdup (self->seen_headers->str);
  g_mutex_unlock (&self->lock);
  return text;
}
