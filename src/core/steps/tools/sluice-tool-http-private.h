/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sluice-json-path.h"
#include "sluice-rate-limit.h"
#include "sluice-tool-http.h"

G_BEGIN_DECLS

/* Shared by sluice-tool-http.c (the settings) and
 * sluice-tool-http-call.c (one item's requests). */

typedef enum
{
  HTTP_PAGES_NONE,
  HTTP_PAGES_LINK,     /* Link: <…>; rel="next" */
  HTTP_PAGES_NEXT,     /* a JSON field holding the next URL */
  HTTP_PAGES_CURSOR,   /* a JSON field holding a cursor for a query parameter */
  HTTP_PAGES_PAGE,     /* a page number, until a page has no items */
} HttpPages;

struct _SluiceToolHttp
{
  SluiceStep       parent_instance;

  SoupSession     *session;        /* owned, one per module: its keep-alive pool */
  char            *method;
  char            *url;            /* with the query lines, without paging */
  GPtrArray       *header_names;   /* char*, owned */
  GPtrArray       *header_values;  /* char*, owned */
  char            *body;           /* NULL: the item for POST/PUT/PATCH */
  SluiceJsonPath    *items;          /* owned */
  HttpPages        pages;
  SluiceJsonPath    *next_field;     /* owned: NEXT and CURSOR */
  char            *page_param;     /* CURSOR and PAGE */
  gint64           first_page;
  gint64           max_pages;
  gint64           timeout_us;
  gint64           retries;
  gint64           retry_delay_us;
  gint64           max_wait_us;
  gint64           max_bytes;
  SluiceRateLimit  rate;           /* shared by every item of the module */
  char            *secret_header;
  char            *secret;         /* never in a message: see redact */
};

void  _sluice_tool_http_call_start  (SluiceToolHttp *self,
                                     SluiceStepCall *call);
void  _sluice_tool_http_call_cancel (SluiceToolHttp *self,
                                     SluiceStepCall *call,
                                     const char     *reason);

G_END_DECLS
