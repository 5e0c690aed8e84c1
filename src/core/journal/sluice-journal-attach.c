/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-json.h"
#include "sluice-model.h"
#include "sluice-journal-private.h"

/* Attaching a journal to an executor: the source and sink wrappers, the
 * items a resumed run replays, and the state and event listeners. */

static gboolean
has_first_wins (SluicePipeline *pipeline)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);

      if (sluice_controller_get_mode (controller) == SLUICE_MODE_FIRST_WINS)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  SluiceJournal *journal;
  GPtrArray     *items;
  GArray        *seqs;
} Replay;

static gboolean
replay_cb (guint64      seq,
           const char  *line,
           gsize        length,
           gpointer     user_data,
           GError     **error)
{
  Replay *replay = user_data;
  SluiceJournal *self = replay->journal;
  g_autoptr(GError) local = NULL;
  json_t *item;

  if (seq > self->commit.input_records || g_hash_table_contains (self->done_set, GSIZE_TO_POINTER (seq)))
    return TRUE;
  /* A rejected record: never an item. */
  if (length == 0)
    return TRUE;
  /* first-wins: an item older than one whose outputs are out already
   * would have lost to it; it stays superseded across the crash. */
  if (seq < self->first_wins_cutoff)
    return TRUE;
  /* It passed the first controller: it goes on from its items. */
  if (self->resumed_origins != NULL &&
      g_hash_table_contains (self->resumed_origins, GSIZE_TO_POINTER (seq)))
    return TRUE;

  item = sluice_json_parse_item (line, length, &local);
  if (item == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "journal %s is damaged: input item %" G_GUINT64_FORMAT " cannot be read: %s",
                   self->path, seq, local->message);
      return FALSE;
    }
  g_ptr_array_add (replay->items, item);
  g_array_append_val (replay->seqs, seq);
  return TRUE;
}

void
_sluice_journal_state_cb (SluiceExecutor *executor,
                          GParamSpec     *pspec,
                          SluiceJournal  *self)
{
  SluiceRunState state = sluice_executor_get_state (executor);
  g_autoptr(GError) error = NULL;

  /* A resumed run is not pending again: it goes on running. */
  if (state == SLUICE_RUN_PENDING && self->resumed)
    return;
  _sluice_journal_add_state (self, sluice_run_state_to_string (state),
                             state == SLUICE_RUN_FAILED ? sluice_executor_get_error (executor)
                             : state == SLUICE_RUN_RUNNING && self->resumed ? "resumed" : NULL);
  /* A write error is the run's already (the sink failed it), or shows
   * at the next commit. */
  if (!sluice_journal_commit (self, &error) && state == SLUICE_RUN_RUNNING)
    g_debug ("%s", error->message);
}

void
_sluice_journal_event_cb (SluiceExecutor *executor,
                          SluiceEvent    *event,
                          SluiceJournal  *self)
{
  _sluice_journal_add_event (self, event->seq, sluice_event_type_to_string (event->type),
                             sluice_event_to_json (event));
}

gboolean
sluice_journal_attach (SluiceJournal     *self,
                       SluiceExecutor    *executor,
                       SluiceItemSource  *input,
                       SluiceLineSink    *output,
                       gboolean           all_events,
                       GError           **error)
{
  g_autoptr(SluiceJournalSource) source = NULL;
  g_autoptr(SluiceJournalSink) sink = NULL;
  Replay replay = { self, g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (guint64)) };

  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (SLUICE_IS_LINE_SINK (output), FALSE);
  g_return_val_if_fail (self->executor == NULL, FALSE);

  self->first_wins = has_first_wins (sluice_executor_get_pipeline (executor));
  self->stages = _sluice_journal_stages_new (sluice_executor_get_pipeline (executor));
  if (self->resumed && self->first_wins)
    self->first_wins_cutoff = self->commit.max_emitted;
  /* Before the replay: items resumed at a later controller are not
   * replayed, and the cut-off may move. */
  if (!_sluice_journal_boundary_attach (self, executor, error))
    {
      g_ptr_array_unref (replay.items);
      g_array_unref (replay.seqs);
      return FALSE;
    }
  if (self->resumed)
    {
      if (!sluice_journal_store_foreach_input (self->store, self->low, replay_cb, &replay, error))
        {
          g_ptr_array_set_free_func (replay.items, (GDestroyNotify) json_decref);
          g_ptr_array_unref (replay.items);
          g_array_unref (replay.seqs);
          return FALSE;
        }
      self->n_replayed += replay.items->len;
      /* Go on from the last commit: sequence numbers, offsets, events. */
      self->n_records = self->commit.input_records;
      self->input_base = self->commit.input_offset;
      self->input_ended = self->commit.input_ended;
      self->output_base = self->commit.output_offset;
      self->output_lines = self->commit.output_lines;
      self->max_emitted = self->commit.max_emitted;
      sluice_executor_set_first_event_seq (executor,
                                           sluice_journal_store_get_max_event_seq (self->store) + 1);
      /* first-wins items skipped above are complete: said at the first commit. */
      for (guint64 seq = self->low + 1; seq < self->first_wins_cutoff; seq++)
        if (!g_hash_table_contains (self->done_set, GSIZE_TO_POINTER (seq)))
          g_array_append_val (self->completed, seq);
    }

  self->executor = executor;
  g_object_add_weak_pointer (G_OBJECT (executor), (gpointer *) &self->executor);
  self->inner_sink = g_object_ref (output);
  self->all_events = all_events;
  /* Without per-item events, the replay draws the modules from samples. */
  self->sample_modules = !all_events;

  source = _sluice_journal_source_new (self, input, replay.items, replay.seqs);
  sink = _sluice_journal_sink_new (self, output);
  if (!_sluice_journal_boundary_rewrite (self, SLUICE_ITEM_SINK (sink), error))
    return FALSE;
  sluice_executor_set_source (executor, SLUICE_ITEM_SOURCE (source));
  sluice_executor_set_sink (executor, SLUICE_ITEM_SINK (sink));
  sluice_executor_set_run_events_only (executor, !all_events);
  g_signal_connect_object (executor, "notify::state", G_CALLBACK (_sluice_journal_state_cb), self, 0);
  g_signal_connect_object (executor, "event", G_CALLBACK (_sluice_journal_event_cb), self, 0);
  return TRUE;
}
