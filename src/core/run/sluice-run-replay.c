/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-run-replay.h"

/* The events are read once into compact steps (ids interned as small
 * numbers), so that replaying a hundred thousand of them to reach a
 * position takes milliseconds: a scrubber seeks on every motion. */

typedef enum
{
  STEP_OTHER,
  STEP_RUN_STATE,
  STEP_STARTED,
  STEP_FINISHED,
  STEP_FAILED,
  STEP_SUPERSEDED,
  STEP_GATE_PASSED,
  STEP_GATE_FAILED,
  STEP_PROGRESS,
} StepType;

typedef struct
{
  StepType       type;
  guint          module;       /* index + 1 into @module_ids, 0 none */
  guint          controller;   /* index + 1 into @controller_ids, 0 none */
  guint64        item;         /* (item, child): an item in flight, for retries */
  guint          child;
  guint          outputs;
  guint64        duration_us;
  SluiceRunState state;
  gint64         time;
  json_t        *event;        /* owned reference: error texts and gate checks */
} Step;

typedef struct
{
  SluiceModuleStats stats;
  guint             controller;
  json_t           *gate_last;        /* borrowed from a step's event: its "checks" */
  json_t           *gate_first_fail;
  GHashTable       *failed_items;     /* (item, child) keys whose attempt failed: a start is a retry */
} ModuleState;

/* Everything that changes while replaying: copied whole at checkpoints. */
typedef struct
{
  guint           position;
  SluiceRunState  state;
  guint           failed_step;        /* index + 1 of the run-state failed step */
  ModuleState    *modules;
  gint64         *stage_first;        /* per controller: the time of its first and last event */
  gint64         *stage_last;
} ReplayState;

struct _SluiceRunReplay
{
  gint         ref_count;
  GArray      *steps;                 /* of Step */
  GPtrArray   *module_ids;            /* char* */
  GPtrArray   *controller_ids;
  GHashTable  *module_index;          /* id → index + 1 */
  GHashTable  *controller_index;
  ReplayState  now;
  GPtrArray   *checkpoints;           /* ReplayState*, one per SLUICE_RUN_REPLAY_CHECKPOINT steps */
};

static guint
intern (GHashTable *index,
        GPtrArray  *ids,
        const char *id)
{
  gpointer found;

  if (id == NULL)
    return 0;
  if (g_hash_table_lookup_extended (index, id, NULL, &found))
    return GPOINTER_TO_UINT (found);
  g_ptr_array_add (ids, g_strdup (id));
  g_hash_table_insert (index, g_ptr_array_index (ids, ids->len - 1), GUINT_TO_POINTER (ids->len));
  return ids->len;
}

static StepType
step_type (const char *name)
{
  static const struct { const char *name; StepType type; } types[] = {
    { "run-state", STEP_RUN_STATE },
    { "module-started", STEP_STARTED },
    { "module-finished", STEP_FINISHED },
    { "module-failed", STEP_FAILED },
    { "item-superseded", STEP_SUPERSEDED },
    { "gate-passed", STEP_GATE_PASSED },
    { "gate-failed", STEP_GATE_FAILED },
    { "module-progress", STEP_PROGRESS },
  };

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (name, types[i].name))
      return types[i].type;
  return STEP_OTHER;
}

static gint64
parse_time (json_t *event)
{
  const char *text = json_string_value (json_object_get (event, "time"));
  g_autoptr(GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time) : 0;
}

static guint64
integer (json_t     *event,
         const char *key)
{
  json_t *value = json_object_get (event, key);

  return json_is_integer (value) && json_integer_value (value) > 0 ? (guint64) json_integer_value (value) : 0;
}

static Step
read_step (SluiceRunReplay *self,
           json_t          *event)
{
  Step step = { 0 };
  json_t *duration = json_object_get (event, "duration_ms");
  const char *state = json_string_value (json_object_get (event, "state"));

  step.type = step_type (json_string_value (json_object_get (event, "event")));
  step.module = intern (self->module_index, self->module_ids, json_string_value (json_object_get (event, "module")));
  step.controller = intern (self->controller_index, self->controller_ids,
                            json_string_value (json_object_get (event, "controller")));
  /* An item is known by the run's input it came from and its place
   * under it; the controller's own number when there is no input. */
  step.item = integer (event, "input") != 0 ? integer (event, "input") : integer (event, "item") | (G_GUINT64_CONSTANT (1) << 63);
  step.child = (guint) integer (event, "child");
  step.outputs = (guint) integer (event, "outputs");
  step.duration_us = json_is_number (duration) && json_number_value (duration) > 0 ?
                     (guint64) (json_number_value (duration) * 1000) : 0;
  step.time = parse_time (event);
  step.state = SLUICE_RUN_PENDING;
  if (state != NULL)
    {
      GEnumClass *klass = g_type_class_ref (SLUICE_TYPE_RUN_STATE);
      GEnumValue *value = g_enum_get_value_by_nick (klass, state);

      if (value != NULL)
        step.state = value->value;
      else if (step.type == STEP_RUN_STATE)
        step.type = STEP_OTHER;
      g_type_class_unref (klass);
    }
  step.event = json_incref (event);
  return step;
}

