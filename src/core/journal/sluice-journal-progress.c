/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-item-text.h"
#include "sluice-journal-private.h"

/* The journal's bookkeeping between commits, and the commit itself.
 *
 * The output file is committed up to a prefix: the longest run of lines,
 * from the last committed offset on, whose input items are all done. An
 * input item is complete once it is done and all its lines are inside
 * that prefix; only complete items are recorded as such. So after a
 * crash, cutting the output back to the committed offset and running
 * again every item not complete gives each output exactly once, in the
 * order an uninterrupted run would have written them. */

/* Commit when this long has passed since the last one, or this much is
 * pending, whichever comes first; and at every state change. */
#define COMMIT_INTERVAL_US (50 * 1000)
#define COMMIT_RECORDS     16384
#define COMMIT_BYTES       (16 * 1024 * 1024)

static void
journal_event_free (gpointer data)
{
  SluiceJournalEvent *event = data;

  g_free (event->type);
  g_free (event->json);
  g_free (event);
}

void
_sluice_journal_progress_init (SluiceJournal *self)
{
  self->input_batch = g_string_new (NULL);
  self->pending = g_array_new (FALSE, FALSE, sizeof (SluiceJournalLine));
  self->completed = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->events = g_ptr_array_new_with_free_func (journal_event_free);
  self->states = g_ptr_array_new_with_free_func (g_free);
  self->last_commit = g_get_monotonic_time ();
  _sluice_journal_boundary_init (self);
}

void
_sluice_journal_progress_clear (SluiceJournal *self)
{
  while (self->live != NULL)
    {
      SluiceJournalItem *item = self->live;

      self->live = item->next;
      g_free (item);
    }
  while (self->spare != NULL)
    {
      SluiceJournalItem *item = self->spare;

      self->spare = item->next;
      g_free (item);
    }
  if (self->input_batch != NULL)
    g_string_free (self->input_batch, TRUE);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->completed, g_array_unref);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->states, g_ptr_array_unref);
  g_clear_pointer (&self->item_text, g_free);
  g_clear_pointer (&self->stages, g_ptr_array_unref);
  _sluice_journal_boundary_clear (self);
}

SluiceJournalItem *
_sluice_journal_item_new (SluiceJournal *self,
                          guint64        seq)
{
  SluiceJournalItem *item = self->spare;

  /* One per input item: reused rather than allocated each time. */
  if (item != NULL)
    {
      self->spare = item->next;
      memset (item, 0, sizeof *item);
    }
  else
    item = g_new0 (SluiceJournalItem, 1);
  item->seq = seq;
  item->next = self->live;
  if (self->live != NULL)
    self->live->prev = item;
  self->live = item;
  return item;
}

static void
complete (SluiceJournal *self,
          guint64        seq)
{
  g_array_append_val (self->completed, seq);
  self->since_commit++;
}

static void
item_complete (SluiceJournal     *self,
               SluiceJournalItem *item)
{
  complete (self, item->seq);
  item->complete = TRUE;
  if (item->prev != NULL)
    item->prev->next = item->next;
  else
    self->live = item->next;
  if (item->next != NULL)
    item->next->prev = item->prev;
  item->next = self->spare;
  self->spare = item;
}

guint64
_sluice_journal_record_input (SluiceJournal *self,
                              json_t        *item,
                              const char    *text,
                              gsize          length,
                              guint64        input_position,
                              guint64        input_line)
{
  guint64 seq = ++self->n_records;

  if (self->input_batch_count == 0)
    self->input_batch_first = seq;
  self->input_batch_count++;
  self->since_commit++;
  self->commit.input_offset = self->input_base + input_position;
  /* A file input reopened on resume counts lines from where it was. */
  self->commit.input_lines = input_line;

  /* The line as read is the item: replay parses it as the source did. A
   * line holds no newline, so it stays one record. */
  if (item != NULL && text != NULL)
    g_string_append_len (self->input_batch, text, length);
  else if (item != NULL)
    {
      length = sluice_item_to_text (item, &self->item_text, &self->item_text_size);
      g_string_append_len (self->input_batch, self->item_text, length);
    }
  else
    /* Not an item (rejected): nothing to run again, ever. */
    complete (self, seq);
  g_string_append_c (self->input_batch, '\n');
  return seq;
}

