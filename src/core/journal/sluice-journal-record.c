/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-model.h"
#include "sluice-executor-gates.h"
#include "sluice-journal-private.h"

/* A journal that keeps a run's history only: its states, the events it
 * is sent, the modules' counters sampled (as sluice-run --journal does)
 * and the stages' progress, not its items. The designer's runs are
 * journaled so: their input and outputs are the designer's (a file the
 * user picked, the run panel), and such a run is never resumed, but it
 * belongs to the pipeline's history like any run of sluice-run.
 *
 * Nothing wraps the executor's source or sink, so nothing calls for a
 * commit after each slice: a timer commits once a second while the run
 * goes, and every state change commits at once. */

#define RECORD_COMMIT_INTERVAL_MS 1000

/* A run of sluice-run --journal builds no per-item events (they would
 * cost it more than journaling may: W1 makes twenty per item). What its
 * replay draws per module comes instead from the modules' counters,
 * sampled with every commit, in its transaction, only for the modules
 * whose counters changed: a cost per commit (one every 50 ms, sooner
 * when many records are pending, see sluice-journal-progress.c), not
 * per item. Each sample row is a JSON array of "module-progress"
 * objects (see sluice-run-replay.h).
 *
 * Every commit, not one in a few: a resumed run's counters go on from
 * the last sample, and its items go on from the last commit, so the two
 * must be taken together. A sample older than the commit left out the
 * items done between them, which the resume does not run again: the
 * history lost them (289 of 300 items in). */

static gboolean
commit_cb (gpointer user_data)
{
  SluiceJournal *self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->executor == NULL || sluice_run_state_is_final (sluice_executor_get_state (self->executor)))
    {
      g_clear_pointer (&self->record_timer, g_source_unref);
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
    _sluice_journal_stop_timer (self);
}

void
_sluice_journal_stop_timer (SluiceJournal *self)
{
  if (self->record_timer == NULL)
    return;
  g_source_destroy (self->record_timer);
  g_clear_pointer (&self->record_timer, g_source_unref);
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
  /* The designer takes its per-item starts and ends as records, not
   * events (sluice_executor_set_item_record_func()): the modules are
   * drawn in the replay from samples, as for sluice-run --journal. A
   * sample costs per commit, not per item. */
  self->sample_modules = TRUE;
  g_signal_connect_object (executor, "notify::state", G_CALLBACK (_sluice_journal_state_cb), self, 0);
  g_signal_connect_object (executor, "notify::state", G_CALLBACK (final_state_cb), self, 0);
  g_signal_connect_object (executor, "event", G_CALLBACK (_sluice_journal_event_cb), self, 0);
  g_signal_connect_object (executor, "event", G_CALLBACK (final_event_cb), self, 0);
  /* On the context the run goes on (the executor's), not the global
   * default one: the designer runs its executor on a thread of its own. */
  self->record_timer = g_timeout_source_new (RECORD_COMMIT_INTERVAL_MS);
  g_source_set_callback (self->record_timer, commit_cb, self, NULL);
  g_source_attach (self->record_timer, g_main_context_get_thread_default ());
  return TRUE;
}

/* Each module's controller and whether it is a gate, found once per run
 * in one walk of the pipeline: looking them up per sample made a commit
 * cost the square of the modules (5,000 modules: seconds per commit). */
static gboolean
index_node_cb (SluiceNode *node,
               gpointer    user_data)
{
  if (SLUICE_IS_MODULE (node) && sluice_node_get_id (node) != NULL)
    g_hash_table_insert (user_data, (gpointer) sluice_node_get_id (node), node);
  return TRUE;
}

static void
index_modules (SluiceJournal *self,
               guint          n)
{
  g_autoptr(GHashTable) nodes = g_hash_table_new (g_str_hash, g_str_equal);

  g_free (self->sample_controllers);
  g_free (self->sample_gates);
  self->sample_controllers = g_new0 (const char *, n);
  self->sample_gates = g_new0 (gboolean, n);
  sluice_pipeline_foreach_node (sluice_executor_get_pipeline (self->executor), index_node_cb, nodes);
  for (guint i = 0; i < n; i++)
    {
      SluiceNode *node = g_hash_table_lookup (nodes, sluice_executor_get_module_id (self->executor, i));

      self->sample_gates[i] = node != NULL && SLUICE_IS_GATE (node);
      while (node != NULL && !SLUICE_IS_CONTROLLER (node))
        node = sluice_node_get_parent (node);
      self->sample_controllers[i] = node != NULL ? sluice_node_get_id (node) : NULL;
    }
}

static json_t *
module_sample (SluiceJournal           *self,
               guint                    index,
               const SluiceModuleStats *stats,
               const char              *time)
{
  const char *id = sluice_executor_get_module_id (self->executor, index);
  const char *controller = self->sample_controllers[index];
  json_t *sample = json_pack ("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
                              "event", "module-progress", "time", time, "module", id,
                              "items_in", (json_int_t) stats->items_in,
                              "items_out", (json_int_t) stats->items_out,
                              "dropped", (json_int_t) stats->dropped,
                              "failed", (json_int_t) stats->failed,
                              "retries", (json_int_t) stats->retries,
                              "superseded", (json_int_t) stats->superseded,
                              "time_us", (json_int_t) stats->time_us,
                              "active", (int) stats->active);
  json_t *gate;

  if (controller != NULL)
    json_object_set_new (sample, "controller", json_string (controller));
  /* A gate's checks as the live view shows them. */
  gate = self->sample_gates[index] ? sluice_executor_dup_gate_results (self->executor, id) : NULL;
  if (gate != NULL)
    json_object_set (sample, "checks", json_object_get (gate, "checks"));
  json_decref (gate);
  return sample;
}

