/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-event-tally.h"

typedef struct
{
  SluiceModuleStats stats;
  char             *controller_id;
} ModuleTally;

typedef struct
{
  json_t   *checks;    /* owned */
  gboolean  stopped;   /* the checks of an item it stopped: kept */
} GateTally;

struct _SluiceEventTally
{
  GHashTable     *modules;     /* module id → ModuleTally */
  GHashTable     *inside;      /* item key → TRUE: started, not finished */
  GHashTable     *retrying;    /* item key → TRUE: failed, may be tried again */
  GHashTable     *gates;       /* gate id → GateTally */
  SluiceRunState  state;
  char           *error;
  char           *failed_module;
  char           *last_failed; /* the module of the last module-failed */
  guint64         n_events;
};

static void
module_tally_free (ModuleTally *module)
{
  g_free (module->controller_id);
  g_free (module);
}

static void
gate_tally_free (GateTally *gate)
{
  json_decref (gate->checks);
  g_free (gate);
}

SluiceEventTally *
sluice_event_tally_new (void)
{
  SluiceEventTally *self = g_new0 (SluiceEventTally, 1);

  self->modules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) module_tally_free);
  self->inside = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->retrying = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->gates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) gate_tally_free);
  self->state = SLUICE_RUN_PENDING;
  return self;
}

void
sluice_event_tally_free (SluiceEventTally *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->modules);
  g_hash_table_unref (self->inside);
  g_hash_table_unref (self->retrying);
  g_hash_table_unref (self->gates);
  g_free (self->error);
  g_free (self->failed_module);
  g_free (self->last_failed);
  g_free (self);
}

static ModuleTally *
module_of (SluiceEventTally  *self,
           const SluiceEvent *event)
{
  ModuleTally *module = g_hash_table_lookup (self->modules, event->module_id);

  if (module == NULL)
    {
      module = g_new0 (ModuleTally, 1);
      g_hash_table_insert (self->modules, g_strdup (event->module_id), module);
    }
  if (module->controller_id == NULL && event->controller_id != NULL)
    module->controller_id = g_strdup (event->controller_id);
  return module;
}

/* One item in one module: the executor's events name it by its
 * controller sequence number, input and child. */
static char *
item_key (const SluiceEvent *event)
{
  return g_strdup_printf ("%s\x1f%" G_GUINT64_FORMAT "\x1f%" G_GUINT64_FORMAT "\x1f%u",
                          event->module_id, event->item, event->input, event->child);
}

static void
module_started (SluiceEventTally  *self,
                const SluiceEvent *event)
{
  ModuleTally *module = module_of (self, event);
  char *key = item_key (event);

  /* A retry starts the same item again: it is not a new one. */
  if (!g_hash_table_remove (self->retrying, key))
    module->stats.items_in++;
  module->stats.active++;
  g_hash_table_add (self->inside, key);
}

/* Whether the item was inside the module (it was started there). */
static gboolean
module_left (SluiceEventTally  *self,
             const SluiceEvent *event,
             ModuleTally       *module)
{
  g_autofree char *key = item_key (event);

  if (!g_hash_table_remove (self->inside, key))
    return FALSE;
  if (module->stats.active > 0)
    module->stats.active--;
  return TRUE;
}

static void
module_finished (SluiceEventTally  *self,
                 const SluiceEvent *event)
{
  ModuleTally *module = module_of (self, event);
  g_autofree char *key = item_key (event);

  module_left (self, event, module);
  g_hash_table_remove (self->retrying, key);
  module->stats.items_out += event->outputs;
  if (event->outputs == 0)
    module->stats.dropped++;
  module->stats.time_us += (guint64) (MAX (event->duration_ms, 0) * 1000);
}

static void
module_failed (SluiceEventTally  *self,
               const SluiceEvent *event)
{
  ModuleTally *module = module_of (self, event);

  /* A <fail>, or a module without a step, fails an item it never
   * started. */
  if (!module_left (self, event, module) && event->attempt <= 1)
    module->stats.items_in++;
  module->stats.failed++;
  if (event->attempt > 1)
    module->stats.retries++;
  g_hash_table_add (self->retrying, item_key (event));
  g_free (self->last_failed);
  self->last_failed = g_strdup (event->module_id);
}

