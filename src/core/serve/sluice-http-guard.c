/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-http-guard.h"
#include "sluice-json.h"

#define TOO_LARGE_KEY "sluice-too-large"
#define RECEIVED_KEY "sluice-received"

struct _SluiceHttpGuard
{
  char  *token;
  gsize  max_body;
  char  *too_large;
};

SluiceHttpGuard *
sluice_http_guard_new (const char *token,
                       gsize       max_body)
{
  SluiceHttpGuard *self = g_new0 (SluiceHttpGuard, 1);

  self->token = g_strdup (token);
  self->max_body = max_body;
  self->too_large = g_strdup_printf ("the request body is larger than the limit of %" G_GSIZE_FORMAT " bytes (--max-body)",
                                     max_body);
  return self;
}

void
sluice_http_guard_free (SluiceHttpGuard *self)
{
  if (self == NULL)
    return;
  g_free (self->token);
  g_free (self->too_large);
  g_free (self);
}

gsize
sluice_http_guard_get_max_body (SluiceHttpGuard *self)
{
  return self->max_body;
}

gboolean
sluice_http_guard_token_ok (SluiceHttpGuard   *self,
                            SoupServerMessage *msg)
{
  const char *value;
  gsize length, expected;
  guint diff = 0;

  if (self->token == NULL)
    return TRUE;
  value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return FALSE;
  value += 7;
  length = strlen (value);
  expected = strlen (self->token);
  /* Same time whatever the first wrong byte. */
  for (gsize i = 0; i < expected; i++)
    diff |= (guchar) self->token[i] ^ (guchar) (i < length ? value[i] : 0);
  return diff == 0 && length == expected;
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SluiceHttpGuard *self = user_data;
  gsize received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), RECEIVED_KEY));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), RECEIVED_KEY, GSIZE_TO_POINTER (received));
  if (received > self->max_body && g_object_get_data (G_OBJECT (msg), TOO_LARGE_KEY) == NULL)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      /* Read to its end and thrown away, never kept. */
      g_object_set_data (G_OBJECT (msg), TOO_LARGE_KEY, GINT_TO_POINTER (1));
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

guint
sluice_http_guard_check_early (SluiceHttpGuard   *self,
                               SoupServerMessage *msg,
                               gboolean           check_token,
                               const char       **message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  guint status = 0;

  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self);
  if (check_token && !sluice_http_guard_token_ok (self, msg))
    {
      status = SOUP_STATUS_UNAUTHORIZED;
      *message = "a bearer token is required (Authorization: Bearer …)";
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate", "Bearer");
    }
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
           (guint64) soup_message_headers_get_content_length (headers) > self->max_body)
    {
      status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      *message = self->too_large;
    }
  if (status != 0)
    soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  return status;
}

gboolean
sluice_http_guard_body_too_large (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), TOO_LARGE_KEY) != NULL;
}

const char *
sluice_http_guard_too_large_message (SluiceHttpGuard *self)
{
  return self->too_large;
}

void
sluice_http_set_json (SoupServerMessage *msg,
                      guint              status,
                      json_t            *json)
{
  char *text = sluice_json_dumps (json, JSON_COMPACT);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, text, strlen (text));
  free (text);
}
