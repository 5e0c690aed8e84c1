/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-wall-clock.h"

/* The longest a system alarm sleeps before it looks at the clock again. */
#define MAX_SLEEP_MS 30000

typedef enum
{
  CLOCK_SYSTEM,
  CLOCK_FAKE,
  CLOCK_SCALED,
} ClockKind;

typedef struct
{
  SluiceWallClock     *clock;   /* borrowed */
  guint            id;
  gint64           at;
  SluiceClockFunc  func;
  gpointer         user_data;
  guint            source;  /* the GLib timeout, real clocks and fake due ones */
} Alarm;

struct _SluiceWallClock
{
  GObject     parent_instance;

  ClockKind   kind;
  gint64      fake_now;
  gint64      scaled_start;      /* the clock's time at creation */
  gint64      scaled_origin_us;  /* g_get_monotonic_time() at creation */
  double      speed;
  GHashTable *alarms;            /* id → Alarm, owned */
  guint       next_id;
};

G_DEFINE_FINAL_TYPE (SluiceWallClock, sluice_wall_clock, G_TYPE_OBJECT)

static void
alarm_free (Alarm *alarm)
{
  g_clear_handle_id (&alarm->source, g_source_remove);
  g_free (alarm);
}

static void
sluice_wall_clock_finalize (GObject *object)
{
  SluiceWallClock *self = SLUICE_WALL_CLOCK (object);

  g_hash_table_unref (self->alarms);
  G_OBJECT_CLASS (sluice_wall_clock_parent_class)->finalize (object);
}

static void
sluice_wall_clock_class_init (SluiceWallClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_wall_clock_finalize;
}

static void
sluice_wall_clock_init (SluiceWallClock *self)
{
  self->alarms = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) alarm_free);
  self->speed = 1.0;
}

SluiceWallClock *
sluice_wall_clock_new_system (void)
{
  SluiceWallClock *self = g_object_new (SLUICE_TYPE_WALL_CLOCK, NULL);

  self->kind = CLOCK_SYSTEM;
  return self;
}

SluiceWallClock *
sluice_wall_clock_new_fake (gint64 now)
{
  SluiceWallClock *self = g_object_new (SLUICE_TYPE_WALL_CLOCK, NULL);

  self->kind = CLOCK_FAKE;
  self->fake_now = now;
  return self;
}

SluiceWallClock *
sluice_wall_clock_new_scaled (gint64 start,
                         double speed)
{
  SluiceWallClock *self = g_object_new (SLUICE_TYPE_WALL_CLOCK, NULL);

  g_return_val_if_fail (speed > 0, self);

  self->kind = CLOCK_SCALED;
  self->scaled_start = start;
  self->scaled_origin_us = g_get_monotonic_time ();
  self->speed = speed;
  return self;
}

gint64
sluice_wall_clock_get_now (SluiceWallClock *self)
{
  g_return_val_if_fail (SLUICE_IS_WALL_CLOCK (self), 0);

  switch (self->kind)
    {
    case CLOCK_FAKE:
      return self->fake_now;
    case CLOCK_SCALED:
      return self->scaled_start +
             (gint64) ((double) (g_get_monotonic_time () - self->scaled_origin_us) * self->speed / G_USEC_PER_SEC);
    case CLOCK_SYSTEM:
    default:
      return g_get_real_time () / G_USEC_PER_SEC;
    }
}

static gboolean alarm_cb (gpointer data);

/* Real clocks: wait for the alarm, in steps of at most MAX_SLEEP_MS. */
static void
arm (SluiceWallClock *self,
     Alarm       *alarm)
{
  gint64 remaining_s = alarm->at - sluice_wall_clock_get_now (self);
  gint64 delay_ms;

  if (remaining_s <= 0)
    delay_ms = 0;
  else if (self->kind == CLOCK_SCALED)
    delay_ms = (gint64) ((double) remaining_s * 1000 / self->speed);
  else
    /* Fire just after the second turns, not just before. */
    delay_ms = remaining_s * 1000 - (g_get_real_time () / 1000) % 1000 + 5;

  alarm->source = g_timeout_add ((guint) CLAMP (delay_ms, 0, MAX_SLEEP_MS), alarm_cb, alarm);
}

