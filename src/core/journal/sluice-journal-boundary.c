/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-boundary.h"
#include "sluice-item-text.h"
#include "sluice-json.h"
#include "sluice-model.h"
#include "sluice-journal-private.h"

/* Each item's progress at controller boundaries.
 *
 * The journal hears every item that enters a controller after the first
 * (an "entry": its mark, its input item, the item it came from and the
 * item itself) and every item that passed a controller with all it gave
 * sent on (a "pass"). Both go into the next commit, in the order they
 * happened, so a commit that holds a pass holds every entry the passed
 * item made.
 *
 * Resuming, an input item that is not complete starts again where its
 * items were: the frontier of entries whose item had not passed. An
 * entry counts only if the item it came from passed (itself counted
 * back to the input item), because one that had not runs again and
 * sends its items on anew. The frontier goes back into the controllers'
 * queues in the order it first entered, so an order-by-sequence
 * controller admits it in the order it had. An output "entered" after
 * the last controller (with the sink's line as its text): the output
 * file was cut back before it, so it is written again, first, rather
 * than made again.
 *
 * Only records of input items still not complete at a commit are
 * written; rows of complete ones are dropped now and then. */

static guint64
entered_cb (gpointer  user_data,
            gpointer  tag,
            guint     controller,
            guint64   parent,
            json_t   *item)
{
  SluiceJournal *self = user_data;
  SluiceJournalItem *origin = tag;
  SluiceJournalEntryRecord record;

  record.mark = ++self->n_marks;
  record.origin = origin->seq;
  record.tag = origin;
  record.controller = controller;
  record.parent = parent;
  /* Written to the journal only if its input item is still not complete
   * at the commit: most are by then, and cost no more than this. */
  record.offset = 0;
  record.length = 0;
  record.item = NULL;
  /* An output: its text is the line the sink makes of it next. */
  if (controller == self->n_controllers)
    self->output_entry = self->entries->len + 1;
  else
    record.item = json_incref (item);
  g_array_append_val (self->entries, record);
  return record.mark;
}

static void
passed_cb (gpointer  user_data,
           gpointer  tag,
           guint     controller,
           guint64   mark,
           guint     sent_on)
{
  SluiceJournal *self = user_data;
  SluiceJournalItem *origin = tag;
  SluiceJournalPassRecord record = { origin->seq, origin, mark, controller, sent_on };

  /* Entered since the last commit: its text will not be needed. */
  if (mark > self->batch_marks)
    {
      SluiceJournalEntryRecord *entry = &g_array_index (self->entries, SluiceJournalEntryRecord,
                                                        mark - self->batch_marks - 1);

      g_clear_pointer (&entry->item, json_decref);
    }

  g_array_append_val (self->passes, record);
}

static const SluiceBoundaryFuncs boundary_funcs = { entered_cb, passed_cb };

void
_sluice_journal_boundary_output (SluiceJournal *self,
                                 const char    *text,
                                 gsize          length)
{
  SluiceJournalEntryRecord *record;

  if (self->output_entry == 0)
    return;
  record = &g_array_index (self->entries, SluiceJournalEntryRecord, self->output_entry - 1);
  self->output_entry = 0;
  record->offset = self->entries_text->len;
  record->length = length;
  g_string_append_len (self->entries_text, text, length);
}

static void
entry_record_clear (gpointer data)
{
  SluiceJournalEntryRecord *record = data;

  g_clear_pointer (&record->item, json_decref);
}

void
_sluice_journal_boundary_init (SluiceJournal *self)
{
  self->entries = g_array_new (FALSE, FALSE, sizeof (SluiceJournalEntryRecord));
  g_array_set_clear_func (self->entries, entry_record_clear);
  self->entries_text = g_string_new (NULL);
  self->passes = g_array_new (FALSE, FALSE, sizeof (SluiceJournalPassRecord));
}

void
_sluice_journal_boundary_clear (SluiceJournal *self)
{
  g_clear_pointer (&self->entries, g_array_unref);
  if (self->entries_text != NULL)
    g_string_free (self->entries_text, TRUE);
  self->entries_text = NULL;
  g_clear_pointer (&self->passes, g_array_unref);
  g_clear_pointer (&self->resumed_origins, g_hash_table_unref);
  g_clear_pointer (&self->resume_tags, g_hash_table_unref);
  if (self->resume_outputs != NULL)
    for (guint i = 1; i < self->resume_outputs->len; i += 2)
      if (g_ptr_array_index (self->resume_outputs, i) != NULL)
        json_decref (g_ptr_array_index (self->resume_outputs, i));
  g_clear_pointer (&self->resume_outputs, g_ptr_array_unref);
}

