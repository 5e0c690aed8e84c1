/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-item-text.h"
#include "sluice-json.h"
#include "sluice-queue-source.h"
#include "sluice-redis-entry.h"
#include "sluice-redis-keys.h"
#include "sluice-redis-trim.h"
#include "sluice-redis-worker.h"

/* The most entries written (results, acks) in one go. */
#define WRITE_BATCH 4096

struct _SluiceRedisWorker
{
  GObject             parent_instance;

  SluiceRun          *run;            /* owned */
  SluiceExecutor     *executor;       /* borrowed from @run */
  SluiceQueueSource  *source;         /* owned */
  SluiceRedisClient  *reader;         /* owned: XREADGROUP BLOCK holds it */
  SluiceRedisClient  *writer;         /* owned: everything else */
  char               *pipeline_id;
  char               *items_key;
  char               *dead_key;
  char               *group;
  char               *consumer;
  guint               batch;
  guint               max_deliveries;
  guint               visibility_ms;

  guint               in_work;        /* items handed to the run and not done */
  guint               held;           /* items read and not yet written */
  guint               finished_items; /* items of the entries in @finished */
  double              items_per_entry;/* of the last read, for its COUNT */
  GPtrArray          *finished;       /* SluiceRedisEntry*, owned: to write */
  GString            *outputs;        /* reused: one entry's outputs for a write */
  GString            *lengths;        /* reused: their lengths */
  gboolean            reading;
  gboolean            writing;
  gboolean            claiming;
  gboolean            group_ready;
  gboolean            creating_group;
  gboolean            ever_connected;
  gboolean            stopping;
  gboolean            stopped;
  char               *claim_cursor;
  guint               claim_id;
  guint               reader_retry_id;
  guint               writer_retry_id;
  guint               stop_deadline_id;
  guint               write_timer_id;
  guint               trim_id;
  guint               read_delay_id;  /* a short pause after a thin read */
  gboolean            trimming;
  char               *buffer;         /* reused for outputs as text */
  gsize               buffer_size;
  guint64             done;
  guint64             dead;
};

enum
{
  SIGNAL_STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void sink_iface_init (SluiceItemSinkInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceRedisWorker, sluice_redis_worker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SINK, sink_iface_init))

static void maybe_read (SluiceRedisWorker *self);
static void write_finished (SluiceRedisWorker *self);
static void ensure_group (SluiceRedisWorker *self);

static void
log_message (SluiceRedisWorker *self,
             const char        *message)
{
  g_printerr ("sluice-run worker: %s: %s\n", self->pipeline_id, message);
}

static void
finish_stop (SluiceRedisWorker *self,
             const char        *error)
{
  if (self->stopped)
    return;
  self->stopped = TRUE;
  g_clear_handle_id (&self->claim_id, g_source_remove);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  g_clear_handle_id (&self->read_delay_id, g_source_remove);
  g_clear_handle_id (&self->stop_deadline_id, g_source_remove);
  g_clear_handle_id (&self->reader_retry_id, g_source_remove);
  g_clear_handle_id (&self->writer_retry_id, g_source_remove);
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
}

static void
fatal (SluiceRedisWorker *self,
       const char        *error)
{
  self->stopping = TRUE;
  finish_stop (self, error);
}

/* Stopping ends once the run is over and all it did is written. */
static void
check_stopped (SluiceRedisWorker *self)
{
  if (self->stopping && !self->stopped && self->in_work == 0 && self->held == 0 &&
      self->finished->len == 0 && !self->writing &&
      sluice_run_state_is_final (sluice_executor_get_state (self->executor)))
    finish_stop (self, NULL);
}

static guint
entry_items (SluiceRedisEntry *entry)
{
  return MAX (entry->n_slots, 1);
}

static void
entry_finished (SluiceRedisWorker *self,
                SluiceRedisEntry  *entry)
{
  self->finished_items += entry_items (entry);
  g_ptr_array_add (self->finished, entry);
}

/* An entry's items to run; what is no item goes to the dead-letter
 * stream (the entry, or one of its lines). */
static void
accept_entry (SluiceRedisWorker *self,
              SluiceRedisEntry  *entry)
{
  self->held += entry_items (entry);
  if (entry->invalid != NULL)
    {
      entry_finished (self, entry);
      return;
    }

  for (guint i = 0; i < entry->n_slots; i++)
    {
      SluiceRedisSlot *slot = &entry->slots[i];
      g_autoptr(GError) error = NULL;
      json_t *item = sluice_json_parse_item (entry->item + slot->offset, slot->length, &error);

      if (item == NULL)
        {
          slot->invalid = g_strdup_printf ("the item is not a JSON object: %s", error->message);
          slot->done = TRUE;
          continue;
        }
      entry->n_running++;
      self->in_work++;
      sluice_queue_source_push (self->source, item, slot);
    }
  if (entry->n_running == 0)
    entry_finished (self, entry);
}