static void
state_clear (SluiceRunReplay *self,
             ReplayState     *state)
{
  for (guint i = 0; state->modules != NULL && i < self->module_ids->len; i++)
    g_clear_pointer (&state->modules[i].failed_items, g_hash_table_unref);
  g_clear_pointer (&state->modules, g_free);
  g_clear_pointer (&state->stage_first, g_free);
  g_clear_pointer (&state->stage_last, g_free);
}

static void
state_reset (SluiceRunReplay *self,
             ReplayState     *state)
{
  state_clear (self, state);
  state->position = 0;
  state->state = SLUICE_RUN_PENDING;
  state->failed_step = 0;
  state->modules = g_new0 (ModuleState, self->module_ids->len);
  state->stage_first = g_new0 (gint64, self->controller_ids->len + 1);
  state->stage_last = g_new0 (gint64, self->controller_ids->len + 1);
}

static guint64
item_key (const Step *step)
{
  return step->item * 1000003u + step->child;
}

static GHashTable *
copy_set (GHashTable *set)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer key;

  if (set == NULL)
    return NULL;
  copy = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy, g_memdup2 (key, sizeof (gint64)));
  return copy;
}

static void
state_copy (SluiceRunReplay   *self,
            ReplayState       *to,
            const ReplayState *from)
{
  state_clear (self, to);
  *to = *from;
  to->modules = g_memdup2 (from->modules, sizeof (ModuleState) * self->module_ids->len);
  to->stage_first = g_memdup2 (from->stage_first, sizeof (gint64) * (self->controller_ids->len + 1));
  to->stage_last = g_memdup2 (from->stage_last, sizeof (gint64) * (self->controller_ids->len + 1));
  for (guint i = 0; i < self->module_ids->len; i++)
    to->modules[i].failed_items = copy_set (from->modules[i].failed_items);
}

/* A sample of a module's counters (a journal of a run without per-item
 * events): they are the module's from now on. */
static void
apply_progress (ModuleState *module,
                json_t      *event)
{
  json_t *checks = json_object_get (event, "checks");

  module->stats.items_in = integer (event, "items_in");
  module->stats.items_out = integer (event, "items_out");
  module->stats.dropped = integer (event, "dropped");
  module->stats.failed = integer (event, "failed");
  module->stats.retries = integer (event, "retries");
  module->stats.superseded = integer (event, "superseded");
  module->stats.time_us = integer (event, "time_us");
  module->stats.active = (guint) MIN (integer (event, "active"), G_MAXUINT);
  /* Already the first stopped item's checks, else the last one's. */
  if (json_is_array (checks))
    {
      module->gate_last = checks;
      module->gate_first_fail = NULL;
    }
}

static void
apply (SluiceRunReplay *self,
       ReplayState     *state,
       const Step      *step)
{
  ModuleState *module = step->module > 0 ? &state->modules[step->module - 1] : NULL;
  gint64 key = (gint64) item_key (step);

  if (module != NULL && step->controller > 0)
    module->controller = step->controller;
  if (step->controller > 0 && step->time != 0 && step->type != STEP_OTHER)
    {
      if (state->stage_first[step->controller] == 0)
        state->stage_first[step->controller] = step->time;
      state->stage_last[step->controller] = step->time;
    }
  switch (step->type)
    {
    case STEP_RUN_STATE:
      state->state = step->state;
      if (step->state == SLUICE_RUN_FAILED)
        state->failed_step = (guint) (step - &g_array_index (self->steps, Step, 0)) + 1;
      break;
    case STEP_STARTED:
      if (module == NULL)
        break;
      /* Another attempt at an item that failed here is a retry. */
      if (module->stats.failed > 0 && module->failed_items != NULL &&
          g_hash_table_remove (module->failed_items, &key))
        module->stats.retries++;
      else
        module->stats.items_in++;
      module->stats.active++;
      break;
    case STEP_FINISHED:
      if (module == NULL)
        break;
      if (module->stats.active > 0)
        module->stats.active--;
      module->stats.items_out += step->outputs;
      module->stats.time_us += step->duration_us;
      if (step->outputs == 0)
        module->stats.dropped++;
      break;
    case STEP_FAILED:
      if (module == NULL)
        break;
      if (module->stats.active > 0)
        module->stats.active--;
      module->stats.failed++;
      if (module->failed_items == NULL)
        module->failed_items = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_hash_table_add (module->failed_items, g_memdup2 (&key, sizeof key));
      break;
    case STEP_SUPERSEDED:
      if (module != NULL)
        module->stats.superseded++;
      break;
    case STEP_GATE_PASSED:
    case STEP_GATE_FAILED:
      if (module == NULL)
        break;
      module->gate_last = json_object_get (step->event, "checks");
      if (step->type == STEP_GATE_FAILED && module->gate_first_fail == NULL)
        module->gate_first_fail = module->gate_last;
      break;
    case STEP_PROGRESS:
      if (module != NULL)
        apply_progress (module, step->event);
      break;
    case STEP_OTHER:
    default:
      break;
    }
  state->position++;
}

