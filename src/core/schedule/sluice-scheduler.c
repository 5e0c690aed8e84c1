/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <jansson.h>

#include "sluice-scheduler.h"

typedef struct
{
  SluiceScheduler *scheduler;   /* borrowed */
  char            *id;
  SluiceSchedule  *schedule;    /* owned */
  gint64           last_fired;  /* the last fire time handled */
  guint            running;
  GQueue           waiting;     /* of SluiceLaunch, owned */
} Job;

struct _SluiceScheduler
{
  GObject           parent_instance;

  SluiceWallClock      *clock;      /* owned */
  char             *state_file;
  GHashTable       *jobs;       /* id → Job, owned */
  GHashTable       *state;      /* id → gint64 last fired, owned: all ids ever seen */
  GPtrArray        *adopted;    /* SluiceLaunch: resumed runs of pipelines not set yet */
  guint             alarm;
  SluiceLaunchFunc  launch_func;
  gpointer          launch_data;
  GDestroyNotify    launch_destroy;
};

G_DEFINE_FINAL_TYPE (SluiceScheduler, sluice_scheduler, G_TYPE_OBJECT)

enum {
  LAUNCHED,
  SKIPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
job_free (Job *job)
{
  g_free (job->id);
  g_clear_object (&job->schedule);
  g_queue_clear_full (&job->waiting, g_object_unref);
  g_free (job);
}

static void
sluice_scheduler_dispose (GObject *object)
{
  SluiceScheduler *self = SLUICE_SCHEDULER (object);

  if (self->alarm != 0 && self->clock != NULL)
    sluice_wall_clock_remove_alarm (self->clock, self->alarm);
  self->alarm = 0;
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  if (self->launch_destroy != NULL)
    self->launch_destroy (self->launch_data);
  self->launch_destroy = NULL;
  self->launch_func = NULL;
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (sluice_scheduler_parent_class)->dispose (object);
}

static void
sluice_scheduler_finalize (GObject *object)
{
  SluiceScheduler *self = SLUICE_SCHEDULER (object);

  g_free (self->state_file);
  g_hash_table_unref (self->state);
  g_ptr_array_unref (self->adopted);
  G_OBJECT_CLASS (sluice_scheduler_parent_class)->finalize (object);
}

static void
sluice_scheduler_class_init (SluiceSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_scheduler_dispose;
  object_class->finalize = sluice_scheduler_finalize;

  /**
   * SluiceScheduler::launched:
   * @launch: the run asked for (its run id set by the launch function)
   */
  signals[LAUNCHED] =
    g_signal_new ("launched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_LAUNCH);
  /**
   * SluiceScheduler::skipped:
   * @id: the pipeline
   * @fire_time: the fire time not run (Unix seconds)
   * @reason: why, for people ("overlap", "missed", "launch failed: …")
   */
  signals[SKIPPED] =
    g_signal_new ("skipped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_INT64, G_TYPE_STRING);
}

static void
sluice_scheduler_init (SluiceScheduler *self)
{
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) job_free);
  self->state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->adopted = g_ptr_array_new_with_free_func (g_object_unref);
}

/* State: {"version": 1, "pipelines": {"ID": {"last_fired": UNIX}}}. */

static json_t *
pending_state (SluiceScheduler *self)
{
  json_t *root = json_object ();
  json_t *pipelines = json_object ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->state);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_new (pipelines, key,
                         json_pack ("{s:I}", "last_fired", (json_int_t) *(gint64 *) value));
  json_object_set_new (root, "version", json_integer (1));
  json_object_set_new (root, "pipelines", pipelines);
  return root;
}

static void
remember (SluiceScheduler *self,
          const char      *id,
          gint64           last_fired)
{
  g_hash_table_insert (self->state, g_strdup (id), g_memdup2 (&last_fired, sizeof last_fired));
}

static void
save_state (SluiceScheduler *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  json_t *root;

  if (self->state_file == NULL)
    return;

  root = pending_state (self);
  text = json_dumps (root, JSON_INDENT (2) | JSON_SORT_KEYS);
  json_decref (root);

  /* Written to a temporary file and renamed: a crash leaves the old
   * state or the new one. */
  if (!g_file_set_contents (self->state_file, text, -1, &error))
    g_message ("cannot save the scheduler state %s: %s", self->state_file, error->message);
}

