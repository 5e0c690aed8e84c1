/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */
#include "config.h"

#include "sluice-run-thread.h"
#include "sluice-step-command.h"

#include <sys/resource.h>

/* How often the run's thread publishes its counters: about a frame. */
#define PUBLISH_INTERVAL_MS 16
/* Per-item records gathered on the run's thread before they are handed
 * over under the lock: one lock for this many records, not one each. */
#define STAGED_RECORDS 512
/* Gates' results are built again at most this often by the periodic
 * publish (a run of a thousand busy gates would spend its frames on
 * them otherwise); every other publish builds what changed. */
#define GATE_RESULTS_INTERVAL_US (100 * 1000)
/* How long the application is held for a released run's thread (see
 * sluice_run_thread_release): longer than the run's own bounded waits
 * at its end (10 s for a batched write in flight, 5 s for killed
 * commands to be reaped), so that it is reached only by a thread that
 * hangs past them. */
#define RELEASE_BOUND_MS 20000

struct _SluiceRunThread
{
  gatomicrefcount    ref_count;
  GThread           *thread;
  GMainContext      *context;      /* the run's: its thread iterates it */
  SluiceRun         *run;          /* made on the run's thread; the window's once joined */
  SluiceExecutor    *executor;     /* borrowed from @run */
  GSource           *publish_source;
  gboolean           joined;       /* window thread only */
  guint64            serial;       /* its place among the live threads (see wait_for_earlier) */

  /* Read by the run's thread until it signals @made; set before. */
  SluicePipeline    *pipeline;
  char              *path;
  GHashTable        *defines;
  GInputStream      *input;
  guint              preview_depth;
  GStrv              stage_ids;
  GStrv              gate_ids;

  /* The run's thread only. */
  GHashTable        *gate_index;     /* gate id → index+1 in @gate_ids */
  gboolean          *gates_dirty;    /* evaluated an item since the last publish */
  gboolean           any_gate_dirty;
  gint64             gates_built_at; /* monotonic µs */
  SluiceEndpointWatch *endpoints;
  gint64             counted_cpu_us; /* what all_runs_cpu_us has of this run */
  /* What the run made since the last hand-over, gathered without the
   * lock (see hand_over_locked). */
  SluiceItemRecord  *staged;         /* STAGED_RECORDS of them */
  guint              n_staged;
  GPtrArray         *staged_outputs; /* char* */
  guint64            n_staged_outputs;

  /* Window thread only. */
  GSourceFunc        changed;
  gpointer           user_data;
  gint               changed_queued;  /* atomic: an idle is on its way */
  gint               ended;           /* atomic: the thread function is over */
  gint               stale;           /* atomic: the window took the last snapshot (see busy_cb) */
  gint64             cpu_us;          /* the run's thread's CPU time, once it ended */
  gint               cancelled;       /* atomic: cancel was asked (also ends the wait for an earlier run) */
  /* Once released (sluice_run_thread_release): the application held
   * until the thread is joined, and the bound of that hold. */
  GApplication      *held;            /* owned, NULL once let go */
  guint              bound_id;

  GMutex             lock;
  GCond              made_cond;
  /* Under @lock. */
  gboolean           made;           /* the run was made (or refused): @make_error */
  gboolean           go;             /* "started" was told: start it */
  gboolean           running;        /* it started, or waits for an earlier run to end */
  gboolean           released;       /* nobody reads the run any more: its thread frees it */
  gboolean           over;           /* the thread function is past its last use of the run */
  GError            *make_error;
  SluiceRunSnapshot  snapshot;
  SluiceItemRing    *ring;           /* the run's thread pushes here */
  SluiceItemRing    *spare;          /* the other one, drained by the window; NULL while it is */
  GPtrArray         *events;         /* SluiceEvent*, in order */
  GPtrArray         *outputs;        /* char* */
  guint64            n_outputs;
  guint              max_outputs;
};

