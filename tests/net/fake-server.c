/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <jansson.h>
#include <stdlib.h>

#include "fake-server.h"

typedef struct
{
  FakeServer        *fake;
  SoupServerMessage *msg;
  char              *body;
} Delayed;

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *delayed = user_data;

  set_json (delayed->msg, 200, delayed->body);
  soup_server_message_unpause (delayed->msg);
  delayed->fake->in_flight--;
  g_object_unref (delayed->msg);
  g_free (delayed->body);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

static char *
echo (FakeServer        *fake,
      SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  json_t *item = json_loadb (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), 0, NULL);
  char *text;

  if (item == NULL)
    item = json_object ();
  json_object_set_new (item, "served_by", json_string (fake->name));
  text = json_dumps (item, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref (item);
  return text;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  FakeServer *fake = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/elsewhere"))
    {
      char *text = echo (fake, msg);

      set_json (msg, 200, text);
      free (text);
      return;
    }
  if (g_str_equal (path, "/status"))
    {
      fake->statuses++;
      set_json (msg, 200, fake->kind == FAKE_BATCH_LIAR
                            ? "{\"healthy\": true, \"in_flight\": 0, \"queue_depth\": 0, \"batch_max\": 8}"
                            : "{\"healthy\": true, \"in_flight\": 0, \"queue_depth\": 0}");
      return;
    }
  if (!g_str_equal (method, "POST"))
    {
      soup_server_message_set_status (msg, 405, NULL);
      return;
    }

  fake->posts++;
  if (soup_server_message_get_socket (msg) != NULL)
    g_hash_table_add (fake->sockets, g_object_ref (soup_server_message_get_socket (msg)));
  if (fake->fail_first > 0)
    {
      fake->fail_first--;
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "not yet", 7);
      return;
    }

  switch (fake->kind)
    {
    case FAKE_ECHO:
      {
        char *text = echo (fake, msg);

        if (fake->delay_ms == 0)
          {
            set_json (msg, 200, text);
            free (text);
          }
        else
          {
            Delayed *delayed = g_new0 (Delayed, 1);

            delayed->fake = fake;
            delayed->msg = g_object_ref (msg);
            delayed->body = g_strdup (text);
            free (text);
            soup_server_message_pause (msg);
            g_timeout_add (fake->delay_ms, delayed_cb, delayed);
            fake->in_flight++;
            fake->max_in_flight = MAX (fake->max_in_flight, fake->in_flight);
          }
      }
      break;
    case FAKE_ARRAY:
      {
        char *text = echo (fake, msg);
        g_autofree char *array = g_strdup_printf ("[%s, %s]", text, text);

        free (text);
        set_json (msg, 200, array);
      }
      break;
    case FAKE_EMPTY_ARRAY:
      set_json (msg, 200, "[]");
      break;
    case FAKE_BATCH_LIAR:
      {
        g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

        if (g_bytes_get_size (body) > 0 && *(const char *) g_bytes_get_data (body, NULL) == '[')
          {
            fake->batches++;
            set_json (msg, 200, "[[]]");
          }
        else
          {
            char *text = echo (fake, msg);

            set_json (msg, 200, text);
            free (text);
          }
      }
      break;
    case FAKE_REJECT:
      set_json (msg, 400, "{\"error\": \"field x is missing\"}");
      break;
    case FAKE_ERROR:
    case FAKE_STATUS_ONLY:
      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "it broke", 8);
      break;
    case FAKE_BUSY:
      soup_server_message_set_status (msg, 503, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      break;
    case FAKE_NOT_JSON:
      set_json (msg, 200, "this is not json");
      break;
    case FAKE_NOT_OBJECTS:
      set_json (msg, 200, "[1, 2]");
      break;
    case FAKE_HTML:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        "<html><body>Welcome</body></html>", 33);
      break;
    case FAKE_HUGE:
      {
        gsize size = 50 * 1024 * 1024;
        char *data = g_malloc (size);

        memset (data, ' ', size);
        data[0] = '[';
        data[size - 1] = ']';
        soup_server_message_set_status (msg, 200, NULL);
        soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, size);
      }
      break;
    case FAKE_REDIRECT:
      soup_server_message_set_redirect (msg, 307, "/elsewhere");
      break;
    case FAKE_NEVER:
    default:
      soup_server_message_pause (msg);
      g_ptr_array_add (fake->paused, g_object_ref (msg));
      break;
    }
}

FakeServer *
fake_server_new (FakeKind    kind,
                 const char *name)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->kind = kind;
  fake->name = g_strdup (name);
  fake->paused = g_ptr_array_new_with_free_func (g_object_unref);
  fake->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, handler_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

void
fake_server_free (FakeServer *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_ptr_array_unref (fake->paused);
  g_hash_table_unref (fake->sockets);
  g_free (fake->url);
  g_free (fake->name);
  g_free (fake);
}

/* Reads a small request: its head, then as many bytes of body as its
 * Content-Length says (all of it fits in @buf). */
static void
read_request (GSocketConnection *connection,
              GInputStream      *in,
              char              *buf,
              gsize              size)
{
  gsize have = 0;

  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
  while (have < size - 1)
    {
      gssize n = g_input_stream_read (in, buf + have, size - 1 - have, NULL, NULL);
      const char *end, *length;

      if (n <= 0)
        return;
      have += (gsize) n;
      buf[have] = '\0';
      end = strstr (buf, "\r\n\r\n");
      if (end == NULL)
        continue;
      length = g_strstr_len (buf, end - buf, "Content-Length:");
      if (length == NULL)
        length = g_strstr_len (buf, end - buf, "content-length:");
      if (length == NULL ||
          (gsize) (end + 4 - buf) + g_ascii_strtoull (length + strlen ("Content-Length:"), NULL, 10) <= have)
        return;
    }
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  RawServer *raw = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char buf[65536];

  /* Read the whole request first (its body may come after its head): a
   * close with bytes unread would reset the connection, and the client
   * would see a reset instead of the answer. */
  read_request (connection, in, buf, sizeof buf);
  if (raw->kind == RAW_TRUNCATED)
    {
      const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\": 1, ";

      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
    }
  else
    {
      const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";

      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      memset (buf, ' ', sizeof buf);
      for (guint i = 0; i < 20 * 16; i++)
        if (!g_output_stream_write_all (out, buf, sizeof buf, NULL, NULL, NULL))
          break;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

RawServer *
raw_server_new (RawKind kind)
{
  RawServer *raw = g_new0 (RawServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  raw->kind = kind;
  /* A threaded service: the writes block, and the test's main loop must
   * go on meanwhile. */
  raw->service = g_threaded_socket_service_new (2);
  g_socket_listener_add_address (G_SOCKET_LISTENER (raw->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (raw->service, "run", G_CALLBACK (incoming_cb), raw);
  g_socket_service_start (raw->service);
  raw->url = g_strdup_printf ("http://127.0.0.1:%u/",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  return raw;
}

void
raw_server_free (RawServer *raw)
{
  g_socket_service_stop (raw->service);
  g_socket_listener_close (G_SOCKET_LISTENER (raw->service));
  g_object_unref (raw->service);
  g_free (raw->url);
  g_free (raw);
}
