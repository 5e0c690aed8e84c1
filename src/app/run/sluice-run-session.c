/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-item-ring.h"
#include "sluice-run-session.h"
#include "sluice-run-thread.h"

/* Output lines kept for the run panel. */
#define MAX_OUTPUTS 1000
/* Items/s are measured over windows of this length. */
#define RATE_WINDOW_US (500 * 1000)

typedef struct
{
  guint64 last_out;     /* at the start of the rate window */
  guint64 last_seen;    /* items_in + items_out at the last poll */
  gint64  moved;        /* monotonic time the counters last changed */
} ModuleTrack;

struct _SluiceRunSession
{
  GObject               parent_instance;

  SluicePipeline       *pipeline;      /* owned */
  SluiceRun            *run;           /* owned, NULL before start */
  SluiceExecutor       *executor;      /* borrowed from @run */
  SluiceRunReplay      *replay;        /* owned: a recorded run played back instead */
  GPtrArray            *replay_ids;    /* char*: its module ids, the keys of @module_index */
  SluiceEventTally     *tally;         /* owned: a run elsewhere, told by its events */
  GPtrArray            *remote_ids;    /* char*, the module ids of a remote run, in document order */
  guint64               remote_in;     /* totals of a remote run, as its server says */
  guint64               remote_out;
  gint64                remote_elapsed;
  json_t               *remote_report; /* GET /runs/ID/report of a remote run, or NULL */
  gboolean              remote_outputs; /* @outputs are the newest of the server's (GET /runs/ID/output) */
  SluiceRunLog         *log;           /* owned */
  SluiceRunThread      *thread;        /* owned: where a local run goes on */
  gboolean              settled;       /* its thread is joined: @executor is ours to read */
  SluiceRunSnapshot     snapshot;      /* what the run's thread published, until settled */
  GHashTable           *stage_index;   /* controller node → index+1 in @snapshot.stages */
  GHashTable           *gate_index;    /* gate id (the node's) → index+1 in @snapshot.gates */
  GPtrArray            *outputs;       /* char*, the last MAX_OUTPUTS */
  guint64               n_outputs;
  char                 *input_text;    /* the run's input items as JSON lines, or NULL */
  char                 *input_file;    /* or the file they came from, or NULL */
  GHashTable           *input_defines; /* name → value of the run's parameters, or NULL */

  GHashTable           *module_index;  /* id (borrowed from the executor) → index+1 */
  SluiceModuleLive     *modules;       /* n_modules */
  ModuleTrack          *tracks;
  guint                 n_modules;
  GHashTable           *descendants;   /* SluiceNode* → GArray of module indexes */
  GHashTable           *controllers;   /* SluiceNode* → SluiceControllerLive* */
  gint64                rate_started;
  gboolean              moving;
  gint64                update_interval; /* µs between "updated" during a run */
  gint64                last_update;
  guint64               fingerprint;   /* of the counters at the last poll */
  guint                 serial;        /* bumped when they changed */
  guint                 tick_id;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_ACTIVE,
  N_PROPS
};

enum
{
  UPDATED,
  STARTED,
  CONTROL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceRunSession, sluice_run_session, G_TYPE_OBJECT)

/* The session reads its run from the executor of a local run, from the
 * replay of a recorded one, or from the tally of a remote run's events:
 * the drawing above is the same. */
static gboolean
has_run (SluiceRunSession *self)
{
  return self->executor != NULL || self->replay != NULL || self->tally != NULL;
}

/* A local run whose thread still goes: its counters are read from the
 * snapshot it publishes, never from the executor. */
static gboolean
on_thread (SluiceRunSession *self)
{
  return self->executor != NULL && !self->settled;
}

static SluiceRunState
run_state (SluiceRunSession *self)
{
  if (on_thread (self))
    return self->snapshot.state;
  if (self->executor != NULL)
    return sluice_executor_get_state (self->executor);
  if (self->replay != NULL)
    return sluice_run_replay_get_state (self->replay);
  return self->tally != NULL ? sluice_event_tally_get_state (self->tally) : SLUICE_RUN_PENDING;
}

static void
module_stats_at (SluiceRunSession  *self,
                 guint              index,
                 SluiceModuleStats *stats)
{
  if (on_thread (self))
    *stats = self->snapshot.modules[index];
  else if (self->executor != NULL)
    sluice_executor_get_module_stats_at (self->executor, index, stats);
  else if (self->replay != NULL)
    sluice_run_replay_get_module_stats (self->replay, g_ptr_array_index (self->replay_ids, index), stats);
  else
    sluice_event_tally_get_module_stats (self->tally, g_ptr_array_index (self->remote_ids, index), stats);
}

const char *
sluice_live_state_to_string (SluiceLiveState state)
{
  static const char *names[] = { N_("idle"), N_("waiting"), N_("running"), N_("done"),
                                 N_("failed"), N_("skipped"), N_("cancelled"), N_("paused") };

  g_return_val_if_fail (state <= SLUICE_LIVE_PAUSED, "");
  return _(names[state]);
}

/* Most telling first: one failed module makes its phase failed. */
static int
state_rank (SluiceLiveState state)
{
  static const int rank[] = { 0, 3, 5, 2, 6, 1, 4, 5 };
  return rank[state];
}

