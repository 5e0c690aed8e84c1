/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* What an external call's answer means (SPEC section 5). */
typedef enum
{
  SLUICE_ANSWER_OK,        /* 2xx with a JSON object or an array of objects */
  SLUICE_ANSWER_REJECTED,  /* 4xx: the item failed; another endpoint would say the same */
  SLUICE_ANSWER_BUSY,      /* 503 (with Retry-After, maybe): try another, it is overloaded */
  SLUICE_ANSWER_BROKEN,    /* 5xx, or garbage: try another, this one is faulty */
} SluiceAnswerKind;

/* Reads an answer with @status, @content_type (may be NULL) and @body.
 * On OK, *@outputs is a new JSON array of objects; otherwise *@message
 * says what was wrong, quoting the server's own message for 4xx and 5xx
 * (the "error" member of a JSON body, or the start of the text). The
 * caller adds the endpoint. */
SluiceAnswerKind sluice_net_answer_read (guint         status,
                                         const char   *reason,
                                         const char   *content_type,
                                         const char   *body,
                                         gsize         length,
                                         json_t      **outputs,
                                         char        **message);

/* Reads the 2xx answer to a batch of @n items: a JSON array of @n
 * elements, each the array of an item's outputs (objects) or
 * {"error": "…", "module": "…"} for an item a module failed. On OK,
 * *@results is that array (new reference); otherwise *@message says what
 * was wrong (the answer is BROKEN). */
SluiceAnswerKind sluice_net_answer_read_batch (guint         status,
                                               const char   *content_type,
                                               const char   *body,
                                               gsize         length,
                                               guint         n,
                                               json_t      **results,
                                               char        **message);
/* What a batch element that is an item's failure says, or NULL. */
char            *sluice_net_answer_item_error (json_t       *element);

G_END_DECLS
