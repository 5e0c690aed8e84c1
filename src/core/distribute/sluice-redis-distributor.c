/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sluice-controller.h"
#include "sluice-item-text.h"
#include "sluice-redis-distributor.h"
#include "sluice-redis-entry.h"
#include "sluice-redis-keys.h"

/* XADDs pipelined before waiting for their replies. */
#define SEND_BATCH 256
/* Items in one stream entry, at most: Redis' cost is per entry (XADD,
 * the group's pending list, XACK, the results), so many items share
 * one; fewer when the input has no more for now, or they are big. */
#define ENTRY_ITEMS SLUICE_REDIS_ENTRY_ITEMS
#define ENTRY_BYTES (1024 * 1024)
/* Bytes of item text on the stream without a result, at most. */
#define WINDOW_BYTES (256 * 1024 * 1024)
#define OUTPUT_BUFFER (64 * 1024)

/* One stream entry's items: consecutive sequence numbers from @first,
 * kept (as the JSON lines sent) until each has its result, to be sent
 * again should Redis lose them. */
typedef struct
{
  guint64  first;
  guint    n;
  guint    remaining;     /* items without a result */
  GString *text;
  guint8   has_result[];  /* per item */
} Batch;

static Batch *
batch_new (guint64  first,
           guint    n,
           GString *text)
{
  Batch *batch = g_malloc0 (sizeof (Batch) + n);

  batch->first = first;
  batch->n = n;
  batch->remaining = n;
  batch->text = text;
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_string_free (batch->text, TRUE);
  g_free (batch);
}

typedef enum
{
  INPUT_READING,
  INPUT_WAITING,
  INPUT_ENDED,
} InputState;

struct _SluiceRedisDistributor
{
  GObject            parent_instance;

  SluiceItemSource  *input;            /* owned; NULL after the trigger item */
  gboolean           trigger;          /* no input: one {} */
  int                output_fd;        /* borrowed */
  SluiceRedisOutputFunc output_func;   /* instead of @output_fd when set */
  gpointer           output_data;
  SluiceMode         mode;
  char              *pipeline_id;
  char              *run_id;
  char              *items_key;
  char              *results_key;
  SluiceRedisClient *writer;           /* owned: XADD */
  SluiceRedisClient *reader;           /* owned: XREAD BLOCK holds it */
  guint              window;
  guint              reconnect_ms;

  GPtrArray         *batches;          /* Batch*, owned, by seq: on the stream, not all results in */
  guint              outstanding;      /* items in @batches without a result */
  gsize              outstanding_bytes;
  GQueue             resend;           /* first seqs of batches to put on the stream again */
  guint64            next_seq;
  InputState         input_state;
  gboolean           sending;
  gboolean           reading;
  gboolean           ever_connected;
  gboolean           finished;
  char              *last_result_id;

  GHashTable        *held;             /* order-by-sequence: seq → GBytes outputs */
  guint64            next_emit;
  gint64             last_emitted;     /* first-wins */
  GString           *out;              /* output not yet written */

  gint64             lost_since;       /* monotonic µs, 0 while connected */
  guint              writer_retry_id;
  guint              reader_retry_id;
  char              *error;
  char              *first_failure;
  gboolean           reader_gone;
  guint64            failed;
  guint64            superseded;
  guint64            duplicates;
  char              *buffer;
  gsize              buffer_size;
};

enum
{
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceRedisDistributor, sluice_redis_distributor, G_TYPE_OBJECT)

static void pump (SluiceRedisDistributor *self);
static void read_results (SluiceRedisDistributor *self);

static void
finish (SluiceRedisDistributor *self,
        const char             *error)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  if (error != NULL && self->error == NULL)
    self->error = g_strdup (error);
  g_clear_handle_id (&self->writer_retry_id, g_source_remove);
  g_clear_handle_id (&self->reader_retry_id, g_source_remove);
  if (self->input != NULL)
    sluice_item_source_close (self->input);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static gboolean