SluiceRunReplay *
sluice_run_replay_new (GPtrArray *events)
{
  SluiceRunReplay *self = g_new0 (SluiceRunReplay, 1);

  g_return_val_if_fail (events != NULL, NULL);

  self->ref_count = 1;
  self->steps = g_array_sized_new (FALSE, FALSE, sizeof (Step), events->len);
  self->module_ids = g_ptr_array_new_with_free_func (g_free);
  self->controller_ids = g_ptr_array_new_with_free_func (g_free);
  self->module_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->controller_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->checkpoints = g_ptr_array_new ();
  for (guint i = 0; i < events->len; i++)
    {
      json_t *event = g_ptr_array_index (events, i);
      Step step;

      if (!json_is_object (event))
        continue;
      step = read_step (self, event);
      g_array_append_val (self->steps, step);
    }

  /* Checkpoints while playing through once. */
  state_reset (self, &self->now);
  for (guint i = 0; i < self->steps->len; i++)
    {
      if (i % SLUICE_RUN_REPLAY_CHECKPOINT == 0)
        {
          ReplayState *checkpoint = g_new0 (ReplayState, 1);

          state_copy (self, checkpoint, &self->now);
          g_ptr_array_add (self->checkpoints, checkpoint);
        }
      apply (self, &self->now, &g_array_index (self->steps, Step, i));
    }
  if (self->checkpoints->len == 0)
    {
      ReplayState *checkpoint = g_new0 (ReplayState, 1);

      state_copy (self, checkpoint, &self->now);
      g_ptr_array_add (self->checkpoints, checkpoint);
    }
  return self;
}

SluiceRunReplay *
sluice_run_replay_ref (SluiceRunReplay *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
sluice_run_replay_unref (SluiceRunReplay *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  for (guint i = 0; i < self->checkpoints->len; i++)
    {
      ReplayState *checkpoint = g_ptr_array_index (self->checkpoints, i);

      state_clear (self, checkpoint);
      g_free (checkpoint);
    }
  g_ptr_array_unref (self->checkpoints);
  state_clear (self, &self->now);
  for (guint i = 0; i < self->steps->len; i++)
    json_decref (g_array_index (self->steps, Step, i).event);
  g_array_unref (self->steps);
  g_hash_table_unref (self->module_index);
  g_hash_table_unref (self->controller_index);
  g_ptr_array_unref (self->module_ids);
  g_ptr_array_unref (self->controller_ids);
  g_free (self);
}

guint
sluice_run_replay_get_n_events (SluiceRunReplay *self)
{
  return self->steps->len;
}

gint64
sluice_run_replay_get_event_time (SluiceRunReplay *self,
                                  guint            index)
{
  g_return_val_if_fail (index < self->steps->len, 0);
  return g_array_index (self->steps, Step, index).time;
}

gint64
sluice_run_replay_get_start_time (SluiceRunReplay *self)
{
  for (guint i = 0; i < self->steps->len; i++)
    if (g_array_index (self->steps, Step, i).time != 0)
      return g_array_index (self->steps, Step, i).time;
  return 0;
}

gint64
sluice_run_replay_get_end_time (SluiceRunReplay *self)
{
  for (guint i = self->steps->len; i > 0; i--)
    if (g_array_index (self->steps, Step, i - 1).time != 0)
      return g_array_index (self->steps, Step, i - 1).time;
  return 0;
}

guint
sluice_run_replay_position_at (SluiceRunReplay *self,
                               gint64           time)
{
  guint low = 0, high = self->steps->len;

  /* Times only grow (an event without one counts as its predecessor's). */
  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      gint64 t = g_array_index (self->steps, Step, mid).time;

      if (t != 0 && t > time)
        high = mid;
      else
        low = mid + 1;
    }
  return low;
}

json_t *
sluice_run_replay_get_event (SluiceRunReplay *self,
                             guint            index)
{
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_array_index (self->steps, Step, index).event;
}

