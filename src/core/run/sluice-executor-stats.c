/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* What viewers read of a run while it goes: counters of the run, its
 * modules and controllers, and the data preview. The designer polls
 * these every frame, so they only read. */

static SluiceStage *
find_ctl (SluiceExecutor *self,
          const char     *id)
{
  for (guint i = 0; i < self->ctls->len; i++)
    {
      SluiceStage *ctl = g_ptr_array_index (self->ctls, i);
      if (g_strcmp0 (ctl->id, id) == 0)
        return ctl;
    }
  return NULL;
}

guint64
sluice_executor_get_items_in (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->items_in;
}

guint64
sluice_executor_get_items_out (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->items_out;
}

gint64
sluice_executor_get_start_time (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->started_real;
}

gint64
sluice_executor_get_elapsed (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);

  if (self->started == 0)
    return 0;
  return (self->ended != 0 ? self->ended : g_get_monotonic_time ()) - self->started;
}

gint64
sluice_executor_get_workers_cpu_time (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return __atomic_load_n (&self->workers_cpu_ns, __ATOMIC_RELAXED) / 1000;
}

gboolean
sluice_executor_get_module_stats (SluiceExecutor    *self,
                                  const char        *module_id,
                                  SluiceModuleStats *stats)
{
  gint index;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  index = _sluice_executor_find_module (self, module_id);
  if (index < 0)
    return FALSE;
  sluice_executor_get_module_stats_at (self, index, stats);
  return TRUE;
}

guint
sluice_executor_get_n_modules (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);
  return self->mods->len;
}

const char *
sluice_executor_get_module_id (SluiceExecutor *self,
                               guint           index)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (index < self->mods->len, NULL);
  return ((SluiceModuleRun *) g_ptr_array_index (self->mods, index))->id;
}

SluiceStep *
sluice_executor_get_module_step (SluiceExecutor *self,
                                 guint           index)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);
  g_return_val_if_fail (index < self->mods->len, NULL);
  return ((SluiceModuleRun *) g_ptr_array_index (self->mods, index))->step;
}

void
_sluice_executor_lay_out_stats (SluiceExecutor *self)
{
  guint n = self->mods->len;

  /* 64 bytes a module: a cache line each. */
  G_STATIC_ASSERT (sizeof (SluiceModuleStats) == 64);
  self->module_stats = g_aligned_alloc0 (MAX (n, 1), sizeof (SluiceModuleStats), 64);
  self->module_ctls = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      SluiceModuleRun *info = module_run (self, i);

      info->stats = &self->module_stats[i];
      self->module_ctls[i] = info->ctl;
    }
}

/* What sluice_executor_get_module_stats_at() gives, for module @index
 * whose controller is done with its items or not (@ctl_done). The
 * module's own structure is read only for a failure. */
static void
read_module_stats (SluiceExecutor    *self,
                   guint              index,
                   gboolean           ctl_done,
                   gboolean           run_final,
                   SluiceModuleStats *stats)
{
  const SluiceModuleStats *counted = &self->module_stats[index];

  *stats = *counted;
  stats->items_in = __atomic_load_n (&counted->items_in, __ATOMIC_RELAXED);
  stats->items_out = __atomic_load_n (&counted->items_out, __ATOMIC_RELAXED);

  if (G_UNLIKELY (self->state == SLUICE_RUN_FAILED || stats->failed > 0))
    {
      SluiceModuleRun *info = module_run (self, index);

      if (self->state == SLUICE_RUN_FAILED && g_strcmp0 (self->failed_module, info->id) == 0)
        {
          stats->state = SLUICE_MODULE_FAILED;
          return;
        }
      if (stats->failed > 0 && info->on_error == SLUICE_ON_ERROR_FAIL &&
          run_final && self->state != SLUICE_RUN_COMPLETED)
        {
          stats->state = SLUICE_MODULE_FAILED;
          return;
        }
    }
  if (stats->active > 0)
    stats->state = SLUICE_MODULE_RUNNING;
  else if (ctl_done || run_final)
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_DONE : SLUICE_MODULE_SKIPPED;
  else
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_RUNNING : SLUICE_MODULE_IDLE;
}

static gboolean
ctl_done (SluiceExecutor *self,
          guint           ctl)
{
  return ((SluiceStage *) g_ptr_array_index (self->ctls, ctl))->finished;
}

