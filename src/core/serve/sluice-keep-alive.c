/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "sluice-keep-alive.h"

#define KEEP_ALIVE_KEY "sluice-keep-alive"
#define ADDRESSES_KEY "sluice-addresses-kept"

/* What libsoup can hold of a connection's requests read ahead: it reads
 * headers in blocks of 8 KiB, and a body no further than its length. */
#define MAX_READ_AHEAD (64 * 1024)

/* Above libsoup's own reading of the connection (G_PRIORITY_DEFAULT):
 * when the client's end of the stream arrives, this must see it first.
 * Once libsoup has read that end from a waiting connection, its state
 * is gone and the connection can no longer be taken from it. */
#define WATCH_PRIORITY (G_PRIORITY_DEFAULT - 1)

typedef struct
{
  SoupServer *server;    /* borrowed: it owns this */
  GHashTable *waiting;   /* GSocket* → Waiting*: connections between requests */
  GHashTable *replays;   /* GSocketAddress* (remote, owned by the Replay) → Replay* */
} KeepAlive;

/* A connection taken from libsoup at its client's end of stream while
 * libsoup still held requests it had read ahead (a pipelining client
 * that half-closed): handed back to libsoup with those bytes as its
 * whole input, and closed once they are answered. */
typedef struct
{
  KeepAlive      *keep_alive;
  GIOStream      *stolen;     /* owned: the real connection, closed at the end */
  GInputStream   *input;      /* the bytes read ahead (a GMemoryInputStream), owned */
  gsize           length;
  GSocketAddress *remote;     /* owned: how libsoup's messages name this connection */
  GIOStream      *stream;     /* weak: what libsoup was given, until it lets go */
  guint           close_id;   /* the idle that takes it back, or 0 */
  SoupServerMessage *last;    /* owned while close_id waits */
  gulong          disconnected_id;
} Replay;