static SluiceRunThread *
run_thread_ref (SluiceRunThread *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
run_thread_unref (gpointer data)
{
  SluiceRunThread *self = data;

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_assert (self->thread == NULL);
  /* The run first: its steps' sources go from the context while it is
   * still there; what remains attached (callbacks never dispatched)
   * goes with the context. */
  g_clear_object (&self->run);
  /* The external modules' clients made for this run (on its context). */
  sluice_service_client_forget_context (self->context);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->pipeline);
  g_free (self->path);
  g_clear_pointer (&self->defines, g_hash_table_unref);
  g_clear_object (&self->input);
  g_strfreev (self->stage_ids);
  g_strfreev (self->gate_ids);
  g_clear_pointer (&self->gate_index, g_hash_table_unref);
  g_free (self->gates_dirty);
  g_clear_pointer (&self->endpoints, sluice_endpoint_watch_free);
  g_free (self->staged);
  g_ptr_array_unref (self->staged_outputs);
  g_clear_error (&self->make_error);
  sluice_run_snapshot_clear (&self->snapshot);
  g_clear_pointer (&self->ring, sluice_item_ring_free);
  g_clear_pointer (&self->spare, sluice_item_ring_free);
  g_ptr_array_unref (self->events);
  g_ptr_array_unref (self->outputs);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->made_cond);
  g_free (self);
}

void
sluice_run_snapshot_init (SluiceRunSnapshot *snapshot,
                          guint              n_modules,
                          guint              n_stages,
                          guint              n_gates)
{
  snapshot->n_modules = n_modules;
  snapshot->modules = g_new0 (SluiceModuleStats, n_modules);
  snapshot->n_stages = n_stages;
  snapshot->stages = g_new0 (SluiceRunStageSnapshot, n_stages);
  snapshot->n_gates = n_gates;
  snapshot->gates = g_new0 (json_t *, n_gates);
  snapshot->endpoints = sluice_endpoint_copies_new ();
}

void
sluice_run_snapshot_clear (SluiceRunSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->modules, g_free);
  g_clear_pointer (&snapshot->stages, g_free);
  for (guint i = 0; snapshot->gates != NULL && i < snapshot->n_gates; i++)
    json_decref (snapshot->gates[i]);
  g_clear_pointer (&snapshot->gates, g_free);
  g_clear_pointer (&snapshot->endpoints, g_array_unref);
  snapshot->n_modules = snapshot->n_stages = snapshot->n_gates = 0;
}

/* ---- on the run's thread */

static gboolean
changed_idle_cb (gpointer data)
{
  SluiceRunThread *self = data;

  g_atomic_int_set (&self->changed_queued, FALSE);
  if (self->changed != NULL)
    self->changed (self->user_data);
  return G_SOURCE_REMOVE;
}

/* Tells the window's thread, once per batch of changes. */
static void
queue_changed (SluiceRunThread *self)
{
  if (!g_atomic_int_compare_and_exchange (&self->changed_queued, FALSE, TRUE))
    return;
  g_idle_add_full (G_PRIORITY_DEFAULT, changed_idle_cb, run_thread_ref (self), run_thread_unref);
}

/* The CPU (µs) every run's thread and its Lua workers used in this
 * process so far, as they published it (atomic): a window paces its
 * drawing by what the process used besides, whichever window's run it
 * was (two windows may run at once). */
static gint64 all_runs_cpu_us;

/* On the run's thread: @run_cpu_us is what this run (its thread and its
 * workers) used so far. */
static void
count_run_cpu (SluiceRunThread *self,
               gint64           run_cpu_us)
{
  if (run_cpu_us <= self->counted_cpu_us)
    return;
  __atomic_add_fetch (&all_runs_cpu_us, run_cpu_us - self->counted_cpu_us, __ATOMIC_RELAXED);
  self->counted_cpu_us = run_cpu_us;
}

gint64
sluice_run_thread_get_all_cpu_time (void)
{
  return __atomic_load_n (&all_runs_cpu_us, __ATOMIC_RELAXED);
}

static gint64
thread_cpu_us (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) != 0)
    return 0;
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* Keeps the newest 2 × @max of @lines, letting go of the older ones a
 * thousand at a time, not one by one. */
static void
trim_lines (GPtrArray *lines,
            guint      max)
{
  if (lines->len >= 2 * max)
    g_ptr_array_remove_range (lines, 0, lines->len - max);
}

/* Under the lock: what the run made since the last hand-over goes where
 * the window takes it. Called at each publish (a frame), before each
 * event (the log merges records and events by sequence number: a record
 * must be there before an event that came after it), and when the
 * staged records are full. */
