/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-model.h"
#include "sluice-journal-private.h"

/* A journal that keeps a run's history only: its states, every event
 * and the stages' progress, not its items. The designer's runs are
 * journaled so: their input and outputs are the designer's (a file the
 * user picked, the run panel), and such a run is never resumed, but it
 * belongs to the pipeline's history like any run of sluice-run.
 *
 * Nothing wraps the executor's source or sink, so nothing calls for a
 * commit after each slice: a timer commits once a second while the run
 * goes, and every state change commits at once. */

#define RECORD_COMMIT_INTERVAL_MS 1000

static gboolean
commit_cb (gpointer user_data)
{
  SluiceJournal *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->executor == NULL || sluice_run_state_is_final (sluice_executor_get_state (self->executor)))
    {
      self->record_timer = 0;
      return G_SOURCE_REMOVE;
    }
  /* A journal that cannot be written stops by itself (it keeps the first
   * error); the run goes on: its history is lost, not its work. */
  if (!sluice_journal_commit (self, &error))
    g_debug ("%s", error->message);
  return G_SOURCE_CONTINUE;
}

static void
final_state_cb (SluiceExecutor *executor,
                GParamSpec     *pspec,
                SluiceJournal  *self)
{
  /* After the journal's own state handler, which committed the state. */
  if (sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_clear_handle_id (&self->record_timer, g_source_remove);
}

/* The final run-state event comes after the final state (which was
 * committed): commit it too, so that the history is whole right away. */
static void
final_event_cb (SluiceExecutor *executor,
                SluiceEvent    *event,
                SluiceJournal  *self)
{
  g_autoptr(GError) error = NULL;

  if (event->type == SLUICE_EVENT_RUN_STATE && sluice_run_state_is_final (event->state) &&
      !sluice_journal_commit (self, &error))
    g_debug ("%s", error->message);
}

gboolean
sluice_journal_record (SluiceJournal  *self,
                       SluiceExecutor *executor,
                       const char     *origin,
                       GError        **error)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), FALSE);
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (executor), FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (self->executor == NULL && !self->resumed, FALSE);

  if (!sluice_journal_store_begin (self->store, error) ||
      !sluice_journal_store_set_meta (self->store, "origin", origin, error) ||
      !sluice_journal_store_commit (self->store, error))
    {
      sluice_journal_store_rollback (self->store);
      return FALSE;
    }
  self->stages = _sluice_journal_stages_new (sluice_executor_get_pipeline (executor));
  self->executor = executor;
  g_object_add_weak_pointer (G_OBJECT (executor), (gpointer *) &self->executor);
  g_signal_connect_object (executor, "notify::state", G_CALLBACK (_sluice_journal_state_cb), self, 0);
  g_signal_connect_object (executor, "notify::state", G_CALLBACK (final_state_cb), self, 0);
  g_signal_connect_object (executor, "event", G_CALLBACK (_sluice_journal_event_cb), self, 0);
  g_signal_connect_object (executor, "event", G_CALLBACK (final_event_cb), self, 0);
  self->record_timer = g_timeout_add (RECORD_COMMIT_INTERVAL_MS, commit_cb, self);
  return TRUE;
}
