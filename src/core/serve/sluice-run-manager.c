/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* O_CLOEXEC, truncate, realpath, flock */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sluice-json.h"
#include "sluice-run-manager.h"

#define LOCK_FILE "daemon.lock"

struct _SluiceRunManager
{
  GObject           parent_instance;

  char             *state_dir;    /* absolute, symbolic links resolved */
  char             *runs_dir;     /* STATE-DIR/runs */
  GPtrArray        *roots;        /* char *: resolved directories */
  GHashTable       *runs;         /* id → SluiceManagedRun, owned */
  GPtrArray        *order;        /* SluiceManagedRun, oldest first, borrowed */
  SluiceRunMetrics *metrics;
  int               lock_fd;
};

G_DEFINE_FINAL_TYPE (SluiceRunManager, sluice_run_manager, G_TYPE_OBJECT)

enum { RECOVERED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
sluice_run_manager_finalize (GObject *object)
{
  SluiceRunManager *self = SLUICE_RUN_MANAGER (object);

  g_ptr_array_unref (self->order);
  g_hash_table_unref (self->runs);     /* before the metrics they report to */
  sluice_run_metrics_free (self->metrics);
  g_ptr_array_unref (self->roots);
  g_free (self->state_dir);
  g_free (self->runs_dir);
  if (self->lock_fd >= 0)
    close (self->lock_fd);

  G_OBJECT_CLASS (sluice_run_manager_parent_class)->finalize (object);
}

static void
sluice_run_manager_class_init (SluiceRunManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_run_manager_finalize;

  /* A run that was not over when the daemon stopped goes on (emitted by
   * sluice_run_manager_recover() for each): a scheduler counts it as
   * its pipeline's run going. */
  signals[RECOVERED] = g_signal_new ("recovered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_MANAGED_RUN);
}

static void
sluice_run_manager_init (SluiceRunManager *self)
{
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->order = g_ptr_array_new ();
  self->roots = g_ptr_array_new_with_free_func (g_free);
  self->metrics = sluice_run_metrics_new ();
  self->lock_fd = -1;
}

static char *
resolve_directory (const char  *path,
                   GError     **error)
{
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "%s: %s", path, g_strerror (errno));
      return NULL;
    }
  copy = g_strdup (resolved);
  free (resolved);
  return copy;
}

SluiceRunManager *
sluice_run_manager_new (const char          *state_dir,
                        const char * const  *roots,
                        GError             **error)
{
  g_autoptr(SluiceRunManager) self = g_object_new (SLUICE_TYPE_RUN_MANAGER, NULL);
  g_autofree char *lock_path = NULL;

  g_return_val_if_fail (state_dir != NULL, NULL);

  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create the state directory %s: %s", state_dir, g_strerror (errno));
      return NULL;
    }
  if ((self->state_dir = resolve_directory (state_dir, error)) == NULL)
    return NULL;
  self->runs_dir = g_build_filename (self->state_dir, "runs", NULL);
  if (g_mkdir_with_parents (self->runs_dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "cannot create %s: %s", self->runs_dir, g_strerror (errno));
      return NULL;
    }
  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    {
      char *root = resolve_directory (roots[i], error);

      if (root == NULL)
        {
          g_prefix_error (error, "root: ");
          return NULL;
        }
      g_ptr_array_add (self->roots, root);
    }

  /* Two daemons on one state directory would restart the same runs. */
  lock_path = g_build_filename (self->state_dir, LOCK_FILE, NULL);
  self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   "the state directory %s is in use by another daemon (%s is locked)",
                   self->state_dir, lock_path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static void
add_run (SluiceRunManager *self,
         SluiceManagedRun *run)
{
  g_hash_table_insert (self->runs, g_strdup (sluice_managed_run_get_id (run)), run);
  g_ptr_array_add (self->order, run);
  sluice_run_metrics_watch (self->metrics, run);
}

static int
compare_created (gconstpointer a,
                 gconstpointer b)
{
  const SluiceRunRecord *ra = sluice_managed_run_get_record (*(SluiceManagedRun **) a);
  const SluiceRunRecord *rb = sluice_managed_run_get_record (*(SluiceManagedRun **) b);

  if (ra->created != rb->created)
    return ra->created < rb->created ? -1 : 1;
  return strcmp (ra->id, rb->id);
}

