/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sluice-registry-runs.h"
#include "sluice-text.h"
#include "sluice-schedule-follow.h"

#define MAX_ID_LENGTH 200

struct _SluiceRegistryRuns
{
  GObject           parent_instance;

  SluiceRunManager *manager;     /* owned */
  SluiceWallClock  *clock;       /* owned */
  SluiceRegistry   *registry;    /* owned */
  SluiceScheduler  *scheduler;   /* owned */
  gboolean          quiet;
};

G_DEFINE_FINAL_TYPE (SluiceRegistryRuns, sluice_registry_runs, G_TYPE_OBJECT)

static void say (SluiceRegistryRuns *self,
                 const char         *format,
                 ...) G_GNUC_PRINTF (2, 3);

/* One line per thing that happens, with the time, on standard error. */
static void
say (SluiceRegistryRuns *self,
     const char         *format,
     ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (self->quiet)
    return;
  va_start (args, format);
  line = sluice_stamped_line_valist (format, args);
  va_end (args);
  g_printerr ("sluice-run daemon: %s\n", line);
}

static void
sluice_registry_runs_dispose (GObject *object)
{
  SluiceRegistryRuns *self = SLUICE_REGISTRY_RUNS (object);

  if (self->scheduler != NULL)
    sluice_scheduler_set_launch_func (self->scheduler, NULL, NULL, NULL);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->registry);
  g_clear_object (&self->clock);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (sluice_registry_runs_parent_class)->dispose (object);
}

static void
sluice_registry_runs_class_init (SluiceRegistryRunsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sluice_registry_runs_dispose;
}

static void
sluice_registry_runs_init (SluiceRegistryRuns *self)
{
}

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      int          code,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SLUICE_RUN_MANAGER_ERROR, code, message);
  return FALSE;
}

/* ---- entries ---- */

static SluiceRegistryEntry *
lookup (SluiceRegistryRuns  *self,
        const char          *id,
        GError             **error)
{
  SluiceRegistryEntry *entry = id != NULL ? sluice_registry_lookup (self->registry, id) : NULL;

  if (entry == NULL)
    fail (error, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND, "no pipeline “%s” in %s", id != NULL ? id : "",
          sluice_registry_get_folder (self->registry));
  return entry;
}

/* The bytes @entry was loaded and validated from: kept by the entry, or
 * its copy among the versions (the registry lets go of the entry's
 * own). */
static GBytes *
entry_bytes (SluiceRegistryRuns   *self,
             SluiceRegistryEntry  *entry,
             GError              **error)
{
  GBytes *bytes = sluice_registry_entry_get_bytes (entry);
  g_autofree char *path = NULL;
  g_autoptr(GError) local = NULL;
  char *text;
  gsize length;

  if (bytes != NULL)
    return g_bytes_ref (bytes);
  path = sluice_registry_get_version_path (self->registry, sluice_registry_entry_get_id (entry),
                                           sluice_registry_entry_get_hash (entry));
  if (path == NULL || !g_file_get_contents (path, &text, &length, &local))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_IO, "pipeline %s: its kept copy cannot be read%s%s",
            sluice_registry_entry_get_id (entry), local != NULL ? ": " : "", local != NULL ? local->message : "");
      return NULL;
    }
  return g_bytes_new_take (text, length);
}

/* The first error of @entry as FILE:LINE: MESSAGE, with @file for its
 * file when not NULL (an upload's temporary name means nothing). */
static const char *
first_error (SluiceRegistryEntry *entry,
             const char          *file,
             char               **text)
{
  GPtrArray *problems = sluice_registry_entry_get_problems (entry);

  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);

      if (sluice_problem_get_severity (problem) != SLUICE_SEVERITY_ERROR)
        continue;
      if (file == NULL)
        return *text = sluice_problem_to_string (problem);
      return *text = g_strdup_printf ("%s:%u: %s", file, sluice_problem_get_line (problem),
                                      sluice_problem_get_message (problem));
    }
  return *text = g_strdup ("it does not load");
}

/* ---- runs ---- */

