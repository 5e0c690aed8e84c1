/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-line-source.h"

#define READ_CHUNK 65536

struct _SluiceLineSource
{
  GObject       parent_instance;

  GInputStream *stream;       /* owned */
  GCancellable *cancellable;  /* owned */
  GByteArray   *buffer;       /* bytes read and not yet taken */
  gsize         taken;        /* bytes of @buffer already taken as lines */
  gsize         scanned;      /* bytes after @taken known to hold no newline */
  guint64       line;         /* lines taken so far */
  gboolean      reading;
  gboolean      eof;
  GError       *error;        /* a failed read, told by the next next() */
};

static void sluice_line_source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceLineSource, sluice_line_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE,
                                                      sluice_line_source_iface_init))

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(SluiceLineSource) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  self->reading = FALSE;
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes == NULL)
    self->error = g_error_new (G_IO_ERROR, error->code, "cannot read input: %s", error->message);
  else if (g_bytes_get_size (bytes) == 0)
    self->eof = TRUE;
  else
    {
      /* Keep only the part not taken yet. */
      if (self->taken > 0)
        {
          g_byte_array_remove_range (self->buffer, 0, self->taken);
          self->taken = 0;
        }
      g_byte_array_append (self->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

static void
request_read (SluiceLineSource *self)
{
  if (self->reading || self->eof || self->error != NULL)
    return;

  self->reading = TRUE;
  /* At the default priority, not an idle one: in the designer, a window
   * that redraws all the time (a loaded machine, a slow renderer) would
   * otherwise starve the input for good, and the run would wait for its
   * first item forever. Reading is asked for only when the executor
   * wants more, so this cannot flood the main loop. */
  g_input_stream_read_bytes_async (self->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, read_cb, g_object_ref (self));
}

/* Parses one line; NULL for a blank one (and then no @error). */
static json_t *
parse_line (SluiceLineSource  *self,
            const char        *line,
            gsize              length,
            GError           **error)
{
  g_autoptr(GError) local = NULL;
  json_t *item;
  gsize i;

  for (i = 0; i < length && g_ascii_isspace (line[i]); i++)
    ;
  if (i == length)
    return NULL;

  /* The same parser and policies as everywhere (sluice-json.h). */
  item = sluice_json_parse_item (line, length, &local);
  if (item == NULL)
    g_set_error (error, local->domain, local->code,
                 "input line %" G_GUINT64_FORMAT ": %s", self->line, local->message);
  return item;
}

static SluiceSourceStatus
sluice_line_source_next (SluiceItemSource  *source,
                         json_t           **item,
                         gpointer          *tag,
                         GError           **error)
{
  SluiceLineSource *self = SLUICE_LINE_SOURCE (source);

  for (;;)
    {
      const char *data = (const char *) self->buffer->data + self->taken;
      gsize avail = self->buffer->len - self->taken;
      const char *nl = NULL;
      gsize length;

      if (self->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->error));
          return SLUICE_SOURCE_ERROR;
        }

      /* Only look at bytes not scanned before: a long line arriving in
       * many chunks is scanned once, not once a chunk. */
      if (avail > self->scanned)
        nl = memchr (data + self->scanned, '\n', avail - self->scanned);

      if (nl != NULL)
        length = nl - data;
      else if (self->eof && avail > 0)
        length = avail;
      else if (self->eof)
        return SLUICE_SOURCE_END;
      else
        {
          self->scanned = avail;
          if (avail > SLUICE_LINE_SOURCE_MAX_LINE)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "input line %" G_GUINT64_FORMAT ": longer than %d MiB",
                           self->line + 1, SLUICE_LINE_SOURCE_MAX_LINE / (1024 * 1024));
              return SLUICE_SOURCE_ERROR;
            }
          request_read (self);
          return SLUICE_SOURCE_WAIT;
        }

      self->line++;
      self->taken += nl != NULL ? length + 1 : length;
      self->scanned = 0;
      if (length > SLUICE_LINE_SOURCE_MAX_LINE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "input line %" G_GUINT64_FORMAT ": longer than %d MiB",
                       self->line, SLUICE_LINE_SOURCE_MAX_LINE / (1024 * 1024));
          return SLUICE_SOURCE_ERROR;
        }

      {
        g_autoptr(GError) local = NULL;

        *item = parse_line (self, data, length, &local);
        if (*item != NULL)
          return SLUICE_SOURCE_ITEM;
        if (local == NULL)
          continue;
        /* A number JSON allows but a double or int64 cannot hold fails
         * that item only: the line is fine, the value is not ours to keep. */
        if (g_error_matches (local, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NUMBER_RANGE))
          {
            g_propagate_error (error, g_steal_pointer (&local));
            return SLUICE_SOURCE_REJECTED;
          }
        g_propagate_error (error, g_steal_pointer (&local));
        return SLUICE_SOURCE_ERROR;
      }
    }
}

static void
sluice_line_source_close (SluiceItemSource *source)
{
  SluiceLineSource *self = SLUICE_LINE_SOURCE (source);

  g_cancellable_cancel (self->cancellable);
}

static void
sluice_line_source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_line_source_next;
  iface->close = sluice_line_source_close;
}

static void
sluice_line_source_finalize (GObject *object)
{
  SluiceLineSource *self = SLUICE_LINE_SOURCE (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_byte_array_unref (self->buffer);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (sluice_line_source_parent_class)->finalize (object);
}

static void
sluice_line_source_class_init (SluiceLineSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_line_source_finalize;
}

static void
sluice_line_source_init (SluiceLineSource *self)
{
  self->buffer = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
}

SluiceLineSource *
sluice_line_source_new (GInputStream *stream)
{
  SluiceLineSource *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_object_new (SLUICE_TYPE_LINE_SOURCE, NULL);
  self->stream = g_object_ref (stream);
  return self;
}