/* The run's state: the executor's, or the replay's where it stands. */
static SluiceLiveState
live_state (SluiceRunSession        *self,
            const SluiceModuleStats *stats)
{
  SluiceRunState run = run_state (self);

  /* After a cancel, a module no item reached never ran: it says nothing
   * (a gate's <fail> that never fired is neither "cancelled" nor
   * "skipped", which would say its stage went by). */
  if (run == SLUICE_RUN_CANCELLED && stats->items_in == 0 && stats->active == 0)
    return SLUICE_LIVE_IDLE;

  switch (stats->state)
    {
    case SLUICE_MODULE_FAILED:
      return SLUICE_LIVE_FAILED;
    case SLUICE_MODULE_DONE:
      /* Cancelled with items still in it: their work was lost. */
      if (run == SLUICE_RUN_CANCELLED && stats->items_in > stats->items_out + stats->dropped)
        return SLUICE_LIVE_CANCELLED;
      return stats->failed > 0 && stats->dropped > 0 ? SLUICE_LIVE_FAILED : SLUICE_LIVE_DONE;
    case SLUICE_MODULE_SKIPPED:
      return run == SLUICE_RUN_COMPLETED ? SLUICE_LIVE_SKIPPED :
             run == SLUICE_RUN_CANCELLED ? SLUICE_LIVE_CANCELLED : SLUICE_LIVE_SKIPPED;
    case SLUICE_MODULE_RUNNING:
      if (run == SLUICE_RUN_CANCELLED)
        return SLUICE_LIVE_CANCELLED;
      if (stats->active > 0)
        return SLUICE_LIVE_RUNNING;
      /* A module that dropped or passed on failed items (on-error) shows
       * them between items: they are what the user must look at. */
      return stats->failed > 0 ? SLUICE_LIVE_FAILED : SLUICE_LIVE_WAITING;
    case SLUICE_MODULE_IDLE:
    default:
      return run == SLUICE_RUN_CANCELLED ? SLUICE_LIVE_CANCELLED : SLUICE_LIVE_IDLE;
    }
}

/* A stage's items out, for a run without an executor (remote or
 * replayed), whose events tell modules' counts only: the output of the
 * last module of its last phase. (Not of its last module in the file:
 * that may be the fail in a gate's else branch, which never passes
 * anything on.) */
static guint64
controller_items_out (SluiceRunSession *self,
                      SluiceNode       *controller)
{
  GListModel *phases = sluice_controller_get_phases (SLUICE_CONTROLLER (controller));
  guint n_phases = g_list_model_get_n_items (phases);
  g_autoptr(SluicePhase) phase = NULL;
  g_autoptr(SluiceNode) last = NULL;
  GListModel *modules;
  gpointer index;

  if (n_phases == 0)
    return 0;
  phase = g_list_model_get_item (phases, n_phases - 1);
  modules = sluice_phase_get_modules (phase);
  if (g_list_model_get_n_items (modules) == 0)
    return 0;
  last = g_list_model_get_item (modules, g_list_model_get_n_items (modules) - 1);
  if (!g_hash_table_lookup_extended (self->module_index, sluice_node_get_id (last), NULL, &index))
    return 0;
  return self->modules[GPOINTER_TO_UINT (index) - 1].stats.items_out;
}

/* What a stage let in, out and failed: as the executor counted it at the
 * stage's boundary for a local run; from its modules' counts otherwise. */
static void
stage_stats (SluiceRunSession *self,
             SluiceNode       *controller,
             GArray           *mods,
             SluiceStageStats *stage)
{
  if (on_thread (self))
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->stage_index, controller));

      if (index > 0)
        *stage = self->snapshot.stages[index - 1].stats;
      return;
    }
  if (self->executor != NULL)
    {
      sluice_executor_get_stage_stats (self->executor, sluice_node_get_id (controller), stage);
      return;
    }
  for (guint i = 0; mods != NULL && i < mods->len; i++)
    {
      const SluiceModuleStats *stats = &self->modules[g_array_index (mods, guint, i)].stats;

      if (i == 0)
        stage->items_in = stats->items_in;
      stage->items_failed += stats->failed;
    }
  stage->items_out = controller_items_out (self, controller);
}

