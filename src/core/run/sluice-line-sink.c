/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <unistd.h>

#include "sluice-item-text.h"
#include "sluice-line-sink.h"

/* Written out as soon as this much is gathered. */
#define BUFFER_LIMIT (64 * 1024)

struct _SluiceLineSink
{
  GObject   parent_instance;

  int       fd;
  gboolean  close_fd;
  GString  *buffer;     /* whole lines not written yet */
  char     *text;       /* one item's text, reused */
  gsize     text_size;
  gsize     text_length; /* of the last line in @text, newline excluded */
  guint64   position;   /* bytes taken, written or buffered */
  GError   *error;      /* the first write error: every later call fails too */
};

static void sluice_line_sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceLineSink, sluice_line_sink, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK,
                                                      sluice_line_sink_iface_init))

static gboolean
write_buffer (SluiceLineSink  *self,
              GError         **error)
{
  gsize done = 0;

  while (done < self->buffer->len && self->error == NULL)
    {
      ssize_t n = write (self->fd, self->buffer->str + done, self->buffer->len - done);

      if (n >= 0)
        done += n;
      else if (errno != EINTR)
        {
          int saved = errno;

          self->error = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                     "cannot write output: %s", g_strerror (saved));
        }
    }
  g_string_truncate (self->buffer, 0);

  if (self->error != NULL)
    {
      g_set_error_literal (error, self->error->domain, self->error->code, self->error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sluice_line_sink_write (SluiceItemSink  *sink,
                        json_t          *item,
                        gpointer         tag,
                        GError         **error)
{
  SluiceLineSink *self = SLUICE_LINE_SINK (sink);
  gsize length;

  if (self->error != NULL)
    return write_buffer (self, error);

  length = sluice_item_to_text (item, &self->text, &self->text_size);
  if (length == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "an output item cannot be written as JSON");
      return FALSE;
    }
  g_string_append_len (self->buffer, self->text, length);
  g_string_append_c (self->buffer, '\n');
  self->position += length + 1;
  self->text_length = length;

  if (self->buffer->len >= BUFFER_LIMIT)
    return write_buffer (self, error);
  return TRUE;
}

static gboolean
sluice_line_sink_flush (SluiceItemSink  *sink,
                        GError         **error)
{
  return write_buffer (SLUICE_LINE_SINK (sink), error);
}

static void
sluice_line_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sluice_line_sink_write;
  iface->flush = sluice_line_sink_flush;
}

static void
sluice_line_sink_finalize (GObject *object)
{
  SluiceLineSink *self = SLUICE_LINE_SINK (object);

  if (self->close_fd && self->fd >= 0)
    close (self->fd);
  g_string_free (self->buffer, TRUE);
  g_free (self->text);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (sluice_line_sink_parent_class)->finalize (object);
}

static void
sluice_line_sink_class_init (SluiceLineSinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_line_sink_finalize;
}

static void
sluice_line_sink_init (SluiceLineSink *self)
{
  self->fd = -1;
  self->buffer = g_string_sized_new (BUFFER_LIMIT + 4096);
}

SluiceLineSink *
sluice_line_sink_new (int      fd,
                      gboolean close_fd)
{
  SluiceLineSink *self;

  g_return_val_if_fail (fd >= 0, NULL);

  self = g_object_new (SLUICE_TYPE_LINE_SINK, NULL);
  self->fd = fd;
  self->close_fd = close_fd;
  return self;
}

gboolean
sluice_line_sink_get_reader_gone (SluiceLineSink *self)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SINK (self), FALSE);

  return g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

const char *
sluice_line_sink_peek_last_line (SluiceLineSink *self,
                                 gsize          *length)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SINK (self), NULL);

  *length = self->text_length;
  return self->text;
}

guint64
sluice_line_sink_get_position (SluiceLineSink *self)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SINK (self), 0);

  return self->position;
}
