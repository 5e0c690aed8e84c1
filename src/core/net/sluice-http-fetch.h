/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Sends @msg and reads its whole answer, but never more than @limit
 * bytes: a server that answers 50 MB (or without end) costs at most
 * @limit of memory and fails with a clear error. The connection goes
 * back to the session's keep-alive pool when the answer was read to its
 * end. A truncated answer (the connection closed before Content-Length
 * bytes) is an error, never a shorter body. */
void    sluice_http_fetch_async  (SoupSession          *session,
                                  SoupMessage          *msg,
                                  gsize                 limit,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
/* The body, or NULL with @error (G_IO_ERROR_MESSAGE_TOO_LARGE beyond the
 * limit); the status and headers are on the message. */
GBytes *sluice_http_fetch_finish (SoupSession          *session,
                                  GAsyncResult         *result,
                                  GError              **error);

G_END_DECLS