static void
poll_controllers (SluiceRunSession *self)
{
  GHashTableIter iter;
  gpointer key, value;
  SluiceRunState run = run_state (self);
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, self->controllers);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SluiceControllerLive *live = value;
      const char *id = sluice_node_get_id (key);
      GArray *mods = g_hash_table_lookup (self->descendants, key);
      int best = -1;

      /* Once the run is over nothing is queued or in flight any more,
       * whatever the executor's counters held when it stopped. */
      if (sluice_run_state_is_final (run))
        live->queue_depth = live->in_flight = live->held_back = 0;
      else if (self->replay != NULL)
        {
          /* The events do not say what waited at a stage's input. */
          live->queue_depth = live->held_back = 0;
          live->in_flight = sluice_run_replay_get_in_flight (self->replay, id);
        }
      else if (self->executor == NULL)
        {
          /* A remote run's events tell what is in its modules, not what
           * waits at its input. */
          live->queue_depth = live->held_back = 0;
          live->in_flight = sluice_event_tally_get_in_flight (self->tally, id);
        }
      else if (on_thread (self))
        {
          guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->stage_index, key));
          const SluiceRunStageSnapshot *stage = index > 0 ? &self->snapshot.stages[index - 1] : NULL;

          live->queue_depth = stage != NULL ? stage->queue_depth : 0;
          live->in_flight = stage != NULL ? stage->in_flight : 0;
          live->held_back = stage != NULL ? stage->held_back : 0;
        }
      else
        {
          live->queue_depth = sluice_executor_get_queue_depth (self->executor, id);
          live->in_flight = sluice_executor_get_in_flight (self->executor, id);
          live->held_back = sluice_executor_get_held_back (self->executor, id);
        }
      live->superseded = 0;
      live->state = SLUICE_LIVE_IDLE;
      for (guint i = 0; mods != NULL && i < mods->len; i++)
        {
          SluiceModuleLive *m = &self->modules[g_array_index (mods, guint, i)];

          live->superseded += m->stats.superseded;
          if (state_rank (m->state) > best)
            {
              best = state_rank (m->state);
              live->state = m->state;
            }
        }
      /* What the core counted at the stage's boundary, not a guess
       * from the model (which module's output leaves it). */
      {
        SluiceStageStats stage = { 0 };

        stage_stats (self, key, mods, &stage);
        live->items_in = stage.items_in;
        live->items_out = stage.items_out;
        live->items_failed = stage.items_failed + stage.dropped;
      }
      /* A stage with items in it runs, even when a module of it dropped
       * failed items on the way (the module shows that). */
      if ((live->in_flight > 0 || live->queue_depth > 0) && !sluice_run_state_is_final (run))
        live->state = SLUICE_LIVE_RUNNING;
      /* Paused, a stage that was under way waits for the user. */
      if (run == SLUICE_RUN_PAUSED && (live->state == SLUICE_LIVE_RUNNING || live->state == SLUICE_LIVE_WAITING))
        live->state = SLUICE_LIVE_PAUSED;
      /* A stage whose modules are all done or skipped is done. */
      if (live->state == SLUICE_LIVE_SKIPPED && live->items_in > 0)
        live->state = SLUICE_LIVE_DONE;
      /* A replay shows the stage's recorded time (the overlay draws
       * finished − started), not the time since it was opened. */
      if (self->replay != NULL)
        {
          gint64 recorded = sluice_run_replay_get_stage_time (self->replay, id);

          live->started = recorded >= 0 ? 1 : 0;
          live->finished = recorded >= 0 ? 1 + recorded : 0;
          continue;
        }
      if (live->started == 0 && (live->state != SLUICE_LIVE_IDLE && live->state != SLUICE_LIVE_SKIPPED &&
                                 live->state != SLUICE_LIVE_CANCELLED))
        live->started = now;
      if (live->started != 0 && live->finished == 0 &&
          (live->state == SLUICE_LIVE_DONE || live->state == SLUICE_LIVE_FAILED || sluice_run_state_is_final (run)))
        live->finished = now;
    }
}

static void
log_item_cb (const SluiceItemRecord *record,
             gpointer                user_data)
{
  SluiceRunSession *self = user_data;

  sluice_run_log_append_item (self->log, record, sluice_node_get_id (SLUICE_NODE (self->pipeline)));
}

static void
log_event_cb (gpointer data,
              gpointer user_data)
{
  SluiceRunSession *self = user_data;
  SluiceEvent *event = data;

  /* The log is a ring: it keeps the newest events and every warning,
   * error and state change, so that the end of a long run is there. */
  sluice_run_log_append (self->log, event);
  /* A change of the run's state is shown at once: the last one comes
   * after the last update, and no update follows it. */
  if (event->type == SLUICE_EVENT_RUN_STATE)
    sluice_run_log_flush (self->log);
}

/* What the run's thread handed over since the last frame: its counters,
 * its events and per-item records (to the log, in sequence order) and
 * its outputs. */
static void
take_from_thread (SluiceRunSession *self)
{
  guint64 lost = 0;

  if (self->thread == NULL)
    return;
  self->n_outputs = sluice_run_thread_take (self->thread, &self->snapshot, log_item_cb, log_event_cb, self,
                                            self->outputs, MAX_OUTPUTS, &lost);
  if (lost > 0)
    sluice_run_log_note_lost (self->log, lost);
}

void
sluice_run_session_poll (SluiceRunSession *self)
{
  gint64 now = g_get_monotonic_time ();
  gboolean window_over;
  gboolean moving = FALSE;
  guint64 fingerprint;

  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (!has_run (self))
    return;
  take_from_thread (self);
  fingerprint = run_state (self);
  /* A gate's results or an endpoint changed: draw again. */
  if (on_thread (self))
    fingerprint = fingerprint * 31 + self->snapshot.gates_serial * 17 + self->snapshot.endpoints_serial;

  window_over = now - self->rate_started >= RATE_WINDOW_US;
  for (guint i = 0; i < self->n_modules; i++)
    {
      SluiceModuleLive *live = &self->modules[i];
      ModuleTrack *track = &self->tracks[i];
      guint64 seen;

      module_stats_at (self, i, &live->stats);
      live->state = live_state (self, &live->stats);
      seen = live->stats.items_in + live->stats.items_out;
      fingerprint = fingerprint * 31 + seen + live->stats.dropped + live->stats.failed +
                    live->stats.active * 7 + live->state * 13;
      if (seen != track->last_seen)
        {
          track->last_seen = seen;
          track->moved = now;
        }
      /* Flow is drawn for a moment after the counters last moved. */
      live->moving = live->stats.active > 0 || now - track->moved < 300 * 1000;
      moving |= live->moving;
      if (window_over)
        {
          live->rate = (live->stats.items_out - track->last_out) * (double) G_USEC_PER_SEC /
                       (now - self->rate_started);
          track->last_out = live->stats.items_out;
        }
    }
  if (window_over)
    self->rate_started = now;
  poll_controllers (self);
  if (fingerprint != self->fingerprint)
    {
      self->fingerprint = fingerprint;
      self->serial++;
    }

  self->moving = moving && !sluice_run_state_is_final (run_state (self));
  self->last_update = now;
  sluice_run_log_flush (self->log);
  g_signal_emit (self, signals[UPDATED], 0);
}