static void
run_finished_cb (SluiceManagedRun *run,
                 SluiceLaunch     *launch)
{
  sluice_launch_finish (launch, sluice_managed_run_get_state (run) == SLUICE_RUN_COMPLETED);
}

/* @launch ends when @run does. */
static void
follow_run (SluiceLaunch     *launch,
            SluiceManagedRun *run)
{
  sluice_launch_set_run_id (launch, sluice_managed_run_get_id (run));
  g_signal_connect_data (run, "finished", G_CALLBACK (run_finished_cb), g_object_ref (launch),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
}

/* The scheduler's launch: a run of the file as it is now. */
static gboolean
launch_cb (SluiceLaunch  *launch,
           gpointer       user_data,
           GError       **error)
{
  SluiceRegistryRuns *self = user_data;
  const char *id = sluice_launch_get_pipeline_id (launch);
  SluiceRegistryEntry *entry = sluice_registry_lookup (self->registry, id);
  g_autoptr(GBytes) bytes = NULL;
  SluiceRunRequest request = { 0 };
  SluiceManagedRun *run;

  if (entry == NULL || !sluice_registry_entry_is_valid (entry))
    return fail (error, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND, "the pipeline file is gone or broken");
  if ((bytes = entry_bytes (self, entry, error)) == NULL)
    return FALSE;
  request.registry_id = id;
  request.registry_file = sluice_registry_entry_get_path (entry);
  request.registry_bytes = bytes;
  request.parameters = sluice_launch_get_params (launch);
  request.trigger = "schedule";
  request.fire_time = sluice_launch_get_fire_time (launch);
  run = sluice_run_manager_create_and_start (self->manager, &request, error);
  if (run == NULL)
    return FALSE;
  follow_run (launch, run);
  sluice_run_metrics_observe_schedule_lag (sluice_run_manager_get_metrics (self->manager), id,
                                           (double) (sluice_wall_clock_get_now (self->clock) - request.fire_time));
  say (self, "started %s run %s (%s, window %s … %s)", id, sluice_managed_run_get_id (run),
       sluice_launch_reason_to_string (sluice_launch_get_reason (launch)),
       (const char *) g_hash_table_lookup (request.parameters, "window_start"),
       (const char *) g_hash_table_lookup (request.parameters, "window_end"));
  return TRUE;
}

static void
skipped_cb (SluiceScheduler    *scheduler,
            const char         *id,
            gint64              fire_time,
            const char         *reason,
            SluiceRegistryRuns *self)
{
  g_autoptr(GDateTime) fire = g_date_time_new_from_unix_utc (fire_time);
  g_autofree char *when = g_date_time_format_iso8601 (fire);

  say (self, "skipped %s at %s: %s", id, when, reason);
}

/* A scheduled run that went on after a restart: its pipeline's run is
 * going (overlap), and its fire time stays handled. */
static void
recovered_cb (SluiceRunManager   *manager,
              SluiceManagedRun   *run,
              SluiceRegistryRuns *self)
{
  const SluiceRunRecord *record = sluice_managed_run_get_record (run);
  g_autoptr(SluiceLaunch) launch = NULL;

  if (record->registry_id == NULL || g_strcmp0 (record->trigger, "schedule") != 0 ||
      sluice_run_state_is_final (record->state))
    return;
  launch = sluice_launch_new (record->registry_id, record->fire_time, SLUICE_LAUNCH_ON_TIME, NULL);
  follow_run (launch, run);
  sluice_scheduler_adopt (self->scheduler, launch);
  say (self, "resumed %s run %s (it was going when the daemon stopped)", record->registry_id, record->id);
}

/* ---- the folder ---- */

static void
say_line_cb (const char *line,
             gpointer    user_data)
{
  say (user_data, "%s", line);
}

SluiceRegistryRuns *
sluice_registry_runs_new (SluiceRunManager *manager,
                          const char       *folder,
                          SluiceWallClock  *clock,
                          gboolean          quiet)
{
  SluiceRegistryRuns *self;
  const char *state_dir;
  g_autofree char *state_file = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (manager), NULL);
  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (SLUICE_IS_WALL_CLOCK (clock), NULL);

  self = g_object_new (SLUICE_TYPE_REGISTRY_RUNS, NULL);
  self->manager = g_object_ref (manager);
  self->clock = g_object_ref (clock);
  self->quiet = quiet;
  state_dir = sluice_run_manager_get_state_dir (manager);
  state_file = g_build_filename (state_dir, "scheduler.json", NULL);
  self->scheduler = sluice_scheduler_new (clock, state_file, &error);
  /* A broken state file was moved aside: the scheduler starts afresh. */
  if (error != NULL)
    say (self, "%s", error->message);
  sluice_scheduler_set_launch_func (self->scheduler, launch_cb, self, NULL);
  g_signal_connect (self->scheduler, "skipped", G_CALLBACK (skipped_cb), self);
  g_signal_connect (manager, "recovered", G_CALLBACK (recovered_cb), self);

  self->registry = sluice_registry_new (folder, state_dir);
  sluice_schedule_follow_registry (self->scheduler, self->registry, say_line_cb, self);
  return self;
}

