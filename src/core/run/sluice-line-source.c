/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-json.h"
#include "sluice-line-source.h"

#define READ_CHUNK 65536
/* Threaded: lines parsed ahead in batches of this many, at most
 * MAX_BATCHES batches ahead of the run (back-pressure on the reading). */
#define BATCH_LINES 256
#define MAX_BATCHES 8
/* Taken batches come back to the thread, which drops its reference to
 * their items once this many newer ones came back: by then the run is
 * usually done with them, so they are freed where they were allocated
 * (malloc's per-thread caches) and not on the run's busy thread. */
#define RETURNED_KEPT 4

/* What the reading thread found, in input order. */
typedef struct
{
  SluiceSourceStatus status;    /* ITEM, REJECTED, ERROR or END */
  json_t            *item;      /* ITEM: owned until taken */
  GError            *error;     /* REJECTED and ERROR */
  guint64            line;      /* lines taken once this one is */
  guint64            position;  /* bytes taken once this one is */
} ParsedLine;

struct _SluiceLineSource
{
  GObject       parent_instance;

  GInputStream *stream;       /* owned */
  GCancellable *cancellable;  /* owned */
  GByteArray   *buffer;       /* bytes read and not yet taken */
  gsize         taken;        /* bytes of @buffer already taken as lines */
  gsize         scanned;      /* bytes after @taken known to hold no newline */
  guint64       line;         /* lines taken so far */
  guint64       position;     /* bytes taken as lines so far */
  const char   *last_line;    /* the last line taken, in @buffer */
  gsize         last_length;
  gboolean      reading;
  gboolean      eof;
  GError       *error;        /* a failed read, told by the next next() */

  /* Threaded (sluice_line_source_set_threaded()): a thread reads and
   * parses ahead; the run takes parsed lines in batches. The thread owns
   * @buffer, @taken, @scanned and @eof while it runs; the rest below is
   * shared under @lock. */
  gboolean      threaded;
  GThread      *thread;
  GMutex        lock;
  GCond         cond;
  GQueue        batches;      /* GArray* of ParsedLine, oldest first */
  GQueue        returned;     /* GArray* taken by the run, back to the thread */
  gboolean      stop;         /* closed or finalised: the thread ends */
  gboolean      waiting;      /* the run got WAIT and waits for "ready" */
  GSource      *ready_source; /* to tell it, on @context */
  GMainContext *context;
  GArray       *current;      /* the batch being taken (run's thread) */
  guint         current_index;
  gboolean      ended;        /* END or ERROR taken: nothing comes after */
  gboolean      thread_running; /* under @lock: returned batches are still collected */
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

/* Parses line number @number; NULL for a blank one (and then no @error). */
static json_t *
parse_line (guint64            number,
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
                 "input line %" G_GUINT64_FORMAT ": %s", number, local->message);
  return item;
}

/* ---- Threaded reading: the second core parses while the run works. */

static void
parsed_line_clear (ParsedLine *parsed)
{
  if (parsed->item != NULL)
    json_decref (parsed->item);
  g_clear_error (&parsed->error);
}

static GArray *
batch_new (void)
{
  GArray *batch = g_array_sized_new (FALSE, FALSE, sizeof (ParsedLine), BATCH_LINES);

  g_array_set_clear_func (batch, (GDestroyNotify) parsed_line_clear);
  return batch;
}

static gboolean
ready_cb (gpointer data)
{
  SluiceLineSource *self = data;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->ready_source, g_source_unref);
  g_mutex_unlock (&self->lock);
  sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
  return G_SOURCE_REMOVE;
}

/* Thread: takes the batches the run gave back, and drops those that
 * came back more than RETURNED_KEPT batches ago. */
static void
collect_returned (SluiceLineSource *self,
                  GQueue           *kept)
{
  GArray *batch;

  g_mutex_lock (&self->lock);
  while ((batch = g_queue_pop_head (&self->returned)) != NULL)
    g_queue_push_tail (kept, batch);
  g_mutex_unlock (&self->lock);
  while (kept->length > RETURNED_KEPT)
    g_array_unref (g_queue_pop_head (kept));
}

/* Thread: queues @batch (taking it) and replaces it with an empty one;
 * waits while the run is MAX_BATCHES behind. FALSE once stopped. */
