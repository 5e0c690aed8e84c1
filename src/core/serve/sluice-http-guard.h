/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The request plumbing our HTTP servers share (`sluice-run serve` and
 * the daemon's API): the bearer token, the body limit, JSON answers.
 *
 * The guard is meant for an early handler (before the body is read): it
 * refuses a request without the token, or announcing a body beyond the
 * limit, without reading that body, and counts a body sent without a
 * length as it comes, throwing it away once it is beyond the limit (it is
 * never kept whole). The caller answers the refusal itself, so that it
 * can add its own headers. */
typedef struct _SluiceHttpGuard SluiceHttpGuard;

/* @token: the bearer token, or NULL for none; @max_body in bytes. */
SluiceHttpGuard *sluice_http_guard_new       (const char        *token,
                                              gsize              max_body);
void             sluice_http_guard_free      (SluiceHttpGuard   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceHttpGuard, sluice_http_guard_free)

gsize            sluice_http_guard_get_max_body (SluiceHttpGuard *self);
/* Compared in constant time. */
gboolean         sluice_http_guard_token_ok  (SluiceHttpGuard   *self,
                                              SoupServerMessage *msg);
/* From an early handler: 0 when the request may go on (its body is now
 * counted), or the status to refuse it with — 401 (WWW-Authenticate is
 * set) or 413 — and *message, the reason. The body of a refused request
 * is not kept. @check_token FALSE leaves the token to the caller (a
 * server that only guards some methods). */
guint            sluice_http_guard_check_early (SluiceHttpGuard   *self,
                                                SoupServerMessage *msg,
                                                gboolean           check_token,
                                                const char       **message);
/* Whether the body went beyond the limit while it was read (it was
 * thrown away): answer 413 with sluice_http_guard_too_large_message(). */
gboolean         sluice_http_guard_body_too_large (SoupServerMessage *msg);
const char      *sluice_http_guard_too_large_message (SluiceHttpGuard *self);

/* Sets @status and @json (borrowed) as the answer, compact. */
void             sluice_http_set_json        (SoupServerMessage *msg,
                                              guint              status,
                                              json_t            *json);

G_END_DECLS