/* Resuming: writes the outputs kept at the last boundary through @sink
 * (the journal's, so that they count as their input item's lines); an
 * input item with nothing left to run is done with them. */
gboolean
_sluice_journal_boundary_rewrite (SluiceJournal   *self,
                                  SluiceItemSink  *sink,
                                  GError         **error)
{
  GHashTableIter iter;
  gpointer value;

  if (self->resume_outputs == NULL)
    return TRUE;
  for (guint i = 0; i + 1 < self->resume_outputs->len; i += 2)
    {
      SluiceJournalItem *tag = g_ptr_array_index (self->resume_outputs, i);
      json_t *item = g_ptr_array_index (self->resume_outputs, i + 1);
      gboolean ok = sluice_item_sink_write (sink, item, tag, error);

      json_decref (item);
      g_ptr_array_index (self->resume_outputs, i + 1) = NULL;
      if (!ok)
        return FALSE;
      self->n_rewritten++;
    }
  g_ptr_array_set_size (self->resume_outputs, 0);
  g_hash_table_iter_init (&iter, self->resume_tags);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((SluiceJournalItem *) value)->injected)
      _sluice_journal_item_done (self, value, NULL);
  g_clear_pointer (&self->resume_tags, g_hash_table_unref);
  return TRUE;
}

/* The oldest input item not complete: every one below it is. */
static guint64
oldest_live (SluiceJournal *self)
{
  guint64 oldest = self->n_records + 1;

  for (SluiceJournalItem *item = self->live; item != NULL; item = item->next)
    oldest = MIN (oldest, item->seq);
  return oldest;
}

/* Whether the input item @tag stood for when the record was made is
 * still not complete at this commit. A complete item's record is spare
 * and may stand for a newer input item since: its seq says. */
static inline gboolean
still_open (SluiceJournalItem *tag,
            guint64            origin)
{
  return tag->seq == origin && !tag->complete;
}

gboolean
_sluice_journal_boundary_write (SluiceJournal  *self,
                                GError        **error)
{
  SluiceJournalStore *store = self->store;

  for (guint i = 0; i < self->entries->len; i++)
    {
      SluiceJournalEntryRecord *record = &g_array_index (self->entries, SluiceJournalEntryRecord, i);

      const char *text = self->entries_text->str + record->offset;
      gsize length = record->length;

      if (!still_open (record->tag, record->origin))
        continue;
      /* An output the sink refused has no line (the run failed there):
       * it was never out. */
      if (record->controller == self->n_controllers && record->length == 0)
        continue;
      /* Not passed yet: the item is what a resume needs. Passed: only
       * that it was there ("" as its text). */
      if (record->item != NULL)
        {
          length = sluice_item_to_text (record->item, &self->item_text, &self->item_text_size);
          text = self->item_text;
        }
      if (!sluice_journal_store_add_entry (store, record->mark, record->origin, record->controller,
                                           record->parent, text, length, error))
        return FALSE;
      self->boundary_rows++;
    }
  for (guint i = 0; i < self->passes->len; i++)
    {
      SluiceJournalPassRecord *record = &g_array_index (self->passes, SluiceJournalPassRecord, i);

      if (!still_open (record->tag, record->origin))
        continue;
      if (!sluice_journal_store_add_pass (store, record->origin, record->mark, record->controller,
                                          record->sent_on, error))
        return FALSE;
      self->boundary_rows++;
    }
  /* What complete items left behind is of no use any more; dropped now
   * and then, in the commit that completes them. */
  if (self->boundary_rows > 4096)
    {
      if (!sluice_journal_store_forget_boundaries (store, oldest_live (self), error))
        return FALSE;
      self->boundary_rows = 0;
    }
  return TRUE;
}

void
_sluice_journal_boundary_written (SluiceJournal *self)
{
  g_array_set_size (self->entries, 0);
  self->batch_marks = self->n_marks;
  self->output_entry = 0;
  g_string_truncate (self->entries_text, 0);
  g_array_set_size (self->passes, 0);
}


/* Resuming. */

typedef struct
{
  guint64  mark;
  guint64  origin;
  guint    controller;
  json_t  *item;
} FrontierItem;

