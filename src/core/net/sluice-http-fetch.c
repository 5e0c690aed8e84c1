/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-http-fetch.h"

#define READ_CHUNK 65536

typedef struct
{
  GByteArray   *body;
  gsize         limit;
  GInputStream *stream;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_byte_array_unref (fetch->body);
  g_clear_object (&fetch->stream);
  g_free (fetch);
}

static char *
format_limit (gsize limit)
{
  if (limit >= 1024 * 1024 && limit % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " MiB", limit / (1024 * 1024));
  return g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", limit);
}

static void read_more (GTask *task);

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);

  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_byte_array_ref (fetch->body)),
                         (GDestroyNotify) g_bytes_unref);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                 "the answer was cut off after %u bytes: %s",
                                 fetch->body->len, error->message);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      /* Closing after the end hands the connection back for keep-alive. */
      g_input_stream_close_async (fetch->stream, G_PRIORITY_DEFAULT, NULL,
                                  closed_cb, g_steal_pointer (&task));
      return;
    }

  if (fetch->body->len + g_bytes_get_size (bytes) > fetch->limit)
    {
      g_autofree char *limit = format_limit (fetch->limit);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "the answer is larger than the limit of %s", limit);
      return;
    }

  g_byte_array_append (fetch->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_more (g_steal_pointer (&task));
}

static void
read_more (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (fetch->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  goffset length;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (fetch->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Refused before reading a byte when it says how large it is. */
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (msg));
  if (length > 0 && (guint64) length > fetch->limit)
    {
      g_autofree char *limit = format_limit (fetch->limit);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "the answer of %" G_GINT64_FORMAT " bytes is larger than the limit of %s",
                               (gint64) length, limit);
      return;
    }

  read_more (g_steal_pointer (&task));
}

void
sluice_http_fetch_async (SoupSession         *session,
                         SoupMessage         *msg,
                         gsize                limit,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Fetch *fetch;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, sluice_http_fetch_async);
  fetch = g_new0 (Fetch, 1);
  fetch->body = g_byte_array_new ();
  fetch->limit = limit;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, cancellable, sent_cb, task);
}

GBytes *
sluice_http_fetch_finish (SoupSession   *session,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sluice_http_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