static gboolean
read_delay_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->read_delay_id = 0;
  maybe_read (self);
  return G_SOURCE_REMOVE;
}

static void
read_cb (SluiceRedisClient *client,
         redisReply        *reply,
         const char        *error,
         gpointer           user_data)
{
  SluiceRedisWorker *self = user_data;

  self->reading = FALSE;
  if (error != NULL)
    {
      if (strstr (error, "NOGROUP") != NULL)
        {
          /* Someone deleted the stream or the group: make them again. */
          self->group_ready = FALSE;
          ensure_group (self);
        }
      else if (sluice_redis_client_is_connected (client))
        {
          g_autofree char *message = g_strdup_printf ("%s: %s", self->items_key, error);
          fatal (self, message);
        }
      return;
    }

  if (sluice_redis_reply_is_array (reply) && reply->elements == 1 &&
      sluice_redis_reply_is_array (reply->element[0]) && reply->element[0]->elements == 2)
    {
      redisReply *entries = reply->element[0]->element[1];
      guint items = 0;

      for (gsize i = 0; sluice_redis_reply_is_array (entries) && i < entries->elements; i++)
        {
          SluiceRedisEntry *entry = sluice_redis_entry_parse (entries->element[i], 1);

          items += entry_items (entry);
          accept_entry (self, entry);
        }
      if (items > 0)
        self->items_per_entry = (double) items / entries->elements;
      /* A worker faster than the producers would otherwise read a few
       * items at a time, paying Redis per read for each few: let a
       * batch gather for 2 ms. (Not after a single item: one item in
       * flight at a time, not-parallel, would wait 2 ms per item.) */
      if (items > 1 && items < self->batch / 4 && self->read_delay_id == 0)
        {
          self->read_delay_id = g_timeout_add (2, read_delay_cb, self);
          write_finished (self);
          return;
        }
    }
  write_finished (self);
  maybe_read (self);
}

static void
maybe_read (SluiceRedisWorker *self)
{
  SluiceRedisArgs *args;
  guint count;

  if (!self->group_ready || self->reading || self->stopping || self->read_delay_id != 0 ||
      !sluice_redis_client_is_connected (self->reader) ||
      self->held >= 2 * self->batch)
    return;

  /* Entries carry several items: ask for about a batch of items. */
  count = (guint) CLAMP ((2 * self->batch - self->held) / MAX (self->items_per_entry, 1.0), 1, self->batch);

  self->reading = TRUE;
  args = sluice_redis_args_new ("XREADGROUP");
  sluice_redis_args_add (args, "GROUP");
  sluice_redis_args_add (args, self->group);
  sluice_redis_args_add (args, self->consumer);
  sluice_redis_args_add (args, "COUNT");
  sluice_redis_args_add_uint (args, count);
  sluice_redis_args_add (args, "BLOCK");
  sluice_redis_args_add (args, "1000");
  sluice_redis_args_add (args, "STREAMS");
  sluice_redis_args_add (args, self->items_key);
  sluice_redis_args_add (args, ">");
  sluice_redis_client_send (self->reader, args, read_cb, self);
}

/* One write: the results of each run in one XADD, dead letters, then
 * (in write_done) the acks of what Redis took. */
typedef struct
{
  SluiceRedisWorker *self;
  GPtrArray         *entries;   /* SluiceRedisEntry*, owned: to ack once written */
  GHashTable        *refused;   /* run id → TRUE: its results were not taken */
  guint              replies;   /* still to come */
  gboolean           dead_refused;
} WriteBatch;

static void
write_batch_free (WriteBatch *batch)
{
  g_ptr_array_unref (batch->entries);
  g_hash_table_unref (batch->refused);
  g_free (batch);
}

static void
ack_cb (SluiceRedisClient *client,
        redisReply        *reply,
        const char        *error,
        gpointer           user_data)
{
  SluiceRedisWorker *self = user_data;

  if (error != NULL && sluice_redis_client_is_connected (client))
    log_message (self, error);
}