gboolean
sluice_registry_runs_start (SluiceRegistryRuns  *self,
                            GError             **error)
{
  GPtrArray *problems;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), FALSE);

  if (!sluice_registry_watch (self->registry, error))
    return FALSE;
  problems = sluice_registry_get_problems (self->registry);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      say (self, "%s", text);
    }
  say (self, "watching %s", sluice_registry_get_folder (self->registry));
  return TRUE;
}

SluiceRegistry *
sluice_registry_runs_get_registry (SluiceRegistryRuns *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);
  return self->registry;
}

SluiceScheduler *
sluice_registry_runs_get_scheduler (SluiceRegistryRuns *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);
  return self->scheduler;
}

/* ---- JSON ---- */

json_t *
sluice_registry_runs_problem_json (SluiceProblem *problem,
                                   const char    *file)
{
  json_t *json = json_pack ("{s:s, s:s?, s:i, s:s}",
                            "severity", sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR ? "error" : "warning",
                            "file", file != NULL ? file : sluice_problem_get_file (problem),
                            "line", (int) sluice_problem_get_line (problem),
                            "message", sluice_problem_get_message (problem));

  if (sluice_problem_get_node_id (problem) != NULL)
    json_object_set_new (json, "node", json_string (sluice_problem_get_node_id (problem)));
  return json;
}

static json_t *
problems_json (GPtrArray  *problems,
               const char *file)
{
  json_t *list = json_array ();

  for (guint i = 0; i < problems->len; i++)
    json_array_append_new (list, sluice_registry_runs_problem_json (g_ptr_array_index (problems, i), file));
  return list;
}

static json_t *
schedule_json (SluiceSchedule *schedule)
{
  if (schedule == NULL)
    return json_null ();
  return json_pack ("{s:s, s:s?, s:s, s:s, s:s}",
                    "cron", sluice_schedule_get_cron (schedule),
                    "timezone", sluice_schedule_get_timezone (schedule),
                    "timescope", sluice_timescope_to_string (sluice_schedule_get_timescope (schedule)),
                    "catch_up", sluice_catch_up_to_string (sluice_schedule_get_catch_up (schedule)),
                    "overlap", sluice_overlap_to_string (sluice_schedule_get_overlap (schedule)));
}

static void
set_time (json_t     *json,
          const char *key,
          gint64      time_us)
{
  g_autofree char *text = sluice_run_record_format_time (time_us);

  json_object_set_new (json, key, json_string (text));
}

/* The newest run of @id, and how many of its runs are not over. */
static SluiceManagedRun *
last_run_of (SluiceRegistryRuns *self,
             const char         *id,
             guint              *going)
{
  g_autoptr(GPtrArray) runs = sluice_run_manager_list_all (self->manager);
  SluiceManagedRun *last = NULL;

  *going = 0;
  for (guint i = runs->len; i > 0; i--)
    {
      SluiceManagedRun *run = g_ptr_array_index (runs, i - 1);
      const SluiceRunRecord *record = sluice_managed_run_get_record (run);

      if (g_strcmp0 (record->registry_id, id) != 0)
        continue;
      if (last == NULL)
        last = run;
      if (!sluice_run_state_is_final (record->state))
        (*going)++;
    }
  return last;
}