flush_output (SluiceRedisDistributor *self)
{
  gsize written = 0;

  if (self->output_func != NULL)
    {
      if (self->out->len > 0)
        self->output_func (self->out->str, self->out->len, self->output_data);
      g_string_truncate (self->out, 0);
      return TRUE;
    }
  while (written < self->out->len)
    {
      ssize_t n = write (self->output_fd, self->out->str + written, self->out->len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_autofree char *message = NULL;

          if (errno == EPIPE)
            self->reader_gone = TRUE;
          message = g_strdup_printf ("cannot write the output: %s", g_strerror (errno));
          g_string_truncate (self->out, 0);
          finish (self, message);
          return FALSE;
        }
      written += n;
    }
  g_string_truncate (self->out, 0);
  return TRUE;
}

static void
emit_outputs (SluiceRedisDistributor *self,
              const char             *outputs,
              gsize                   length)
{
  g_string_append_len (self->out, outputs, length);
  if (self->out->len >= OUTPUT_BUFFER)
    flush_output (self);
}

static gboolean
is_complete (SluiceRedisDistributor *self)
{
  return self->input_state == INPUT_ENDED && self->batches->len == 0 && !self->sending;
}

static void
results_deleted_cb (SluiceRedisClient *client,
                    redisReply        *reply,
                    const char        *error,
                    gpointer           user_data)
{
  finish (user_data, NULL);
}

static void
maybe_complete (SluiceRedisDistributor *self)
{
  SluiceRedisArgs *args;

  if (self->finished || !is_complete (self))
    return;
  /* order-by-sequence holds nothing now: every item is in. */
  g_assert (g_hash_table_size (self->held) == 0);
  if (!flush_output (self))
    return;
  /* The results stream was this run's only. */
  args = sluice_redis_args_new ("DEL");
  sluice_redis_args_add (args, self->results_key);
  sluice_redis_client_send (self->writer, args, results_deleted_cb, self);
}

/* The index of the batch that holds @seq, or -1. */
static int
find_batch (SluiceRedisDistributor *self,
            guint64                 seq)
{
  int low = 0, high = (int) self->batches->len - 1;

  while (low <= high)
    {
      int middle = low + (high - low) / 2;
      Batch *batch = g_ptr_array_index (self->batches, middle);

      if (seq < batch->first)
        high = middle - 1;
      else if (seq - batch->first >= batch->n)
        low = middle + 1;
      else
        return middle;
    }
  return -1;
}

/* Whether @seq is on the stream without a result; it has one now. */
static gboolean
mark_result (SluiceRedisDistributor *self,
             guint64                 seq)
{
  int index = find_batch (self, seq);
  Batch *batch;

  if (index < 0)
    return FALSE;
  batch = g_ptr_array_index (self->batches, index);
  if (batch->has_result[seq - batch->first])
    return FALSE;
  batch->has_result[seq - batch->first] = TRUE;
  self->outstanding--;
  if (--batch->remaining == 0)
    {
      self->outstanding_bytes -= batch->text->len;
      g_ptr_array_remove_index (self->batches, index);
    }
  return TRUE;
}

/* One item's result: its outputs (JSON lines) or its failure. */
static void
take_result (SluiceRedisDistributor *self,
             guint64                 seq,
             const char             *outputs,
             gsize                   length,
             const char             *error)
{
  if (!mark_result (self, seq))
    {
      /* At-least-once: a second result for an item already in. */
      self->duplicates++;
      return;
    }

  if (error != NULL)
    {
      self->failed++;
      if (self->first_failure == NULL)
        self->first_failure = g_strdup_printf ("item %" G_GUINT64_FORMAT ": %s", seq + 1, error);
      outputs = "";
      length = 0;
    }

  switch (self->mode)
    {
    case SLUICE_MODE_ORDER_BY_SEQUENCE:
      if (seq != self->next_emit)
        {
          g_hash_table_insert (self->held, GSIZE_TO_POINTER (seq), g_bytes_new (outputs, length));
          return;
        }
      emit_outputs (self, outputs, length);
      self->next_emit++;
      for (;;)
        {
          GBytes *held = g_hash_table_lookup (self->held, GSIZE_TO_POINTER (self->next_emit));
          gsize held_length;
          const char *data;

          if (held == NULL)
            break;
          data = g_bytes_get_data (held, &held_length);
          emit_outputs (self, data, held_length);
          g_hash_table_remove (self->held, GSIZE_TO_POINTER (self->next_emit));
          self->next_emit++;
        }
      break;

    case SLUICE_MODE_FIRST_WINS:
      if (error == NULL && self->last_emitted >= 0 && (gint64) seq <= self->last_emitted)
        {
          self->superseded++;
          return;
        }
      emit_outputs (self, outputs, length);
      if (error == NULL)
        self->last_emitted = (gint64) seq;
      break;

    case SLUICE_MODE_NO_ORDER:
    case SLUICE_MODE_NOT_PARALLEL:
    default:
      emit_outputs (self, outputs, length);
      break;
    }
}