static void
write_done (WriteBatch *batch)
{
  SluiceRedisWorker *self = batch->self;
  g_autoptr(SluiceRedisArgs) ack = sluice_redis_args_new ("XACK");

  sluice_redis_args_add (ack, self->items_key);
  sluice_redis_args_add (ack, self->group);
  for (guint i = 0; i < batch->entries->len; i++)
    {
      SluiceRedisEntry *entry = g_ptr_array_index (batch->entries, i);

      /* Unacked, it comes back after the visibility time-out. */
      if ((entry->run != NULL && g_hash_table_contains (batch->refused, entry->run)) ||
          (entry->n_dead > 0 && batch->dead_refused))
        continue;
      sluice_redis_args_add (ack, entry->id);
      self->dead += entry->n_dead;
      self->done += entry->n_done;
    }
  if (sluice_redis_args_get_count (ack) > 3 && sluice_redis_client_is_connected (self->writer))
    sluice_redis_client_send (self->writer, g_steal_pointer (&ack), ack_cb, self);

  self->writing = FALSE;
  write_batch_free (batch);
  write_finished (self);
  maybe_read (self);
  check_stopped (self);
}

/* Each reply says which run (or the dead-letter stream) it was for. */
typedef struct
{
  WriteBatch *batch;
  char       *run;    /* NULL: the dead-letter stream */
} WriteReply;

static void
write_reply_cb (SluiceRedisClient *client,
                redisReply        *reply,
                const char        *error,
                gpointer           user_data)
{
  WriteReply *write_reply = user_data;
  WriteBatch *batch = write_reply->batch;

  if (error != NULL)
    {
      if (sluice_redis_client_is_connected (client))
        log_message (batch->self, error);
      if (write_reply->run != NULL)
        g_hash_table_add (batch->refused, g_steal_pointer (&write_reply->run));
      else
        batch->dead_refused = TRUE;
    }
  g_free (write_reply->run);
  g_free (write_reply);
  if (--batch->replies == 0)
    write_done (batch);
}

static void
send_write (WriteBatch      *batch,
            SluiceRedisArgs *args,
            const char      *run)
{
  WriteReply *write_reply = g_new0 (WriteReply, 1);

  write_reply->batch = batch;
  write_reply->run = g_strdup (run);
  batch->replies++;
  sluice_redis_client_send (batch->self->writer, args, write_reply_cb, write_reply);
}

/* The entry, or one item of it when @slot is not NULL. */
static void
add_dead_letter (SluiceRedisWorker *self,
                 WriteBatch        *batch,
                 SluiceRedisEntry  *entry,
                 SluiceRedisSlot   *slot)
{
  SluiceRedisArgs *args = sluice_redis_args_new ("XADD");
  const char *reason = slot == NULL ? entry->invalid : slot->invalid != NULL ? slot->invalid : slot->error;

  sluice_redis_args_add (args, self->dead_key);
  sluice_redis_args_add (args, "*");
  sluice_redis_args_add (args, "run");
  sluice_redis_args_add (args, entry->run != NULL ? entry->run : "");
  sluice_redis_args_add (args, "seq");
  sluice_redis_args_add_uint (args, slot != NULL ? slot->seq : entry->seq);
  sluice_redis_args_add (args, "item");
  if (slot != NULL)
    sluice_redis_args_add_len (args, entry->item + slot->offset, slot->length);
  else
    sluice_redis_args_add_len (args, entry->item != NULL ? entry->item : "", entry->item_length);
  sluice_redis_args_add (args, "error");
  sluice_redis_args_add (args, reason != NULL ? reason : "unknown");
  sluice_redis_args_add (args, "deliveries");
  sluice_redis_args_add_uint (args, entry->deliveries);
  sluice_redis_args_add (args, "entry");
  sluice_redis_args_add (args, entry->id);
  send_write (batch, args, NULL);
}

static SluiceRedisArgs *
results_args (SluiceRedisWorker *self,
              GHashTable        *by_run,
              const char        *run)
{
  SluiceRedisArgs *args = g_hash_table_lookup (by_run, run);

  if (args == NULL)
    {
      g_autofree char *key_name = sluice_redis_results_key (self->pipeline_id, run);

      args = sluice_redis_args_new ("XADD");
      sluice_redis_args_add (args, key_name);
      sluice_redis_args_add (args, "*");
      g_hash_table_insert (by_run, (gpointer) run, args);
    }
  return args;
}

/* A failure for good: s.K SEQ, e.K why. */
static void
add_failure (SluiceRedisArgs *args,
             guint64          seq,
             guint            deliveries,
             const char      *reason)
{
  g_autofree char *why = g_strdup_printf ("dead-lettered after %u deliveries: %s", deliveries, reason);
  char field[32];

  g_snprintf (field, sizeof field, "s.%u", sluice_redis_args_get_count (args));
  sluice_redis_args_add (args, field);
  sluice_redis_args_add_uint (args, seq);
  field[0] = 'e';
  sluice_redis_args_add (args, field);
  sluice_redis_args_add (args, why);
}