typedef struct
{
  SluiceJournal *journal;
  GHashTable    *passed;      /* mark → pass controller + 1 (mark > 0) */
  GHashTable    *input_passed;/* origin → sent_on + 1 */
  GHashTable    *valid;       /* marks whose entry counts */
  GArray        *frontier;    /* FrontierItem, by mark */
  GArray        *outputs;     /* FrontierItem at controller N: outputs to write again */
  guint64       *best;        /* first-wins: per controller, the newest that sent on */
  guint          n_controllers;
} Frontier;

static gboolean
origin_open (SluiceJournal *self,
             guint64        origin)
{
  return origin > self->low && origin <= self->commit.input_records &&
         !g_hash_table_contains (self->done_set, GSIZE_TO_POINTER (origin));
}

static void
pass_cb (guint64   origin,
         guint64   mark,
         guint     controller,
         guint     sent_on,
         gpointer  user_data)
{
  Frontier *frontier = user_data;

  if (!origin_open (frontier->journal, origin))
    return;
  if (mark == 0)
    g_hash_table_insert (frontier->input_passed, GSIZE_TO_POINTER (origin), GUINT_TO_POINTER (sent_on + 1));
  else
    g_hash_table_insert (frontier->passed, GSIZE_TO_POINTER (mark), GUINT_TO_POINTER (controller + 1));
  /* first-wins: controller 0 orders by input item, the others by mark. */
  if (sent_on > 0 && controller < frontier->n_controllers)
    frontier->best[controller] = MAX (frontier->best[controller], mark == 0 ? origin : mark);
}

static gboolean
entry_cb (guint64      mark,
          guint64      origin,
          guint        controller,
          guint64      parent,
          const char  *text,
          gsize        length,
          gpointer     user_data,
          GError     **error)
{
  Frontier *frontier = user_data;
  SluiceJournal *self = frontier->journal;
  g_autoptr(GError) local = NULL;
  FrontierItem entry = { mark, origin, controller, NULL };
  gboolean counts;

  if (!origin_open (self, origin))
    return TRUE;
  if (controller == 0 || controller > frontier->n_controllers)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "journal %s is damaged: item %" G_GUINT64_FORMAT " of input item %" G_GUINT64_FORMAT
                   " entered controller %u, and the pipeline has %u",
                   self->path, mark, origin, controller + 1, frontier->n_controllers);
      return FALSE;
    }
  /* Entries come in mark order and a parent always entered before its
   * items, so its verdict is known. */
  counts = parent == 0 ? g_hash_table_contains (frontier->input_passed, GSIZE_TO_POINTER (origin))
                       : g_hash_table_contains (frontier->valid, GSIZE_TO_POINTER (parent)) &&
                         g_hash_table_contains (frontier->passed, GSIZE_TO_POINTER (parent));
  if (!counts)
    return TRUE;
  g_hash_table_add (frontier->valid, GSIZE_TO_POINTER (mark));
  if (g_hash_table_contains (frontier->passed, GSIZE_TO_POINTER (mark)))
    return TRUE;
  /* An output whose item passed the last controller: the output file was
   * cut back before it, so it is written again, not made again. */

  entry.item = sluice_json_parse_item (text, length, &local);
  if (entry.item == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "journal %s is damaged: item %" G_GUINT64_FORMAT " of input item %" G_GUINT64_FORMAT
                   " cannot be read: %s", self->path, mark, origin, local->message);
      return FALSE;
    }
  g_array_append_val (controller == frontier->n_controllers ? frontier->outputs : frontier->frontier, entry);
  return TRUE;
}

static SluiceJournalItem *
resumed_item (SluiceJournal *self,
              guint64        origin)
{
  SluiceJournalItem *tag = g_hash_table_lookup (self->resume_tags, GSIZE_TO_POINTER (origin));

  if (tag == NULL)
    {
      tag = _sluice_journal_item_new (self, origin);
      g_hash_table_insert (self->resume_tags, GSIZE_TO_POINTER (origin), tag);
    }
  return tag;
}

static void
frontier_item_clear (gpointer data)
{
  FrontierItem *entry = data;

  if (entry->item != NULL)
    json_decref (entry->item);
}

