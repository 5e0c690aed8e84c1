/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Makes @server listen on @address, "HOST:PORT" with an IP address (or
 * localhost): names are not resolved, so that what is listened on is
 * exactly what was asked for. Port 0 picks a free one. With @https,
 * the server's "tls-certificate" must be set. */
gboolean  sluice_listen         (SoupServer  *server,
                                 const char  *address,
                                 gboolean     https,
                                 GError     **error);
/* http(s)://HOST:PORT/ of the first address @server listens on (owned). */
char     *sluice_listen_get_url (SoupServer  *server);

/* Asks for the connection to be closed after this answer. libsoup 3.2's
 * server does not notice a keep-alive client closing its end (the socket
 * stays in CLOSE-WAIT for the life of the process, one per connection,
 * until the process runs out of descriptors): a server either closes
 * after each answer, or keeps connections with sluice_keep_alive_install
 * (sluice-keep-alive.h), as serve and balance do over plain HTTP. */
void      sluice_listen_close_after (SoupServerMessage *msg);

G_END_DECLS