static void
hand_over_locked (SluiceRunThread *self)
{
  if (self->n_staged > 0)
    {
      sluice_item_ring_push_many (self->ring, self->staged, self->n_staged);
      self->n_staged = 0;
    }
  if (self->n_staged_outputs > 0)
    {
      for (guint i = 0; i < self->staged_outputs->len; i++)
        {
          trim_lines (self->outputs, self->max_outputs);
          g_ptr_array_add (self->outputs, g_steal_pointer (&self->staged_outputs->pdata[i]));
        }
      g_ptr_array_set_size (self->staged_outputs, 0);
      self->n_outputs += self->n_staged_outputs;
      self->n_staged_outputs = 0;
    }
}

/* The results of the gates that evaluated an item since the last
 * publish, built before the lock is taken; NULL when none did. */
static json_t **
build_gate_results (SluiceRunThread *self,
                    gboolean         periodic)
{
  json_t **results;
  gint64 now;

  if (!self->any_gate_dirty)
    return NULL;
  now = g_get_monotonic_time ();
  if (periodic && now - self->gates_built_at < GATE_RESULTS_INTERVAL_US)
    return NULL;
  self->gates_built_at = now;
  results = g_new0 (json_t *, self->snapshot.n_gates);
  for (guint i = 0; i < self->snapshot.n_gates; i++)
    if (self->gates_dirty[i])
      {
        results[i] = sluice_executor_dup_gate_results (self->executor, self->gate_ids[i]);
        self->gates_dirty[i] = FALSE;
      }
  self->any_gate_dirty = FALSE;
  return results;
}

/* Under the lock: the new results in place of the old ones. */
static void
publish_gate_results (SluiceRunThread  *self,
                      json_t          **results)
{
  if (results == NULL)
    return;
  for (guint i = 0; i < self->snapshot.n_gates; i++)
    if (results[i] != NULL)
      {
        json_decref (self->snapshot.gates[i]);
        self->snapshot.gates[i] = results[i];
      }
  self->snapshot.gates_serial++;
  g_free (results);
}

typedef enum
{
  PUBLISH_CHANGE,     /* at a change of state or stage */
  PUBLISH_PERIODIC,   /* once a frame */
  PUBLISH_FROM_LUA,   /* from inside a long Lua chunk: counters only */
} PublishKind;

static void
publish_full (SluiceRunThread *self,
              PublishKind      kind)
{
  SluiceExecutor *executor = self->executor;
  SluiceRunState state = sluice_executor_get_state (executor);
  /* Not from inside Lua: a gate may be in the middle of an item, an
   * external module in the middle of a call. */
  json_t **gate_results = kind != PUBLISH_FROM_LUA ? build_gate_results (self, kind == PUBLISH_PERIODIC) : NULL;
  /* Nothing to read in a run without external modules. */
  gboolean endpoints_changed = kind != PUBLISH_FROM_LUA && !sluice_endpoint_watch_is_empty (self->endpoints) &&
                               sluice_endpoint_watch_read (self->endpoints);

  g_atomic_int_set (&self->stale, FALSE);
  g_mutex_lock (&self->lock);
  hand_over_locked (self);
  publish_gate_results (self, gate_results);
  if (endpoints_changed)
    {
      sluice_endpoint_copies_assign (self->snapshot.endpoints, sluice_endpoint_watch_get_rows (self->endpoints));
      self->snapshot.endpoints_serial++;
    }
  /* The final state is told by the join, when everything of the run is
   * there to read. */
  if (!sluice_run_state_is_final (state))
    self->snapshot.state = state;
  self->snapshot.items_in = sluice_executor_get_items_in (executor);
  self->snapshot.items_out = sluice_executor_get_items_out (executor);
  self->snapshot.elapsed = sluice_executor_get_elapsed (executor);
  self->snapshot.cpu_us = thread_cpu_us ();
  count_run_cpu (self, self->snapshot.cpu_us + sluice_executor_get_workers_cpu_time (executor));
  sluice_executor_copy_module_stats (executor, self->snapshot.modules, self->snapshot.n_modules);
  for (guint i = 0; i < self->snapshot.n_stages; i++)
    {
      SluiceRunStageSnapshot *stage = &self->snapshot.stages[i];
      const char *id = self->stage_ids[i];

      memset (&stage->stats, 0, sizeof stage->stats);
      sluice_executor_get_stage_stats (executor, id, &stage->stats);
      stage->queue_depth = sluice_executor_get_queue_depth (executor, id);
      stage->in_flight = sluice_executor_get_in_flight (executor, id);
      stage->held_back = sluice_executor_get_held_back (executor, id);
    }
  g_mutex_unlock (&self->lock);
}