void
_sluice_journal_input_ended (SluiceJournal *self)
{
  if (!self->input_ended)
    self->since_commit++;
  self->input_ended = TRUE;
}

void
_sluice_journal_output_line (SluiceJournal     *self,
                             SluiceJournalItem *item,
                             guint64            position)
{
  SluiceJournalLine line = { item, position };

  g_array_append_val (self->pending, line);
  item->lines++;
  self->since_commit++;
}

void
_sluice_journal_item_done (SluiceJournal     *self,
                           SluiceJournalItem *item,
                           const char        *error)
{
  /* Stopped early (the run failed or was cancelled): it runs again on
   * resume. It stays in the live list, freed with the journal. */
  if (error != NULL)
    {
      item->abandoned = TRUE;
      return;
    }
  item->done = TRUE;
  if (item->lines == 0)
    item_complete (self, item);
}

void
_sluice_journal_add_event (SluiceJournal *self,
                           guint64        seq,
                           const char    *type,
                           char          *json)
{
  SluiceJournalEvent *event = g_new (SluiceJournalEvent, 1);

  event->seq = seq;
  event->type = g_strdup (type);
  event->json = json;
  g_ptr_array_add (self->events, event);
  self->since_commit++;
}

void
_sluice_journal_add_state (SluiceJournal *self,
                           const char    *state,
                           const char    *reason)
{
  g_ptr_array_add (self->states, g_strdup (state));
  g_ptr_array_add (self->states, g_strdup (reason));
  g_free (self->last_state);
  self->last_state = g_strdup (state);
}

