/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* O_CLOEXEC, flock */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice-json.h"
#include "sluice-journal-private.h"

G_DEFINE_FINAL_TYPE (SluiceJournal, sluice_journal, G_TYPE_OBJECT)

#define JOURNAL_FILE  "journal.sqlite"
#define PIPELINE_COPY "pipeline.xml"
#define LOCK_FILE     "lock"

static void
sluice_journal_finalize (GObject *object)
{
  SluiceJournal *self = SLUICE_JOURNAL (object);

  /* The executor may be half gone already: the last commit must not
   * ask it anything. */
  if (self->executor != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->executor), (gpointer *) &self->executor);
  self->executor = NULL;
  /* What came after the last commit (the final run-state event). */
  if (self->store != NULL && self->error == NULL)
    sluice_journal_commit (self, NULL);
  _sluice_journal_stop_timer (self);
  _sluice_journal_progress_clear (self);
  _sluice_journal_samples_clear (self);
  g_clear_pointer (&self->store, sluice_journal_store_free);
  g_clear_pointer (&self->done_set, g_hash_table_unref);
  g_clear_object (&self->inner_sink);
  /* Closing the descriptor releases the lock. */
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_free (self->run_id);
  g_free (self->directory);
  g_free (self->path);
  g_free (self->last_state);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (sluice_journal_parent_class)->finalize (object);
}

enum { COMMITTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
sluice_journal_class_init (SluiceJournalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_journal_finalize;

  signals[COMMITTED] = g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

void
_sluice_journal_emit_committed (SluiceJournal *self,
                                double         seconds)
{
  g_signal_emit (self, signals[COMMITTED], 0, seconds);
}

static void
sluice_journal_init (SluiceJournal *self)
{
  self->lock_fd = -1;
  _sluice_journal_progress_init (self);
}

/* One process at a time per run: the first to lock the run directory's
 * lock file has it until it exits (the kernel drops the lock of a killed
 * process, so a crash never leaves a run locked). */
static gboolean
lock_directory (SluiceJournal  *self,
                GError        **error)
{
  g_autofree char *path = g_build_filename (self->directory, LOCK_FILE, NULL);

  self->lock_fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (self->lock_fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot lock run %s: %s: %s", self->run_id, path, g_strerror (saved));
      return FALSE;
    }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      if (saved == EWOULDBLOCK)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "run %s is in use by another process (%s is locked)", self->run_id, path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     "cannot lock run %s: %s: %s", self->run_id, path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static SluiceJournal *
journal_new (const char *run_directory)
{
  SluiceJournal *self = g_object_new (SLUICE_TYPE_JOURNAL, NULL);

  self->directory = g_strdup (run_directory);
  self->run_id = g_path_get_basename (run_directory);
  self->path = g_build_filename (run_directory, JOURNAL_FILE, NULL);
  return self;
}

static char *
defines_to_json (GHashTable *defines)
{
  json_t *object = json_object ();
  char *text;
  GHashTableIter iter;
  gpointer key, value;

  if (defines != NULL)
    {
      g_hash_table_iter_init (&iter, defines);
      while (g_hash_table_iter_next (&iter, &key, &value))
        json_object_set_new (object, key, json_string (value));
    }
  text = json_dumps (object, JSON_SORT_KEYS | JSON_COMPACT);
  json_decref (object);
  return text;
}

static gboolean
write_meta (SluiceJournal              *self,
            const SluiceJournalRunInfo *info,
            GError                    **error)
{
  SluiceJournalStore *store = self->store;
  g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                       (const guchar *) info->pipeline_text,
                                                       info->pipeline_length);
  g_autofree char *defines = defines_to_json (info->defines);
  g_autofree char *created = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time ());

  return sluice_journal_store_begin (store, error) &&
         sluice_journal_store_set_meta (store, "run-id", self->run_id, error) &&
         sluice_journal_store_set_meta (store, "created-us", created, error) &&
         sluice_journal_store_set_meta (store, "pipeline-path", info->pipeline_path, error) &&
         sluice_journal_store_set_meta (store, "pipeline-sha256", hash, error) &&
         sluice_journal_store_set_meta (store, "defines", defines, error) &&
         (info->input_path == NULL ||
          sluice_journal_store_set_meta (store, "input-path", info->input_path, error)) &&
         (info->output_path == NULL ||
          sluice_journal_store_set_meta (store, "output-path", info->output_path, error)) &&
         sluice_journal_store_add_state (store, "pending", NULL, error) &&
         sluice_journal_store_commit (store, error);
}

static gboolean
fail_errno (GError     **error,
            const char  *what,
            const char  *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               "%s %s: %s", what, path, g_strerror (saved));
  return FALSE;
}

/* The run directory appears whole or not at all: it is made under a
 * temporary name beside it and renamed once its journal holds the run,
 * so that a process killed while creating it leaves no run that cannot
 * be resumed. The lock is taken on the temporary directory's lock file
 * and stays with the file through the rename. */