static void
publish (SluiceRunThread *self)
{
  publish_full (self, PUBLISH_CHANGE);
}

/* Once a frame, whether or not the window took the last one: what it
 * shows is never older than a frame, however slow its own frames are
 * (5,000 modules drawn in software, a screenshot rendered). A publish
 * copies the counters (some 50 µs for 5,000 modules) and hands over
 * what was gathered since the last one without copying it again. */
static gboolean
publish_cb (gpointer data)
{
  publish_full (data, PUBLISH_PERIODIC);
  return G_SOURCE_CONTINUE;
}

/* From Lua's count hook, while a chunk holds this thread (and so the
 * periodic publish): the window took the last snapshot, it gets one as
 * new as the counters, the module that spins shown at work. At most once
 * a take of the window, about a frame; a flag read every thousand Lua
 * instructions otherwise. */
static gboolean
busy_cb (gpointer data)
{
  publish_full (data, PUBLISH_FROM_LUA);
  return G_SOURCE_CONTINUE;
}

/* A gate's results change only when it evaluates an item, which it
 * tells with an event: only that gate's are built again. */
static void
mark_gate_dirty (SluiceRunThread *self,
                 const char      *gate_id)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->gate_index, gate_id));

  if (index == 0)
    return;
  self->gates_dirty[index - 1] = TRUE;
  self->any_gate_dirty = TRUE;
}

static void
event_cb (SluiceExecutor  *executor,
          SluiceEvent     *event,
          SluiceRunThread *self)
{
  g_mutex_lock (&self->lock);
  hand_over_locked (self);
  g_ptr_array_add (self->events, sluice_event_ref (event));
  g_mutex_unlock (&self->lock);

  if ((event->type == SLUICE_EVENT_GATE_PASSED || event->type == SLUICE_EVENT_GATE_FAILED) &&
      event->module_id != NULL)
    mark_gate_dirty (self, event->module_id);
  /* An item entered the next stage: what the stages before did (their
   * gates' results) is shown now, also when the next stage's Lua holds
   * this thread for long. Once per stage. */
  else if (event->type == SLUICE_EVENT_STAGE_TRANSITION)
    publish (self);
}

static void
item_record_cb (const SluiceItemRecord *records,
                guint                   n_records,
                gpointer                data)
{
  SluiceRunThread *self = data;

  /* Gathered without the lock, handed over when full: one lock for
   * hundreds of records. A batch bigger than what is left (a segment of
   * hundreds of modules) goes in pieces. */
  while (n_records > 0)
    {
      guint n = MIN (n_records, STAGED_RECORDS - self->n_staged);

      memcpy (&self->staged[self->n_staged], records, n * sizeof *records);
      self->n_staged += n;
      records += n;
      n_records -= n;
      if (G_UNLIKELY (self->n_staged == STAGED_RECORDS))
        {
          g_mutex_lock (&self->lock);
          hand_over_locked (self);
          g_mutex_unlock (&self->lock);
        }
    }
}

static void
output_cb (const char *line,
           gsize       length,
           gpointer    data)
{
  SluiceRunThread *self = data;

  /* Handed over at the next publish or event. */
  self->n_staged_outputs++;
  trim_lines (self->staged_outputs, self->max_outputs);
  g_ptr_array_add (self->staged_outputs, g_strndup (line, length));
}

static void
state_cb (SluiceExecutor  *executor,
          GParamSpec      *pspec,
          SluiceRunThread *self)
{
  publish (self);
  queue_changed (self);
}

static gboolean
make_run (SluiceRunThread  *self,
          GError          **error)
{
  self->run = sluice_run_new (self->pipeline, self->path, self->defines, error);
  if (self->run == NULL)
    return FALSE;
  self->executor = sluice_run_get_executor (self->run);
  if (self->input != NULL)
    sluice_executor_set_input_stream (self->executor, self->input);
  sluice_executor_set_output_func (self->executor, output_cb, self, NULL);
  sluice_executor_set_preview (self->executor, self->preview_depth);
  sluice_executor_set_item_record_func (self->executor, item_record_cb, self);
  sluice_executor_set_busy_func (self->executor, &self->stale, busy_cb, self);
  g_signal_connect (self->executor, "event", G_CALLBACK (event_cb), self);
  g_signal_connect (self->executor, "notify::state", G_CALLBACK (state_cb), self);

  sluice_run_snapshot_init (&self->snapshot, sluice_executor_get_n_modules (self->executor),
                            g_strv_length (self->stage_ids), g_strv_length (self->gate_ids));
  self->gate_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; self->gate_ids[i] != NULL; i++)
    g_hash_table_insert (self->gate_index, self->gate_ids[i], GUINT_TO_POINTER (i + 1));
  self->gates_dirty = g_new0 (gboolean, self->snapshot.n_gates);
  self->endpoints = sluice_endpoint_watch_new (self->executor);

  return TRUE;
}