gboolean
_sluice_journal_boundary_attach (SluiceJournal   *self,
                                 SluiceExecutor  *executor,
                                 GError         **error)
{
  GListModel *controllers = sluice_pipeline_get_controllers (sluice_executor_get_pipeline (executor));
  guint n = g_list_model_get_n_items (controllers);
  g_autoptr(GArray) modes = g_array_new (FALSE, FALSE, sizeof (SluiceMode));
  Frontier frontier = { self };
  gboolean ok;

  /* One controller has no boundary: nothing to keep. */
  if (n < 2)
    return TRUE;
  self->n_controllers = n;
  sluice_executor_set_boundary_funcs (executor, &boundary_funcs, self);
  self->resumed_origins = g_hash_table_new (NULL, NULL);
  if (!self->resumed)
    return TRUE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      SluiceMode mode = sluice_controller_get_mode (controller);

      g_array_append_val (modes, mode);
    }
  self->n_marks = self->batch_marks = sluice_journal_store_get_max_mark (self->store);
  frontier.passed = g_hash_table_new (NULL, NULL);
  frontier.input_passed = g_hash_table_new (NULL, NULL);
  frontier.valid = g_hash_table_new (NULL, NULL);
  frontier.frontier = g_array_new (FALSE, FALSE, sizeof (FrontierItem));
  g_array_set_clear_func (frontier.frontier, frontier_item_clear);
  frontier.outputs = g_array_new (FALSE, FALSE, sizeof (FrontierItem));
  g_array_set_clear_func (frontier.outputs, frontier_item_clear);
  frontier.best = g_new0 (guint64, n);
  frontier.n_controllers = n;

  ok = sluice_journal_store_foreach_pass (self->store, self->low, pass_cb, &frontier, error) &&
       sluice_journal_store_foreach_entry (self->store, self->low, entry_cb, &frontier, error);
  /* first-wins at the first controller: input items older than one that
   * sent on from it lose there, as they would have. */
  if (ok && g_array_index (modes, SluiceMode, 0) == SLUICE_MODE_FIRST_WINS)
    self->first_wins_cutoff = MAX (self->first_wins_cutoff, frontier.best[0]);
  if (ok)
    {
      GHashTableIter iter;
      gpointer key;

      self->resume_tags = g_hash_table_new (NULL, NULL);
      self->resume_outputs = g_ptr_array_new ();
      /* Outputs first: they were out before anything still to come. */
      for (guint i = 0; i < frontier.outputs->len; i++)
        {
          FrontierItem *entry = &g_array_index (frontier.outputs, FrontierItem, i);

          if (entry->origin < self->first_wins_cutoff)
            continue;
          g_ptr_array_add (self->resume_outputs, resumed_item (self, entry->origin));
          g_ptr_array_add (self->resume_outputs, g_steal_pointer (&entry->item));
        }
      for (guint i = 0; i < frontier.frontier->len; i++)
        {
          FrontierItem *entry = &g_array_index (frontier.frontier, FrontierItem, i);
          SluiceJournalItem *tag;

          if (entry->origin < self->first_wins_cutoff)
            continue;
          /* first-wins: an item older than one that sent on already from
           * the same controller would have lost to it; it stays lost. */
          if (g_array_index (modes, SluiceMode, entry->controller) == SLUICE_MODE_FIRST_WINS &&
              entry->mark < frontier.best[entry->controller])
            continue;
          tag = resumed_item (self, entry->origin);
          tag->injected = TRUE;
          sluice_executor_inject (executor, tag, entry->controller, g_steal_pointer (&entry->item), entry->mark);
          self->n_resumed_items++;
        }
      sluice_executor_inject_end (executor);

      /* Every input item that passed the first controller is resumed
       * from its items (when some are left) or complete; either way the
       * replay of input items leaves it out. */
      g_hash_table_iter_init (&iter, frontier.input_passed);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_hash_table_add (self->resumed_origins, key);
          /* (Those below the cut-off are said complete by attach.) */
          if (!g_hash_table_contains (self->resume_tags, key) && GPOINTER_TO_SIZE (key) >= self->first_wins_cutoff)
            {
              guint64 seq = GPOINTER_TO_SIZE (key);

              g_array_append_val (self->completed, seq);
              self->since_commit++;
            }
        }
      self->n_replayed += g_hash_table_size (self->resume_tags);
    }

  g_hash_table_unref (frontier.passed);
  g_hash_table_unref (frontier.input_passed);
  g_hash_table_unref (frontier.valid);
  g_array_unref (frontier.frontier);
  g_array_unref (frontier.outputs);
  g_free (frontier.best);
  return ok;
}