guint
sluice_run_manager_recover (SluiceRunManager *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) to_restart = g_ptr_array_new ();
  const char *name;
  guint restarted = 0;

  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), 0);

  dir = g_dir_open (self->runs_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *directory = g_build_filename (self->runs_dir, name, NULL);
      g_autoptr(GError) error = NULL;
      SluiceRunRecord *record;
      SluiceManagedRun *run;

      if (!sluice_run_record_id_is_valid (name) || g_hash_table_contains (self->runs, name))
        continue;
      record = sluice_run_record_load (directory, &error);
      if (record == NULL)
        {
          g_printerr ("sluice-run daemon: skipping a run: %s\n", error->message);
          continue;
        }
      run = sluice_managed_run_new (record, &error);
      if (run == NULL)
        run = sluice_managed_run_new_failed (record, error->message);
      add_run (self, run);
      if (sluice_managed_run_get_state (run) == SLUICE_RUN_RUNNING ||
          sluice_managed_run_get_state (run) == SLUICE_RUN_PAUSED ||
          /* A scheduled run is created and started at once: one still
           * pending was caught between the two by the crash. */
          (sluice_managed_run_get_state (run) == SLUICE_RUN_PENDING &&
           g_strcmp0 (record->trigger, "schedule") == 0))
        g_ptr_array_add (to_restart, run);
    }
  g_ptr_array_sort (self->order, compare_created);

  for (guint i = 0; i < to_restart->len; i++)
    {
      SluiceManagedRun *run = g_ptr_array_index (to_restart, i);
      g_autoptr(GError) error = NULL;
      gboolean changed, ok;

      if (sluice_managed_run_get_state (run) == SLUICE_RUN_PENDING)
        ok = sluice_managed_run_apply (run, SLUICE_RUN_ACTION_START, &changed, &error);
      else
        ok = sluice_managed_run_restart (run, &error);
      if (ok)
        {
          restarted++;
          g_signal_emit (self, signals[RECOVERED], 0, run);
        }
      else
        {
          g_autofree char *why = g_strdup_printf ("cannot go on after the daemon restarted: %s", error->message);

          g_printerr ("sluice-run daemon: run %s %s\n", sluice_managed_run_get_id (run), why);
          sluice_managed_run_fail (run, why);
        }
    }
  return restarted;
}

/* @path resolved (relative to the first root) and checked to lie under
 * a root or the state directory. */
static char *
allowed_path (SluiceRunManager  *self,
              const char        *path,
              const char        *field,
              GError           **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *resolved = NULL;
  char *real;

  if (*path == '\0' || strlen (path) > 4096)
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                   "%s: expected a file path", field);
      return NULL;
    }
  absolute = g_path_is_absolute (path) || self->roots->len == 0
    ? g_canonicalize_filename (path, self->state_dir)
    : g_canonicalize_filename (path, g_ptr_array_index (self->roots, 0));
  real = realpath (absolute, NULL);
  if (real == NULL)
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR,
                   errno == ENOENT ? SLUICE_RUN_MANAGER_ERROR_NOT_FOUND : SLUICE_RUN_MANAGER_ERROR_FORBIDDEN,
                   "%s: %s: %s", field, path, g_strerror (errno));
      return NULL;
    }
  resolved = g_strdup (real);
  free (real);

  for (guint i = 0; i <= self->roots->len; i++)
    {
      const char *root = i < self->roots->len ? g_ptr_array_index (self->roots, i) : self->state_dir;
      gsize n = strlen (root);

      if (strncmp (resolved, root, n) == 0 && (resolved[n] == '/' || (n == 1 && root[0] == '/')))
        {
          if (!g_file_test (resolved, G_FILE_TEST_IS_REGULAR))
            {
              g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                           "%s: %s is not a regular file", field, path);
              return NULL;
            }
          return g_steal_pointer (&resolved);
        }
    }
  g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_FORBIDDEN,
               "%s: %s is outside the daemon's roots (see --root)", field, path);
  return NULL;
}