/* ---- runs of one pipeline, one after the other
 *
 * A run its window let go of (sluice_run_thread_release) may still be
 * winding down: a batched write in flight that the end waits for,
 * killed commands being reaped, its journal's last commit. When the
 * same pipeline runs again meanwhile (its file opened again in a new
 * window; one window shows its run as going until the thread is over,
 * so it cannot), both runs would write to the same targets (a
 * file-load's file or FIFO, a table): the new run waits, on its own
 * thread and pending, until the earlier one's thread is over, so that
 * their writes never interleave. A cancel ends the wait. */

static GMutex   live_lock;
static GCond    live_cond;
static GList   *live_threads;  /* SluiceRunThread*, borrowed: registered until their thread is over */
static guint64  live_serial;

static gboolean
same_pipeline (SluiceRunThread *a,
               SluiceRunThread *b)
{
  return a->pipeline == b->pipeline || (a->path != NULL && b->path != NULL && g_str_equal (a->path, b->path));
}

static gboolean
has_earlier_locked (SluiceRunThread *self)
{
  for (GList *l = live_threads; l != NULL; l = l->next)
    {
      SluiceRunThread *other = l->data;

      if (other->serial < self->serial && same_pipeline (self, other))
        return TRUE;
    }
  return FALSE;
}

/* On the window's thread, before the run's thread exists. */
static void
register_live (SluiceRunThread *self)
{
  g_mutex_lock (&live_lock);
  self->serial = ++live_serial;
  live_threads = g_list_prepend (live_threads, self);
  g_mutex_unlock (&live_lock);
}

static void
unregister_live (SluiceRunThread *self)
{
  g_mutex_lock (&live_lock);
  live_threads = g_list_remove (live_threads, self);
  g_cond_broadcast (&live_cond);
  g_mutex_unlock (&live_lock);
}

static void
wake_waiting (void)
{
  g_mutex_lock (&live_lock);
  g_cond_broadcast (&live_cond);
  g_mutex_unlock (&live_lock);
}

/* Tells sluice_run_thread_start() it may return. */
static void
say_running (SluiceRunThread *self)
{
  g_mutex_lock (&self->lock);
  self->running = TRUE;
  g_cond_broadcast (&self->made_cond);
  g_mutex_unlock (&self->lock);
}

static void
wait_for_earlier (SluiceRunThread *self)
{
  gboolean told = FALSE;

  g_mutex_lock (&live_lock);
  while (!g_atomic_int_get (&self->cancelled) && has_earlier_locked (self))
    {
      /* The window does not wait with us: the run shows as pending. */
      if (!told)
        {
          say_running (self);
          told = TRUE;
        }
      g_cond_wait (&live_cond, &live_lock);
    }
  g_mutex_unlock (&live_lock);
}

static void
start_run (SluiceRunThread *self)
{
  self->publish_source = g_timeout_source_new (PUBLISH_INTERVAL_MS);
  g_source_set_callback (self->publish_source, publish_cb, self, NULL);
  g_source_attach (self->publish_source, self->context);
  /* Cancelled while it waited for an earlier run: it never starts. */
  if (g_atomic_int_get (&self->cancelled))
    sluice_executor_cancel (self->executor);
  else
    sluice_executor_start (self->executor);
  publish (self);
}

/* A released run (nobody reads it any more) goes on the thread it was
 * made on, with its context pushed, as soon as it is over: its steps,
 * Lua states and journal never go on a window's thread. */
static void
free_run_here (SluiceRunThread *self)
{
  g_main_context_push_thread_default (self->context);
  self->executor = NULL;
  g_clear_object (&self->run);
  sluice_service_client_forget_context (self->context);
  g_main_context_pop_thread_default (self->context);
}