/* The outputs of an entry's items that went through: s.K its first seq
 * and o.K their outputs; when it has several items, m.K between them
 * says how many bytes of o.K are each item's ("x": none from this
 * one, it failed). */
static void
add_outputs (SluiceRedisWorker *self,
             SluiceRedisArgs   *args,
             SluiceRedisEntry  *entry)
{
  char field[32];

  g_string_truncate (self->outputs, 0);
  g_string_truncate (self->lengths, 0);
  for (guint i = 0; i < entry->n_slots; i++)
    {
      SluiceRedisSlot *slot = &entry->slots[i];

      if (i > 0)
        g_string_append_c (self->lengths, ',');
      if (slot->error != NULL || slot->invalid != NULL)
        {
          g_string_append_c (self->lengths, 'x');
          continue;
        }
      g_string_append_printf (self->lengths, "%" G_GSIZE_FORMAT, slot->outputs != NULL ? slot->outputs->len : 0);
      if (slot->outputs != NULL)
        g_string_append_len (self->outputs, slot->outputs->str, slot->outputs->len);
    }

  g_snprintf (field, sizeof field, "s.%u", sluice_redis_args_get_count (args));
  sluice_redis_args_add (args, field);
  sluice_redis_args_add_uint (args, entry->seq);
  if (entry->n_slots > 1)
    {
      field[0] = 'm';
      sluice_redis_args_add (args, field);
      sluice_redis_args_add_len (args, self->lengths->str, self->lengths->len);
    }
  field[0] = 'o';
  sluice_redis_args_add (args, field);
  sluice_redis_args_add_len (args, self->outputs->str, self->outputs->len);
}

/* What an entry's write holds: its outputs, its items that failed for
 * good (dead letters, and their failures for their run), or nothing but
 * the outputs when an item failed with deliveries left (then it is not
 * acked, and comes back whole after the visibility time-out: the
 * producer drops the outputs it already has). */
static void
plan_entry (SluiceRedisWorker *self,
            SluiceRedisEntry  *entry)
{
  entry->n_dead = 0;
  entry->n_done = 0;
  entry->retry = FALSE;
  if (entry->invalid != NULL)
    {
      entry->n_dead = 1;
      return;
    }
  for (guint i = 0; i < entry->n_slots; i++)
    {
      SluiceRedisSlot *slot = &entry->slots[i];

      if (slot->invalid != NULL)
        entry->n_dead++;
      else if (slot->error != NULL)
        {
          entry->n_dead++;
          if (entry->deliveries < self->max_deliveries)
            entry->retry = TRUE;
        }
      else
        entry->n_done++;
    }
  if (entry->retry)
    entry->n_dead = 0;
}

static void
write_entry (SluiceRedisWorker *self,
             WriteBatch        *batch,
             GHashTable        *by_run,
             SluiceRedisEntry  *entry)
{
  SluiceRedisArgs *args;

  if (entry->invalid != NULL)
    {
      add_dead_letter (self, batch, entry, NULL);
      if (entry->run != NULL)
        add_failure (results_args (self, by_run, entry->run), entry->seq, entry->deliveries, entry->invalid);
      return;
    }

  args = results_args (self, by_run, entry->run);
  if (entry->n_done > 0)
    add_outputs (self, args, entry);
  if (entry->retry)
    return;
  for (guint i = 0; i < entry->n_slots; i++)
    {
      SluiceRedisSlot *slot = &entry->slots[i];
      const char *reason = slot->invalid != NULL ? slot->invalid : slot->error;

      if (reason == NULL)
        continue;
      add_dead_letter (self, batch, entry, slot);
      add_failure (args, slot->seq, entry->deliveries, reason);
    }
}

/* Which entries go where: results of a run in one XADD (outputs, or
 * the errors of items that went to the dead-letter stream). */
static void
write_finished (SluiceRedisWorker *self)
{
  g_autoptr(GHashTable) by_run = NULL;
  g_autoptr(GPtrArray) retried = NULL;
  WriteBatch *batch;
  GHashTableIter iter;
  gpointer key, value;
  guint n;

  if (self->writing || self->finished->len == 0 ||
      !sluice_redis_client_is_connected (self->writer))
    return;

  batch = g_new0 (WriteBatch, 1);
  batch->self = self;
  batch->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_redis_entry_free);
  batch->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  by_run = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sluice_redis_args_free);
  /* Freed once their outputs are in the commands. */
  retried = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_redis_entry_free);

  n = MIN (self->finished->len, WRITE_BATCH);
  for (guint i = 0; i < n; i++)
    {
      SluiceRedisEntry *entry = g_ptr_array_index (self->finished, i);

      self->finished_items -= entry_items (entry);
      self->held -= entry_items (entry);
      plan_entry (self, entry);
      write_entry (self, batch, by_run, entry);
      g_ptr_array_add (entry->retry ? retried : batch->entries, entry);
    }
  g_ptr_array_remove_range (self->finished, 0, n);

  g_hash_table_iter_init (&iter, by_run);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_iter_steal (&iter);
      /* A run with nothing to say (all its items retried): no XADD. */
      if (sluice_redis_args_get_count (value) > 3)
        send_write (batch, value, key);
      else
        sluice_redis_args_free (value);
    }

  if (batch->replies == 0)
    {
      /* Only retried failures: nothing to write or ack. */
      write_batch_free (batch);
      check_stopped (self);
      return;
    }
  self->writing = TRUE;
}

