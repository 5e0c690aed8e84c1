/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-launch.h"

struct _SluiceLaunch
{
  GObject             parent_instance;

  char               *pipeline_id;
  gint64              fire_time;
  SluiceLaunchReason  reason;
  GHashTable         *params;   /* owned */
  char               *run_id;
  gboolean            finished;
};

G_DEFINE_FINAL_TYPE (SluiceLaunch, sluice_launch, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
sluice_launch_reason_to_string (SluiceLaunchReason reason)
{
  switch (reason)
    {
    case SLUICE_LAUNCH_CATCH_UP:
      return "catch-up";
    case SLUICE_LAUNCH_QUEUED:
      return "queued";
    case SLUICE_LAUNCH_ON_TIME:
    default:
      return "on-time";
    }
}

static void
sluice_launch_finalize (GObject *object)
{
  SluiceLaunch *self = SLUICE_LAUNCH (object);

  g_free (self->pipeline_id);
  g_free (self->run_id);
  g_clear_pointer (&self->params, g_hash_table_unref);

  G_OBJECT_CLASS (sluice_launch_parent_class)->finalize (object);
}

static void
sluice_launch_class_init (SluiceLaunchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_launch_finalize;

  /**
   * SluiceLaunch::finished:
   * @success: whether the run completed
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
sluice_launch_init (SluiceLaunch *self)
{
}

SluiceLaunch *
sluice_launch_new (const char         *pipeline_id,
                   gint64              fire_time,
                   SluiceLaunchReason  reason,
                   GHashTable         *params)
{
  SluiceLaunch *self = g_object_new (SLUICE_TYPE_LAUNCH, NULL);

  self->pipeline_id = g_strdup (pipeline_id);
  self->fire_time = fire_time;
  self->reason = reason;
  self->params = params != NULL ? g_hash_table_ref (params)
                                : g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

const char *
sluice_launch_get_pipeline_id (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), NULL);
  return self->pipeline_id;
}

gint64
sluice_launch_get_fire_time (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), 0);
  return self->fire_time;
}

SluiceLaunchReason
sluice_launch_get_reason (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), 0);
  return self->reason;
}

void
sluice_launch_set_reason (SluiceLaunch       *self,
                          SluiceLaunchReason  reason)
{
  g_return_if_fail (SLUICE_IS_LAUNCH (self));
  self->reason = reason;
}

GHashTable *
sluice_launch_get_params (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), NULL);
  return self->params;
}

const char *
sluice_launch_get_run_id (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), NULL);
  return self->run_id;
}

void
sluice_launch_set_run_id (SluiceLaunch *self,
                          const char   *run_id)
{
  g_return_if_fail (SLUICE_IS_LAUNCH (self));
  g_free (self->run_id);
  self->run_id = g_strdup (run_id);
}

void
sluice_launch_finish (SluiceLaunch *self,
                      gboolean      success)
{
  g_return_if_fail (SLUICE_IS_LAUNCH (self));

  if (self->finished)
    return;
  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0, success);
}

gboolean
sluice_launch_is_finished (SluiceLaunch *self)
{
  g_return_val_if_fail (SLUICE_IS_LAUNCH (self), FALSE);
  return self->finished;
}