static gboolean
tick_cb (gpointer user_data)
{
  SluiceRunSession *self = user_data;

  /* Each update redraws parts of the window: no more often than the
   * viewer can afford (see sluice_run_session_set_update_interval). The
   * run goes on on its own thread meanwhile. */
  if (g_get_monotonic_time () - self->last_update >= self->update_interval)
    sluice_run_session_poll (self);
  return G_SOURCE_CONTINUE;
}

/* On the window's thread: the run's state changed, or its thread is over. */
static gboolean
thread_changed_cb (gpointer user_data)
{
  /* Held across what we tell: a handler may let go of the session's
   * last reference (the window closed as the run ends). */
  g_autoptr(SluiceRunSession) self = g_object_ref (user_data);

  if (self->thread != NULL && !self->settled && sluice_run_thread_get_ended (self->thread))
    {
      /* Everything of the run is ours to read from now on: its final
       * state, its report, its gates' results. */
      sluice_run_thread_join (self->thread);
      self->settled = TRUE;
    }
  if (sluice_run_state_is_final (run_state (self)))
    g_clear_handle_id (&self->tick_id, g_source_remove);
  sluice_run_session_poll (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  return G_SOURCE_REMOVE;
}

static void
thread_started_cb (SluiceExecutor *executor,
                   gpointer        user_data)
{
  g_signal_emit (user_data, signals[STARTED], 0, executor);
}

static gboolean
index_node_cb (SluiceNode *node,
               gpointer    user_data)
{
  SluiceRunSession *self = user_data;
  gpointer index;

  if (SLUICE_IS_CONTROLLER (node))
    g_hash_table_insert (self->controllers, node, g_new0 (SluiceControllerLive, 1));

  if (!SLUICE_IS_MODULE (node) ||
      !g_hash_table_lookup_extended (self->module_index, sluice_node_get_id (node), NULL, &index))
    return TRUE;

  /* The module counts for itself and each node around it. */
  for (SluiceNode *n = node; n != NULL && !SLUICE_IS_PIPELINE (n); n = sluice_node_get_parent (n))
    {
      GArray *mods = g_hash_table_lookup (self->descendants, n);
      guint i = GPOINTER_TO_UINT (index) - 1;

      if (mods == NULL)
        {
          mods = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (self->descendants, n, mods);
        }
      g_array_append_val (mods, i);
    }
  return TRUE;
}

/* After module_index is filled. */
static void
index_nodes (SluiceRunSession *self)
{
  self->modules = g_new0 (SluiceModuleLive, self->n_modules);
  self->tracks = g_new0 (ModuleTrack, self->n_modules);
  sluice_pipeline_foreach_node (self->pipeline, index_node_cb, self);
}

static gboolean
collect_module_cb (SluiceNode *node,
                   gpointer    user_data)
{
  SluiceRunSession *self = user_data;

  if (SLUICE_IS_MODULE (node) && sluice_node_get_id (node) != NULL &&
      !g_hash_table_contains (self->module_index, sluice_node_get_id (node)))
    {
      g_ptr_array_add (self->remote_ids, g_strdup (sluice_node_get_id (node)));
      g_hash_table_insert (self->module_index, g_ptr_array_index (self->remote_ids, self->remote_ids->len - 1),
                           GUINT_TO_POINTER (self->remote_ids->len));
    }
  return TRUE;
}

static gboolean
collect_stage_cb (SluiceNode *node,
                  gpointer    user_data)
{
  GPtrArray *stages = user_data;

  if (SLUICE_IS_CONTROLLER (node) && sluice_node_get_id (node) != NULL)
    g_ptr_array_add (stages, node);
  return TRUE;
}

static gboolean
collect_gate_cb (SluiceNode *node,
                 gpointer    user_data)
{
  GPtrArray *gate_ids = user_data;

  if (SLUICE_IS_GATE (node) && sluice_node_get_id (node) != NULL)
    g_ptr_array_add (gate_ids, (gpointer) sluice_node_get_id (node));
  return TRUE;
}

gboolean
sluice_run_session_start (SluiceRunSession  *self,
                          GHashTable        *defines,
                          const char        *path,
                          GInputStream      *input,
                          GError           **error)
{
  g_autoptr(GPtrArray) stages = g_ptr_array_new ();
  g_autoptr(GPtrArray) stage_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) gate_ids = g_ptr_array_new ();
  SluiceRunThreadSetup setup = { 0 };

  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  g_return_val_if_fail (self->executor == NULL, FALSE);

  sluice_pipeline_foreach_node (self->pipeline, collect_stage_cb, stages);
  for (guint i = 0; i < stages->len; i++)
    {
      g_hash_table_insert (self->stage_index, g_ptr_array_index (stages, i), GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (stage_ids, (gpointer) sluice_node_get_id (g_ptr_array_index (stages, i)));
    }
  g_ptr_array_add (stage_ids, NULL);
  sluice_pipeline_foreach_node (self->pipeline, collect_gate_cb, gate_ids);
  for (guint i = 0; i < gate_ids->len; i++)
    g_hash_table_insert (self->gate_index, g_strdup (g_ptr_array_index (gate_ids, i)), GUINT_TO_POINTER (i + 1));
  g_ptr_array_add (gate_ids, NULL);

  /* The same run object as sluice-run's (same parameters, same base
   * directory, same report), on a thread of its own: the window's
   * thread lays out and draws, the run's runs. Per-item module starts
   * and ends come as records in a ring as large as what the log keeps
   * (it loses nothing it would have kept), drained once a frame. */
  setup.pipeline = self->pipeline;
  setup.path = path;
  setup.defines = defines;
  setup.input = input;
  setup.preview_depth = SLUICE_RUN_SESSION_PREVIEW_DEPTH;
  setup.ring_capacity = SLUICE_RUN_SESSION_MAX_EVENTS;
  setup.stage_ids = (const char * const *) stage_ids->pdata;
  setup.gate_ids = (const char * const *) gate_ids->pdata;
  setup.started = thread_started_cb;
  setup.changed = thread_changed_cb;
  setup.user_data = self;
  self->thread = sluice_run_thread_start (&setup, error);
  if (self->thread == NULL)
    {
      g_hash_table_remove_all (self->stage_index);
      g_hash_table_remove_all (self->gate_index);
      return FALSE;
    }
  self->run = g_object_ref (sluice_run_thread_get_run (self->thread));
  self->executor = sluice_run_get_executor (self->run);

  /* Module ids never change in a run: read here while it goes. */
  self->n_modules = sluice_executor_get_n_modules (self->executor);
  for (guint i = 0; i < self->n_modules; i++)
    g_hash_table_insert (self->module_index, (gpointer) sluice_executor_get_module_id (self->executor, i),
                         GUINT_TO_POINTER (i + 1));
  index_nodes (self);
  sluice_run_snapshot_init (&self->snapshot, self->n_modules, stages->len, gate_ids->len - 1);

  self->rate_started = g_get_monotonic_time ();
  /* About a frame: the canvas and the panel redraw from "updated". */
  self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 16, tick_cb, self, NULL);
  /* It runs: say so now, as the executor said it (the state's changes
   * come from the run's thread from now on). */
  sluice_run_session_poll (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  return TRUE;
}

void
sluice_run_session_pause (SluiceRunSession *self)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (on_thread (self))
    sluice_run_thread_pause (self->thread);
  else if (self->executor != NULL)
    sluice_executor_pause (self->executor);
  else if (self->tally != NULL && !sluice_run_state_is_final (run_state (self)))
    g_signal_emit (self, signals[CONTROL], 0, "pause");
}

