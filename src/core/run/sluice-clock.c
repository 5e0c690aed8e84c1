/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-clock.h"

struct _SluiceClock
{
  GObject  parent_instance;

  gint64   offset;   /* µs the fake clock is ahead of the monotonic one */
};

G_DEFINE_FINAL_TYPE (SluiceClock, sluice_clock, G_TYPE_OBJECT)

static void
sluice_clock_class_init (SluiceClockClass *klass)
{
}

static void
sluice_clock_init (SluiceClock *self)
{
}

SluiceClock *
sluice_clock_new_fake (void)
{
  return g_object_new (SLUICE_TYPE_CLOCK, NULL);
}

gboolean
sluice_clock_is_fake (SluiceClock *self)
{
  return self != NULL;
}

gint64
sluice_clock_now (SluiceClock *self)
{
  return g_get_monotonic_time () + (self != NULL ? self->offset : 0);
}

void
sluice_clock_advance_to (SluiceClock *self,
                         gint64       time)
{
  gint64 now;

  g_return_if_fail (SLUICE_IS_CLOCK (self));

  now = sluice_clock_now (self);
  if (time > now)
    self->offset += time - now;
}

gint64
sluice_clock_get_skipped (SluiceClock *self)
{
  return self != NULL ? self->offset : 0;
}

gint64
sluice_clock_to_monotonic (SluiceClock *self,
                           gint64       time)
{
  return time - (self != NULL ? self->offset : 0);
}
