/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sluice-tool-clickhouse-private.h"

/* The extractor's query, streamed: rows are parsed and emitted as each
 * chunk of the answer arrives, so a result of any size costs one chunk
 * and one line of memory. ClickHouse reports an error that happens
 * after it started answering (the 200 is sent) as a text line in the
 * body, "Code: N, e.displayText() = …": such a line fails the call with
 * that message. */

#define READ_CHUNK 65536
/* A row longer than this is refused rather than buffered without end. */
#define MAX_LINE (16 * 1024 * 1024)
#define MAX_ERROR_BODY 65536

typedef struct
{
  SluiceToolClickhouse *self;         /* owned */
  SluiceStepCall       *call;         /* NULL once answered (cancelled) */
  GCancellable         *cancellable;  /* owned */
  SoupMessage          *msg;          /* owned */
  GInputStream         *stream;       /* owned */
  GByteArray           *pending;      /* a line not yet complete */
  gboolean              failed_status;
  guint64               rows;
} Reader;

static void read_more (Reader *reader);

static void
reader_free (Reader *reader)
{
  g_clear_object (&reader->cancellable);
  g_clear_object (&reader->msg);
  g_clear_object (&reader->stream);
  g_byte_array_unref (reader->pending);
  g_object_unref (reader->self);
  g_free (reader);
}

static void
reader_fail (Reader     *reader,
             const char *message)
{
  SluiceStepCall *call = reader->call;
  g_autofree char *text = g_strdup_printf ("ClickHouse %s: %s", reader->self->server.url, message);

  call->step_data = NULL;
  reader->call = NULL;
  sluice_step_call_fail (call, text, NULL);
  reader_free (reader);
}

static void
reader_finish (Reader *reader)
{
  SluiceStepCall *call = reader->call;

  call->step_data = NULL;
  reader->call = NULL;
  sluice_step_call_finish (call);
  reader_free (reader);
}

/* One line of the answer: FALSE after failing the call. */
static gboolean
take_line (Reader     *reader,
           const char *line,
           gsize       length)
{
  json_error_t error;
  json_t *row;

  if (length > 0 && line[length - 1] == '\r')
    length--;
  if (length == 0)
    return TRUE;

  row = json_loadb (line, length, 0, &error);
  if (row == NULL || !json_is_object (row))
    {
      g_autofree char *text = g_utf8_make_valid (line, MIN (length, 500));
      g_autofree char *message = NULL;

      if (row != NULL)
        json_decref (row);
      if (g_str_has_prefix (text, "Code: "))
        message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the query failed after %llu row: %s",
                                                "the query failed after %llu rows: %s", reader->rows),
                                   (unsigned long long) reader->rows, text);
      else
        message = g_strdup_printf ("row %" G_GUINT64_FORMAT " of the answer is not a JSON object: %s",
                                   reader->rows + 1, text);
      reader_fail (reader, message);
      return FALSE;
    }

  reader->rows++;
  sluice_step_call_emit (reader->call, row);
  return TRUE;
}

/* Emits every complete line in pending; keeps the rest. */
static gboolean
take_lines (Reader *reader)
{
  guint8 *data = reader->pending->data;
  gsize start = 0;

  for (gsize i = 0; i < reader->pending->len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (!take_line (reader, (const char *) data + start, i - start))
        return FALSE;
      start = i + 1;
    }
  g_byte_array_remove_range (reader->pending, 0, start);
  if (reader->pending->len > MAX_LINE)
    {
      reader_fail (reader, "a row of the answer is longer than 16 MiB");
      return FALSE;
    }
  return TRUE;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Reader *reader = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (reader->call == NULL)
    {
      reader_free (reader);
      return;
    }
  if (bytes == NULL)
    {
      g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the answer broke off after %llu row: %s",
                                                               "the answer broke off after %llu rows: %s", reader->rows),
                                                  (unsigned long long) reader->rows, error->message);

      reader_fail (reader, message);
      return;
    }

  if (g_bytes_get_size (bytes) > 0)
    {
      if (!reader->failed_status || reader->pending->len < MAX_ERROR_BODY)
        g_byte_array_append (reader->pending, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (reader->failed_status || take_lines (reader))
        read_more (reader);
      return;
    }

  /* The end. */
  if (reader->failed_status)
    {
      g_autoptr(GBytes) body = g_bytes_new (reader->pending->data, reader->pending->len);
      g_autofree char *message = sluice_clickhouse_error_text (soup_message_get_status (reader->msg), body);

      reader_fail (reader, message);
      return;
    }
  if (reader->pending->len > 0 && !take_line (reader, (const char *) reader->pending->data, reader->pending->len))
    return;
  reader_finish (reader);
}

static void
read_more (Reader *reader)
{
  g_input_stream_read_bytes_async (reader->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   reader->cancellable, read_cb, reader);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Reader *reader = data;
  g_autoptr(GError) error = NULL;

  reader->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (reader->call == NULL)
    {
      reader_free (reader);
      return;
    }
  if (reader->stream == NULL)
    {
      reader_fail (reader, error->message);
      return;
    }
  reader->failed_status = soup_message_get_status (reader->msg) != SOUP_STATUS_OK;
  read_more (reader);
}

void
_sluice_clickhouse_reader_start (SluiceToolClickhouse *self,
                                 SluiceStepCall       *call)
{
  /* 64-bit integers as numbers, not strings: items keep their types. */
  static const char * const settings[] = { "output_format_json_quote_64bit_integers", "0", NULL };
  Reader *reader = g_new0 (Reader, 1);

  reader->self = g_object_ref (self);
  reader->call = call;
  reader->cancellable = g_cancellable_new ();
  reader->pending = g_byte_array_new ();
  reader->msg = sluice_clickhouse_message_new (&self->server, self->query, settings, NULL);
  call->step_data = reader;
  soup_session_send_async (self->session, reader->msg, G_PRIORITY_DEFAULT, reader->cancellable, sent_cb, reader);
}

void
_sluice_clickhouse_reader_cancel (SluiceToolClickhouse *self,
                                  SluiceStepCall       *call,
                                  const char           *reason)
{
  Reader *reader = call->step_data;

  if (reader == NULL)
    return;
  /* The read in flight calls back and frees the reader. */
  call->step_data = NULL;
  reader->call = NULL;
  g_cancellable_cancel (reader->cancellable);
  sluice_step_call_fail (call, reason, NULL);
}