void
sluice_run_session_resume (SluiceRunSession *self)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (on_thread (self))
    sluice_run_thread_resume (self->thread);
  else if (self->executor != NULL)
    sluice_executor_resume (self->executor);
  else if (self->tally != NULL && !sluice_run_state_is_final (run_state (self)))
    g_signal_emit (self, signals[CONTROL], 0, "resume");
}

void
sluice_run_session_cancel (SluiceRunSession *self)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (on_thread (self))
    sluice_run_thread_cancel (self->thread);
  else if (self->executor != NULL)
    sluice_executor_cancel (self->executor);
  else if (self->tally != NULL && !sluice_run_state_is_final (run_state (self)))
    g_signal_emit (self, signals[CONTROL], 0, "cancel");
}

SluiceRunState
sluice_run_session_get_state (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), SLUICE_RUN_PENDING);
  return run_state (self);
}

gboolean
sluice_run_session_get_active (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return has_run (self) && !sluice_run_state_is_final (run_state (self));
}

SluiceExecutor *
sluice_run_session_get_executor (SluiceRunSession *self)
{
  return self->executor;
}

SluiceRun *
sluice_run_session_get_run (SluiceRunSession *self)
{
  return self->run;
}

gint64
sluice_run_session_get_run_cpu_time (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), -1);
  if (on_thread (self))
    return self->snapshot.cpu_us;
  return self->thread != NULL ? sluice_run_thread_get_cpu_time (self->thread) : -1;
}

gboolean
sluice_run_session_get_settled (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return self->executor != NULL && self->settled;
}

SluicePipeline *
sluice_run_session_get_pipeline (SluiceRunSession *self)
{
  return self->pipeline;
}

SluiceRunLog *
sluice_run_session_get_log (SluiceRunSession *self)
{
  return self->log;
}

GPtrArray *
sluice_run_session_get_outputs (SluiceRunSession *self)
{
  if (self->outputs->len > MAX_OUTPUTS)
    g_ptr_array_remove_range (self->outputs, 0, self->outputs->len - MAX_OUTPUTS);
  return self->outputs;
}

guint64
sluice_run_session_get_n_outputs (SluiceRunSession *self)
{
  return self->n_outputs;
}

gboolean
sluice_run_session_get_log_truncated (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return sluice_run_log_get_n_dropped (self->log) > 0;
}

void
sluice_run_session_set_update_interval (SluiceRunSession *self,
                                        gint64            interval)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  self->update_interval = CLAMP (interval, 16 * 1000, G_USEC_PER_SEC);
}

gint64
sluice_run_session_get_update_interval (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), 0);
  return self->update_interval;
}

guint
sluice_run_session_get_serial (SluiceRunSession *self)
{
  return self->serial;
}

gboolean
sluice_run_session_get_moving (SluiceRunSession *self)
{
  return self->moving;
}

const char *
sluice_run_session_get_error (SluiceRunSession *self)
{
  if (on_thread (self))
    return NULL;
  if (self->executor != NULL)
    return sluice_executor_get_error (self->executor);
  if (self->replay != NULL)
    return sluice_run_replay_get_error (self->replay);
  return self->tally != NULL ? sluice_event_tally_get_error (self->tally) : NULL;
}