/* o.K of an entry of several items: m.K says how many bytes are each
 * one's, "x" for an item not in it. Stops at anything malformed. */
static void
take_several (SluiceRedisDistributor *self,
              guint64                 seq,
              const char             *lengths,
              gsize                   lengths_length,
              const char             *outputs,
              gsize                   length)
{
  const char *p = lengths, *end = lengths + lengths_length;
  gsize offset = 0;

  while (p < end && !self->finished)
    {
      const char *comma = memchr (p, ',', end - p);
      const char *stop = comma != NULL ? comma : end;

      if (stop - p == 1 && *p == 'x')
        ;
      else
        {
          guint64 n = 0;

          if (p == stop || stop - p > 12)
            return;
          for (const char *d = p; d < stop; d++)
            {
              if (!g_ascii_isdigit (*d))
                return;
              n = n * 10 + (guint64) (*d - '0');
            }
          if (n > length - offset)
            return;
          take_result (self, seq, outputs + offset, n, NULL);
          offset += n;
        }
      seq++;
      p = stop + 1;
    }
}

/* A results entry: s.K seq, then o.K outputs (m.K o.K for several
 * items from seq on) or e.K error, repeated. */
static void
take_results_entry (SluiceRedisDistributor *self,
                    redisReply             *fields)
{
  guint64 seq = 0;
  gboolean have_seq = FALSE;
  redisReply *lengths = NULL;

  for (gsize i = 0; i + 1 < fields->elements; i += 2)
    {
      redisReply *name = fields->element[i];
      redisReply *value = fields->element[i + 1];

      if (name->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING || name->len < 2)
        continue;
      if (name->str[0] == 's' && name->str[1] == '.')
        {
          g_autofree char *text = g_strndup (value->str, value->len);

          have_seq = g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seq, NULL);
          lengths = NULL;
        }
      else if (have_seq && name->str[0] == 'm' && name->str[1] == '.')
        lengths = value;
      else if (have_seq && name->str[0] == 'o' && name->str[1] == '.')
        {
          if (lengths != NULL)
            take_several (self, seq, lengths->str, lengths->len, value->str, value->len);
          else
            take_result (self, seq, value->str, value->len, NULL);
          have_seq = FALSE;
          lengths = NULL;
        }
      else if (have_seq && name->str[0] == 'e' && name->str[1] == '.')
        {
          g_autofree char *text = g_utf8_make_valid (value->str, value->len);

          take_result (self, seq, NULL, 0, text);
          have_seq = FALSE;
        }
    }
}