/* The item source's half is the queue; this is the sink's. */
static gboolean
sink_write (SluiceItemSink  *sink,
            json_t          *item,
            gpointer         tag,
            GError         **error)
{
  SluiceRedisWorker *self = SLUICE_REDIS_WORKER (sink);
  SluiceRedisSlot *slot = tag;
  gsize length;

  g_return_val_if_fail (slot != NULL, FALSE);
  length = sluice_item_to_text (item, &self->buffer, &self->buffer_size);
  if (length == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "an output item is nested too deep to write");
      return FALSE;
    }
  if (slot->outputs == NULL)
    slot->outputs = g_string_sized_new (length + 1);
  g_string_append_len (slot->outputs, self->buffer, length);
  g_string_append_c (slot->outputs, '\n');
  return TRUE;
}

static void
sink_done (SluiceItemSink *sink,
           gpointer        tag,
           const char     *error)
{
  SluiceRedisWorker *self = SLUICE_REDIS_WORKER (sink);
  SluiceRedisSlot *slot = tag;
  SluiceRedisEntry *entry = slot->entry;

  g_assert (self->in_work > 0 && entry->n_running > 0);
  self->in_work--;
  slot->done = TRUE;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf ("entry %s (run %s, item %" G_GUINT64_FORMAT ", delivery %u): %s",
                                                  entry->id, entry->run, slot->seq, entry->deliveries, error);
      slot->error = g_strdup (error);
      log_message (self, message);
    }
  if (--entry->n_running == 0)
    entry_finished (self, entry);
}

static gboolean
write_timer_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->write_timer_id = 0;
  write_finished (self);
  maybe_read (self);
  return G_SOURCE_REMOVE;
}

/* Results are written a batch at a time, or after a millisecond, or at
 * once when nothing else runs: every write is a round of XADD and XACK,
 * whose cost in Redis is per command as much as per entry. */
static gboolean
sink_flush (SluiceItemSink  *sink,
            GError         **error)
{
  SluiceRedisWorker *self = SLUICE_REDIS_WORKER (sink);

  if (self->finished_items >= self->batch || self->in_work == 0 || self->stopping)
    write_finished (self);
  else if (self->finished->len > 0 && self->write_timer_id == 0)
    self->write_timer_id = g_timeout_add (1, write_timer_cb, self);
  maybe_read (self);
  return TRUE;
}

static void
sink_iface_init (SluiceItemSinkInterface *iface)
{
  iface->write = sink_write;
  iface->done = sink_done;
  iface->flush = sink_flush;
}

/* Claiming: entries idle past the visibility time-out. */
typedef struct
{
  SluiceRedisWorker *self;
  GPtrArray         *entries;   /* SluiceRedisEntry*, owned */
} Claim;

static void
pending_cb (SluiceRedisClient *client,
            redisReply        *reply,
            const char        *error,
            gpointer           user_data)
{
  Claim *claim = user_data;
  SluiceRedisWorker *self = claim->self;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);

  self->claiming = FALSE;
  for (gsize i = 0; error == NULL && sluice_redis_reply_is_array (reply) && i < reply->elements; i++)
    {
      redisReply *row = reply->element[i];

      if (sluice_redis_reply_is_array (row) && row->elements == 4 &&
          row->element[0]->type == REDIS_REPLY_STRING && row->element[3]->type == REDIS_REPLY_INTEGER)
        g_hash_table_insert (counts, row->element[0]->str, GINT_TO_POINTER ((int) row->element[3]->integer));
    }

  for (guint i = 0; i < claim->entries->len; i++)
    {
      SluiceRedisEntry *entry = g_ptr_array_index (claim->entries, i);
      int count = GPOINTER_TO_INT (g_hash_table_lookup (counts, entry->id));

      g_ptr_array_index (claim->entries, i) = NULL;
      /* Without its count (an error) assume the worst case but one. */
      entry->deliveries = count > 0 ? (guint) count : self->max_deliveries;
      if (entry->deliveries > self->max_deliveries && entry->invalid == NULL)
        {
          for (guint j = 0; j < entry->n_slots; j++)
            entry->slots[j].error = g_strdup_printf ("delivered %u times without a result (the workers that took it died or stalled past the visibility time-out)",
                                                     entry->deliveries);
          self->held += entry_items (entry);
          entry_finished (self, entry);
        }
      else
        accept_entry (self, entry);
    }
  g_ptr_array_unref (claim->entries);
  g_free (claim);
  write_finished (self);
  check_stopped (self);
}

