/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-item-text.h"
#include "sluice-json.h"
#include "sluice-line-sink.h"

/* Written out as soon as this much is gathered. */
#define BUFFER_LIMIT (64 * 1024)
/* Threaded: items handed to the writer thread at a time, and batches
 * that may wait for it before write() waits (back-pressure from a slow
 * reader reaches the run as it does without the thread). */
#define BATCH_ITEMS 64
#define MAX_BATCHES 16

/* Outputs handed to the writer thread at once, in order: items, where a
 * NULL item stands for the next line of @text (written from Lua by
 * write_text()). */
typedef struct
{
  GPtrArray *items;   /* json_t*, owned, or NULL */
  GString   *text;    /* the text lines, each with its newline */
} Batch;

static Batch *
batch_new (void)
{
  Batch *batch = g_new (Batch, 1);

  batch->items = g_ptr_array_new_full (BATCH_ITEMS, (GDestroyNotify) json_decref);
  batch->text = g_string_sized_new (BATCH_ITEMS * 64);
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->items);
  g_string_free (batch->text, TRUE);
  g_free (batch);
}

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

  /* Threaded (sluice_line_sink_set_threaded()): items are turned into
   * text and written on a thread of their own, so that the run's thread
   * does not spend its time on it. The fields below are shared with that
   * thread under @lock; @buffer, @text and @thread_position are the
   * thread's alone while it runs. */
  GThread  *thread;
  GMutex    lock;
  GCond     cond;
  Batch    *batch;      /* gathered by write(), not handed over yet (run's thread) */
  GQueue    batches;    /* Batch*, waiting for the thread */
  guint     busy;       /* batches handed over and not written yet */
  gboolean  quit;
  GError   *thread_error;
  guint64   thread_position;
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