static gboolean reap_cb (gpointer data);

/* The thread function's last words: a released thread is joined by an
 * idle on the default main context, where it was released. */
static void
end_thread (SluiceRunThread *self)
{
  gboolean released;

  unregister_live (self);
  g_mutex_lock (&self->lock);
  self->over = TRUE;
  released = self->released;
  g_mutex_unlock (&self->lock);
  if (!released)
    return;
  free_run_here (self);
  g_idle_add_full (G_PRIORITY_DEFAULT, reap_cb, self, NULL);
}

static gpointer
run_thread_main (gpointer data)
{
  SluiceRunThread *self = data;
  GError *error = NULL;
  gboolean made;

  g_main_context_push_thread_default (self->context);
  made = make_run (self, &error);
  /* The window's thread tells "started" with the context pushed there
   * meanwhile (see sluice_run_thread_start). */
  g_main_context_pop_thread_default (self->context);

  g_mutex_lock (&self->lock);
  self->made = TRUE;
  self->make_error = error;
  g_cond_broadcast (&self->made_cond);
  while (made && !self->go)
    g_cond_wait (&self->made_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (made)
    wait_for_earlier (self);
  g_main_context_push_thread_default (self->context);
  if (made)
    {
      start_run (self);
      say_running (self);
      while (!sluice_run_state_is_final (sluice_executor_get_state (self->executor)))
        g_main_context_iteration (self->context, TRUE);
      /* The commands the end killed: reaped here, or never. */
      sluice_step_command_wait_reaped (self->context, 5000);
      /* What the end set off: the journal's last writes, reaped
       * commands. */
      for (guint i = 0; i < 1000 && g_main_context_iteration (self->context, FALSE); i++)
        ;
      g_source_destroy (self->publish_source);
      g_clear_pointer (&self->publish_source, g_source_unref);
      publish (self);
      /* Nobody hears the run any more on this thread: whatever of it
       * the window's thread reads from now on, it reads after the join. */
      g_signal_handlers_disconnect_by_data (self->executor, self);
      sluice_executor_set_busy_func (self->executor, NULL, NULL, NULL);
    }
  g_main_context_pop_thread_default (self->context);
  self->cpu_us = thread_cpu_us ();
  count_run_cpu (self, self->cpu_us + (self->executor != NULL ? sluice_executor_get_workers_cpu_time (self->executor) : 0));
  g_atomic_int_set (&self->ended, TRUE);
  if (made)
    queue_changed (self);
  end_thread (self);
  return NULL;
}

/* ---- on the window's thread */

SluiceRunThread *
sluice_run_thread_start (const SluiceRunThreadSetup  *setup,
                         GError                     **error)
{
  SluiceRunThread *self = g_new0 (SluiceRunThread, 1);
  const char * const none[] = { NULL };

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_cond_init (&self->made_cond);
  self->context = g_main_context_new ();
  self->pipeline = g_object_ref (setup->pipeline);
  self->path = g_strdup (setup->path);
  self->defines = setup->defines != NULL ? g_hash_table_ref (setup->defines) : NULL;
  self->input = setup->input != NULL ? g_object_ref (setup->input) : NULL;
  self->preview_depth = setup->preview_depth;
  self->stage_ids = g_strdupv ((GStrv) (setup->stage_ids != NULL ? setup->stage_ids : none));
  self->gate_ids = g_strdupv ((GStrv) (setup->gate_ids != NULL ? setup->gate_ids : none));
  self->changed = setup->changed;
  self->user_data = setup->user_data;
  self->ring = sluice_item_ring_new (MAX (setup->ring_capacity, 1));
  self->spare = sluice_item_ring_new (MAX (setup->ring_capacity, 1));
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_event_unref);
  self->outputs = g_ptr_array_new_with_free_func (g_free);
  self->max_outputs = 1000;
  self->staged = g_new (SluiceItemRecord, STAGED_RECORDS);
  self->staged_outputs = g_ptr_array_new_with_free_func (g_free);

  register_live (self);
  self->thread = g_thread_new ("sluice-live-run", run_thread_main, self);
  g_mutex_lock (&self->lock);
  while (!self->made)
    g_cond_wait (&self->made_cond, &self->lock);
  g_mutex_unlock (&self->lock);

  if (self->make_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->make_error));
      self->changed = NULL;
      sluice_run_thread_free (self);
      return NULL;
    }

  /* "started" on this thread (its handlers may show a toast), with the
   * run's context pushed: what they attach (the history journal's commit
   * timer) goes to the run's context, what they connect to (the
   * executor's events) is called on the run's thread, and nothing of the
   * run moves meanwhile: its thread waits for @go. */
  g_main_context_push_thread_default (self->context);
  if (setup->started != NULL)
    setup->started (self->executor, self->user_data);
  g_main_context_pop_thread_default (self->context);

  g_mutex_lock (&self->lock);
  self->go = TRUE;
  g_cond_broadcast (&self->made_cond);
  while (!self->running)
    g_cond_wait (&self->made_cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

SluiceRun *
sluice_run_thread_get_run (SluiceRunThread *self)
{
  return self->run;
}

static gboolean
pause_cb (gpointer data)
{
  sluice_executor_pause (data);
  return G_SOURCE_REMOVE;
}

static gboolean
resume_cb (gpointer data)
{
  sluice_executor_resume (data);
  return G_SOURCE_REMOVE;
}

static gboolean
cancel_cb (gpointer data)
{
  sluice_executor_cancel (data);
  return G_SOURCE_REMOVE;
}

/* On the run's context; if its thread is over, the callback never runs
 * and goes with the context. */
static void
invoke (SluiceRunThread *self,
        GSourceFunc      func)
{
  if (self->executor == NULL || g_atomic_int_get (&self->ended))
    return;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func,
                              g_object_ref (self->executor), g_object_unref);
}

