/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-model.h"
#include "sluice-journal-private.h"

/* Where each controller of the run stands, recorded with a commit at most
 * once a second (and with the last one): what a viewer of a journaled
 * run shows as its stages, and how far the run had come when it died.
 * Counted per controller, not per item: per-item records at every
 * boundary would cost the run more than the journal is allowed to. */

#define SNAPSHOT_INTERVAL_US G_USEC_PER_SEC

struct _SluiceJournalStage
{
  char *controller;
  char *first_module;  /* of its first phase; NULL when empty */
  char *last_module;   /* of its last phase */
};

static void
stage_free (gpointer data)
{
  SluiceJournalStage *stage = data;

  g_free (stage->controller);
  g_free (stage->first_module);
  g_free (stage->last_module);
  g_free (stage);
}

static char *
module_id_at (GListModel *phases,
              guint       phase,
              gboolean    last)
{
  g_autoptr(SluicePhase) item = g_list_model_get_item (phases, phase);
  GListModel *modules = sluice_phase_get_modules (item);
  guint n = g_list_model_get_n_items (modules);
  g_autoptr(SluiceNode) module = NULL;

  if (n == 0)
    return NULL;
  module = g_list_model_get_item (modules, last ? n - 1 : 0);
  return g_strdup (sluice_node_get_id (module));
}

GPtrArray *
_sluice_journal_stages_new (SluicePipeline *pipeline)
{
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  GPtrArray *stages = g_ptr_array_new_with_free_func (stage_free);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      GListModel *phases = sluice_controller_get_phases (controller);
      guint n = g_list_model_get_n_items (phases);
      SluiceJournalStage *stage = g_new0 (SluiceJournalStage, 1);

      stage->controller = g_strdup (sluice_node_get_id (SLUICE_NODE (controller)));
      if (n > 0)
        {
          stage->first_module = module_id_at (phases, 0, FALSE);
          stage->last_module = module_id_at (phases, n - 1, TRUE);
        }
      g_ptr_array_add (stages, stage);
    }
  return stages;
}

gboolean
_sluice_journal_stages_write (SluiceJournal  *self,
                              gboolean        force,
                              GError        **error)
{
  gint64 now = g_get_monotonic_time ();

  if (self->executor == NULL || self->stages == NULL ||
      (!force && now - self->last_snapshot < SNAPSHOT_INTERVAL_US))
    return TRUE;
  self->last_snapshot = now;

  for (guint i = 0; i < self->stages->len; i++)
    {
      SluiceJournalStage *stage = g_ptr_array_index (self->stages, i);
      SluiceModuleStats first = { 0 }, last = { 0 };

      if (stage->first_module != NULL)
        sluice_executor_get_module_stats (self->executor, stage->first_module, &first);
      if (stage->last_module != NULL)
        sluice_executor_get_module_stats (self->executor, stage->last_module, &last);
      if (!sluice_journal_store_add_progress (self->store, stage->controller,
                                              sluice_executor_get_queue_depth (self->executor, stage->controller),
                                              sluice_executor_get_in_flight (self->executor, stage->controller),
                                              first.items_in, last.items_out, error))
        return FALSE;
    }
  return TRUE;
}