/* A connection whose last request was answered, waiting for its next. */
typedef struct
{
  KeepAlive         *keep_alive;
  SoupServerMessage *msg;        /* its last request, owned: what it can be taken through */
  GSocket           *socket;     /* owned */
  GSource           *source;     /* owned */
  gulong             disconnected_id;
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

static void replay_stream_gone_cb (gpointer user_data, GObject *where_the_object_was);

static void
replay_cancel_close (Replay *replay)
{
  g_clear_handle_id (&replay->close_id, g_source_remove);
  if (replay->last != NULL)
    {
      g_clear_signal_handler (&replay->disconnected_id, replay->last);
      g_clear_object (&replay->last);
    }
}

static void
replay_free (Replay *replay)
{
  replay_cancel_close (replay);
  if (replay->stream != NULL)
    g_object_weak_unref (G_OBJECT (replay->stream), replay_stream_gone_cb, replay);
  g_io_stream_close (replay->stolen, NULL, NULL);
  g_object_unref (replay->stolen);
  g_object_unref (replay->input);
  g_object_unref (replay->remote);
  g_free (replay);
}

static void
keep_alive_free (KeepAlive *self)
{
  g_hash_table_unref (self->waiting);
  g_hash_table_unref (self->replays);
  g_free (self);
}

/* libsoup let go of the replayed connection (it closed it, or we took
 * it back): the real one is closed. */
static void
replay_stream_gone_cb (gpointer  user_data,
                       GObject  *where_the_object_was)
{
  Replay *replay = user_data;

  replay->stream = NULL;
  g_hash_table_remove (replay->keep_alive->replays, replay->remote);
}

/* The bytes libsoup had read ahead of @stream (a connection just taken
 * from it, whose client has ended its stream): NULL when none. */
static GBytes *
read_ahead (GIOStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint8 buffer[8192];

  if (!G_IS_POLLABLE_INPUT_STREAM (input) || !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    return NULL;
  while (bytes->len < MAX_READ_AHEAD)
    {
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), buffer,
                                                           sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      g_byte_array_append (bytes, buffer, n);
    }
  return bytes->len > 0 ? g_byte_array_free_to_bytes (g_steal_pointer (&bytes)) : NULL;
}

/* Hands @stolen back to the server with @bytes (requests libsoup had read
 * ahead) as its input: they are answered on the real connection. */
static gboolean
replay (KeepAlive *self,
        GIOStream *stolen,
        GBytes    *bytes,
        GSocket   *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = local != NULL ? g_socket_get_remote_address (socket, NULL) : NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Replay *replay;

  if (remote == NULL)
    return FALSE;

  replay = g_new0 (Replay, 1);
  replay->keep_alive = self;
  replay->stolen = g_object_ref (stolen);
  replay->input = g_memory_input_stream_new_from_bytes (bytes);
  replay->length = g_bytes_get_size (bytes);
  replay->remote = g_object_ref (remote);
  stream = g_simple_io_stream_new (replay->input, g_io_stream_get_output_stream (stolen));
  replay->stream = stream;
  g_hash_table_replace (self->replays, replay->remote, replay);
  g_object_weak_ref (G_OBJECT (stream), replay_stream_gone_cb, replay);
  return soup_server_accept_iostream (self->server, stream, local, remote, &error);
}

static Replay *
replay_of (KeepAlive         *self,
           SoupServerMessage *msg)
{
  GSocketAddress *remote;

  if (g_hash_table_size (self->replays) == 0)
    return NULL;
  /* The address given to soup_server_accept_iostream, as it was. */
  remote = soup_server_message_get_remote_address (msg);
  return remote != NULL ? g_hash_table_lookup (self->replays, remote) : NULL;
}

static gboolean
replay_close_cb (gpointer user_data)
{
  Replay *replay = user_data;
  g_autoptr(SoupServerMessage) msg = g_object_ref (replay->last);
  g_autoptr(GIOStream) stream = NULL;

  replay->close_id = 0;
  replay_cancel_close (replay);
  /* Frees @replay (its stream goes), closing the real connection. */
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* A request of a replayed connection was answered: after the last one,
 * it is taken back from libsoup before libsoup reads the end of its
 * input (which libsoup < 3.3 would keep for ever). */
static void
replay_request_finished (Replay            *replay,
                         SoupServerMessage *msg)
{
  if (g_seekable_tell (G_SEEKABLE (replay->input)) < (goffset) replay->length || replay->close_id != 0)
    return;
  replay->last = g_object_ref (msg);
  /* Closed by libsoup after all (Connection: close): nothing to take. */
  replay->disconnected_id = g_signal_connect_swapped (msg, "disconnected", G_CALLBACK (replay_cancel_close), replay);
  /* Not from within libsoup's own finishing of @msg, and before its next
   * read (at G_PRIORITY_DEFAULT). */
  replay->close_id = g_idle_add_full (WATCH_PRIORITY, replay_close_cb, replay, NULL);
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
               Waiting   *waiting,
               gboolean   ended)
{
  g_autoptr(SoupServerMessage) msg = g_object_ref (waiting->msg);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GBytes) ahead = NULL;

  g_autoptr(GSocket) socket = g_object_ref (waiting->socket);

  g_hash_table_remove (self->waiting, socket);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  /* A client that sent requests and ended its stream at once (pipelined,
   * then shutdown for writing) may have had them read by libsoup already:
   * they are still answered. */
  if (ended && (ahead = read_ahead (stream)) != NULL && replay (self, stream, ahead, socket))
    return;
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
    close_waiting (self, waiting, n == 0);
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
  Replay *replay;

  if (socket == NULL && (replay = replay_of (self, msg)) != NULL)
    {
      replay_request_finished (replay, msg);
      return;
    }
  if (socket == NULL || g_socket_is_closed (socket))
    return;
  /* Its addresses unknown, it could not be taken from libsoup without a
   * warning; it was answered with "Connection: close" (see
   * request_started_cb), and libsoup closes it itself. */
  if (!keep_addresses (msg, socket))
    return;

  waiting = g_new0 (Waiting, 1);
  waiting->keep_alive = self;
  waiting->msg = g_object_ref (msg);
  waiting->socket = g_object_ref (socket);
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
  /* While the client waits for this answer, its connection is normally
   * up. One reset before libsoup took it (a client that sent its request
   * and reset at once) can never give its peer's address again: it is
   * answered, if it still can be, and closed by libsoup itself, never
   * kept waiting (taking it from libsoup then would need that address,
   * and closing only its socket would leave libsoup's objects). */
  if (!keep_addresses (msg, socket))
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
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
  self->server = server;
  self->replays = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) replay_free);
  /* Keyed by the socket, not the fd: a closed fd's number comes back. */
  self->waiting = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) waiting_free);
  g_object_set_data_full (G_OBJECT (server), KEEP_ALIVE_KEY, self, (GDestroyNotify) keep_alive_free);
  /* "aborted" too: an answer of 500 is one, and its connection may stay. */
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), self);
}
