/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The target of the rel="next" link in a Link header (RFC 8288), e.g.
 * `<https://api.example/items?page=2>; rel="next", <…>; rel="last"`,
 * resolved against @base; NULL when there is none or it is not a URL. */
char *sluice_http_link_find_next (const char *header,
                                  const char *base);

/* TRUE when @url has the scheme, host and port of @origin: the http
 * tool follows redirects and next links only there, so that neither a
 * secret header nor the run goes to a host the pipeline did not name. */
gboolean sluice_http_link_same_origin (const char *url,
                                       const char *origin);

G_END_DECLS