/* A resumed run's counters go on from the last ones recorded before it
 * stopped: those of its last commit, written with it. What was done
 * after that commit is lost with the process and runs again, counted
 * once, by the resumed run. An item in flight at that commit (a command
 * under way, a parallel controller's items) was counted then and counts
 * again: the counters do not say which items they hold. */
typedef struct
{
  SluiceJournal     *journal;
  SluiceModuleStats *base;
  guint              n;
} BaseLoad;

static void
base_row_cb (const char *text,
             gpointer    user_data)
{
  BaseLoad *load = user_data;
  json_t *samples = text != NULL ? json_loads (text, 0, NULL) : NULL;
  size_t i;
  json_t *sample;

  json_array_foreach (samples, i, sample)
    {
      const char *id = json_string_value (json_object_get (sample, "module"));

      for (guint m = 0; id != NULL && m < load->n; m++)
        if (g_strcmp0 (sluice_executor_get_module_id (load->journal->executor, m), id) == 0)
          {
            SluiceModuleStats *base = &load->base[m];

            base->items_in = (guint64) json_integer_value (json_object_get (sample, "items_in"));
            base->items_out = (guint64) json_integer_value (json_object_get (sample, "items_out"));
            base->dropped = (guint64) json_integer_value (json_object_get (sample, "dropped"));
            base->failed = (guint64) json_integer_value (json_object_get (sample, "failed"));
            base->retries = (guint64) json_integer_value (json_object_get (sample, "retries"));
            base->superseded = (guint64) json_integer_value (json_object_get (sample, "superseded"));
            base->time_us = (guint64) json_integer_value (json_object_get (sample, "time_us"));
            break;
          }
    }
  json_decref (samples);
}

static void
load_base (SluiceJournal *self,
           guint          n)
{
  BaseLoad load = { self, g_new0 (SluiceModuleStats, n), n };
  g_autoptr(GError) error = NULL;

  if (!sluice_journal_store_foreach_sample (self->store, base_row_cb, &load, &error))
    g_debug ("%s", error->message);
  self->sample_base = load.base;
}

static void
add_base (SluiceModuleStats       *stats,
          const SluiceModuleStats *base)
{
  stats->items_in += base->items_in;
  stats->items_out += base->items_out;
  stats->dropped += base->dropped;
  stats->failed += base->failed;
  stats->retries += base->retries;
  stats->superseded += base->superseded;
  stats->time_us += base->time_us;
}

gboolean
_sluice_journal_samples_write (SluiceJournal  *self,
                               GError        **error)
{
  g_autoptr(GDateTime) wall = NULL;
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;
  json_t *samples;
  guint n;

  if (!self->sample_modules || self->executor == NULL)
    return TRUE;

  n = sluice_executor_get_n_modules (self->executor);
  if (self->sampled == NULL || self->n_sampled != n)
    {
      g_free (self->sampled);
      g_free (self->current);
      self->sampled = g_new0 (SluiceModuleStats, n);
      self->current = g_new0 (SluiceModuleStats, n);
      self->n_sampled = n;
      index_modules (self, n);
      g_clear_pointer (&self->sample_base, g_free);
      if (self->resumed)
        load_base (self, n);
    }
  wall = g_date_time_new_now_utc ();
  time = g_date_time_format_iso8601 (wall);
  samples = json_array ();
  /* All at once: with every commit, 20 a second. */
  sluice_executor_copy_module_stats (self->executor, self->current, n);
  for (guint i = 0; i < n; i++)
    {
      SluiceModuleStats stats = self->current[i];

      if (self->sample_base != NULL)
        add_base (&stats, &self->sample_base[i]);
      /* The state is the replay's to work out, as for events. */
      stats.state = self->sampled[i].state;
      if (memcmp (&stats, &self->sampled[i], sizeof stats) == 0)
        continue;
      self->sampled[i] = stats;
      json_array_append_new (samples, module_sample (self, i, &stats, time));
    }
  if (json_array_size (samples) > 0)
    text = json_dumps (samples, JSON_COMPACT);
  json_decref (samples);
  return text == NULL ||
         sluice_journal_store_add_sample (self->store, sluice_journal_store_get_max_event_seq (self->store),
                                          text, error);
}

void
_sluice_journal_samples_clear (SluiceJournal *self)
{
  g_clear_pointer (&self->sampled, g_free);
  g_clear_pointer (&self->current, g_free);
  g_clear_pointer (&self->sample_base, g_free);
  g_clear_pointer (&self->sample_controllers, g_free);
  g_clear_pointer (&self->sample_gates, g_free);
  self->n_sampled = 0;
}
