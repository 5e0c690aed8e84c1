/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A real HTTP server (libsoup 3) for the tests of the http tool and the
 * ETL example: it runs on a thread of its own with its own main context,
 * so a test that drives an executor (or waits for a sluice-run child) on
 * its main loop talks to it like to any server. It listens on 127.0.0.1
 * and a free port.
 *
 * Paths (every answer is JSON unless said otherwise; items are
 * {"id": N, "page": P}, `per` of them on each of `pages` pages):
 *
 *   /number?page=P&pages=N&per=K   {"data": {"items": [...]}}; empty past N
 *   /link?page=P&pages=N&per=K     [...] with Link: <…page=P+1…>; rel="next"
 *   /next?page=P&pages=N&per=K     {"items": [...], "next": URL or null}
 *   /cursor?cursor=C&pages=N&per=K {"items": [...], "meta": {"next_cursor": C or null}}
 *   /loop?step=S                   one item, Link to step 1-S (a cycle)
 *   /limited?key=K&fail=N&retry_after=V
 *                                  429 (Retry-After: V when given) to the
 *                                  first N requests with that key, then items
 *   /flaky?key=K&fail=N&status=S   S (default 503) to the first N, then items
 *   /slow?ms=N                     items after N ms
 *   /bad-json                      200 application/json, cut-off JSON
 *   /huge?mb=N                     N MiB streamed in chunks, no length
 *   /redirect?to=URL               302 to URL
 *   /echo?status=S                 {"method", "query", "headers", "body"}
 *                                  with status S (default 200)
 *   /scalar, /object               {"items": "nope"}, {"items": {"id": 1}}
 *   /secret                        401 unless the secret header matches
 *                                  (test_http_server_set_secret), then items
 *   /reset                         closes the connection without answering */

typedef struct _TestHttpServer TestHttpServer;

/* Starts the server; aborts the test when it cannot listen. */
TestHttpServer *test_http_server_new        (void);
/* The same over TLS with the certificate and key in these PEM files:
 * the URL is then https://127.0.0.1:PORT. */
TestHttpServer *test_http_server_new_tls    (const char     *cert_file,
                                             const char     *key_file);
/* Stops the thread and frees everything. */
void            test_http_server_free       (TestHttpServer *self);
/* "http://127.0.0.1:PORT" or https:// (no trailing slash). */
const char     *test_http_server_get_url    (TestHttpServer *self);
/* What /secret wants in @header. */
void            test_http_server_set_secret (TestHttpServer *self,
                                             const char     *header,
                                             const char     *value);
/* How many requests reached @path so far. */
guint           test_http_server_get_hits   (TestHttpServer *self,
                                             const char     *path);
/* Monotonic times (µs) of the requests to @path, in order (a copy). */
GArray         *test_http_server_get_times  (TestHttpServer *self,
                                             const char     *path);
/* Every header value any request carried, joined by newlines: a test
 * can check what went over the wire. */
char           *test_http_server_get_seen_headers (TestHttpServer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestHttpServer, test_http_server_free)

G_END_DECLS