static void
gate_seen (SluiceEventTally  *self,
           const SluiceEvent *event)
{
  GateTally *gate = g_hash_table_lookup (self->gates, event->module_id);
  gboolean stopped = event->type == SLUICE_EVENT_GATE_FAILED;

  if (event->checks == NULL)
    return;
  if (gate == NULL)
    {
      gate = g_new0 (GateTally, 1);
      g_hash_table_insert (self->gates, g_strdup (event->module_id), gate);
    }
  else if (gate->stopped)
    return;
  json_decref (gate->checks);
  gate->checks = json_incref (event->checks);
  gate->stopped = stopped;
}

void
sluice_event_tally_apply (SluiceEventTally  *self,
                          const SluiceEvent *event)
{
  g_return_if_fail (self != NULL && event != NULL);

  self->n_events++;
  if (event->module_id == NULL && event->type != SLUICE_EVENT_RUN_STATE)
    return;
  switch (event->type)
    {
    case SLUICE_EVENT_RUN_STATE:
      self->state = event->state;
      if (event->state == SLUICE_RUN_FAILED && self->error == NULL)
        sluice_event_tally_set_failure (self, event->error, self->last_failed);
      break;
    case SLUICE_EVENT_MODULE_STARTED:
      module_started (self, event);
      break;
    case SLUICE_EVENT_MODULE_FINISHED:
      module_finished (self, event);
      break;
    case SLUICE_EVENT_MODULE_FAILED:
      module_failed (self, event);
      break;
    case SLUICE_EVENT_ITEM_SUPERSEDED:
      module_of (self, event)->stats.superseded += MAX (event->outputs, 1);
      break;
    case SLUICE_EVENT_GATE_PASSED:
    case SLUICE_EVENT_GATE_FAILED:
      gate_seen (self, event);
      break;
    case SLUICE_EVENT_STAGE_TRANSITION:
    case SLUICE_EVENT_LOG:
    default:
      break;
    }
}

SluiceRunState
sluice_event_tally_get_state (SluiceEventTally *self)
{
  return self->state;
}

void
sluice_event_tally_set_state (SluiceEventTally *self,
                              SluiceRunState    state)
{
  self->state = state;
}

void
sluice_event_tally_get_module_stats (SluiceEventTally  *self,
                                     const char        *module_id,
                                     SluiceModuleStats *stats)
{
  ModuleTally *module = g_hash_table_lookup (self->modules, module_id);
  gboolean final = sluice_run_state_is_final (self->state);

  memset (stats, 0, sizeof *stats);
  if (module != NULL)
    *stats = module->stats;
  /* After the run nothing is in a module any more. */
  if (final)
    stats->active = 0;
  if (self->state == SLUICE_RUN_FAILED && g_strcmp0 (module_id, self->failed_module) == 0)
    stats->state = SLUICE_MODULE_FAILED;
  else if (stats->active > 0)
    stats->state = SLUICE_MODULE_RUNNING;
  else if (final)
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_DONE : SLUICE_MODULE_SKIPPED;
  else
    stats->state = stats->items_in > 0 ? SLUICE_MODULE_RUNNING : SLUICE_MODULE_IDLE;
}

guint
sluice_event_tally_get_in_flight (SluiceEventTally *self,
                                  const char       *controller_id)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  if (sluice_run_state_is_final (self->state))
    return 0;
  g_hash_table_iter_init (&iter, self->modules);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ModuleTally *module = value;

      if (g_strcmp0 (module->controller_id, controller_id) == 0)
        n += module->stats.active;
    }
  return n;
}

const char *
sluice_event_tally_get_error (SluiceEventTally *self)
{
  return self->error;
}

const char *
sluice_event_tally_get_failed_module (SluiceEventTally *self)
{
  return self->failed_module;
}

void
sluice_event_tally_set_failure (SluiceEventTally *self,
                                const char       *error,
                                const char       *module_id)
{
  if (error != NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error);
    }
  if (module_id != NULL)
    {
      g_free (self->failed_module);
      self->failed_module = g_strdup (module_id);
    }
}

json_t *
sluice_event_tally_dup_gate_results (SluiceEventTally *self,
                                     const char       *gate_id)
{
  GateTally *gate = g_hash_table_lookup (self->gates, gate_id);

  if (gate == NULL)
    return NULL;
  return json_pack ("{s:O}", "checks", gate->checks);
}

guint64
sluice_event_tally_get_n_events (SluiceEventTally *self)
{
  return self->n_events;
}
