/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "sluice-keep-alive.h"

#define KEEP_ALIVE_KEY "sluice-keep-alive"
#define ADDRESSES_KEY "sluice-addresses-kept"

/* Above libsoup's own reading of the connection (G_PRIORITY_DEFAULT):
 * when the client's end of the stream arrives, this must see it first.
 * Once libsoup has read that end from a waiting connection, its state
 * is gone and the connection can no longer be taken from it. */
#define WATCH_PRIORITY (G_PRIORITY_DEFAULT - 1)

typedef struct
{
  GHashTable *waiting;   /* GSocket* → Waiting*: connections between requests */
} KeepAlive;

/* A connection whose last request was answered, waiting for its next. */
typedef struct
{
  KeepAlive         *keep_alive;
  SoupServerMessage *msg;        /* its last request, owned: what it can be taken through */
  GSocket           *socket;     /* owned */
  GSource           *source;     /* owned */
  gulong             disconnected_id;
  gboolean           addresses_kept;
} Waiting;

static void
waiting_free (Waiting *waiting)
{
  g_signal_handler_disconnect (waiting->msg, waiting->disconnected_id);
  g_source_destroy (waiting->source);
  g_source_unref (waiting->source);
  g_object_unref (waiting->msg);
  g_object_unref (waiting->socket);
  g_free (waiting);
}

static void
keep_alive_free (KeepAlive *self)
{
  g_hash_table_unref (self->waiting);
  g_free (self);
}

/* Taking a connection from libsoup asks for its addresses, and after a
 * reset libsoup cannot get them and warns (fatal where warnings are, as
 * in the tests). Asked while the connection is up, libsoup keeps them:
 * TRUE when it has them. */
static gboolean
keep_addresses (SoupServerMessage *msg,
                GSocket           *socket)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;

  /* Once per connection. */
  if (g_object_get_data (G_OBJECT (socket), ADDRESSES_KEY) != NULL)
    return TRUE;
  local = g_socket_get_local_address (socket, NULL);
  remote = local != NULL ? g_socket_get_remote_address (socket, NULL) : NULL;
  if (remote == NULL)
    return FALSE;
  soup_server_message_get_local_address (msg);
  soup_server_message_get_remote_address (msg);
  g_object_set_data (G_OBJECT (socket), ADDRESSES_KEY, GINT_TO_POINTER (1));
  return TRUE;
}

/* The client closed it (or reset it) while it waited: take it from the
 * server, which forgets it, and close it. */
static void
close_waiting (KeepAlive *self,
               Waiting   *waiting)
{
  g_autoptr(SoupServerMessage) msg = g_object_ref (waiting->msg);
  g_autoptr(GIOStream) stream = NULL;

  g_autoptr(GSocket) socket = g_object_ref (waiting->socket);
  gboolean addresses_kept = waiting->addresses_kept;

  g_hash_table_remove (self->waiting, socket);
  if (!addresses_kept)
    {
      /* Reset before its addresses were known (within its first
       * request): closing the socket frees the descriptor, though
       * libsoup keeps its objects for the connection. */
      g_socket_close (socket, NULL);
      return;
    }
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static gboolean
readable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  Waiting *waiting = user_data;
  KeepAlive *self = waiting->keep_alive;
  char byte;
  gssize n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    /* The next request: libsoup reads it. */
    g_hash_table_remove (self->waiting, socket);
  else
    close_waiting (self, waiting);
  return G_SOURCE_REMOVE;
}

static void
disconnected_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  Waiting *waiting = user_data;

  /* Closed by the server (Connection: close, shutdown): nothing to watch. */
  g_hash_table_remove (waiting->keep_alive->waiting, waiting->socket);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  KeepAlive *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Waiting *waiting;

  if (socket == NULL || g_socket_is_closed (socket))
    return;

  waiting = g_new0 (Waiting, 1);
  waiting->keep_alive = self;
  waiting->msg = g_object_ref (msg);
  waiting->socket = g_object_ref (socket);
  waiting->addresses_kept = keep_addresses (msg, socket);
  waiting->source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_priority (waiting->source, WATCH_PRIORITY);
  g_source_set_callback (waiting->source, G_SOURCE_FUNC (readable_cb), waiting, NULL);
  g_source_attach (waiting->source, g_main_context_get_thread_default ());
  waiting->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (disconnected_cb), waiting);
  g_hash_table_replace (self->waiting, socket, waiting);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  KeepAlive *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL)
    return;
  /* While the client waits for this answer, its connection is up. */
  keep_addresses (msg, socket);
  /* A request that libsoup read first (one sent right behind the last)
   * is not a closed connection. */
  g_hash_table_remove (self->waiting, socket);
}

static gboolean
leaks_closed_connections (void)
{
  guint major = soup_get_major_version (), minor = soup_get_minor_version ();

  return major < 3 || (major == 3 && minor < 3);
}

void
sluice_keep_alive_install (SoupServer *server)
{
  KeepAlive *self;

  g_return_if_fail (SOUP_IS_SERVER (server));

  if (!leaks_closed_connections () || g_object_get_data (G_OBJECT (server), KEEP_ALIVE_KEY) != NULL)
    return;

  self = g_new0 (KeepAlive, 1);
  /* Keyed by the socket, not the fd: a closed fd's number comes back. */
  self->waiting = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) waiting_free);
  g_object_set_data_full (G_OBJECT (server), KEEP_ALIVE_KEY, self, (GDestroyNotify) keep_alive_free);
  /* "aborted" too: an answer of 500 is one, and its connection may stay. */
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), self);
}
