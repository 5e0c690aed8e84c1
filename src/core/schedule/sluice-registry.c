/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sluice-problem.h"
#include "sluice-registry.h"
#include "sluice-text.h"

/* How long the folder must stay quiet after a change before it is
 * scanned again. */
#define SETTLE_MS 200

struct _SluiceRegistry
{
  GObject     parent_instance;

  char       *folder;
  char       *state_folder;  /* may be NULL */
  GHashTable *entries;       /* id → SluiceRegistryEntry, owned */
  GPtrArray  *problems;      /* of SluiceProblem, of the last scan */
  GHashTable *monitors;      /* folder path → GFileMonitor, owned */
  guint       settle;        /* the pending rescan */
  gboolean    watching;
};

G_DEFINE_FINAL_TYPE (SluiceRegistry, sluice_registry, G_TYPE_OBJECT)

enum {
  ADDED,
  CHANGED,
  REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sluice_registry_dispose (GObject *object)
{
  SluiceRegistry *self = SLUICE_REGISTRY (object);

  g_clear_handle_id (&self->settle, g_source_remove);
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  G_OBJECT_CLASS (sluice_registry_parent_class)->dispose (object);
}

static void
sluice_registry_finalize (GObject *object)
{
  SluiceRegistry *self = SLUICE_REGISTRY (object);

  g_free (self->folder);
  g_free (self->state_folder);
  g_hash_table_unref (self->entries);
  g_ptr_array_unref (self->problems);
  G_OBJECT_CLASS (sluice_registry_parent_class)->finalize (object);
}

static void
sluice_registry_class_init (SluiceRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_registry_dispose;
  object_class->finalize = sluice_registry_finalize;

  /* Each with the (new) entry; "changed" when the file's bytes changed. */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_REGISTRY_ENTRY);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_REGISTRY_ENTRY);
  signals[REMOVED] = g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_REGISTRY_ENTRY);
}

static void
sluice_registry_init (SluiceRegistry *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->problems = g_ptr_array_new_with_free_func (g_object_unref);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

SluiceRegistry *
sluice_registry_new (const char *folder,
                     const char *state_folder)
{
  SluiceRegistry *self;

  g_return_val_if_fail (folder != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_REGISTRY, NULL);
  self->folder = g_canonicalize_filename (folder, NULL);
  self->state_folder = state_folder != NULL ? g_canonicalize_filename (state_folder, NULL) : NULL;
  return self;
}

const char *
sluice_registry_get_folder (SluiceRegistry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);
  return self->folder;
}

/* The walk of one scan. */
typedef struct
{
  SluiceRegistry *registry;
  GHashTable     *found;     /* id → path */
  GHashTable     *visited;   /* "dev:ino" of folders walked */
  GPtrArray      *folders;   /* paths of folders walked, for the monitors */
  GPtrArray      *problems;
  guint           files;
  gboolean        too_many;
  dev_t           state_dev;
  ino_t           state_ino;
  gboolean        has_state;
} Walk;

static void
walk_problem (Walk       *walk,
              const char *path,
              const char *message)
{
  g_ptr_array_add (walk->problems, sluice_problem_new (SLUICE_SEVERITY_ERROR, path, 0, NULL, message));
}