static void
results_cb (SluiceRedisClient *client,
            redisReply        *reply,
            const char        *error,
            gpointer           user_data)
{
  SluiceRedisDistributor *self = user_data;

  self->reading = FALSE;
  if (self->finished)
    return;
  if (error != NULL)
    {
      if (sluice_redis_client_is_connected (client))
        {
          g_autofree char *message = g_strdup_printf ("reading %s: %s", self->results_key, error);
          finish (self, message);
        }
      return;
    }

  if (sluice_redis_reply_is_array (reply) && reply->elements == 1 &&
      sluice_redis_reply_is_array (reply->element[0]) && reply->element[0]->elements == 2)
    {
      redisReply *entries = reply->element[0]->element[1];

      for (gsize i = 0; sluice_redis_reply_is_array (entries) && i < entries->elements; i++)
        {
          redisReply *entry = entries->element[i];

          if (!sluice_redis_reply_is_array (entry) || entry->elements != 2 ||
              entry->element[0]->type != REDIS_REPLY_STRING)
            continue;
          g_free (self->last_result_id);
          self->last_result_id = g_strdup (entry->element[0]->str);
          if (sluice_redis_reply_is_array (entry->element[1]))
            take_results_entry (self, entry->element[1]);
          if (self->finished)
            return;
        }
      /* Results arrive in batches: write what they let out now. */
      if (!flush_output (self))
        return;
    }

  pump (self);
  maybe_complete (self);
  read_results (self);
}

static void
read_results (SluiceRedisDistributor *self)
{
  SluiceRedisArgs *args;

  if (self->reading || self->finished || !sluice_redis_client_is_connected (self->reader))
    return;
  self->reading = TRUE;
  args = sluice_redis_args_new ("XREAD");
  sluice_redis_args_add (args, "COUNT");
  sluice_redis_args_add (args, "1000");
  sluice_redis_args_add (args, "BLOCK");
  sluice_redis_args_add (args, "1000");
  sluice_redis_args_add (args, "STREAMS");
  sluice_redis_args_add (args, self->results_key);
  sluice_redis_args_add (args, self->last_result_id);
  sluice_redis_client_send (self->reader, args, results_cb, self);
}

typedef struct
{
  SluiceRedisDistributor *self;
  gboolean                last;  /* the batch's last reply */
} SendReply;

static void
sent_cb (SluiceRedisClient *client,
         redisReply        *reply,
         const char        *error,
         gpointer           user_data)
{
  SluiceRedisDistributor *self = user_data;

  if (error != NULL && sluice_redis_client_is_connected (client) && !self->finished)
    {
      g_autofree char *message = g_strdup_printf ("cannot add items to %s: %s", self->items_key, error);
      finish (self, message);
    }
}

static void
batch_sent_cb (SluiceRedisClient *client,
               redisReply        *reply,
               const char        *error,
               gpointer           user_data)
{
  SluiceRedisDistributor *self = user_data;

  sent_cb (client, reply, error, user_data);
  self->sending = FALSE;
  if (self->finished)
    return;
  pump (self);
  maybe_complete (self);
}

/* One entry: "item" for one, "items" (JSON lines) for several. */
static void
send_batch (SluiceRedisDistributor *self,
            Batch                  *batch,
            gboolean                last)
{
  SluiceRedisArgs *args = sluice_redis_args_new ("XADD");

  sluice_redis_args_add (args, self->items_key);
  sluice_redis_args_add (args, "*");
  sluice_redis_args_add (args, "run");
  sluice_redis_args_add (args, self->run_id);
  sluice_redis_args_add (args, "seq");
  sluice_redis_args_add_uint (args, batch->first);
  sluice_redis_args_add (args, batch->n > 1 ? "items" : "item");
  /* Without the last newline. */
  sluice_redis_args_add_len (args, batch->text->str, batch->text->len - 1);
  sluice_redis_client_send (self->writer, args, last ? batch_sent_cb : sent_cb, self);
}

/* Appends the next input item to @text as a line, or FALSE (and the
 * input state says why). */
