/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* st_mtim, O_CLOEXEC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sluice-loader.h"
#include "sluice-registry-entry.h"
#include "sluice-validator.h"

struct _SluiceRegistryEntry
{
  GObject         parent_instance;

  char           *id;
  char           *path;
  char           *hash;
  GBytes         *bytes;      /* owned, NULL when unread or released */
  gboolean        read;       /* the file could be read */
  SluicePipeline *pipeline;   /* owned, may be NULL */
  GPtrArray      *problems;   /* of SluiceProblem, owned */
  gboolean        valid;

  /* stat() when read */
  dev_t           dev;
  ino_t           ino;
  off_t           size;
  gint64          mtime_ns;
};

G_DEFINE_FINAL_TYPE (SluiceRegistryEntry, sluice_registry_entry, G_TYPE_OBJECT)

static void
sluice_registry_entry_finalize (GObject *object)
{
  SluiceRegistryEntry *self = SLUICE_REGISTRY_ENTRY (object);

  g_free (self->id);
  g_free (self->path);
  g_free (self->hash);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->pipeline);
  g_ptr_array_unref (self->problems);

  G_OBJECT_CLASS (sluice_registry_entry_parent_class)->finalize (object);
}

static void
sluice_registry_entry_class_init (SluiceRegistryEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_registry_entry_finalize;
}

static void
sluice_registry_entry_init (SluiceRegistryEntry *self)
{
  self->problems = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
add_error (SluiceRegistryEntry *self,
           const char          *message)
{
  g_ptr_array_add (self->problems,
                   sluice_problem_new (SLUICE_SEVERITY_ERROR, self->path, 0, NULL, message));
}

static gint64
mtime_ns_of (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

/* Reads the whole file, refusing what is not a regular file or is larger
 * than a pipeline file may be, without reading it. */
static GBytes *
read_file (SluiceRegistryEntry *self)
{
  struct stat st;
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  int fd;

  /* O_NONBLOCK: a FIFO named like a pipeline must not block the scan. */
  fd = g_open (self->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *message = g_strdup_printf (_("cannot open the file: %s"), g_strerror (saved));
      add_error (self, message);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      add_error (self, _("not a regular file"));
      return NULL;
    }
  self->dev = st.st_dev;
  self->ino = st.st_ino;
  self->size = st.st_size;
  self->mtime_ns = mtime_ns_of (&st);
  close (fd);

  if (st.st_size > SLUICE_MAX_FILE_SIZE)
    {
      g_autofree char *message =
        g_strdup_printf (_("the file is larger than %d MB, the limit for pipeline files"),
                         SLUICE_MAX_FILE_SIZE / (1024 * 1024));
      add_error (self, message);
      return NULL;
    }
  if (!g_file_get_contents (self->path, &data, &length, &error))
    {
      add_error (self, error->message);
      return NULL;
    }
  if (length > SLUICE_MAX_FILE_SIZE)   /* it grew meanwhile */
    {
      add_error (self, _("the file changed while it was read"));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&data), length);
}

SluiceRegistryEntry *
sluice_registry_entry_load (const char *id,
                            const char *path)
{
  SluiceRegistryEntry *self;
  const char *data;
  gsize length;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_REGISTRY_ENTRY, NULL);
  self->id = g_strdup (id);
  self->path = g_strdup (path);

  self->bytes = read_file (self);
  if (self->bytes == NULL)
    return self;
  self->read = TRUE;

  data = g_bytes_get_data (self->bytes, &length);
  self->hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) (data ? data : ""), length);
  self->pipeline = sluice_load_data (data != NULL ? data : "", length, path, self->problems);
  if (self->pipeline != NULL)
    sluice_validate (self->pipeline, path, self->problems);
  sluice_problems_sort (self->problems);

  self->valid = self->pipeline != NULL;
  for (guint i = 0; i < self->problems->len; i++)
    if (sluice_problem_get_severity (g_ptr_array_index (self->problems, i)) == SLUICE_SEVERITY_ERROR)
      self->valid = FALSE;
  return self;
}

gboolean
sluice_registry_entry_same_file (SluiceRegistryEntry *self,
                                 const char          *path)
{
  struct stat st;

  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), FALSE);

  /* Unread files are read again: they may be readable now. */
  return self->read && g_stat (path, &st) == 0 &&
         st.st_dev == self->dev && st.st_ino == self->ino &&
         st.st_size == self->size && mtime_ns_of (&st) == self->mtime_ns;
}

const char *
sluice_registry_entry_get_id (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->id;
}

const char *
sluice_registry_entry_get_path (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->path;
}

const char *
sluice_registry_entry_get_hash (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->hash;
}

SluicePipeline *
sluice_registry_entry_get_pipeline (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->pipeline;
}

GPtrArray *
sluice_registry_entry_get_problems (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->problems;
}

gboolean
sluice_registry_entry_is_valid (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), FALSE);
  return self->valid;
}

GBytes *
sluice_registry_entry_get_bytes (SluiceRegistryEntry *self)
{
  g_return_val_if_fail (SLUICE_IS_REGISTRY_ENTRY (self), NULL);
  return self->bytes;
}

void
sluice_registry_entry_release_bytes (SluiceRegistryEntry *self)
{
  g_return_if_fail (SLUICE_IS_REGISTRY_ENTRY (self));
  g_clear_pointer (&self->bytes, g_bytes_unref);
}