static gboolean
load_state (SluiceScheduler  *self,
            GError          **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) read_error = NULL;
  json_error_t json_error;
  json_t *root;
  json_t *pipelines;
  const char *key;
  json_t *value;

  if (self->state_file == NULL ||
      !g_file_get_contents (self->state_file, &text, NULL, &read_error))
    {
      if (read_error != NULL && !g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&read_error));
          return FALSE;
        }
      return TRUE;
    }

  root = json_loads (text, 0, &json_error);
  pipelines = root != NULL ? json_object_get (root, "pipelines") : NULL;
  if (!json_is_object (pipelines))
    {
      g_autofree char *aside = g_strconcat (self->state_file, ".broken", NULL);

      json_decref (root);
      g_rename (self->state_file, aside);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("the scheduler state %s is not valid (moved to %s): starting afresh"),
                   self->state_file, aside);
      return FALSE;
    }

  json_object_foreach (pipelines, key, value)
    {
      json_t *last = json_object_get (value, "last_fired");

      if (json_is_integer (last))
        remember (self, key, json_integer_value (last));
    }
  json_decref (root);
  return TRUE;
}

SluiceScheduler *
sluice_scheduler_new (SluiceWallClock  *clock,
                      const char   *state_file,
                      GError      **error)
{
  SluiceScheduler *self;

  g_return_val_if_fail (SLUICE_IS_WALL_CLOCK (clock), NULL);

  self = g_object_new (SLUICE_TYPE_SCHEDULER, NULL);
  self->clock = g_object_ref (clock);
  self->state_file = g_strdup (state_file);
  load_state (self, error);
  return self;
}

void
sluice_scheduler_set_launch_func (SluiceScheduler  *self,
                                  SluiceLaunchFunc  func,
                                  gpointer          user_data,
                                  GDestroyNotify    destroy)
{
  g_return_if_fail (SLUICE_IS_SCHEDULER (self));

  if (self->launch_destroy != NULL)
    self->launch_destroy (self->launch_data);
  self->launch_func = func;
  self->launch_data = user_data;
  self->launch_destroy = destroy;
}

static void rearm (SluiceScheduler *self);
static void launch (Job *job, SluiceLaunch *launch);

static void
skip (Job        *job,
      gint64      fire_time,
      const char *reason)
{
  g_signal_emit (job->scheduler, signals[SKIPPED], 0, job->id, fire_time, reason);
}

static void
launch_finished_cb (SluiceLaunch *finished,
                    gboolean      success,
                    gpointer      user_data)
{
  SluiceScheduler *self = user_data;
  Job *job = g_hash_table_lookup (self->jobs, sluice_launch_get_pipeline_id (finished));
  g_autoptr(SluiceLaunch) next = NULL;

  g_signal_handlers_disconnect_by_func (finished, launch_finished_cb, self);
  if (job == NULL)
    return;   /* removed meanwhile */

  g_assert (job->running > 0);
  job->running--;
  if (job->running == 0 || sluice_schedule_get_overlap (job->schedule) == SLUICE_OVERLAP_ALLOW)
    next = g_queue_pop_head (&job->waiting);
  if (next != NULL)
    launch (job, next);
}

/* @request's run counts as going until it finishes. */
static void
count_running (Job          *job,
               SluiceLaunch *request)
{
  job->running++;
  g_signal_connect_object (request, "finished", G_CALLBACK (launch_finished_cb), job->scheduler, 0);
}

static void
launch (Job          *job,
        SluiceLaunch *request)
{
  SluiceScheduler *self = job->scheduler;
  g_autoptr(GError) error = NULL;

  if (self->launch_func == NULL)
    {
      skip (job, sluice_launch_get_fire_time (request), "no launcher");
      return;
    }

  count_running (job, request);
  if (!self->launch_func (request, self->launch_data, &error))
    {
      g_autofree char *reason = g_strdup_printf ("launch failed: %s",
                                                 error != NULL ? error->message : "unknown error");

      g_signal_handlers_disconnect_by_func (request, launch_finished_cb, self);
      job->running--;
      skip (job, sluice_launch_get_fire_time (request), reason);
      return;
    }
  g_signal_emit (self, signals[LAUNCHED], 0, request);
}

/* One fire time to run, per the overlap policy. */
static void
submit (Job                *job,
        gint64              fire_time,
        SluiceLaunchReason  reason)
{
  SluiceOverlap overlap = sluice_schedule_get_overlap (job->schedule);
  g_autoptr(GHashTable) params = sluice_schedule_window_params (job->schedule, fire_time);
  g_autoptr(SluiceLaunch) request = sluice_launch_new (job->id, fire_time, reason, params);

  if (overlap == SLUICE_OVERLAP_ALLOW || (job->running == 0 && job->waiting.length == 0))
    {
      launch (job, request);
      return;
    }

  /* Caught-up fire times wait their turn whatever the policy: the point
   * of catch-up=all is that each window runs. */
  if (reason == SLUICE_LAUNCH_CATCH_UP)
    {
      g_queue_push_tail (&job->waiting, g_steal_pointer (&request));
      return;
    }
  if (overlap == SLUICE_OVERLAP_QUEUE && job->waiting.length == 0)
    {
      sluice_launch_set_reason (request, SLUICE_LAUNCH_QUEUED);
      g_queue_push_tail (&job->waiting, g_steal_pointer (&request));
      return;
    }
  skip (job, fire_time, "overlap: the previous run is still going");
}