void
sluice_run_replay_seek (SluiceRunReplay *self,
                        guint            position)
{
  g_return_if_fail (self != NULL);

  position = MIN (position, self->steps->len);
  if (position < self->now.position)
    {
      guint checkpoint = MIN (position / SLUICE_RUN_REPLAY_CHECKPOINT, self->checkpoints->len - 1);

      state_copy (self, &self->now, g_ptr_array_index (self->checkpoints, checkpoint));
    }
  while (self->now.position < position)
    apply (self, &self->now, &g_array_index (self->steps, Step, self->now.position));
}

guint
sluice_run_replay_get_position (SluiceRunReplay *self)
{
  return self->now.position;
}

SluiceRunState
sluice_run_replay_get_state (SluiceRunReplay *self)
{
  return self->now.state;
}

const char *
sluice_run_replay_get_error (SluiceRunReplay *self)
{
  if (self->now.failed_step == 0)
    return NULL;
  return json_string_value (json_object_get (g_array_index (self->steps, Step, self->now.failed_step - 1).event,
                                             "error"));
}

const char *
sluice_run_replay_get_failed_module (SluiceRunReplay *self)
{
  const Step *step;

  if (self->now.failed_step == 0)
    return NULL;
  step = &g_array_index (self->steps, Step, self->now.failed_step - 1);
  return step->module > 0 ? g_ptr_array_index (self->module_ids, step->module - 1) : NULL;
}

/* As the executor decides a module's state (sluice-executor-stats.c). */
static SluiceModuleState
module_state (SluiceRunReplay   *self,
              guint              index,
              const ModuleState *module)
{
  const char *failed = sluice_run_replay_get_failed_module (self);

  if (self->now.state == SLUICE_RUN_FAILED && g_strcmp0 (failed, g_ptr_array_index (self->module_ids, index)) == 0)
    return SLUICE_MODULE_FAILED;
  if (module->stats.active > 0)
    return SLUICE_MODULE_RUNNING;
  if (sluice_run_state_is_final (self->now.state))
    return module->stats.items_in > 0 ? SLUICE_MODULE_DONE : SLUICE_MODULE_SKIPPED;
  return module->stats.items_in > 0 ? SLUICE_MODULE_RUNNING : SLUICE_MODULE_IDLE;
}

gboolean
sluice_run_replay_get_module_stats (SluiceRunReplay   *self,
                                    const char        *module_id,
                                    SluiceModuleStats *stats)
{
  gpointer index;
  guint i;

  memset (stats, 0, sizeof *stats);
  if (!g_hash_table_lookup_extended (self->module_index, module_id, NULL, &index))
    {
      /* Never named by an event: skipped once the run is over. */
      stats->state = sluice_run_state_is_final (self->now.state) ? SLUICE_MODULE_SKIPPED : SLUICE_MODULE_IDLE;
      return FALSE;
    }
  i = GPOINTER_TO_UINT (index) - 1;
  *stats = self->now.modules[i].stats;
  stats->state = module_state (self, i, &self->now.modules[i]);
  return TRUE;
}

gint
sluice_run_replay_get_in_flight (SluiceRunReplay *self,
                                 const char      *controller_id)
{
  gpointer index;
  gint n = 0;

  if (sluice_run_state_is_final (self->now.state) ||
      !g_hash_table_lookup_extended (self->controller_index, controller_id, NULL, &index))
    return 0;
  for (guint i = 0; i < self->module_ids->len; i++)
    if (self->now.modules[i].controller == GPOINTER_TO_UINT (index))
      n += self->now.modules[i].stats.active;
  return n;
}

json_t *
sluice_run_replay_dup_gate_results (SluiceRunReplay *self,
                                    const char      *gate_id)
{
  gpointer index;
  const ModuleState *module;
  json_t *checks;

  if (!g_hash_table_lookup_extended (self->module_index, gate_id, NULL, &index))
    return NULL;
  module = &self->now.modules[GPOINTER_TO_UINT (index) - 1];
  checks = module->gate_first_fail != NULL ? module->gate_first_fail : module->gate_last;
  if (checks == NULL)
    return NULL;
  return json_pack ("{s:O}", "checks", checks);
}

gint64
sluice_run_replay_get_stage_time (SluiceRunReplay *self,
                                  const char      *controller_id)
{
  gpointer index;
  guint i;

  if (!g_hash_table_lookup_extended (self->controller_index, controller_id, NULL, &index))
    return -1;
  i = GPOINTER_TO_UINT (index);
  if (self->now.stage_first[i] == 0)
    return -1;
  return self->now.stage_last[i] - self->now.stage_first[i];
}