static gboolean
next_input (SluiceRedisDistributor  *self,
            GString                 *text)
{
  g_autoptr(GError) error = NULL;
  json_t *item = NULL;
  gpointer tag = NULL;
  gsize length;

  if (self->trigger)
    {
      self->trigger = FALSE;
      self->input_state = INPUT_ENDED;
      g_string_append (text, "{}\n");
      return TRUE;
    }
  if (self->input == NULL)
    {
      self->input_state = INPUT_ENDED;
      return FALSE;
    }

  for (;;)
    switch (sluice_item_source_next (self->input, &item, &tag, &error))
      {
      case SLUICE_SOURCE_ITEM:
        length = sluice_item_to_text (item, &self->buffer, &self->buffer_size);
        json_decref (item);
        if (length == 0)
          {
            finish (self, "an input item is nested too deep");
            return FALSE;
          }
        g_string_append_len (text, self->buffer, length);
        g_string_append_c (text, '\n');
        return TRUE;
      case SLUICE_SOURCE_WAIT:
        self->input_state = INPUT_WAITING;
        return FALSE;
      case SLUICE_SOURCE_END:
        self->input_state = INPUT_ENDED;
        return FALSE;
      case SLUICE_SOURCE_REJECTED:
        /* A number no double holds: that item is not run, as in-process. */
        g_printerr ("sluice-run: %s\n", error->message);
        g_clear_error (&error);
        continue;
      case SLUICE_SOURCE_ERROR:
      default:
        finish (self, error->message);
        return FALSE;
      }
}

/* With @extra items (of @extra_bytes) about to join them. */
static gboolean
window_full (SluiceRedisDistributor *self,
             guint                   extra,
             gsize                   extra_bytes)
{
  guint in_flight = self->outstanding + extra;

  if (self->mode == SLUICE_MODE_NOT_PARALLEL)
    return in_flight >= 1;
  return in_flight >= self->window || self->outstanding_bytes + extra_bytes >= WINDOW_BYTES;
}

/* A new batch from the input: up to ENTRY_ITEMS items, fewer when the
 * input has no more now, the window is full or they are big. */
static Batch *
next_batch (SluiceRedisDistributor *self)
{
  GString *text = NULL;
  guint n = 0;
  guint most = self->mode == SLUICE_MODE_NOT_PARALLEL ? 1 : ENTRY_ITEMS;
  Batch *batch;

  while (n < most && self->input_state == INPUT_READING && !self->finished &&
         !window_full (self, n, text != NULL ? text->len : 0) &&
         (text == NULL || text->len < ENTRY_BYTES))
    {
      if (text == NULL)
        text = g_string_sized_new (1024);
      if (!next_input (self, text))
        break;
      n++;
    }
  if (n == 0 || self->finished)
    {
      if (text != NULL)
        g_string_free (text, TRUE);
      return NULL;
    }
  batch = batch_new (self->next_seq, n, text);
  self->next_seq += n;
  self->outstanding += n;
  self->outstanding_bytes += text->len;
  g_ptr_array_add (self->batches, batch);
  return batch;
}

/* Puts items on the stream: first those to send again, then new ones. */
static void
pump (SluiceRedisDistributor *self)
{
  g_autoptr(GPtrArray) to_send = NULL;

  if (self->sending || self->finished || !sluice_redis_client_is_connected (self->writer))
    return;

  to_send = g_ptr_array_new ();
  while (to_send->len < SEND_BATCH && !g_queue_is_empty (&self->resend))
    {
      guint64 first = GPOINTER_TO_SIZE (g_queue_pop_head (&self->resend));
      int index = find_batch (self, first);

      if (index >= 0)
        g_ptr_array_add (to_send, g_ptr_array_index (self->batches, index));
    }
  while (to_send->len < SEND_BATCH)
    {
      Batch *batch = next_batch (self);

      if (batch == NULL)
        break;
      g_ptr_array_add (to_send, batch);
    }

  /* The replies come after this returns: @to_send stays valid. */
  for (guint i = 0; !self->finished && i < to_send->len; i++)
    send_batch (self, g_ptr_array_index (to_send, i), i + 1 == to_send->len);
  self->sending = !self->finished && to_send->len > 0;
}

static void
input_ready_cb (SluiceItemSource       *source,
                SluiceRedisDistributor *self)
{
  if (self->input_state == INPUT_WAITING)
    self->input_state = INPUT_READING;
  pump (self);
  maybe_complete (self);
}

static gboolean
retry_cb (gpointer user_data)
{
  SluiceRedisDistributor *self = user_data;

  if (!sluice_redis_client_is_connected (self->writer) && self->writer_retry_id != 0)
    {
      self->writer_retry_id = 0;
      sluice_redis_client_connect (self->writer);
    }
  if (!sluice_redis_client_is_connected (self->reader) && self->reader_retry_id != 0)
    {
      self->reader_retry_id = 0;
      sluice_redis_client_connect (self->reader);
    }
  return G_SOURCE_REMOVE;
}