const char *
sluice_run_session_get_failed_module (SluiceRunSession *self)
{
  if (on_thread (self))
    return NULL;
  if (self->executor != NULL)
    return sluice_executor_get_failed_module (self->executor);
  if (self->replay != NULL)
    return sluice_run_replay_get_failed_module (self->replay);
  return self->tally != NULL ? sluice_event_tally_get_failed_module (self->tally) : NULL;
}

gboolean
sluice_run_session_get_module_live (SluiceRunSession *self,
                                    SluiceNode       *node,
                                    SluiceModuleLive *live)
{
  gpointer index;

  if (!has_run (self) || !SLUICE_IS_MODULE (node) ||
      !g_hash_table_lookup_extended (self->module_index, sluice_node_get_id (node), NULL, &index))
    return FALSE;
  *live = self->modules[GPOINTER_TO_UINT (index) - 1];
  return TRUE;
}

/* Items that entered the first module of a branch. */
static gboolean
branch_items (SluiceRunSession *self,
              GListModel       *list,
              guint64          *n)
{
  g_autoptr(SluiceNode) first = NULL;
  SluiceModuleLive live;

  if (g_list_model_get_n_items (list) == 0)
    return FALSE;
  first = g_list_model_get_item (list, 0);
  while (SLUICE_IS_COMBINATION (first) &&
         g_list_model_get_n_items (sluice_combination_get_modules (SLUICE_COMBINATION (first))) > 0)
    {
      SluiceNode *inner = g_list_model_get_item (sluice_combination_get_modules (SLUICE_COMBINATION (first)), 0);

      g_object_unref (first);
      first = inner;
    }
  if (!sluice_run_session_get_module_live (self, first, &live))
    return FALSE;
  *n = live.stats.items_in;
  return TRUE;
}

gboolean
sluice_run_session_get_branch_counts (SluiceRunSession *self,
                                      SluiceCondition  *condition,
                                      guint64          *then_items,
                                      guint64          *else_items)
{
  SluiceModuleLive live;
  guint64 decided, then_n = 0, else_n = 0;
  gboolean has_then, has_else;

  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);

  if (!sluice_run_session_get_module_live (self, SLUICE_NODE (condition), &live))
    return FALSE;
  /* Items the condition has decided on: not those in it now, nor those
   * whose expression failed. */
  decided = live.stats.items_in - MIN (live.stats.items_in, live.stats.active + live.stats.dropped);
  has_then = branch_items (self, sluice_condition_get_then_modules (condition), &then_n);
  has_else = branch_items (self, sluice_condition_get_else_modules (condition), &else_n);
  /* An empty branch passes items straight on: it took the others. */
  if (!has_then && !has_else)
    return FALSE;
  if (!has_then)
    then_n = decided - MIN (decided, else_n);
  if (!has_else)
    else_n = decided - MIN (decided, then_n);
  *then_items = then_n;
  *else_items = else_n;
  return TRUE;
}

gboolean
sluice_run_session_get_controller_live (SluiceRunSession     *self,
                                        SluiceNode           *node,
                                        SluiceControllerLive *live)
{
  SluiceControllerLive *found;

  if (!has_run (self) || (found = g_hash_table_lookup (self->controllers, node)) == NULL)
    return FALSE;
  *live = *found;
  return TRUE;
}

SluiceLiveState
sluice_run_session_get_node_state (SluiceRunSession *self,
                                   SluiceNode       *node)
{
  GArray *mods;
  SluiceLiveState state = SLUICE_LIVE_IDLE;
  int best = -1;

  if (!has_run (self) || (mods = g_hash_table_lookup (self->descendants, node)) == NULL)
    return SLUICE_LIVE_IDLE;
  for (guint i = 0; i < mods->len; i++)
    {
      SluiceLiveState s = self->modules[g_array_index (mods, guint, i)].state;

      if (state_rank (s) > best)
        {
          best = state_rank (s);
          state = s;
        }
    }
  return state;
}

