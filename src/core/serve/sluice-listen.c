/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-listen.h"

#define LISTEN_BACKLOG 4096

gboolean
sluice_listen (SoupServer  *server,
               const char  *address,
               gboolean     https,
               GError     **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GInetAddress) ip = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) sock = NULL;
  const char *host;

  parsed = g_network_address_parse (address, 0, error);
  if (parsed == NULL)
    return FALSE;
  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed));
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    host = "127.0.0.1";
  ip = g_inet_address_new_from_string (host);
  if (ip == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address and port: give HOST:PORT with HOST like 127.0.0.1", address);
      return FALSE;
    }
  socket_address = g_inet_socket_address_new (ip, g_network_address_get_port (G_NETWORK_ADDRESS (parsed)));

  /* Our own socket for a deep backlog: GLib's default of 10 drops the
   * connections of a burst, and their clients wait seconds to retry. */
  sock = g_socket_new (g_inet_address_get_family (ip), G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return FALSE;
  g_socket_set_listen_backlog (sock, LISTEN_BACKLOG);
  g_socket_set_blocking (sock, FALSE);
  if (!g_socket_bind (sock, socket_address, TRUE, error) ||
      !g_socket_listen (sock, error))
    return FALSE;
  return soup_server_listen_socket (server, sock, https ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

char *
sluice_listen_get_url (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  char *url = uris != NULL ? g_uri_to_string (uris->data) : NULL;

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

void
sluice_listen_close_after (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}