static gboolean
check_request (const SluiceRunRequest  *request,
               GError                 **error)
{
  if ((request->pipeline_path != NULL) + (request->pipeline_xml != NULL) + (request->registry_file != NULL) != 1 ||
      (request->registry_file != NULL) != (request->registry_bytes != NULL))
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                   "pipeline: give exactly one of a file path and the pipeline XML");
      return FALSE;
    }
  if (request->input_items != NULL && request->input_path != NULL)
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                   "input: give items or a file, not both");
      return FALSE;
    }
  if (request->input_items != NULL)
    {
      size_t i;
      json_t *item;

      if (!json_is_array (request->input_items))
        {
          g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                       "input.items: expected an array of JSON objects");
          return FALSE;
        }
      json_array_foreach (request->input_items, i, item)
        if (!json_is_object (item))
          {
            g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                         "input.items[%zu]: an item must be a JSON object", i);
            return FALSE;
          }
    }
  return TRUE;
}

static gboolean
write_items (const char  *path,
             json_t      *items,
             GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  size_t i;
  json_t *item;

  json_array_foreach (items, i, item)
    {
      g_autoptr(GError) local = NULL;

      if (!sluice_json_write (text, item, JSON_COMPACT, &local))
        {
          g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_INVALID,
                       "input.items[%zu]: %s", i, local->message);
          return FALSE;
        }
      g_string_append_c (text, '\n');
    }
  return g_file_set_contents (path, text->str, text->len, error);
}

/* Files of the new run's directory: the inline pipeline and items. */
static gboolean
fill_record (SluiceRunManager        *self,
             SluiceRunRecord         *record,
             const SluiceRunRequest  *request,
             GError                 **error)
{
  if (request->pipeline_xml != NULL)
    {
      record->pipeline_inline = TRUE;
      record->pipeline_path = g_build_filename (record->directory, "pipeline.xml", NULL);
      if (!g_file_set_contents (record->pipeline_path, request->pipeline_xml, -1, error))
        return FALSE;
    }
  else if (request->registry_file != NULL)
    {
      gsize length;
      const char *bytes = g_bytes_get_data (request->registry_bytes, &length);

      record->registry_id = g_strdup (request->registry_id);
      record->registry_file = g_strdup (request->registry_file);
      record->pipeline_path = g_build_filename (record->directory, "pipeline.xml", NULL);
      if (!g_file_set_contents (record->pipeline_path, bytes, length, error))
        return FALSE;
    }
  else if ((record->pipeline_path = allowed_path (self, request->pipeline_path, "pipeline", error)) == NULL)
    return FALSE;
  if (request->trigger != NULL)
    {
      g_free (record->trigger);
      record->trigger = g_strdup (request->trigger);
    }
  record->fire_time = request->fire_time;

  if (request->input_items != NULL)
    {
      g_free (record->input_kind);
      record->input_kind = g_strdup ("items");
      record->input_path = g_build_filename (record->directory, "input.jsonl", NULL);
      if (!write_items (record->input_path, request->input_items, error))
        return FALSE;
    }
  else if (request->input_path != NULL)
    {
      g_free (record->input_kind);
      record->input_kind = g_strdup ("file");
      if ((record->input_path = allowed_path (self, request->input_path, "input.path", error)) == NULL)
        return FALSE;
    }

  if (request->parameters != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, request->parameters);
      while (g_hash_table_iter_next (&iter, &name, &value))
        json_object_set_new (record->parameters, name, json_string (value));
    }
  return TRUE;
}

static void
remove_directory (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_unlink (file);
    }
  g_rmdir (path);
}