static void
sluice_run_session_dispose (GObject *object)
{
  SluiceRunSession *self = SLUICE_RUN_SESSION (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  /* Closing the window or the document, a second run, quitting: the
   * run's thread is interrupted (Lua stops within a few thousand
   * instructions) and cancelled, and let go of without waiting: its end
   * may take seconds (a batched write in flight, killed commands being
   * reaped), which this thread, the windows', never waits for. The run
   * is the thread's alone from here on (our reference goes first), freed
   * on it once over; the application is held until it is joined (see
   * sluice_run_thread_release). It never touches the session again. */
  self->executor = NULL;
  g_clear_object (&self->run);
  g_clear_pointer (&self->thread, sluice_run_thread_release);
  G_OBJECT_CLASS (sluice_run_session_parent_class)->dispose (object);
}

static void
sluice_run_session_finalize (GObject *object)
{
  SluiceRunSession *self = SLUICE_RUN_SESSION (object);

  g_clear_object (&self->pipeline);
  g_clear_object (&self->log);
  sluice_run_snapshot_clear (&self->snapshot);
  g_clear_pointer (&self->stage_index, g_hash_table_unref);
  g_clear_pointer (&self->gate_index, g_hash_table_unref);
  g_clear_pointer (&self->replay, sluice_run_replay_unref);
  g_clear_pointer (&self->replay_ids, g_ptr_array_unref);
  g_clear_pointer (&self->tally, sluice_event_tally_free);
  g_clear_pointer (&self->remote_ids, g_ptr_array_unref);
  g_clear_pointer (&self->remote_report, json_decref);
  g_ptr_array_unref (self->outputs);
  g_free (self->input_text);
  g_free (self->input_file);
  g_clear_pointer (&self->input_defines, g_hash_table_unref);
  g_hash_table_unref (self->module_index);
  g_hash_table_unref (self->descendants);
  g_hash_table_unref (self->controllers);
  g_free (self->modules);
  g_free (self->tracks);
  G_OBJECT_CLASS (sluice_run_session_parent_class)->finalize (object);
}

static void
sluice_run_session_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SluiceRunSession *self = SLUICE_RUN_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, sluice_run_session_get_state (self));
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, sluice_run_session_get_active (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_run_session_class_init (SluiceRunSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_run_session_dispose;
  object_class->finalize = sluice_run_session_finalize;
  object_class->get_property = sluice_run_session_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SLUICE_TYPE_RUN_STATE, SLUICE_RUN_PENDING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Once a frame at most, after the counters were polled. */
  signals[UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Right before the executor starts: a last chance to connect to it.
   * Emitted on the window's thread with the run's context pushed as
   * thread-default (what a handler attaches goes there) while the run's
   * thread waits; handlers of the executor's signals are called on the
   * run's thread. */
  signals[STARTED] = g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_EXECUTOR);
  /* A remote run: pause, resume or cancel was asked ("pause", …); the
   * one who feeds its events sends it to the server. */
  signals[CONTROL] = g_signal_new ("control", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sluice_run_session_init (SluiceRunSession *self)
{
  self->log = sluice_run_log_new ();
  sluice_run_log_set_capacity (self->log, SLUICE_RUN_SESSION_MAX_EVENTS);
  self->update_interval = 16 * 1000;
  self->outputs = g_ptr_array_new_with_free_func (g_free);
  self->module_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->descendants = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  self->controllers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->stage_index = g_hash_table_new (NULL, NULL);
  self->gate_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

SluiceRunSession *
sluice_run_session_new (SluicePipeline *pipeline)
{
  SluiceRunSession *self;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  self = g_object_new (SLUICE_TYPE_RUN_SESSION, NULL);
  self->pipeline = g_object_ref (pipeline);
  return self;
}

void
sluice_run_session_set_input_items (SluiceRunSession *self,
                                    const char       *text,
                                    const char       *file,
                                    GHashTable       *defines)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));

  g_clear_pointer (&self->input_defines, g_hash_table_unref);
  self->input_defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (defines != NULL)
    {
      g_hash_table_iter_init (&iter, defines);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->input_defines, g_strdup (key), g_strdup (value));
    }

  g_free (self->input_text);
  self->input_text = g_strdup (text);
  g_free (self->input_file);
  self->input_file = g_strdup (file);
}

const char *
sluice_run_session_get_input_items (SluiceRunSession *self,
                                    const char      **file,
                                    GHashTable      **defines)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), NULL);

  if (file != NULL)
    *file = self->input_file;
  if (defines != NULL)
    *defines = self->input_defines;
  return self->input_text;
}


SluiceRunSession *
sluice_run_session_new_remote (SluicePipeline *pipeline)
{
  SluiceRunSession *self;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  self = sluice_run_session_new (pipeline);
  self->tally = sluice_event_tally_new ();
  self->remote_ids = g_ptr_array_new_with_free_func (g_free);
  sluice_pipeline_foreach_node (self->pipeline, collect_module_cb, self);
  self->n_modules = self->remote_ids->len;
  index_nodes (self);
  self->rate_started = g_get_monotonic_time ();
  self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT, 16, tick_cb, self, NULL);
  return self;
}

gboolean
sluice_run_session_get_remote (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return self->tally != NULL;
}

gboolean
sluice_run_session_get_started (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return has_run (self);
}

static void
remote_state_changed (SluiceRunSession *self)
{
  if (sluice_run_state_is_final (run_state (self)))
    g_clear_handle_id (&self->tick_id, g_source_remove);
  sluice_run_session_poll (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

void
sluice_run_session_apply_event (SluiceRunSession *self,
                                SluiceEvent      *event)
{
  SluiceRunState before;

  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  g_return_if_fail (self->tally != NULL);
  before = run_state (self);
  sluice_event_tally_apply (self->tally, event);
  sluice_run_log_append (self->log, event);
  if (run_state (self) != before)
    remote_state_changed (self);
}

void
sluice_run_session_set_remote_state (SluiceRunSession *self,
                                     SluiceRunState    state,
                                     const char       *error,
                                     const char       *failed_module,
                                     guint64           n_events)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  g_return_if_fail (self->tally != NULL);
  sluice_event_tally_set_failure (self->tally, error, failed_module);
  /* The events tell the state in order with the counters: the server's
   * word is taken only once they have caught up with it (else a finished
   * run would look finished before its items were counted). */
  if (state == run_state (self) || sluice_event_tally_get_n_events (self->tally) < n_events)
    return;
  sluice_event_tally_set_state (self->tally, state);
  remote_state_changed (self);
}

void
sluice_run_session_set_remote_results (SluiceRunSession *self,
                                       json_t           *report,
                                       GPtrArray        *outputs,
                                       guint64           n_outputs)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  g_return_if_fail (self->tally != NULL);
  if (report != NULL)
    {
      g_clear_pointer (&self->remote_report, json_decref);
      self->remote_report = json_incref (report);
    }
  if (outputs != NULL)
    {
      g_ptr_array_set_size (self->outputs, 0);
      for (guint i = outputs->len > MAX_OUTPUTS ? outputs->len - MAX_OUTPUTS : 0; i < outputs->len; i++)
        g_ptr_array_add (self->outputs, g_strdup (g_ptr_array_index (outputs, i)));
      self->n_outputs = MAX (n_outputs, outputs->len);
      self->remote_outputs = TRUE;
    }
  g_signal_emit (self, signals[UPDATED], 0);
}