/* The fire times in (after, now], oldest first, at most @limit of the
 * newest; *dropped counts the older ones left out. A ring keeps the
 * newest while a long downtime is walked. */
static GArray *
due_times (SluiceSchedule *schedule,
           gint64          after,
           gint64          now,
           guint           limit,
           guint          *dropped)
{
  g_autofree gint64 *ring = g_new (gint64, limit);
  GArray *due;
  guint64 count = 0;
  gint64 t = after;
  gint64 next;

  while (sluice_schedule_next (schedule, t, &next) && next <= now)
    {
      ring[count % limit] = next;
      count++;
      t = next;
    }

  due = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) MIN (count, limit));
  for (guint64 i = count > limit ? count - limit : 0; i < count; i++)
    g_array_append_val (due, ring[i % limit]);
  *dropped = (guint) (count > limit ? count - limit : 0);
  return due;
}

static void
evaluate (Job    *job,
          gint64  now)
{
  g_autoptr(GArray) due = NULL;
  SluiceCatchUp catch_up = sluice_schedule_get_catch_up (job->schedule);
  guint dropped = 0;
  gint64 newest;
  gint64 oldest;
  gboolean on_time;

  /* Nothing due; or the clock went back: wait until it passes again. */
  if (now <= job->last_fired ||
      !sluice_schedule_previous (job->schedule, now, &newest) || newest <= job->last_fired)
    return;

  on_time = now - newest <= SLUICE_SCHEDULER_GRACE;
  if (catch_up == SLUICE_CATCH_UP_ALL)
    due = due_times (job->schedule, job->last_fired, now, SLUICE_SCHEDULER_MAX_CATCH_UP, &dropped);
  else
    {
      /* Only the newest can run: the ones before it are not walked. */
      due = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_array_append_val (due, newest);
      if (sluice_schedule_next (job->schedule, job->last_fired, &oldest) && oldest < newest)
        {
          g_autofree char *from = sluice_schedule_format_time (job->schedule, oldest);
          g_autofree char *reason = g_strdup_printf ("missed: fire times from %s on were not run (catch-up %s)",
                                                     from, sluice_catch_up_to_string (catch_up));
          skip (job, oldest, reason);
        }
    }

  /* Handled, whatever runs: written before the launch, so a crash in
   * between never runs a fire time twice. */
  job->last_fired = newest;
  remember (job->scheduler, job->id, newest);
  save_state (job->scheduler);

  if (dropped > 0)
    {
      g_autofree char *reason = g_strdup_printf ("missed: %u older fire times beyond the catch-up limit of %d",
                                                 dropped, SLUICE_SCHEDULER_MAX_CATCH_UP);
      skip (job, g_array_index (due, gint64, 0), reason);
    }

  for (guint i = 0; i < due->len; i++)
    {
      gint64 fire = g_array_index (due, gint64, i);
      gboolean is_newest = i == due->len - 1;

      if (is_newest && on_time)
        submit (job, fire, SLUICE_LAUNCH_ON_TIME);
      else if (catch_up != SLUICE_CATCH_UP_NONE)
        submit (job, fire, SLUICE_LAUNCH_CATCH_UP);
      else
        skip (job, fire, "missed (catch-up none)");
    }
}

static void
alarm_cb (gpointer user_data)
{
  SluiceScheduler *self = user_data;

  self->alarm = 0;
  sluice_scheduler_tick (self);
}

/* One alarm, at the earliest next fire time of all pipelines. */
static void
rearm (SluiceScheduler *self)
{
  GHashTableIter iter;
  gpointer value;
  gint64 earliest = G_MAXINT64;
  gint64 now = sluice_wall_clock_get_now (self->clock);

  if (self->alarm != 0)
    sluice_wall_clock_remove_alarm (self->clock, self->alarm);
  self->alarm = 0;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Job *job = value;
      gint64 next;

      if (sluice_schedule_next (job->schedule, MAX (job->last_fired, now), &next))
        earliest = MIN (earliest, next);
    }
  if (earliest != G_MAXINT64)
    self->alarm = sluice_wall_clock_add_alarm (self->clock, earliest, alarm_cb, self);
}