SluiceManagedRun *
sluice_run_manager_create_run (SluiceRunManager        *self,
                               const SluiceRunRequest  *request,
                               GError                 **error)
{
  g_autoptr(SluiceRunRecord) record = NULL;
  SluiceManagedRun *run;
  gboolean created = FALSE;

  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);

  if (!check_request (request, error))
    return NULL;
  /* Ids are random within a second: a collision just draws again. */
  for (guint attempt = 0; !created && attempt < 5; attempt++)
    {
      g_clear_pointer (&record, sluice_run_record_free);
      record = sluice_run_record_new (self->runs_dir);
      created = g_mkdir (record->directory, 0700) == 0;
      if (!created && errno != EEXIST)
        break;
    }
  if (!created)
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_IO,
                   "cannot create %s: %s", record->directory, g_strerror (errno));
      return NULL;
    }
  if (!fill_record (self, record, request, error) ||
      (run = sluice_managed_run_new (record, error)) == NULL)
    {
      remove_directory (record->directory);
      return NULL;
    }
  g_steal_pointer (&record);   /* the run has it */
  if (!sluice_run_record_save (sluice_managed_run_get_record (run), error))
    {
      g_prefix_error (error, "run %s: ", sluice_managed_run_get_id (run));
      remove_directory (sluice_managed_run_get_record (run)->directory);
      g_object_unref (run);
      return NULL;
    }
  add_run (self, run);
  sluice_run_metrics_count_created (self->metrics);
  return run;
}

SluiceManagedRun *
sluice_run_manager_create_and_start (SluiceRunManager        *self,
                                     const SluiceRunRequest  *request,
                                     GError                 **error)
{
  SluiceManagedRun *run = sluice_run_manager_create_run (self, request, error);
  gboolean changed;

  if (run == NULL || !sluice_managed_run_apply (run, SLUICE_RUN_ACTION_START, &changed, error))
    return NULL;
  return run;
}

SluiceManagedRun *
sluice_run_manager_lookup (SluiceRunManager  *self,
                           const char        *id,
                           GError           **error)
{
  SluiceManagedRun *run;

  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), NULL);

  if (!sluice_run_record_id_is_valid (id))
    {
      g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND,
                   "no run “%s”: run ids look like r-20260101T120000-0a1b2c3d", id);
      return NULL;
    }
  run = g_hash_table_lookup (self->runs, id);
  if (run == NULL)
    g_set_error (error, SLUICE_RUN_MANAGER_ERROR, SLUICE_RUN_MANAGER_ERROR_NOT_FOUND,
                 "no run %s", id);
  return run;
}

gboolean
sluice_run_manager_apply (SluiceRunManager  *self,
                          const char        *id,
                          SluiceRunAction    action,
                          gboolean          *changed,
                          GError           **error)
{
  SluiceManagedRun *run = sluice_run_manager_lookup (self, id, error);

  return run != NULL && sluice_managed_run_apply (run, action, changed, error);
}

static gboolean
matches (SluiceManagedRun      *run,
         const SluiceRunFilter *filter)
{
  const SluiceRunRecord *record = sluice_managed_run_get_record (run);

  if (filter->by_state && record->state != filter->state)
    return FALSE;
  if (filter->pipeline != NULL && g_strcmp0 (record->pipeline_id, filter->pipeline) != 0 &&
      g_strcmp0 (record->pipeline_path, filter->pipeline) != 0)
    return FALSE;
  if (filter->since != 0 && record->created < filter->since)
    return FALSE;
  if (filter->until != 0 && record->created >= filter->until)
    return FALSE;
  return TRUE;
}

GPtrArray *
sluice_run_manager_list (SluiceRunManager      *self,
                         const SluiceRunFilter *filter)
{
  GPtrArray *list = g_ptr_array_new ();

  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), list);

  for (guint i = 0; i < self->order->len; i++)
    if (filter == NULL || matches (g_ptr_array_index (self->order, i), filter))
      g_ptr_array_add (list, g_ptr_array_index (self->order, i));
  return list;
}

GPtrArray *
sluice_run_manager_list_all (SluiceRunManager *self)
{
  return sluice_run_manager_list (self, NULL);
}

SluiceRunMetrics *
sluice_run_manager_get_metrics (SluiceRunManager *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), NULL);
  return self->metrics;
}

const char *
sluice_run_manager_get_state_dir (SluiceRunManager *self)
{
  g_return_val_if_fail (SLUICE_IS_RUN_MANAGER (self), NULL);
  return self->state_dir;
}

void
sluice_run_manager_shutdown (SluiceRunManager *self)
{
  g_return_if_fail (SLUICE_IS_RUN_MANAGER (self));

  /* Disposing a run closes (flushes) its events file; the records of
   * runs not over still say running or paused. */
  g_ptr_array_set_size (self->order, 0);
  g_hash_table_remove_all (self->runs);
}