static gboolean
hand_over (SluiceLineSource  *self,
           GArray           **batch)
{
  gboolean go_on;

  if ((*batch)->len == 0)
    return !g_atomic_int_get (&self->stop);

  g_mutex_lock (&self->lock);
  while (self->batches.length >= MAX_BATCHES && !self->stop)
    g_cond_wait (&self->cond, &self->lock);
  go_on = !self->stop;
  if (go_on)
    {
      g_queue_push_tail (&self->batches, g_steal_pointer (batch));
      *batch = batch_new ();
      if (self->waiting && self->ready_source == NULL)
        {
          /* At the default priority, as the asynchronous reads are. */
          self->waiting = FALSE;
          self->ready_source = g_idle_source_new ();
          g_source_set_priority (self->ready_source, G_PRIORITY_DEFAULT);
          g_source_set_callback (self->ready_source, ready_cb, self, NULL);
          g_source_set_static_name (self->ready_source, "sluice-line-source ready");
          g_source_attach (self->ready_source, self->context);
        }
    }
  g_mutex_unlock (&self->lock);
  return go_on;
}

static void
add_parsed (GArray             *batch,
            SluiceSourceStatus  status,
            json_t             *item,
            GError             *error,
            guint64             line,
            guint64             position)
{
  ParsedLine parsed = { status, item, error, line, position };

  g_array_append_val (batch, parsed);
}

static gpointer
reader_thread (gpointer data)
{
  SluiceLineSource *self = data;
  g_autoptr(GArray) batch = batch_new ();
  GQueue kept = G_QUEUE_INIT;
  guint8 *chunk = g_malloc (READ_CHUNK);
  guint64 line = self->line, position = self->position;

  for (;;)
    {
      const char *text = (const char *) self->buffer->data + self->taken;
      gsize avail = self->buffer->len - self->taken;
      const char *nl = NULL;
      gsize length;

      if (avail > self->scanned)
        nl = memchr (text + self->scanned, '\n', avail - self->scanned);

      if (nl != NULL)
        length = nl - text;
      else if (self->eof && avail > 0)
        length = avail;
      else if (self->eof)
        {
          add_parsed (batch, SLUICE_SOURCE_END, NULL, NULL, line, position);
          break;
        }
      else
        {
          g_autoptr(GError) error = NULL;
          gssize n;

          self->scanned = avail;
          if (avail > SLUICE_LINE_SOURCE_MAX_LINE)
            {
              add_parsed (batch, SLUICE_SOURCE_ERROR, NULL,
                          g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                       "input line %" G_GUINT64_FORMAT ": longer than %d MiB",
                                       line + 1, SLUICE_LINE_SOURCE_MAX_LINE / (1024 * 1024)),
                          line, position);
              break;
            }
          /* What is parsed goes to the run before a read that may wait
           * (a pipe): a bounded delay, as without the thread. */
          if (!hand_over (self, &batch))
            break;
          if (self->taken > 0)
            {
              g_byte_array_remove_range (self->buffer, 0, self->taken);
              self->taken = 0;
            }
          n = g_input_stream_read (self->stream, chunk, READ_CHUNK, self->cancellable, &error);
          if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            break;
          if (n < 0)
            {
              add_parsed (batch, SLUICE_SOURCE_ERROR, NULL,
                          g_error_new (G_IO_ERROR, error->code, "cannot read input: %s", error->message),
                          line, position);
              break;
            }
          if (n == 0)
            self->eof = TRUE;
          else
            g_byte_array_append (self->buffer, chunk, n);
          continue;
        }

      line++;
      self->taken += nl != NULL ? length + 1 : length;
      position += nl != NULL ? length + 1 : length;
      self->scanned = 0;
      if (length > SLUICE_LINE_SOURCE_MAX_LINE)
        {
          add_parsed (batch, SLUICE_SOURCE_ERROR, NULL,
                      g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   "input line %" G_GUINT64_FORMAT ": longer than %d MiB",
                                   line, SLUICE_LINE_SOURCE_MAX_LINE / (1024 * 1024)),
                      line, position);
          break;
        }

      {
        GError *error = NULL;
        json_t *item = parse_line (line, text, length, &error);

        if (item != NULL)
          add_parsed (batch, SLUICE_SOURCE_ITEM, item, NULL, line, position);
        else if (error == NULL)
          continue;
        else if (g_error_matches (error, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NUMBER_RANGE))
          add_parsed (batch, SLUICE_SOURCE_REJECTED, NULL, error, line, position);
        else
          {
            add_parsed (batch, SLUICE_SOURCE_ERROR, NULL, error, line, position);
            break;
          }
      }
      if (batch->len >= BATCH_LINES)
        {
          if (!hand_over (self, &batch))
            break;
          collect_returned (self, &kept);
        }
    }

  hand_over (self, &batch);
  g_queue_clear_full (&kept, (GDestroyNotify) g_array_unref);
  g_mutex_lock (&self->lock);
  self->thread_running = FALSE;
  g_mutex_unlock (&self->lock);
  collect_returned (self, &kept);
  g_queue_clear_full (&kept, (GDestroyNotify) g_array_unref);
  g_free (chunk);
  return NULL;
}