static void
autoclaim_cb (SluiceRedisClient *client,
              redisReply        *reply,
              const char        *error,
              gpointer           user_data)
{
  SluiceRedisWorker *self = user_data;
  SluiceRedisArgs *args;
  redisReply *entries;
  Claim *claim;

  if (error != NULL || !sluice_redis_reply_is_array (reply) || reply->elements < 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING)
    {
      self->claiming = FALSE;
      if (error != NULL && strstr (error, "NOGROUP") != NULL)
        self->group_ready = FALSE;
      return;
    }

  g_free (self->claim_cursor);
  self->claim_cursor = g_strdup (reply->element[0]->str);
  entries = reply->element[1];
  claim = g_new0 (Claim, 1);
  claim->self = self;
  claim->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_redis_entry_free);
  for (gsize i = 0; sluice_redis_reply_is_array (entries) && i < entries->elements; i++)
    {
      SluiceRedisEntry *entry = sluice_redis_entry_parse (entries->element[i], 0);

      if (entry->id[0] != '\0')
        g_ptr_array_add (claim->entries, entry);
      else
        sluice_redis_entry_free (entry);
    }
  if (claim->entries->len == 0)
    {
      g_ptr_array_unref (claim->entries);
      g_free (claim);
      self->claiming = FALSE;
      return;
    }

  /* Their delivery counts, now that they are ours. */
  args = sluice_redis_args_new ("XPENDING");
  sluice_redis_args_add (args, self->items_key);
  sluice_redis_args_add (args, self->group);
  sluice_redis_args_add (args, ((SluiceRedisEntry *) g_ptr_array_index (claim->entries, 0))->id);
  sluice_redis_args_add (args, ((SluiceRedisEntry *) g_ptr_array_index (claim->entries, claim->entries->len - 1))->id);
  sluice_redis_args_add_uint (args, claim->entries->len + self->in_work + 16);
  sluice_redis_args_add (args, self->consumer);
  sluice_redis_client_send (self->writer, args, pending_cb, claim);
}

static gboolean
claim_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;
  SluiceRedisArgs *args;

  if (self->claiming || !self->group_ready || self->stopping ||
      !sluice_redis_client_is_connected (self->writer) ||
      self->held >= 2 * self->batch)
    return G_SOURCE_CONTINUE;

  self->claiming = TRUE;
  args = sluice_redis_args_new ("XAUTOCLAIM");
  sluice_redis_args_add (args, self->items_key);
  sluice_redis_args_add (args, self->group);
  sluice_redis_args_add (args, self->consumer);
  sluice_redis_args_add_uint (args, self->visibility_ms);
  sluice_redis_args_add (args, self->claim_cursor);
  sluice_redis_args_add (args, "COUNT");
  sluice_redis_args_add_uint (args, (guint) MAX (self->batch / MAX (self->items_per_entry, 1.0), 1));
  sluice_redis_client_send (self->writer, args, autoclaim_cb, self);
  return G_SOURCE_CONTINUE;
}

static void
group_cb (SluiceRedisClient *client,
          redisReply        *reply,
          const char        *error,
          gpointer           user_data)
{
  SluiceRedisWorker *self = user_data;

  self->creating_group = FALSE;
  if (error != NULL && strstr (error, "BUSYGROUP") == NULL)
    {
      g_autofree char *message = NULL;

      if (!sluice_redis_client_is_connected (client))
        return;
      message = g_strdup_printf ("%s: cannot make consumer group %s: %s", self->items_key, self->group, error);
      fatal (self, message);
      return;
    }
  self->group_ready = TRUE;
  maybe_read (self);
  write_finished (self);
}

/* From 0, not $: items queued before any worker existed are work too. */
static void
ensure_group (SluiceRedisWorker *self)
{
  SluiceRedisArgs *args;

  if (self->group_ready || self->creating_group || !sluice_redis_client_is_connected (self->writer))
    return;
  self->creating_group = TRUE;
  args = sluice_redis_args_new ("XGROUP");
  sluice_redis_args_add (args, "CREATE");
  sluice_redis_args_add (args, self->items_key);
  sluice_redis_args_add (args, self->group);
  sluice_redis_args_add (args, "0");
  sluice_redis_args_add (args, "MKSTREAM");
  sluice_redis_client_send (self->writer, args, group_cb, self);
}