/* Moves the committed prefix over the lines whose items are done. */
static void
advance_prefix (SluiceJournal *self)
{
  while (self->pending_head < self->pending->len)
    {
      SluiceJournalLine *line = &g_array_index (self->pending, SluiceJournalLine, self->pending_head);
      SluiceJournalItem *item = line->item;

      if (!item->done)
        break;
      self->pending_head++;
      self->commit.output_offset = self->output_base + line->end;
      self->output_lines++;
      self->max_emitted = MAX (self->max_emitted, item->seq);
      if (--item->lines == 0)
        item_complete (self, item);
    }

  /* Drop the lines behind the head now and then, not at every commit. */
  if (self->pending_head > 4096 && self->pending_head * 2 > self->pending->len)
    {
      g_array_remove_range (self->pending, 0, self->pending_head);
      self->pending_head = 0;
    }
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* "1-5,7,9-12" */
static char *
completed_ranges (GArray *completed)
{
  GString *text = g_string_new (NULL);
  guint i = 0;

  g_array_sort (completed, compare_seq);
  while (i < completed->len)
    {
      guint64 first = g_array_index (completed, guint64, i);
      guint64 last = first;

      while (i + 1 < completed->len && g_array_index (completed, guint64, i + 1) <= last + 1)
        last = g_array_index (completed, guint64, ++i);
      i++;
      if (text->len > 0)
        g_string_append_c (text, ',');
      if (first == last)
        g_string_append_printf (text, "%" G_GUINT64_FORMAT, first);
      else
        g_string_append_printf (text, "%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, first, last);
    }
  return g_string_free (text, FALSE);
}

/* For the fault tests: SLUICE_JOURNAL_KILL_AT_COMMIT=N kills the process
 * with SIGKILL inside its Nth commit, after the batch is written and
 * before it is committed (the output bytes are in the file already). */
static void
kill_if_asked (SluiceJournal *self)
{
  static gint64 kill_at = -1;

  if (kill_at < 0)
    {
      const char *value = g_getenv ("SLUICE_JOURNAL_KILL_AT_COMMIT");

      kill_at = value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
    }
  if (kill_at > 0 && ++self->n_commits == (guint64) kill_at)
    raise (SIGKILL);
}

static gboolean
write_batch (SluiceJournal  *self,
             GError        **error)
{
  SluiceJournalStore *store = self->store;
  g_autofree char *ranges = completed_ranges (self->completed);

  if (!sluice_journal_store_begin (store, error))
    return FALSE;
  if (self->input_batch_count > 0 &&
      !sluice_journal_store_add_inputs (store, self->input_batch_first, self->input_batch_count,
                                        self->input_batch->str, self->input_batch->len, error))
    return FALSE;
  for (guint i = 0; i < self->events->len; i++)
    {
      SluiceJournalEvent *event = g_ptr_array_index (self->events, i);

      if (!sluice_journal_store_add_event (store, event->seq, event->type, event->json, error))
        return FALSE;
    }
  for (guint i = 0; i + 1 < self->states->len; i += 2)
    if (!sluice_journal_store_add_state (store, g_ptr_array_index (self->states, i),
                                        g_ptr_array_index (self->states, i + 1), error))
      return FALSE;
  if (!_sluice_journal_boundary_write (self, error))
    return FALSE;
  self->commit.output_lines = self->output_lines;
  self->commit.input_records = self->n_records;
  self->commit.input_ended = self->input_ended;
  self->commit.max_emitted = self->max_emitted;
  if (!sluice_journal_store_add_commit (store, &self->commit, ranges, error) ||
      !_sluice_journal_stages_write (self, self->states->len > 0, error) ||
      !_sluice_journal_samples_write (self, error))
    return FALSE;
  kill_if_asked (self);
  return sluice_journal_store_commit (store, error);
}

gboolean
sluice_journal_commit (SluiceJournal  *self,
                       GError        **error)
{
  g_autoptr(GError) local = NULL;
  guint64 offset_before;
  gint64 began;

  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), FALSE);

  if (self->error != NULL)
    {
      g_set_error_literal (error, self->error->domain, self->error->code, self->error->message);
      return FALSE;
    }

  /* The bytes must be in the file before the offset that covers them is
   * in the journal. */
  began = g_get_monotonic_time ();
  if (self->inner_sink != NULL && !sluice_item_sink_flush (SLUICE_ITEM_SINK (self->inner_sink), error))
    return FALSE;

  offset_before = self->commit.output_offset;
  advance_prefix (self);
  self->last_commit = g_get_monotonic_time ();
  if (self->since_commit == 0 && self->states->len == 0 && offset_before == self->commit.output_offset &&
      self->entries->len == 0 && self->passes->len == 0)
    return TRUE;

  if (!write_batch (self, &local))
    {
      sluice_journal_store_rollback (self->store);
      self->error = g_steal_pointer (&local);
      g_set_error_literal (error, self->error->domain, self->error->code, self->error->message);
      return FALSE;
    }

  g_string_truncate (self->input_batch, 0);
  self->input_batch_count = 0;
  g_array_set_size (self->completed, 0);
  g_ptr_array_set_size (self->events, 0);
  g_ptr_array_set_size (self->states, 0);
  _sluice_journal_boundary_written (self);
  self->since_commit = 0;
  /* What journaling costs a run, for the daemon's metrics. */
  _sluice_journal_emit_committed (self, (g_get_monotonic_time () - began) / (double) G_USEC_PER_SEC);
  return TRUE;
}

gboolean
_sluice_journal_maybe_commit (SluiceJournal  *self,
                              GError        **error)
{
  /* Items at boundaries do not hasten a commit (most need not be
   * written at all, see sluice-journal-boundary.c) unless they pile up. */
  if (self->since_commit < COMMIT_RECORDS && self->entries->len < 4 * COMMIT_RECORDS &&
      self->input_batch->len < COMMIT_BYTES &&
      g_get_monotonic_time () - self->last_commit < COMMIT_INTERVAL_US)
    {
      /* Outputs still reach their reader after each slice. */
      return self->inner_sink == NULL ||
             sluice_item_sink_flush (SLUICE_ITEM_SINK (self->inner_sink), error);
    }
  return sluice_journal_commit (self, error);
}