json_t *
sluice_run_session_get_remote_report (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), NULL);
  return self->remote_report;
}

gboolean
sluice_run_session_get_remote_outputs (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), FALSE);
  return self->remote_outputs;
}

void
sluice_run_session_request_results (SluiceRunSession *self)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (self->tally != NULL)
    g_signal_emit (self, signals[CONTROL], 0, "results");
}

void
sluice_run_session_set_remote_totals (SluiceRunSession *self,
                                      guint64           items_in,
                                      guint64           items_out,
                                      gint64            elapsed)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  self->remote_in = items_in;
  self->remote_out = items_out;
  self->remote_elapsed = elapsed;
}

void
sluice_run_session_get_totals (SluiceRunSession *self,
                               guint64          *items_in,
                               guint64          *items_out,
                               gint64           *elapsed)
{
  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  if (on_thread (self))
    {
      *items_in = self->snapshot.items_in;
      *items_out = self->snapshot.items_out;
      *elapsed = self->snapshot.elapsed;
      return;
    }
  if (self->executor != NULL)
    {
      *items_in = sluice_executor_get_items_in (self->executor);
      *items_out = sluice_executor_get_items_out (self->executor);
      *elapsed = sluice_executor_get_elapsed (self->executor);
      return;
    }
  *items_in = self->remote_in;
  *items_out = self->remote_out;
  *elapsed = self->remote_elapsed;
}

json_t *
sluice_run_session_dup_gate_results (SluiceRunSession *self,
                                     const char       *gate_id)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), NULL);

  /* While the run's thread goes: the copy it published when the gate
   * last evaluated an item. */
  if (on_thread (self))
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->gate_index, gate_id));

      return index > 0 ? json_incref (self->snapshot.gates[index - 1]) : NULL;
    }
  if (self->executor != NULL)
    return sluice_executor_dup_gate_results (self->executor, gate_id);
  if (self->replay != NULL)
    return sluice_run_replay_dup_gate_results (self->replay, gate_id);
  return self->tally != NULL ? sluice_event_tally_dup_gate_results (self->tally, gate_id) : NULL;
}

GArray *
sluice_run_session_dup_endpoints (SluiceRunSession *self)
{
  g_autoptr(SluiceEndpointWatch) watch = NULL;
  GArray *copies;

  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), NULL);

  if (self->executor == NULL)
    return NULL;
  copies = sluice_endpoint_copies_new ();
  /* While the run's thread goes: what it copied at its last publish. */
  if (on_thread (self))
    {
      sluice_endpoint_copies_assign (copies, self->snapshot.endpoints);
      return copies;
    }
  /* Once it is over the clients are ours to read. */
  watch = sluice_endpoint_watch_new (self->executor);
  sluice_endpoint_watch_read (watch);
  sluice_endpoint_copies_assign (copies, sluice_endpoint_watch_get_rows (watch));
  return copies;
}

static gboolean
collect_module_id_cb (SluiceNode *node,
                      gpointer    user_data)
{
  GPtrArray *ids = user_data;

  if (SLUICE_IS_MODULE (node) && sluice_node_get_id (node) != NULL)
    g_ptr_array_add (ids, g_strdup (sluice_node_get_id (node)));
  return TRUE;
}

SluiceRunSession *
sluice_run_session_new_replay (SluicePipeline  *pipeline,
                               SluiceRunReplay *replay)
{
  SluiceRunSession *self;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (replay != NULL, NULL);

  self = sluice_run_session_new (pipeline);
  self->replay = sluice_run_replay_ref (replay);
  /* The modules of the pipeline shown, matched to the recorded ones by id. */
  self->replay_ids = g_ptr_array_new_with_free_func (g_free);
  sluice_pipeline_foreach_node (pipeline, collect_module_id_cb, self->replay_ids);
  self->n_modules = self->replay_ids->len;
  self->modules = g_new0 (SluiceModuleLive, self->n_modules);
  self->tracks = g_new0 (ModuleTrack, self->n_modules);
  for (guint i = 0; i < self->n_modules; i++)
    g_hash_table_insert (self->module_index, g_ptr_array_index (self->replay_ids, i), GUINT_TO_POINTER (i + 1));
  sluice_pipeline_foreach_node (pipeline, index_node_cb, self);
  self->rate_started = g_get_monotonic_time ();
  sluice_run_session_poll (self);
  return self;
}

SluiceRunReplay *
sluice_run_session_get_replay (SluiceRunSession *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_SESSION (self), NULL);
  return self->replay;
}

void
sluice_run_session_seek (SluiceRunSession *self,
                         guint             position)
{
  SluiceRunState before;

  g_return_if_fail (SLUICE_IS_RUN_SESSION (self));
  g_return_if_fail (self->replay != NULL);

  before = sluice_run_replay_get_state (self->replay);
  sluice_run_replay_seek (self->replay, position);
  sluice_run_session_poll (self);
  if (sluice_run_replay_get_state (self->replay) != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}