/* The run's side: the next parsed line, or WAIT. */
static SluiceSourceStatus
next_parsed (SluiceLineSource  *self,
             json_t           **item,
             GError           **error)
{
  for (;;)
    {
      if (self->ended)
        return SLUICE_SOURCE_END;

      if (self->current != NULL && self->current_index < self->current->len)
        {
          ParsedLine *parsed = &g_array_index (self->current, ParsedLine, self->current_index++);

          self->line = parsed->line;
          self->position = parsed->position;
          switch (parsed->status)
            {
            case SLUICE_SOURCE_ITEM:
              /* The batch keeps a reference (see RETURNED_KEPT). */
              *item = json_incref (parsed->item);
              return SLUICE_SOURCE_ITEM;
            case SLUICE_SOURCE_REJECTED:
              g_propagate_error (error, g_steal_pointer (&parsed->error));
              return SLUICE_SOURCE_REJECTED;
            case SLUICE_SOURCE_ERROR:
              self->ended = TRUE;
              g_propagate_error (error, g_steal_pointer (&parsed->error));
              return SLUICE_SOURCE_ERROR;
            case SLUICE_SOURCE_END:
            case SLUICE_SOURCE_WAIT:
            default:
              self->ended = TRUE;
              return SLUICE_SOURCE_END;
            }
        }

      self->current_index = 0;
      g_mutex_lock (&self->lock);
      if (self->current != NULL && self->thread_running)
        g_queue_push_tail (&self->returned, self->current);
      else if (self->current != NULL)
        g_array_unref (self->current);
      self->current = g_queue_pop_head (&self->batches);
      if (self->current == NULL)
        self->waiting = TRUE;
      else
        g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      if (self->current == NULL)
        return SLUICE_SOURCE_WAIT;
    }
}

static void
stop_thread (SluiceLineSource *self)
{
  if (self->thread == NULL)
    return;
  g_mutex_lock (&self->lock);
  g_atomic_int_set (&self->stop, TRUE);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->thread);
  self->thread = NULL;
}

static SluiceSourceStatus
sluice_line_source_next (SluiceItemSource  *source,
                         json_t           **item,
                         gpointer          *tag,
                         GError           **error)
{
  /* Unchecked: called once an item, and the interface checked already. */
  SluiceLineSource *self = (SluiceLineSource *) source;

  if (self->threaded)
    {
      if (self->thread == NULL && !self->ended && !g_atomic_int_get (&self->stop))
        {
          self->thread_running = TRUE;
          self->thread = g_thread_new ("sluice-line-source", reader_thread, self);
        }
      return next_parsed (self, item, error);
    }

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
      self->last_line = data;
      self->last_length = length;
      self->taken += nl != NULL ? length + 1 : length;
      self->position += nl != NULL ? length + 1 : length;
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

        *item = parse_line (self->line, data, length, &local);
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

  g_atomic_int_set (&self->stop, TRUE);
  stop_thread (self);
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

  stop_thread (self);
  if (self->ready_source != NULL)
    {
      g_source_destroy (self->ready_source);
      g_source_unref (self->ready_source);
    }
  g_queue_clear_full (&self->batches, (GDestroyNotify) g_array_unref);
  g_queue_clear_full (&self->returned, (GDestroyNotify) g_array_unref);
  g_clear_pointer (&self->current, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
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
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
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

void
sluice_line_source_set_threaded (SluiceLineSource *self)
{
  g_return_if_fail (SLUICE_IS_LINE_SOURCE (self));
  g_return_if_fail (!self->threaded && self->line == 0 && self->buffer->len == 0);

  self->threaded = TRUE;
  self->context = g_main_context_ref_thread_default ();
}

guint64
sluice_line_source_get_position (SluiceLineSource *self)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SOURCE (self), 0);

  return self->position;
}

guint64
sluice_line_source_get_line (SluiceLineSource *self)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SOURCE (self), 0);

  return self->line;
}

void
sluice_line_source_set_line (SluiceLineSource *self,
                             guint64           line)
{
  g_return_if_fail (SLUICE_IS_LINE_SOURCE (self));

  self->line = line;
}

const char *
sluice_line_source_peek_last_line (SluiceLineSource *self,
                                   gsize            *length)
{
  g_return_val_if_fail (SLUICE_IS_LINE_SOURCE (self), NULL);
  g_return_val_if_fail (!self->threaded, NULL);

  *length = self->last_length;
  return self->last_line;
}
