/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Makes @server listen on @address, "HOST:PORT" with an IP address (or
 * localhost): names are not resolved, so that what is listened on is
 * exactly what was asked for. Port 0 picks a free one. */
gboolean  sluice_listen         (SoupServer  *server,
                                 const char  *address,
                                 GError     **error);
/* http://HOST:PORT/ of the first address @server listens on (owned). */
char     *sluice_listen_get_url (SoupServer  *server);

G_END_DECLS
