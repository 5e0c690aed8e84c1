/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

/* Misbehaving HTTP servers inside the test process, on 127.0.0.1 and a
 * free port, driven by the test's main loop. */

typedef enum
{
  FAKE_ECHO,          /* 200: the item with "served_by": name */
  FAKE_ARRAY,         /* 200: [item, item] */
  FAKE_EMPTY_ARRAY,   /* 200: [] */
  FAKE_REJECT,        /* 400 {"error": "field x is missing"} */
  FAKE_ERROR,         /* 500 text */
  FAKE_BUSY,          /* 503 with Retry-After: 1 */
  FAKE_NOT_JSON,      /* 200 application/json: "this is not json" */
  FAKE_NOT_OBJECTS,   /* 200 [1, 2] */
  FAKE_HTML,          /* 200 text/html */
  FAKE_HUGE,          /* 200 with 50 MB (Content-Length) */
  FAKE_NEVER,         /* never answers */
  FAKE_STATUS_ONLY,   /* /status answers, POST answers 500 */
  FAKE_BATCH_LIAR,    /* /status says batch_max 8; an item is echoed, a batch answered [[]] */
  FAKE_REDIRECT,      /* 307 to /elsewhere, which would echo */
} FakeKind;

typedef struct
{
  SoupServer *server;
  char       *url;        /* http://127.0.0.1:PORT/ */
  char       *name;
  FakeKind    kind;
  guint       delay_ms;   /* before answering (echo) */
  guint       posts;      /* POSTs received */
  guint       statuses;   /* GET /status received */
  guint       batches;    /* POSTs of an array received (FAKE_BATCH_LIAR) */
  guint       fail_first; /* answer 500 to this many POSTs first */
  guint       in_flight;  /* delayed answers not sent yet */
  guint       max_in_flight;
  GHashTable *sockets;    /* GSocket* (owned): every connection a request came on */
  GPtrArray  *paused;     /* never-answered messages */
} FakeServer;

FakeServer *fake_server_new  (FakeKind    kind,
                              const char *name);
void        fake_server_free (FakeServer *fake);

/* Raw sockets, for what SoupServer will not send. */
typedef enum
{
  RAW_TRUNCATED,       /* Content-Length: 100, 10 bytes, close */
  RAW_ENDLESS,         /* 200 without a length, 20 MB, close */
} RawKind;

typedef struct
{
  GSocketService *service;
  char           *url;
  RawKind         kind;
} RawServer;

RawServer  *raw_server_new   (RawKind kind);
void        raw_server_free  (RawServer *raw);
