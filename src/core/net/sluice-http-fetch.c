/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-http-fetch.h"

/* Read size when the answer does not say its length. */
#define READ_CHUNK 65536
/* Beyond a known length, what the last read asks for: the end of the
 * stream, or bytes the server should not have sent (which libsoup's body
 * stream does not give). */
#define END_READ 16

/* The body is read straight into @body, sized to what the answer says
 * it holds: a small answer costs one small buffer, not a 64 KiB one per
 * read (which glibc hands back to the system and faults in again). */
typedef struct
{
  GByteArray   *body;     /* its len is the room; @length the bytes read */
  gsize         length;
  gsize         expected; /* Content-Length, or 0 */
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
return_body (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  g_byte_array_set_size (fetch->body, fetch->length);
  g_task_return_pointer (task, g_byte_array_free_to_bytes (g_byte_array_ref (fetch->body)),
                         (GDestroyNotify) g_bytes_unref);
}

/* One read of @n bytes (or its error) is done: FALSE once the task was
 * returned (the end, an error, too large), TRUE to read on. Takes
 * @error. */
static gboolean
read_done (GTask  *task,
           gssize  n,
           GError *error)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                   "the answer was cut off after %" G_GSIZE_FORMAT " bytes: %s",
                                   fetch->length, error->message);
          g_error_free (error);
        }
      else
        g_task_return_error (task, error);
      return FALSE;
    }

  if (n == 0)
    {
      /* Closing after the end hands the connection back for keep-alive.
       * The body was read to its end, so this does not wait: at once,
       * rather than through a GTask of its own. */
      g_input_stream_close (fetch->stream, NULL, NULL);
      return_body (task);
      return FALSE;
    }

  fetch->length += n;
  if (fetch->length > fetch->limit)
    {
      g_autofree char *limit = format_limit (fetch->limit);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                               "the answer is larger than the limit of %s", limit);
      return FALSE;
    }
  return TRUE;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (read_done (task, n, error))
    read_more (g_steal_pointer (&task));
}

/* Room for the next read, and its size. */
static gsize
make_room (Fetch *fetch)
{
  /* What is left of a known length (and then a little, to see the end),
   * or a chunk; one byte past the limit shows an answer too large. */
  gsize want = fetch->expected > fetch->length ? fetch->expected - fetch->length + END_READ
             : fetch->expected > 0 ? END_READ : READ_CHUNK;

  want = MIN (want, fetch->limit + 1 - MIN (fetch->length, fetch->limit));
  want = MAX (want, 1);
  if (fetch->body->len < fetch->length + want)
    g_byte_array_set_size (fetch->body, fetch->length + want);
  return want;
}

static void
read_more (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  GPollableInputStream *pollable = G_IS_POLLABLE_INPUT_STREAM (fetch->stream)
                                   ? G_POLLABLE_INPUT_STREAM (fetch->stream) : NULL;
  gsize want;

  /* A small answer usually came with its headers and is in libsoup's
   * buffer already: taken at once, without an asynchronous read (a
   * GTask, a source, a turn of the main loop each) for bytes that are
   * there. Only when it would wait is the read asynchronous. */
  while (pollable != NULL && g_pollable_input_stream_can_poll (pollable) &&
         !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      GError *error = NULL;
      gssize n;

      want = make_room (fetch);
      n = g_pollable_input_stream_read_nonblocking (pollable, fetch->body->data + fetch->length, want,
                                                    NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          break;
        }
      if (!read_done (task, n, error))
        {
          g_object_unref (task);
          return;
        }
    }

  want = make_room (fetch);
  g_input_stream_read_async (fetch->stream, fetch->body->data + fetch->length, want, G_PRIORITY_DEFAULT,
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

  if (length > 0)
    fetch->expected = length;
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