static gboolean
retry_reader_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->reader_retry_id = 0;
  sluice_redis_client_connect (self->reader);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_writer_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->writer_retry_id = 0;
  sluice_redis_client_connect (self->writer);
  return G_SOURCE_REMOVE;
}

static void
connected_cb (SluiceRedisClient *client,
              SluiceRedisWorker *self)
{
  if (sluice_redis_client_is_connected (self->reader) && sluice_redis_client_is_connected (self->writer))
    {
      if (self->ever_connected)
        log_message (self, "connected again");
      self->ever_connected = TRUE;
    }
  if (client == self->writer)
    {
      ensure_group (self);
      write_finished (self);
    }
  else
    maybe_read (self);
}

static void
disconnected_cb (SluiceRedisClient *client,
                 const char        *message,
                 SluiceRedisWorker *self)
{
  guint *retry_id = client == self->reader ? &self->reader_retry_id : &self->writer_retry_id;

  if (self->stopped)
    return;
  if (!self->ever_connected)
    {
      fatal (self, message);
      return;
    }
  if (client == self->writer)
    self->group_ready = FALSE;
  if (*retry_id == 0)
    {
      g_autofree char *note = g_strdup_printf ("%s; trying again every second", message);

      if (client == self->writer)
        log_message (self, note);
      *retry_id = g_timeout_add (1000, client == self->reader ? retry_reader_cb : retry_writer_cb, self);
    }
  /* Stopping while Redis is gone: what is unacked comes back later. */
  if (self->stopping && self->in_work == 0)
    finish_stop (self, NULL);
}

static void
state_cb (GObject           *object,
          GParamSpec        *pspec,
          SluiceRedisWorker *self)
{
  SluiceRunState state = sluice_executor_get_state (self->executor);

  if (!sluice_run_state_is_final (state))
    return;
  if (state != SLUICE_RUN_COMPLETED && !self->stopping)
    {
      g_autofree char *message = g_strdup_printf ("the run stopped: %s",
                                                  sluice_executor_get_error (self->executor)
                                                  ? sluice_executor_get_error (self->executor) : "cancelled");
      fatal (self, message);
      return;
    }
  write_finished (self);
  check_stopped (self);
}

static void
trimmed_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->trimming = FALSE;
}

static gboolean
trim_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  if (self->trimming || !self->group_ready || !sluice_redis_client_is_connected (self->writer))
    return G_SOURCE_CONTINUE;
  self->trimming = TRUE;
  sluice_redis_trim_stream (self->writer, self->items_key, G_CALLBACK (trimmed_cb), self);
  return G_SOURCE_CONTINUE;
}

void
sluice_redis_worker_start (SluiceRedisWorker *self)
{
  g_return_if_fail (SLUICE_IS_REDIS_WORKER (self));

  sluice_run_start (self->run);
  sluice_redis_client_connect (self->writer);
  sluice_redis_client_connect (self->reader);
  self->claim_id = g_timeout_add (MAX (self->visibility_ms / 2, 100), claim_cb, self);
  self->trim_id = g_timeout_add (500, trim_cb, self);
}

static gboolean
stop_deadline_cb (gpointer user_data)
{
  SluiceRedisWorker *self = user_data;

  self->stop_deadline_id = 0;
  log_message (self, "stopping without writing everything: the rest comes back to another worker");
  finish_stop (self, NULL);
  return G_SOURCE_REMOVE;
}

void
sluice_redis_worker_stop (SluiceRedisWorker *self)
{
  g_return_if_fail (SLUICE_IS_REDIS_WORKER (self));

  if (self->stopping)
    return;
  self->stopping = TRUE;
  sluice_queue_source_close (self->source);
  self->stop_deadline_id = g_timeout_add_seconds (30, stop_deadline_cb, self);
  check_stopped (self);
}

guint64
sluice_redis_worker_get_done (SluiceRedisWorker *self)
{
  return self->done;
}

guint64
sluice_redis_worker_get_dead (SluiceRedisWorker *self)
{
  return self->dead;
}