void
sluice_executor_get_module_stats_at (SluiceExecutor    *self,
                                     guint              index,
                                     SluiceModuleStats *stats)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (index < self->mods->len);

  read_module_stats (self, index, ctl_done (self, self->module_ctls[index]),
                     sluice_run_state_is_final (self->state), stats);
}

void
sluice_executor_copy_module_stats (SluiceExecutor    *self,
                                   SluiceModuleStats *stats,
                                   guint              n_stats)
{
  gboolean run_final;
  guint done_ctl = G_MAXUINT;
  gboolean done = FALSE;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (n_stats <= self->mods->len);

  run_final = sluice_run_state_is_final (self->state);
  for (guint i = 0; i < n_stats; i++)
    {
      guint ctl = self->module_ctls[i];

      /* A controller's modules are side by side: its state read once. */
      if (ctl != done_ctl)
        {
          done_ctl = ctl;
          done = ctl_done (self, ctl);
        }
      read_module_stats (self, i, done, run_final, &stats[i]);
    }
}

gboolean
sluice_executor_get_stage_stats (SluiceExecutor   *self,
                                 const char       *controller_id,
                                 SluiceStageStats *stats)
{
  SluiceStage *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  ctl = find_ctl (self, controller_id);
  if (ctl == NULL)
    return FALSE;

  stats->items_in = ctl->next_seq - 1;
  stats->items_out = ctl->items_out;
  stats->items_failed = ctl->items_failed;
  stats->dropped = ctl->dropped;
  stats->started_us = ctl->first_in != 0 && self->started != 0 ? ctl->first_in - self->started : -1;
  stats->duration_us = 0;
  if (ctl->first_in != 0)
    {
      /* Items still in it: until now, or until the run stopped. */
      gint64 end = ctl->last_out;

      if (ctl->in_flight > 0 || end == 0)
        end = self->ended != 0 ? self->ended : g_get_monotonic_time ();
      stats->duration_us = MAX (end, ctl->first_in) - ctl->first_in;
    }
  return TRUE;
}

gint
sluice_executor_get_held_back (SluiceExecutor *self,
                               const char     *controller_id)
{
  SluiceStage *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  if (ctl == NULL)
    return -1;
  return ctl->held != NULL ? (gint) g_hash_table_size (ctl->held) : 0;
}

void
sluice_executor_set_preview (SluiceExecutor *self,
                             guint           depth)
{
  g_autoptr(SluicePreviewBudget) budget = NULL;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  budget = sluice_preview_budget_new ();
  for (guint i = 0; i < self->mods->len; i++)
    {
      SluiceModuleRun *info = g_ptr_array_index (self->mods, i);

      g_clear_pointer (&info->preview, sluice_preview_free);
      if (depth > 0)
        info->preview = sluice_preview_new (depth, budget);
    }
}

char **
sluice_executor_dup_preview (SluiceExecutor *self,
                             const char     *module_id,
                             gboolean        outputs)
{
  SluiceModuleRun *info;
  gint index;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  index = _sluice_executor_find_module (self, module_id);
  info = index >= 0 ? g_ptr_array_index (self->mods, index) : NULL;
  return sluice_preview_dup (info != NULL ? info->preview : NULL, outputs);
}

gint
sluice_executor_get_queue_depth (SluiceExecutor *self,
                                 const char     *controller_id)
{
  SluiceStage *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  return ctl != NULL ? (gint) ctl->input.length : -1;
}

gint
sluice_executor_get_in_flight (SluiceExecutor *self,
                               const char     *controller_id)
{
  SluiceStage *ctl;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), -1);
  ctl = find_ctl (self, controller_id);
  return ctl != NULL ? (gint) ctl->in_flight : -1;
}

const char *
sluice_executor_get_current_controller (SluiceExecutor *self)
{
  const char *current = NULL;

  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->ctls->len; i++)
    {
      SluiceStage *ctl = g_ptr_array_index (self->ctls, i);
      if (ctl->started && !ctl->finished)
        current = ctl->id;
    }
  return current;
}

guint64
sluice_executor_get_items_rejected (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), 0);

  return self->items_rejected;
}

/* Why the last input item the source could not take was refused (the
 * line and the reason), or NULL when none was. */
const char *
sluice_executor_get_last_rejection (SluiceExecutor *self)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  return self->last_rejection;
}