static void
connected_cb (SluiceRedisClient      *client,
              SluiceRedisDistributor *self)
{
  if (client == self->writer)
    {
      if (self->ever_connected)
        {
          /* Redis may have lost what it took last: send again what has
           * no result (duplicates are recognised by their seq). */
          g_queue_clear (&self->resend);
          for (guint i = 0; i < self->batches->len; i++)
            g_queue_push_tail (&self->resend,
                               GSIZE_TO_POINTER (((Batch *) g_ptr_array_index (self->batches, i))->first));
        }
      pump (self);
    }
  else
    read_results (self);

  if (sluice_redis_client_is_connected (self->writer) && sluice_redis_client_is_connected (self->reader))
    {
      if (self->ever_connected)
        g_printerr ("sluice-run: %s: connected again\n", sluice_redis_client_get_url (client)->display);
      self->ever_connected = TRUE;
      self->lost_since = 0;
    }
}

static void
disconnected_cb (SluiceRedisClient      *client,
                 const char             *message,
                 SluiceRedisDistributor *self)
{
  guint *retry_id = client == self->writer ? &self->writer_retry_id : &self->reader_retry_id;
  gint64 now = g_get_monotonic_time ();

  if (self->finished)
    return;
  if (!self->ever_connected)
    {
      finish (self, message);
      return;
    }
  if (client == self->writer)
    self->sending = FALSE;
  else
    self->reading = FALSE;
  if (self->lost_since == 0)
    {
      self->lost_since = now;
      g_printerr ("sluice-run: %s; trying again for %u s\n", message, self->reconnect_ms / 1000);
    }
  else if (now - self->lost_since > (gint64) self->reconnect_ms * 1000)
    {
      g_autofree char *error = g_strdup_printf ("%s (gave up after %u s)", message, self->reconnect_ms / 1000);
      finish (self, error);
      return;
    }
  if (*retry_id == 0)
    *retry_id = g_timeout_add (500, retry_cb, self);
}

void
sluice_redis_distributor_set_output_func (SluiceRedisDistributor *self,
                                          SluiceRedisOutputFunc   func,
                                          gpointer                user_data)
{
  g_return_if_fail (SLUICE_IS_REDIS_DISTRIBUTOR (self));

  self->output_func = func;
  self->output_data = user_data;
}

void
sluice_redis_distributor_start (SluiceRedisDistributor *self)
{
  g_return_if_fail (SLUICE_IS_REDIS_DISTRIBUTOR (self));

  sluice_redis_client_connect (self->writer);
  sluice_redis_client_connect (self->reader);
}

void
sluice_redis_distributor_cancel (SluiceRedisDistributor *self)
{
  g_return_if_fail (SLUICE_IS_REDIS_DISTRIBUTOR (self));

  flush_output (self);
  finish (self, "cancelled");
}

const char *
sluice_redis_distributor_get_error (SluiceRedisDistributor *self)
{
  return self->error;
}

gboolean
sluice_redis_distributor_get_reader_gone (SluiceRedisDistributor *self)
{
  return self->reader_gone;
}

const char *
sluice_redis_distributor_get_run_id (SluiceRedisDistributor *self)
{
  return self->run_id;
}

guint64
sluice_redis_distributor_get_items (SluiceRedisDistributor *self)
{
  return self->next_seq;
}

guint64
sluice_redis_distributor_get_failed (SluiceRedisDistributor *self)
{
  return self->failed;
}

const char *
sluice_redis_distributor_get_first_failure (SluiceRedisDistributor *self)
{
  return self->first_failure;
}

guint64
sluice_redis_distributor_get_superseded (SluiceRedisDistributor *self)
{
  return self->superseded;
}

guint64
sluice_redis_distributor_get_duplicates (SluiceRedisDistributor *self)
{
  return self->duplicates;
}

