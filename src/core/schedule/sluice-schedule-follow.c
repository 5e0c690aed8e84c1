/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-problem.h"
#include "sluice-schedule-follow.h"

typedef struct
{
  SluiceScheduler       *scheduler;  /* owned */
  SluiceScheduleSayFunc  say;
  gpointer               user_data;
} Follow;

static void say (Follow     *follow,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

static void
say (Follow     *follow,
     const char *format,
     ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  follow->say (line, follow->user_data);
}

static void
say_problems (Follow    *follow,
              GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      say (follow, "  %s", text);
    }
}

static void
follow_entry (Follow              *follow,
              SluiceRegistryEntry *entry,
              const char          *what)
{
  const char *id = sluice_registry_entry_get_id (entry);
  SluicePipeline *pipeline = sluice_registry_entry_get_pipeline (entry);
  SluiceSchedule *schedule = pipeline != NULL ? sluice_pipeline_get_schedule (pipeline) : NULL;
  gint64 next;

  if (!sluice_registry_entry_is_valid (entry))
    {
      say (follow, "%s %s: broken, not scheduled", what, id);
      say_problems (follow, sluice_registry_entry_get_problems (entry));
      sluice_scheduler_remove_pipeline (follow->scheduler, id);
      return;
    }
  if (schedule == NULL)
    {
      say (follow, "%s %s: no schedule", what, id);
      sluice_scheduler_remove_pipeline (follow->scheduler, id);
      return;
    }
  /* Runs already going keep the entry they started with. */
  sluice_scheduler_set_pipeline (follow->scheduler, id, schedule);
  if (sluice_scheduler_get_next (follow->scheduler, id, &next))
    {
      g_autofree char *when = sluice_schedule_format_time (schedule, next);

      say (follow, "%s %s: next run at %s", what, id, when);
    }
}

static void
added_cb (SluiceRegistry      *registry,
          SluiceRegistryEntry *entry,
          Follow              *follow)
{
  follow_entry (follow, entry, "added");
}

static void
changed_cb (SluiceRegistry      *registry,
            SluiceRegistryEntry *entry,
            Follow              *follow)
{
  follow_entry (follow, entry, "changed");
}

static void
removed_cb (SluiceRegistry      *registry,
            SluiceRegistryEntry *entry,
            Follow              *follow)
{
  say (follow, "removed %s", sluice_registry_entry_get_id (entry));
  sluice_scheduler_remove_pipeline (follow->scheduler, sluice_registry_entry_get_id (entry));
}

static void
follow_clear (Follow *follow)
{
  g_object_unref (follow->scheduler);
}

static void
follow_release (gpointer  data,
                GClosure *closure)
{
  g_rc_box_release_full (data, (GDestroyNotify) follow_clear);
}

void
sluice_schedule_follow_registry (SluiceScheduler       *scheduler,
                                 SluiceRegistry        *registry,
                                 SluiceScheduleSayFunc  say_func,
                                 gpointer               user_data)
{
  Follow *follow;

  g_return_if_fail (SLUICE_IS_SCHEDULER (scheduler));
  g_return_if_fail (SLUICE_IS_REGISTRY (registry));
  g_return_if_fail (say_func != NULL);

  follow = g_rc_box_new0 (Follow);
  follow->scheduler = g_object_ref (scheduler);
  follow->say = say_func;
  follow->user_data = user_data;
  /* Each of the three handlers holds a reference on the box. */
  g_signal_connect_data (registry, "added", G_CALLBACK (added_cb),
                         g_rc_box_acquire (follow), follow_release, 0);
  g_signal_connect_data (registry, "changed", G_CALLBACK (changed_cb),
                         g_rc_box_acquire (follow), follow_release, 0);
  g_signal_connect_data (registry, "removed", G_CALLBACK (removed_cb),
                         follow, follow_release, 0);
}