void
sluice_run_thread_pause (SluiceRunThread *self)
{
  invoke (self, pause_cb);
}

void
sluice_run_thread_resume (SluiceRunThread *self)
{
  invoke (self, resume_cb);
}

void
sluice_run_thread_cancel (SluiceRunThread *self)
{
  g_atomic_int_set (&self->cancelled, TRUE);
  /* A run waiting for an earlier one ends now, never started. */
  wake_waiting ();
  if (self->executor == NULL)
    return;
  /* Lua busy on the run's thread stops at once; the cancel itself is
   * done there, also when nothing else would wake it. */
  sluice_executor_interrupt (self->executor);
  invoke (self, cancel_cb);
}

gboolean
sluice_run_thread_get_ended (SluiceRunThread *self)
{
  return g_atomic_int_get (&self->ended);
}

guint64
sluice_run_thread_take (SluiceRunThread    *self,
                        SluiceRunSnapshot  *snapshot,
                        SluiceItemRingFunc  record_func,
                        GFunc               event_func,
                        gpointer            user_data,
                        GPtrArray          *outputs,
                        guint               max_outputs,
                        guint64            *lost)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  SluiceItemRing *records;
  guint64 n_outputs;

  g_mutex_lock (&self->lock);
  snapshot->state = self->snapshot.state;
  snapshot->items_in = self->snapshot.items_in;
  snapshot->items_out = self->snapshot.items_out;
  snapshot->elapsed = self->snapshot.elapsed;
  snapshot->cpu_us = self->snapshot.cpu_us;
  /* A run without stages (or modules) has NULL arrays, which memcpy()
   * must not be given even for no bytes. */
  if (self->snapshot.n_modules > 0)
    memcpy (snapshot->modules, self->snapshot.modules, self->snapshot.n_modules * sizeof (SluiceModuleStats));
  if (self->snapshot.n_stages > 0)
    memcpy (snapshot->stages, self->snapshot.stages, self->snapshot.n_stages * sizeof (SluiceRunStageSnapshot));
  /* Only what changed since this window's last take. */
  if (snapshot->gates_serial != self->snapshot.gates_serial)
    {
      for (guint i = 0; i < self->snapshot.n_gates; i++)
        if (snapshot->gates[i] != self->snapshot.gates[i])
          {
            json_decref (snapshot->gates[i]);
            snapshot->gates[i] = json_incref (self->snapshot.gates[i]);
          }
      snapshot->gates_serial = self->snapshot.gates_serial;
    }
  if (snapshot->endpoints_serial != self->snapshot.endpoints_serial)
    {
      sluice_endpoint_copies_assign (snapshot->endpoints, self->snapshot.endpoints);
      snapshot->endpoints_serial = self->snapshot.endpoints_serial;
    }
  records = self->ring;
  self->ring = self->spare;
  self->spare = NULL;
  events = g_steal_pointer (&self->events);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_event_unref);
  lines = g_steal_pointer (&self->outputs);
  self->outputs = g_ptr_array_new_with_free_func (g_free);
  n_outputs = self->n_outputs;
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&self->stale, TRUE);

  /* Records and events are each in order of their sequence numbers:
   * merged, the log's order is the run's. */
  *lost = 0;
  for (guint i = 0; i < events->len; i++)
    {
      SluiceEvent *event = g_ptr_array_index (events, i);

      *lost += sluice_item_ring_drain_before (records, event->seq, record_func, user_data);
      event_func (event, user_data);
    }
  *lost += sluice_item_ring_drain (records, record_func, user_data);

  for (guint i = 0; i < lines->len; i++)
    {
      if (outputs->len >= 2 * max_outputs)
        g_ptr_array_remove_range (outputs, 0, outputs->len - max_outputs);
      g_ptr_array_add (outputs, g_steal_pointer (&lines->pdata[i]));
    }
  g_ptr_array_set_free_func (lines, NULL);

  g_mutex_lock (&self->lock);
  self->spare = records;
  g_mutex_unlock (&self->lock);
  return n_outputs;
}