static void
sluice_redis_distributor_dispose (GObject *object)
{
  SluiceRedisDistributor *self = SLUICE_REDIS_DISTRIBUTOR (object);

  g_clear_handle_id (&self->writer_retry_id, g_source_remove);
  g_clear_handle_id (&self->reader_retry_id, g_source_remove);
  if (self->writer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->writer, self);
      sluice_redis_client_close (self->writer);
    }
  if (self->reader != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reader, self);
      sluice_redis_client_close (self->reader);
    }
  if (self->input != NULL)
    g_signal_handlers_disconnect_by_data (self->input, self);
  g_clear_object (&self->writer);
  g_clear_object (&self->reader);
  g_clear_object (&self->input);
  G_OBJECT_CLASS (sluice_redis_distributor_parent_class)->dispose (object);
}

static void
sluice_redis_distributor_finalize (GObject *object)
{
  SluiceRedisDistributor *self = SLUICE_REDIS_DISTRIBUTOR (object);

  g_ptr_array_unref (self->batches);
  g_hash_table_unref (self->held);
  g_queue_clear (&self->resend);
  g_string_free (self->out, TRUE);
  g_free (self->pipeline_id);
  g_free (self->run_id);
  g_free (self->items_key);
  g_free (self->results_key);
  g_free (self->last_result_id);
  g_free (self->error);
  g_free (self->first_failure);
  g_free (self->buffer);
  G_OBJECT_CLASS (sluice_redis_distributor_parent_class)->finalize (object);
}

static void
sluice_redis_distributor_class_init (SluiceRedisDistributorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_redis_distributor_dispose;
  object_class->finalize = sluice_redis_distributor_finalize;

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sluice_redis_distributor_init (SluiceRedisDistributor *self)
{
  self->batches = g_ptr_array_new_with_free_func ((GDestroyNotify) batch_free);
  self->held = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                      (GDestroyNotify) g_bytes_unref);
  g_queue_init (&self->resend);
  self->out = g_string_sized_new (OUTPUT_BUFFER * 2);
  self->last_result_id = g_strdup ("0-0");
  self->last_emitted = -1;
}

static SluiceMode
first_mode (SluicePipeline *pipeline)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  g_autoptr(SluiceController) first = NULL;

  if (g_list_model_get_n_items (controllers) == 0)
    return SLUICE_MODE_NO_ORDER;
  first = g_list_model_get_item (controllers, 0);
  return sluice_controller_get_mode (first);
}

SluiceRedisDistributor *
sluice_redis_distributor_new (SluicePipeline                      *pipeline,
                              const SluiceRedisUrl                *url,
                              SluiceItemSource                    *input,
                              int                                  output_fd,
                              const SluiceRedisDistributorOptions *options)
{
  SluiceRedisDistributor *self;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (url != NULL && options != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_REDIS_DISTRIBUTOR, NULL);
  self->pipeline_id = g_strdup (options->stream_id != NULL ? options->stream_id
                                : sluice_node_get_id (SLUICE_NODE (pipeline)));
  self->run_id = g_uuid_string_random ();
  self->items_key = sluice_redis_items_key (self->pipeline_id);
  self->results_key = sluice_redis_results_key (self->pipeline_id, self->run_id);
  self->mode = first_mode (pipeline);
  self->output_fd = output_fd;
  self->window = MAX (options->window, 1);
  self->reconnect_ms = options->reconnect_ms;
  self->trigger = input == NULL;
  if (input != NULL)
    {
      self->input = g_object_ref (input);
      g_signal_connect (input, "ready", G_CALLBACK (input_ready_cb), self);
    }

  self->writer = sluice_redis_client_new (url);
  self->reader = sluice_redis_client_new (url);
  g_signal_connect (self->writer, "connected", G_CALLBACK (connected_cb), self);
  g_signal_connect (self->reader, "connected", G_CALLBACK (connected_cb), self);
  g_signal_connect (self->writer, "disconnected", G_CALLBACK (disconnected_cb), self);
  g_signal_connect (self->reader, "disconnected", G_CALLBACK (disconnected_cb), self);
  return self;
}