static void
sluice_redis_worker_dispose (GObject *object)
{
  SluiceRedisWorker *self = SLUICE_REDIS_WORKER (object);

  g_clear_handle_id (&self->claim_id, g_source_remove);
  g_clear_handle_id (&self->stop_deadline_id, g_source_remove);
  g_clear_handle_id (&self->reader_retry_id, g_source_remove);
  g_clear_handle_id (&self->writer_retry_id, g_source_remove);
  g_clear_handle_id (&self->write_timer_id, g_source_remove);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  g_clear_handle_id (&self->read_delay_id, g_source_remove);
  if (self->reader != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reader, self);
      sluice_redis_client_close (self->reader);
    }
  if (self->writer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->writer, self);
      sluice_redis_client_close (self->writer);
    }
  if (self->executor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->executor, self);
      if (!sluice_run_state_is_final (sluice_executor_get_state (self->executor)))
        sluice_executor_cancel (self->executor);
    }
  g_clear_object (&self->reader);
  g_clear_object (&self->writer);
  g_clear_object (&self->run);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (sluice_redis_worker_parent_class)->dispose (object);
}

static void
sluice_redis_worker_finalize (GObject *object)
{
  SluiceRedisWorker *self = SLUICE_REDIS_WORKER (object);

  for (guint i = 0; i < self->finished->len; i++)
    sluice_redis_entry_free (g_ptr_array_index (self->finished, i));
  g_ptr_array_unref (self->finished);
  g_string_free (self->outputs, TRUE);
  g_string_free (self->lengths, TRUE);
  g_free (self->pipeline_id);
  g_free (self->items_key);
  g_free (self->dead_key);
  g_free (self->group);
  g_free (self->consumer);
  g_free (self->claim_cursor);
  g_free (self->buffer);
  G_OBJECT_CLASS (sluice_redis_worker_parent_class)->finalize (object);
}

static void
sluice_redis_worker_class_init (SluiceRedisWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_redis_worker_dispose;
  object_class->finalize = sluice_redis_worker_finalize;

  /* The error, or NULL after a stop asked for. */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sluice_redis_worker_init (SluiceRedisWorker *self)
{
  /* No free function: entries move on to write batches. */
  self->finished = g_ptr_array_new ();
  self->outputs = g_string_new (NULL);
  self->lengths = g_string_new (NULL);
  /* Until a read says otherwise, entries are full: a first read of a
   * backlog must not take all of it from the other workers. */
  self->items_per_entry = SLUICE_REDIS_ENTRY_ITEMS;
  self->claim_cursor = g_strdup ("0-0");
}

SluiceRedisWorker *
sluice_redis_worker_new (SluiceRun                      *run,
                         const SluiceRedisUrl           *url,
                         const SluiceRedisWorkerOptions *options)
{
  SluiceRedisWorker *self;

  g_return_val_if_fail (SLUICE_IS_RUN (run), NULL);
  g_return_val_if_fail (url != NULL && options != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_REDIS_WORKER, NULL);
  self->run = g_object_ref (run);
  self->executor = sluice_run_get_executor (run);
  self->pipeline_id = g_strdup (options->stream_id != NULL ? options->stream_id
                                : sluice_node_get_id (SLUICE_NODE (sluice_run_get_pipeline (run))));
  self->items_key = sluice_redis_items_key (self->pipeline_id);
  self->dead_key = sluice_redis_dead_key (self->pipeline_id);
  self->group = g_strdup (options->group != NULL ? options->group : SLUICE_REDIS_DEFAULT_GROUP);
  self->consumer = g_strdup (options->consumer);
  self->batch = MAX (options->batch, 1);
  self->max_deliveries = MAX (options->max_deliveries, 1);
  self->visibility_ms = MAX (options->visibility_ms, 10);

  self->source = sluice_queue_source_new ();
  sluice_executor_set_source (self->executor, SLUICE_ITEM_SOURCE (self->source));
  sluice_executor_set_sink (self->executor, SLUICE_ITEM_SINK (self));
  sluice_executor_set_isolated_items (self->executor, TRUE);
  /* Workers run as one process per core: a thread hop per item (two
   * wake-ups and a context switch each way) cost more than the Lua. */
  sluice_executor_set_lua_inline (self->executor, options->lua_inline);
  /* The executor's slices run at idle priority, below GTK's drawing; a
   * worker draws nothing, and below the Redis connection's source (and
   * the write timer) they were starved whenever replies kept coming. */
  sluice_executor_set_priority (self->executor, G_PRIORITY_DEFAULT);
  g_signal_connect (self->executor, "notify::state", G_CALLBACK (state_cb), self);

  self->reader = sluice_redis_client_new (url);
  self->writer = sluice_redis_client_new (url);
  g_signal_connect (self->reader, "connected", G_CALLBACK (connected_cb), self);
  g_signal_connect (self->writer, "connected", G_CALLBACK (connected_cb), self);
  g_signal_connect (self->reader, "disconnected", G_CALLBACK (disconnected_cb), self);
  g_signal_connect (self->writer, "disconnected", G_CALLBACK (disconnected_cb), self);
  return self;
}