static void
ring (SluiceWallClock *self,
      Alarm       *alarm)
{
  SluiceClockFunc func = alarm->func;
  gpointer user_data = alarm->user_data;

  g_hash_table_remove (self->alarms, GUINT_TO_POINTER (alarm->id));
  func (user_data);
}

static gboolean
alarm_cb (gpointer data)
{
  Alarm *alarm = data;
  SluiceWallClock *self = alarm->clock;

  alarm->source = 0;   /* this source is ending */
  if (self->kind != CLOCK_FAKE && sluice_wall_clock_get_now (self) < alarm->at)
    {
      arm (self, alarm);
      return G_SOURCE_REMOVE;
    }
  g_object_ref (self);
  ring (self, alarm);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

guint
sluice_wall_clock_add_alarm (SluiceWallClock     *self,
                        gint64           at,
                        SluiceClockFunc  func,
                        gpointer         user_data)
{
  Alarm *alarm;

  g_return_val_if_fail (SLUICE_IS_WALL_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  alarm = g_new0 (Alarm, 1);
  alarm->clock = self;
  alarm->id = ++self->next_id;
  alarm->at = at;
  alarm->func = func;
  alarm->user_data = user_data;
  g_hash_table_insert (self->alarms, GUINT_TO_POINTER (alarm->id), alarm);

  /* A fake clock rings from sluice_wall_clock_set_now(), or from the main loop
   * when the alarm is due already. */
  if (self->kind != CLOCK_FAKE)
    arm (self, alarm);
  else if (at <= self->fake_now)
    alarm->source = g_idle_add (alarm_cb, alarm);

  return alarm->id;
}

void
sluice_wall_clock_remove_alarm (SluiceWallClock *self,
                           guint        id)
{
  g_return_if_fail (SLUICE_IS_WALL_CLOCK (self));
  g_hash_table_remove (self->alarms, GUINT_TO_POINTER (id));
}

static gint
compare_alarms (gconstpointer a,
                gconstpointer b)
{
  const Alarm *x = *(Alarm * const *) a;
  const Alarm *y = *(Alarm * const *) b;

  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return x->id < y->id ? -1 : (x->id > y->id);
}

void
sluice_wall_clock_set_now (SluiceWallClock *self,
                      gint64       now)
{
  g_return_if_fail (SLUICE_IS_WALL_CLOCK (self));
  g_return_if_fail (self->kind == CLOCK_FAKE);

  self->fake_now = now;

  /* Due alarms ring in time order; one may add or remove others. */
  for (;;)
    {
      g_autoptr(GPtrArray) due = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->alarms);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (((Alarm *) value)->at <= now)
          g_ptr_array_add (due, value);
      if (due->len == 0)
        return;
      g_ptr_array_sort (due, compare_alarms);
      ring (self, g_ptr_array_index (due, 0));
    }
}

void
sluice_wall_clock_advance (SluiceWallClock *self,
                      gint64       to)
{
  g_return_if_fail (SLUICE_IS_WALL_CLOCK (self));
  g_return_if_fail (self->kind == CLOCK_FAKE);

  for (;;)
    {
      GHashTableIter iter;
      gpointer value;
      Alarm *first = NULL;

      g_hash_table_iter_init (&iter, self->alarms);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (((Alarm *) value)->at <= to &&
            (first == NULL || compare_alarms (&value, (gconstpointer) &first) < 0))
          first = value;
      if (first == NULL)
        break;
      self->fake_now = MAX (self->fake_now, first->at);
      ring (self, first);
    }
  self->fake_now = to;
}