void
sluice_run_thread_join (SluiceRunThread *self)
{
  if (self->thread == NULL)
    return;
  if (!g_atomic_int_get (&self->ended))
    sluice_run_thread_cancel (self);
  g_thread_join (g_steal_pointer (&self->thread));
  self->joined = TRUE;
}

gint64
sluice_run_thread_get_cpu_time (SluiceRunThread *self)
{
  return self->joined ? self->cpu_us : -1;
}

void
sluice_run_thread_disown (SluiceRunThread *self)
{
  self->changed = NULL;
  self->user_data = NULL;
}

void
sluice_run_thread_free (SluiceRunThread *self)
{
  if (self == NULL)
    return;
  sluice_run_thread_disown (self);
  sluice_run_thread_join (self);
  run_thread_unref (self);
}

/* ---- letting go without waiting */

static guint release_bound_ms = RELEASE_BOUND_MS;
/* Released and not joined yet; on the default main context's thread. */
static guint n_released;

void
sluice_run_thread_set_release_bound (guint ms)
{
  release_bound_ms = ms;
}

static void
let_go_of_application (SluiceRunThread *self)
{
  if (self->held == NULL)
    return;
  g_application_release (self->held);
  g_clear_object (&self->held);
}

/* On the default main context, once the thread function is over (it
 * queued this as its last act: the join waits for no more than its
 * return). */
static gboolean
reap_cb (gpointer data)
{
  SluiceRunThread *self = data;

  g_thread_join (g_steal_pointer (&self->thread));
  self->joined = TRUE;
  g_clear_handle_id (&self->bound_id, g_source_remove);
  let_go_of_application (self);
  run_thread_unref (self);
  n_released--;
  return G_SOURCE_REMOVE;
}

static gboolean
bound_cb (gpointer data)
{
  SluiceRunThread *self = data;

  self->bound_id = 0;
  g_message ("a designer run's thread was still going %u ms after its window let go of it: "
             "the application no longer waits for it", release_bound_ms);
  let_go_of_application (self);
  return G_SOURCE_REMOVE;
}

void
sluice_run_thread_release (SluiceRunThread *self)
{
  gboolean over;

  if (self == NULL)
    return;
  sluice_run_thread_disown (self);
  if (self->thread == NULL)
    {
      run_thread_unref (self);
      return;
    }
  /* Before it is released: the thread frees the run only once it is. */
  sluice_run_thread_cancel (self);
  g_mutex_lock (&self->lock);
  over = self->over;
  self->released = !over;
  g_mutex_unlock (&self->lock);
  /* Its thread function has returned, or is about to: nothing to wait for. */
  if (over)
    {
      sluice_run_thread_free (self);
      return;
    }
  /* From here on this caller's reference is the reaper's (reap_cb, an
   * idle on this thread's context: it cannot run before we return). */
  self->held = g_application_get_default ();
  if (self->held != NULL)
    {
      g_object_ref (self->held);
      g_application_hold (self->held);
    }
  self->bound_id = g_timeout_add (release_bound_ms, bound_cb, self);
  n_released++;
}

guint
sluice_run_thread_count_released (void)
{
  return n_released;
}