void
sluice_scheduler_tick (SluiceScheduler *self)
{
  g_autoptr(GPtrArray) ids = NULL;
  gint64 now;

  g_return_if_fail (SLUICE_IS_SCHEDULER (self));

  g_object_ref (self);
  now = sluice_wall_clock_get_now (self->clock);
  /* A launch function may change the pipelines: walk a copy of the ids. */
  ids = g_ptr_array_new_with_free_func (g_free);
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->jobs);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (ids, g_strdup (key));
  }
  for (guint i = 0; i < ids->len; i++)
    {
      Job *job = g_hash_table_lookup (self->jobs, g_ptr_array_index (ids, i));

      if (job != NULL)
        evaluate (job, now);
    }
  if (self->jobs != NULL)
    rearm (self);
  g_object_unref (self);
}

void
sluice_scheduler_set_pipeline (SluiceScheduler *self,
                               const char      *id,
                               SluiceSchedule  *schedule)
{
  Job *job;

  g_return_if_fail (SLUICE_IS_SCHEDULER (self));
  g_return_if_fail (id != NULL);

  if (schedule == NULL)
    {
      sluice_scheduler_remove_pipeline (self, id);
      return;
    }

  job = g_hash_table_lookup (self->jobs, id);
  if (job == NULL)
    {
      gint64 *last = g_hash_table_lookup (self->state, id);

      job = g_new0 (Job, 1);
      job->scheduler = self;
      job->id = g_strdup (id);
      /* Never seen before: start from now, catch up nothing. */
      job->last_fired = last != NULL ? *last : sluice_wall_clock_get_now (self->clock);
      g_queue_init (&job->waiting);
      g_hash_table_insert (self->jobs, job->id, job);
      /* Its resumed runs, from before the restart, are going. */
      for (guint i = self->adopted->len; i > 0; i--)
        {
          SluiceLaunch *adopted = g_ptr_array_index (self->adopted, i - 1);

          if (g_str_equal (sluice_launch_get_pipeline_id (adopted), id))
            {
              if (!sluice_launch_is_finished (adopted))
                count_running (job, adopted);
              g_ptr_array_remove_index (self->adopted, i - 1);
            }
        }
      if (last == NULL)
        {
          /* From now on, downtime counts as missed fire times. */
          remember (self, id, job->last_fired);
          save_state (self);
        }
    }
  g_set_object (&job->schedule, schedule);
  sluice_scheduler_tick (self);
}

void
sluice_scheduler_remove_pipeline (SluiceScheduler *self,
                                  const char      *id)
{
  g_return_if_fail (SLUICE_IS_SCHEDULER (self));

  /* Its runs go on; their end is not waited for. Its last fire time stays
   * in the state, so it comes back where it was. */
  if (g_hash_table_remove (self->jobs, id))
    rearm (self);
}

void
sluice_scheduler_adopt (SluiceScheduler *self,
                        SluiceLaunch    *launch)
{
  Job *job;

  g_return_if_fail (SLUICE_IS_SCHEDULER (self));
  g_return_if_fail (SLUICE_IS_LAUNCH (launch));

  job = g_hash_table_lookup (self->jobs, sluice_launch_get_pipeline_id (launch));
  if (job != NULL)
    count_running (job, launch);
  else
    g_ptr_array_add (self->adopted, g_object_ref (launch));
}

static Job *
find_job (SluiceScheduler *self,
          const char      *id)
{
  return id != NULL ? g_hash_table_lookup (self->jobs, id) : NULL;
}

gboolean
sluice_scheduler_get_next (SluiceScheduler *self,
                           const char      *id,
                           gint64          *next)
{
  Job *job;

  g_return_val_if_fail (SLUICE_IS_SCHEDULER (self), FALSE);
  job = find_job (self, id);
  return job != NULL &&
         sluice_schedule_next (job->schedule, MAX (job->last_fired, sluice_wall_clock_get_now (self->clock)), next);
}

gboolean
sluice_scheduler_get_last_fired (SluiceScheduler *self,
                                 const char      *id,
                                 gint64          *last)
{
  Job *job;

  g_return_val_if_fail (SLUICE_IS_SCHEDULER (self), FALSE);
  job = find_job (self, id);
  if (job == NULL)
    return FALSE;
  *last = job->last_fired;
  return TRUE;
}

guint
sluice_scheduler_get_running (SluiceScheduler *self,
                              const char      *id)
{
  Job *job;

  g_return_val_if_fail (SLUICE_IS_SCHEDULER (self), 0);
  job = find_job (self, id);
  return job != NULL ? job->running : 0;
}

guint
sluice_scheduler_get_waiting (SluiceScheduler *self,
                              const char      *id)
{
  Job *job;

  g_return_val_if_fail (SLUICE_IS_SCHEDULER (self), 0);
  job = find_job (self, id);
  return job != NULL ? job->waiting.length : 0;
}