static void
walk_folder (Walk       *walk,
             const char *path,
             const char *relative,
             guint       depth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *key = NULL;
  struct stat st;
  const char *name;

  if (g_stat (path, &st) != 0)
    return;
  if (walk->has_state && st.st_dev == walk->state_dev && st.st_ino == walk->state_ino)
    return;   /* our own state folder */

  key = g_strdup_printf ("%lu:%lu", (gulong) st.st_dev, (gulong) st.st_ino);
  if (g_hash_table_contains (walk->visited, key))
    {
      walk_problem (walk, path, _("this folder was reached before (a symbolic link loop or a second link): skipped"));
      return;
    }
  if (depth > SLUICE_REGISTRY_MAX_DEPTH)
    {
      g_autofree char *message = g_strdup_printf (_("folders nested more than %d deep: skipped"),
                                                  SLUICE_REGISTRY_MAX_DEPTH);
      walk_problem (walk, path, message);
      return;
    }
  g_hash_table_add (walk->visited, g_steal_pointer (&key));

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      walk_problem (walk, path, error->message);
      return;
    }
  g_ptr_array_add (walk->folders, g_strdup (path));

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = NULL;
      g_autofree char *child_relative = NULL;

      if (name[0] == '.')
        continue;
      child = g_build_filename (path, name, NULL);
      child_relative = relative != NULL ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          walk_folder (walk, child, child_relative, depth + 1);
          continue;
        }
      if (!g_str_has_suffix (name, ".xml") || strlen (name) == 4)
        continue;
      if (walk->files >= SLUICE_REGISTRY_MAX_FILES)
        {
          walk->too_many = TRUE;
          continue;
        }
      walk->files++;
      child_relative[strlen (child_relative) - 4] = '\0';
      g_hash_table_insert (walk->found, g_steal_pointer (&child_relative), g_steal_pointer (&child));
    }
}

static char *
escape_id (const char *id)
{
  return g_uri_escape_string (id, NULL, FALSE);
}

/* Keeps a copy of this version of the file in the state folder. */
static void
keep_version (SluiceRegistry      *self,
              SluiceRegistryEntry *entry)
{
  g_autofree char *escaped = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *history = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *now_text = NULL;
  GBytes *bytes = sluice_registry_entry_get_bytes (entry);
  const char *hash = sluice_registry_entry_get_hash (entry);
  FILE *out;

  if (self->state_folder == NULL || bytes == NULL || hash == NULL)
    return;

  escaped = escape_id (sluice_registry_entry_get_id (entry));
  folder = g_build_filename (self->state_folder, "versions", escaped, NULL);
  copy = g_strconcat (folder, G_DIR_SEPARATOR_S, hash, ".xml", NULL);
  if (g_file_test (copy, G_FILE_TEST_EXISTS))
    return;
  if (g_mkdir_with_parents (folder, 0700) != 0 ||
      !g_file_set_contents (copy, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), NULL))
    return;

  now = g_date_time_new_now_utc ();
  now_text = g_date_time_format_iso8601 (now);
  history = g_build_filename (folder, "history", NULL);
  out = g_fopen (history, "a");
  if (out != NULL)
    {
      fprintf (out, "%s %s\n", hash, now_text);
      fclose (out);
    }
}

static void
update_monitors (SluiceRegistry *self,
                 GPtrArray      *folders);

gboolean
sluice_registry_scan (SluiceRegistry  *self,
                      GError         **error)
{
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) visited = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) folders = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ids = NULL;
  Walk walk = { self, found, visited, folders, NULL, 0, FALSE, 0, 0, FALSE };
  struct stat st;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), FALSE);

  if (!g_file_test (self->folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                   _("%s is not a folder of pipeline files"), self->folder);
      return FALSE;
    }

  g_ptr_array_set_size (self->problems, 0);
  walk.problems = self->problems;
  if (self->state_folder != NULL && g_stat (self->state_folder, &st) == 0)
    {
      walk.has_state = TRUE;
      walk.state_dev = st.st_dev;
      walk.state_ino = st.st_ino;
    }
  walk_folder (&walk, self->folder, NULL, 0);
  if (walk.too_many)
    {
      g_autofree char *message = g_strdup_printf (_("more than %d pipeline files: the others are not loaded"),
                                                  SLUICE_REGISTRY_MAX_FILES);
      walk_problem (&walk, self->folder, message);
    }

  /* Removed files first, then new and changed ones, each in id order. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (found, key))
      {
        g_ptr_array_add (gone, g_object_ref (value));
        g_hash_table_iter_remove (&iter);
      }
  for (guint i = 0; i < gone->len; i++)
    g_signal_emit (self, signals[REMOVED], 0, g_ptr_array_index (gone, i));

  ids = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, found);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, key);
  sluice_sort_strings (ids);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      const char *path = g_hash_table_lookup (found, id);
      SluiceRegistryEntry *old = g_hash_table_lookup (self->entries, id);
      g_autoptr(SluiceRegistryEntry) entry = NULL;

      if (old != NULL && sluice_registry_entry_same_file (old, path))
        continue;

      entry = sluice_registry_entry_load (id, path);
      keep_version (self, entry);
      sluice_registry_entry_release_bytes (entry);
      if (old != NULL && g_strcmp0 (sluice_registry_entry_get_hash (old), sluice_registry_entry_get_hash (entry)) == 0 &&
          sluice_registry_entry_get_hash (entry) != NULL)
        {
          /* Touched, not changed: the new entry (with the new signature)
           * replaces it without a signal. */
          g_hash_table_insert (self->entries, g_strdup (id), g_object_ref (entry));
          continue;
        }
      g_hash_table_insert (self->entries, g_strdup (id), g_object_ref (entry));
      g_signal_emit (self, signals[old != NULL ? CHANGED : ADDED], 0, entry);
    }

  if (self->watching)
    update_monitors (self, folders);
  return TRUE;
}