static json_t *
last_run_json (SluiceManagedRun *run)
{
  const SluiceRunRecord *record;
  json_t *json;

  if (run == NULL)
    return json_null ();
  record = sluice_managed_run_get_record (run);
  json = json_pack ("{s:s, s:s, s:s}", "run", record->id,
                    "state", sluice_run_state_to_string (record->state),
                    "trigger", record->trigger != NULL ? record->trigger : "api");
  if (record->fire_time != 0)
    set_time (json, "fire_time", record->fire_time * G_USEC_PER_SEC);
  set_time (json, "created", record->created);
  return json;
}

/* The number of @hash among the versions kept (1 is the oldest), or 0. */
static guint
version_of (SluiceRegistryRuns *self,
            const char         *id,
            const char         *hash)
{
  g_auto(GStrv) versions = sluice_registry_get_versions (self->registry, id);

  for (guint i = 0; hash != NULL && versions != NULL && versions[i] != NULL; i++)
    if (g_str_has_prefix (versions[i], hash) && versions[i][strlen (hash)] == ' ')
      return i + 1;
  return 0;
}

static json_t *
entry_json (SluiceRegistryRuns  *self,
            SluiceRegistryEntry *entry)
{
  const char *id = sluice_registry_entry_get_id (entry);
  const char *hash = sluice_registry_entry_get_hash (entry);
  SluicePipeline *pipeline = sluice_registry_entry_get_pipeline (entry);
  SluiceSchedule *schedule = pipeline != NULL ? sluice_pipeline_get_schedule (pipeline) : NULL;
  guint version = version_of (self, id, hash);
  guint going = 0;
  SluiceManagedRun *last = last_run_of (self, id, &going);
  gint64 next;
  json_t *json;

  json = json_pack ("{s:s, s:s, s:s?, s:b, s:o, s:o, s:i, s:o}",
                    "id", id,
                    "file", sluice_registry_entry_get_path (entry),
                    "hash", hash,
                    "valid", sluice_registry_entry_is_valid (entry),
                    "schedule", schedule_json (schedule),
                    "last_run", last_run_json (last),
                    "running", (int) going,
                    "problems", problems_json (sluice_registry_entry_get_problems (entry), NULL));
  if (hash == NULL)
    json_object_set_new (json, "hash", json_null ());
  json_object_set_new (json, "version", version > 0 ? json_integer (version) : json_null ());
  if (pipeline != NULL)
    json_object_set_new (json, "name", json_string (sluice_node_get_id (SLUICE_NODE (pipeline))));
  if (schedule != NULL && sluice_registry_entry_is_valid (entry) &&
      sluice_scheduler_get_next (self->scheduler, id, &next))
    {
      g_autofree char *when = sluice_schedule_format_time (schedule, next);

      json_object_set_new (json, "next_run", json_string (when));
    }
  else
    json_object_set_new (json, "next_run", json_null ());
  return json;
}

json_t *
sluice_registry_runs_list_json (SluiceRegistryRuns *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  json_t *list = json_array ();

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  entries = sluice_registry_list (self->registry);
  for (guint i = 0; i < entries->len; i++)
    json_array_append_new (list, entry_json (self, g_ptr_array_index (entries, i)));
  return json_pack ("{s:o, s:o}", "pipelines", list,
                    "problems", problems_json (sluice_registry_get_problems (self->registry), NULL));
}

json_t *
sluice_registry_runs_get_json (SluiceRegistryRuns  *self,
                               const char          *id,
                               GError             **error)
{
  SluiceRegistryEntry *entry;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  entry = lookup (self, id, error);
  return entry != NULL ? entry_json (self, entry) : NULL;
}

/* ---- trigger, register, unregister ---- */