SluiceJournal *
sluice_journal_create (const char                 *run_directory,
                       const char                 *run_id,
                       const SluiceJournalRunInfo *info,
                       GError                    **error)
{
  g_autoptr(SluiceJournal) self = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *temporary = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (run_directory != NULL && info != NULL, NULL);

  parent = g_path_get_dirname (run_directory);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      fail_errno (error, "cannot create the state directory", parent);
      return NULL;
    }
  name = g_strdup_printf (".%s.creating-XXXXXX", run_id);
  temporary = g_build_filename (parent, name, NULL);
  if (g_mkdtemp_full (temporary, 0755) == NULL)
    {
      fail_errno (error, "cannot create a run directory in", parent);
      return NULL;
    }

  self = journal_new (temporary);
  g_free (self->run_id);
  self->run_id = g_strdup (run_id);
  copy = g_build_filename (temporary, PIPELINE_COPY, NULL);
  if (!lock_directory (self, error) ||
      !g_file_set_contents (copy, info->pipeline_text, info->pipeline_length, error))
    return NULL;
  self->store = sluice_journal_store_create (self->path, error);
  if (self->store == NULL || !write_meta (self, info, error))
    return NULL;
  g_clear_pointer (&self->store, sluice_journal_store_free);

  if (g_rename (temporary, run_directory) != 0)
    {
      if (errno == EEXIST || errno == ENOTEMPTY)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "run %s exists already (%s)", run_id, run_directory);
      else
        fail_errno (error, "cannot create the run directory", run_directory);
      return NULL;
    }
  g_free (self->directory);
  g_free (self->path);
  self->directory = g_strdup (run_directory);
  self->path = g_build_filename (run_directory, JOURNAL_FILE, NULL);
  self->store = sluice_journal_store_open (self->path, error);
  if (self->store == NULL)
    return NULL;
  self->last_state = g_strdup ("pending");
  return g_steal_pointer (&self);
}

SluiceJournal *
sluice_journal_open (const char  *run_directory,
                     GError     **error)
{
  g_autoptr(SluiceJournal) self = NULL;

  g_return_val_if_fail (run_directory != NULL, NULL);

  if (!g_file_test (run_directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no run directory %s", run_directory);
      return NULL;
    }
  self = journal_new (run_directory);
  self->resumed = TRUE;
  if (!lock_directory (self, error))
    return NULL;
  self->store = sluice_journal_store_open (self->path, error);
  if (self->store == NULL)
    return NULL;
  self->last_state = sluice_journal_store_get_state (self->store, error);
  if (self->last_state == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "journal %s is damaged: it records no state", self->path);
      return NULL;
    }
  {
    g_autofree char *origin = sluice_journal_store_get_meta (self->store, "origin", NULL);

    /* A designer run kept its history, not its items: nothing to resume. */
    if (origin != NULL)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "run %s was made in the %s and keeps its history only: it cannot be resumed",
                     self->run_id, origin);
        return NULL;
      }
  }
  self->done_set = g_hash_table_new (NULL, NULL);
  if (!sluice_journal_store_load_progress (self->store, &self->commit, &self->low, self->done_set, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
sluice_journal_get_run_id (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return self->run_id;
}

const char *
sluice_journal_get_directory (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return self->directory;
}

const char *
sluice_journal_get_path (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return self->path;
}

char *
sluice_journal_dup_meta (SluiceJournal *self,
                         const char    *key)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return sluice_journal_store_get_meta (self->store, key, NULL);
}

GHashTable *
sluice_journal_dup_defines (SluiceJournal  *self,
                            GError        **error)
{
  g_autofree char *text = sluice_journal_store_get_meta (self->store, "defines", NULL);
  GHashTable *defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  json_t *object = text != NULL ? json_loads (text, 0, NULL) : NULL;
  const char *key;
  json_t *value;

  if (!json_is_object (object))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "journal %s is damaged: its parameters cannot be read", self->path);
      g_hash_table_unref (defines);
      if (object != NULL)
        json_decref (object);
      return NULL;
    }
  json_object_foreach (object, key, value)
    if (json_is_string (value))
      g_hash_table_insert (defines, g_strdup (key), g_strdup (json_string_value (value)));
  json_decref (object);
  return defines;
}

const char *
sluice_journal_get_last_state (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return self->last_state;
}

const SluiceJournalCommit *
sluice_journal_get_last_commit (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), NULL);
  return &self->commit;
}

guint64
sluice_journal_get_n_resumed_items (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), 0);
  return self->n_resumed_items;
}

guint64
sluice_journal_get_n_rewritten (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), 0);
  return self->n_rewritten;
}

guint64
sluice_journal_get_n_replayed (SluiceJournal *self)
{
  g_return_val_if_fail (SLUICE_IS_JOURNAL (self), 0);
  return self->n_replayed;
}

int
sluice_journal_reopen_output (SluiceJournal  *self,
                              const char     *path,
                              GError        **error)
{
  guint64 offset = self->commit.output_offset;
  struct stat st;
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot write %s: %s", path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if (S_ISREG (st.st_mode) && (guint64) st.st_size < offset)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "output %s holds %" G_GINT64_FORMAT " bytes, fewer than the %" G_GUINT64_FORMAT
                   " the journal committed: it was changed since, so the run cannot go on",
                   path, (gint64) st.st_size, offset);
      close (fd);
      return -1;
    }
  /* What follows the committed offset came from items that run again. */
  if (S_ISREG (st.st_mode) &&
      (ftruncate (fd, offset) != 0 || lseek (fd, offset, SEEK_SET) < 0))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot cut %s back to its committed %" G_GUINT64_FORMAT " bytes: %s",
                   path, offset, g_strerror (saved));
      close (fd);
      return -1;
    }
  return fd;
}
