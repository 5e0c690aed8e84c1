/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Keeps @server's plain-HTTP connections open between requests (HTTP
 * keep-alive) without leaking the ones their clients close.
 *
 * libsoup before 3.3 (Debian 12 has 3.2) never closes a connection whose
 * client closes it while it waits for the next request: the socket stays
 * in CLOSE-WAIT, with its objects, for the life of the process (fixed
 * upstream in "server: do not leak idle connections closed by the
 * client", libsoup 3.3.0). On those versions this watches every
 * connection that waits for its next request, and when its client has
 * closed it, takes it from the server (soup_server_message_steal_connection)
 * and closes it. Requests libsoup had already read from such a
 * connection (a client that pipelined them and then shut down its
 * writing side) are handed back to the server and answered first. A
 * connection reset before its peer's address could be read is answered
 * with "Connection: close" instead of kept. On later versions it does
 * nothing.
 *
 * Not for https: a TLS client's close_notify looks like a new request
 * from here, so TLS servers should close after each answer. */
void sluice_keep_alive_install (SoupServer *server);

G_END_DECLS