SluiceManagedRun *
sluice_registry_runs_trigger (SluiceRegistryRuns      *self,
                              const char              *id,
                              const SluiceRunRequest  *request,
                              gboolean                 start,
                              GError                 **error)
{
  SluiceRegistryEntry *entry;
  SluiceSchedule *schedule;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) local = NULL;
  SluiceRunRequest run_request = *request;
  SluiceManagedRun *run;
  gboolean changed;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  if ((entry = lookup (self, id, error)) == NULL)
    return NULL;
  if (!sluice_registry_entry_is_valid (entry))
    {
      g_autofree char *problem = NULL;

      fail (error, SLUICE_RUN_MANAGER_ERROR_CONFLICT, "pipeline %s is broken and cannot run: %s",
            id, first_error (entry, NULL, &problem));
      return NULL;
    }
  if ((bytes = entry_bytes (self, entry, error)) == NULL)
    return NULL;
  if (request->parameters != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, request->parameters);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (params, g_strdup (name), g_strdup (value));
    }
  /* By hand, a scheduled pipeline processes the window it ran last. */
  schedule = sluice_pipeline_get_schedule (sluice_registry_entry_get_pipeline (entry));
  if (schedule != NULL &&
      !sluice_schedule_fill_params (schedule, request->parameters, sluice_wall_clock_get_now (self->clock),
                                    params, &local))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_INVALID, "parameters: %s", local->message);
      return NULL;
    }

  run_request.pipeline_path = NULL;
  run_request.pipeline_xml = NULL;
  run_request.registry_id = id;
  run_request.registry_file = sluice_registry_entry_get_path (entry);
  run_request.registry_bytes = bytes;
  run_request.parameters = params;
  run_request.trigger = "api";
  run_request.fire_time = 0;
  run = sluice_run_manager_create_run (self->manager, &run_request, error);
  if (run == NULL || (start && !sluice_managed_run_apply (run, SLUICE_RUN_ACTION_START, &changed, error)))
    return NULL;
  say (self, "started %s run %s (by request)", id, sluice_managed_run_get_id (run));
  return run;
}

gboolean
sluice_registry_runs_id_is_valid (const char *id)
{
  g_auto(GStrv) segments = NULL;

  if (id == NULL || *id == '\0' || strlen (id) > MAX_ID_LENGTH)
    return FALSE;
  segments = g_strsplit (id, "/", -1);
  if (g_strv_length (segments) > SLUICE_REGISTRY_MAX_DEPTH)
    return FALSE;
  /* …/runs and …/versions are routes of the API. */
  if (segments[1] != NULL &&
      (g_str_has_suffix (id, "/runs") || g_str_has_suffix (id, "/versions")))
    return FALSE;
  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (segments[i][0] == '\0' || segments[i][0] == '.')
        return FALSE;
      for (const char *p = segments[i]; *p; p++)
        if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
          return FALSE;
    }
  return TRUE;
}

static gboolean
rescan (SluiceRegistryRuns  *self,
        GError             **error)
{
  g_autoptr(GError) local = NULL;

  if (sluice_registry_scan (self->registry, &local))
    return TRUE;
  return fail (error, SLUICE_RUN_MANAGER_ERROR_IO, "%s", local->message);
}