/* Appends @item as one line to @buffer; FALSE when it cannot be written. */
static gboolean
append_line (SluiceLineSink *self,
             json_t         *item,
             gsize          *written)
{
  gsize length = sluice_item_to_text (item, &self->text, &self->text_size);

  if (length == 0)
    return FALSE;
  g_string_append_len (self->buffer, self->text, length);
  g_string_append_c (self->buffer, '\n');
  *written = length + 1;
  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  SluiceLineSink *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      Batch *batch;
      guint64 taken = 0;
      gboolean unwritable = FALSE;
      gsize cursor = 0;

      while (g_queue_is_empty (&self->batches) && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      batch = g_queue_pop_head (&self->batches);
      if (batch == NULL)
        break;
      g_mutex_unlock (&self->lock);

      /* After an error nothing more is written, as without the thread
       * (self->error is this thread's own while it runs). */
      for (guint i = 0; i < batch->items->len && self->error == NULL && !unwritable; i++)
        {
          json_t *item = g_ptr_array_index (batch->items, i);
          gsize written;

          if (item == NULL)
            {
              const char *line = batch->text->str + cursor;
              const char *nl = memchr (line, '\n', batch->text->len - cursor);

              written = nl - line + 1;
              g_string_append_len (self->buffer, line, written);
              cursor += written;
              taken += written;
            }
          else if (!append_line (self, item, &written))
            unwritable = TRUE;
          else
            taken += written;
          if (self->buffer->len >= BUFFER_LIMIT)
            write_buffer (self, NULL);
        }
      /* A batch ends at a flush or when it fills up: either way its lines
       * go out now, so that a flush waiting for the thread finds them
       * written. */
      if (self->buffer->len > 0)
        write_buffer (self, NULL);
      batch_free (batch);

      g_mutex_lock (&self->lock);
      self->thread_position += taken;
      if (self->thread_error == NULL && self->error != NULL)
        self->thread_error = g_error_copy (self->error);
      else if (self->thread_error == NULL && unwritable)
        self->thread_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                  "an output item cannot be written as JSON");
      self->busy--;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Hands the gathered items to the thread; with @wait, returns once every
 * item handed over is written (or failed). Run's thread only. */
static gboolean
hand_over (SluiceLineSink  *self,
           gboolean         wait,
           GError         **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  if (self->batch->items->len > 0)
    {
      g_queue_push_tail (&self->batches, self->batch);
      self->busy++;
      self->batch = batch_new ();
      g_cond_broadcast (&self->cond);
    }
  while (self->busy > (wait ? 0 : MAX_BATCHES))
    g_cond_wait (&self->cond, &self->lock);
  if (self->thread_error != NULL)
    {
      g_set_error_literal (error, self->thread_error->domain, self->thread_error->code,
                           self->thread_error->message);
      ok = FALSE;
    }
  if (wait)
    self->position = self->thread_position;
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
sluice_line_sink_write (SluiceItemSink  *sink,
                        json_t          *item,
                        gpointer         tag,
                        GError         **error)
{
  /* Unchecked: called once an item, and the interface checked already. */
  SluiceLineSink *self = (SluiceLineSink *) sink;
  gsize length;

  if (self->thread != NULL)
    {
      g_ptr_array_add (self->batch->items, json_incref (item));
      if (self->batch->items->len >= BATCH_ITEMS)
        return hand_over (self, FALSE, error);
      return TRUE;
    }

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
sluice_line_sink_write_text (SluiceItemSink  *sink,
                             const char      *text,
                             gsize            length,
                             gpointer         tag,
                             GError         **error)
{
  SluiceLineSink *self = (SluiceLineSink *) sink;

  if (self->thread != NULL)
    {
      g_ptr_array_add (self->batch->items, NULL);
      sluice_json_append_raw (self->batch->text, text, length);
      sluice_json_append_byte (self->batch->text, '\n');
      if (self->batch->items->len >= BATCH_ITEMS)
        return hand_over (self, FALSE, error);
      return TRUE;
    }

  if (self->error != NULL)
    return write_buffer (self, error);

  /* Kept as write() keeps its text, for peek_last_line(). */
  if (self->text_size < length + 1)
    {
      self->text_size = MAX (length + 1, 4096);
      self->text = g_realloc (self->text, self->text_size);
    }
  memcpy (self->text, text, length);
  self->text[length] = '\0';
  self->text_length = length;
  g_string_append_len (self->buffer, text, length);
  g_string_append_c (self->buffer, '\n');
  self->position += length + 1;

  if (self->buffer->len >= BUFFER_LIMIT)
    return write_buffer (self, error);
  return TRUE;
}

static gboolean
sluice_line_sink_flush (SluiceItemSink  *sink,
                        GError         **error)
{
  SluiceLineSink *self = SLUICE_LINE_SINK (sink);

  if (self->thread != NULL)
    return hand_over (self, TRUE, error);
  return write_buffer (self, error);
}

static void
sluice_line_sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sluice_line_sink_write;
  iface->flush = sluice_line_sink_flush;
  iface->write_text = sluice_line_sink_write_text;
}

static void
sluice_line_sink_finalize (GObject *object)
{
  SluiceLineSink *self = SLUICE_LINE_SINK (object);

  if (self->thread != NULL)
    {
      /* What was written but not flushed still goes out (as without the
       * thread, where it would be lost: the run flushes at its end). */
      hand_over (self, TRUE, NULL);
      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->thread);
    }
  g_clear_pointer (&self->batch, batch_free);
  g_clear_error (&self->thread_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
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
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
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

void
sluice_line_sink_set_threaded (SluiceLineSink *self)
{
  g_return_if_fail (SLUICE_IS_LINE_SINK (self));
  g_return_if_fail (self->thread == NULL && self->position == 0);

  self->batch = batch_new ();
  self->thread = g_thread_new ("sluice-line-sink", writer_thread, self);
}

gboolean
sluice_line_sink_get_reader_gone (SluiceLineSink *self)
{
  gboolean gone;

  g_return_val_if_fail (SLUICE_IS_LINE_SINK (self), FALSE);

  if (self->thread == NULL)
    return g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_mutex_lock (&self->lock);
  gone = g_error_matches (self->thread_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_mutex_unlock (&self->lock);
  return gone;
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
