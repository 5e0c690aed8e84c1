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

G_END_DECLS