SluiceRegistryEntry *
sluice_registry_runs_register (SluiceRegistryRuns  *self,
                               const char          *id,
                               GBytes              *xml,
                               gboolean            *created,
                               GPtrArray          **problems,
                               GError             **error)
{
  const char *folder;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *upload = NULL;
  g_autofree char *upload_name = NULL;
  g_autoptr(SluiceRegistryEntry) checked = NULL;
  g_autoptr(GError) local = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  *problems = NULL;
  if (!sluice_registry_runs_id_is_valid (id))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_INVALID,
            "pipeline id “%s”: expected names of letters, digits, “_”, “-” and “.” separated by “/” "
            "(none starting with “.”, the last not “runs” or “versions”), at most %d characters", id, MAX_ID_LENGTH);
      return NULL;
    }
  folder = sluice_registry_get_folder (self->registry);
  name = g_strconcat (id, ".xml", NULL);
  path = g_build_filename (folder, name, NULL);

  /* Checked as the registry will load it, from a hidden file beside the
   * others (names starting with "." are never pipelines), then renamed
   * into place: a watcher sees the whole file or none. */
  data = g_bytes_get_data (xml, &length);
  upload_name = g_strdup_printf (".upload-%08x.xml", g_random_int ());
  upload = g_build_filename (folder, upload_name, NULL);
  if (!g_file_set_contents (upload, data != NULL ? data : "", length, &local))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_IO, "%s", local->message);
      return NULL;
    }
  checked = sluice_registry_entry_load (id, upload);
  if (!sluice_registry_entry_is_valid (checked))
    {
      g_autofree char *problem = NULL;

      g_unlink (upload);
      *problems = g_ptr_array_ref (sluice_registry_entry_get_problems (checked));
      fail (error, SLUICE_RUN_MANAGER_ERROR_PIPELINE, "%s cannot run, so it was not registered: %s",
            name, first_error (checked, name, &problem));
      return NULL;
    }
  *created = !g_file_test (path, G_FILE_TEST_EXISTS);
  parent = g_path_get_dirname (path);
  if (g_mkdir_with_parents (parent, 0755) != 0 || g_rename (upload, path) != 0)
    {
      int saved = errno;

      g_unlink (upload);
      fail (error, SLUICE_RUN_MANAGER_ERROR_IO, "cannot write %s: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!rescan (self, error))
    return NULL;
  return lookup (self, id, error);
}

gboolean
sluice_registry_runs_unregister (SluiceRegistryRuns  *self,
                                 const char          *id,
                                 GError             **error)
{
  SluiceRegistryEntry *entry;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), FALSE);

  if ((entry = lookup (self, id, error)) == NULL)
    return FALSE;
  if (g_unlink (sluice_registry_entry_get_path (entry)) != 0 && errno != ENOENT)
    return fail (error, SLUICE_RUN_MANAGER_ERROR_IO, "cannot remove %s: %s",
                 sluice_registry_entry_get_path (entry), g_strerror (errno));
  return rescan (self, error);
}

json_t *
sluice_registry_runs_versions_json (SluiceRegistryRuns  *self,
                                    const char          *id,
                                    GError             **error)
{
  g_auto(GStrv) versions = NULL;
  SluiceRegistryEntry *entry;
  const char *current;
  json_t *list;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  entry = id != NULL ? sluice_registry_lookup (self->registry, id) : NULL;
  versions = id != NULL ? sluice_registry_get_versions (self->registry, id) : NULL;
  if (entry == NULL && (versions == NULL || versions[0] == NULL))
    {
      lookup (self, id, error);
      return NULL;
    }
  current = entry != NULL ? sluice_registry_entry_get_hash (entry) : NULL;
  list = json_array ();
  for (guint i = 0; versions != NULL && versions[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (versions[i], " ", 2);

      if (fields[0] == NULL || fields[1] == NULL)
        continue;
      json_array_append_new (list, json_pack ("{s:i, s:s, s:s, s:b}", "version", (int) i + 1,
                                              "hash", fields[0], "registered", fields[1],
                                              "current", g_strcmp0 (fields[0], current) == 0));
    }
  return json_pack ("{s:s, s:o}", "id", id, "versions", list);
}

GBytes *
sluice_registry_runs_get_version (SluiceRegistryRuns  *self,
                                  const char          *id,
                                  guint64              version,
                                  GError             **error)
{
  g_auto(GStrv) versions = NULL;
  g_auto(GStrv) fields = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) local = NULL;
  char *text;
  gsize length;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_RUNS (self), NULL);

  versions = sluice_registry_get_versions (self->registry, id);
  if (versions == NULL || version == 0 || version > g_strv_length (versions))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND, "pipeline %s has no version %" G_GUINT64_FORMAT
            " (%u kept)", id, version, versions != NULL ? g_strv_length (versions) : 0);
      return NULL;
    }
  fields = g_strsplit (versions[version - 1], " ", 2);
  path = sluice_registry_get_version_path (self->registry, id, fields[0]);
  if (path == NULL || !g_file_get_contents (path, &text, &length, &local))
    {
      fail (error, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND, "pipeline %s: the copy of version %" G_GUINT64_FORMAT
            " is missing", id, version);
      return NULL;
    }
  return g_bytes_new_take (text, length);
}