static gboolean
settled_cb (gpointer user_data)
{
  SluiceRegistry *self = user_data;

  self->settle = 0;
  sluice_registry_scan (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
folder_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   gpointer           user_data)
{
  SluiceRegistry *self = user_data;

  /* Each new event restarts the wait: a file being written is read when
   * the writing has stopped. */
  g_clear_handle_id (&self->settle, g_source_remove);
  self->settle = g_timeout_add (SETTLE_MS, settled_cb, self);
}

/* One monitor per folder walked (GFileMonitor does not look into
 * subfolders); monitors of folders gone are dropped. */
static void
update_monitors (SluiceRegistry *self,
                 GPtrArray      *folders)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < folders->len; i++)
    {
      const char *path = g_ptr_array_index (folders, i);
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFileMonitor) monitor = NULL;

      g_hash_table_add (wanted, (gpointer) path);
      if (g_hash_table_contains (self->monitors, path))
        continue;
      file = g_file_new_for_path (path);
      monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (monitor == NULL)
        continue;   /* seen at the next scan anyway */
      g_signal_connect_object (monitor, "changed", G_CALLBACK (folder_changed_cb), self, 0);
      g_hash_table_insert (self->monitors, g_strdup (path), g_steal_pointer (&monitor));
    }

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
}

gboolean
sluice_registry_watch (SluiceRegistry  *self,
                       GError         **error)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), FALSE);

  self->watching = TRUE;
  return sluice_registry_scan (self, error);
}

GPtrArray *
sluice_registry_list (SluiceRegistry *self)
{
  GPtrArray *list;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, key);
  sluice_sort_strings (ids);

  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (list, g_object_ref (g_hash_table_lookup (self->entries, g_ptr_array_index (ids, i))));
  return list;
}

SluiceRegistryEntry *
sluice_registry_lookup (SluiceRegistry *self,
                        const char     *id)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->entries, id);
}

GPtrArray *
sluice_registry_get_problems (SluiceRegistry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);
  return self->problems;
}

GStrv
sluice_registry_get_versions (SluiceRegistry *self,
                              const char     *id)
{
  g_autofree char *escaped = NULL;
  g_autofree char *history = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (self->state_folder == NULL)
    return NULL;
  escaped = escape_id (id);
  history = g_build_filename (self->state_folder, "versions", escaped, "history", NULL);
  builder = g_strv_builder_new ();
  if (g_file_get_contents (history, &text, NULL, NULL))
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (*lines[i] != '\0')
          g_strv_builder_add (builder, lines[i]);
    }
  return g_strv_builder_end (builder);
}

char *
sluice_registry_get_version_path (SluiceRegistry *self,
                                  const char     *id,
                                  const char     *hash)
{
  g_autofree char *escaped = NULL;
  g_autofree char *name = NULL;
  char *path;

  g_return_val_if_fail (SLUICE_IS_REGISTRY (self), NULL);

  if (self->state_folder == NULL || id == NULL || hash == NULL ||
      strspn (hash, "0123456789abcdef") != strlen (hash))
    return NULL;
  escaped = escape_id (id);
  name = g_strconcat (hash, ".xml", NULL);
  path = g_build_filename (self->state_folder, "versions", escaped, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_clear_pointer (&path, g_free);
  return path;
}
