/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE   /* O_CLOEXEC, O_DIRECTORY, fchmod */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "sluice-compression.h"
#include "sluice-gzip-writer.h"
#include "sluice-json.h"
#include "sluice-tool-batch.h"
#include "sluice-tool-file-load.h"
#include "sluice-tool-params.h"
#include "sluice-text.h"

/* The file loader: writes items as JSON lines or CSV, compressed or
 * not, in batches.
 *
 *  - replace (the default): everything goes to a temporary file beside
 *    the target, which takes the target's name (rename, atomic) at the
 *    end of the stream, after an fsync. Until then the target is
 *    untouched; a run that fails or is cancelled leaves it as it was and
 *    removes the temporary file.
 *  - append: each batch is added to the end of the file and fsync'ed
 *    before the batch counts as written; a batch that cannot be written
 *    whole is cut off again (ftruncate), so the file only ever holds
 *    whole batches. Compressed appends are one zstd frame, xz stream or
 *    gzip member (or several, one a MiB of text) a batch: readers take
 *    concatenated ones.
 *
 * gzip is written in members of SLUICE_GZIP_MEMBER_SIZE bytes of text,
 * each compressed whole by libdeflate on the worker thread (about three
 * times as fast as zlib's stream at the same level); in replace mode
 * the text of a batch that does not fill a member waits in @scratch for
 * the next batch, so that small batches do not make small members. */

struct _SluiceToolFileLoad
{
  SluiceStep         parent_instance;
  SluiceToolParams  *params;
  SluiceToolBatch   *batch;
  char              *path;
  gboolean           path_resolved;  /* against the pipeline's folder */
  char              *temp_path;     /* replace: the file being written */
  gboolean           append;
  gboolean           csv;
  char               delimiter;
  gboolean           header;
  SluiceCompression  compression;
  char             **columns;       /* CSV: given, or the first item's keys */
  int                fd;            /* -1 when closed */
  GOutputStream     *stream;        /* replace: the (zstd, xz) compressing stream over fd */
  SluiceGzipWriter  *gzip;          /* gzip: the worker's compressor */
  gboolean           gzip_written;  /* replace: a member is in the file */
  gboolean           header_written;
  char              *broken;        /* replace: why nothing more can be written */
  GString           *scratch;       /* the worker's: a batch's text */
  GString           *line;          /* the main thread's: an item's line */
};

G_DEFINE_FINAL_TYPE (SluiceToolFileLoad, sluice_tool_file_load, SLUICE_TYPE_STEP)

static const char * const formats[] = { "auto", "jsonl", "csv", NULL };
static const char * const modes[] = { "replace", "append", NULL };

static const SluiceToolParamInfo file_load_params[] = {
  { "path", N_("The file to write; relative paths are relative to the pipeline's folder"), TRUE,
    SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "format", N_("jsonl or csv; auto chooses by extension (.csv, else JSON lines)"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "auto", formats },
  { "compression", N_("gzip, zstd, xz or none; auto chooses by extension"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "auto", sluice_compression_names },
  { "mode", N_("replace: write a temporary file and rename it over the target at the end; append: add each batch and fsync it"), FALSE,
    SLUICE_TOOL_PARAM_CHOICE, "replace", modes },
  { "columns", N_("CSV: the columns, comma-separated, in order (default: the first item's fields)"), FALSE,
    SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "delimiter", N_("CSV: the field separator, one character, or tab"), FALSE,
    SLUICE_TOOL_PARAM_STRING, ",", NULL },
  { "header", N_("CSV: write the column names first (append: only into an empty file)"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "pass", N_("Pass each item on as well (to load it somewhere else next); it goes on before its batch is written"), FALSE,
    SLUICE_TOOL_PARAM_BOOL, "false", NULL },
  SLUICE_TOOL_BATCH_PARAMS,
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo file_load_info = {
  "file-load",
  N_("Write a File"),
  N_("Writes items as JSON lines or CSV, gzip/zstd/xz, replacing the file atomically at the end or appending with fsync"),
  file_load_params,
  "<execution id=\"save\">\n"
  "  <use tool=\"file-load\">\n"
  "    <param name=\"path\">out/orders.jsonl.gz</param>\n"
  "    <param name=\"batch-size\">10000</param>\n"
  "  </use>\n"
  "</execution>",
};

/* ---- formatting a batch */

static void
append_csv_field (GString    *out,
                  const char *text,
                  gsize       length,
                  char        delimiter)
{
  gboolean quote = FALSE;

  for (gsize i = 0; i < length && !quote; i++)
    quote = text[i] == delimiter || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
  if (!quote)
    {
      g_string_append_len (out, text, length);
      return;
    }
  g_string_append_c (out, '"');
  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, text[i]);
    }
  g_string_append_c (out, '"');
}

static gboolean
append_csv_value (GString  *out,
                  json_t   *value,
                  char      delimiter,
                  GError  **error)
{
  char buffer[SLUICE_JSON_REAL_BUF_SIZE];

  switch (json_typeof (value))
    {
    case JSON_STRING:
      append_csv_field (out, json_string_value (value), json_string_length (value), delimiter);
      return TRUE;
    case JSON_INTEGER:
      g_string_append_printf (out, "%" JSON_INTEGER_FORMAT, json_integer_value (value));
      return TRUE;
    case JSON_REAL:
      sluice_json_format_real (json_real_value (value), buffer);
      g_string_append (out, buffer);
      return TRUE;
    case JSON_TRUE:
      g_string_append (out, "true");
      return TRUE;
    case JSON_FALSE:
      g_string_append (out, "false");
      return TRUE;
    case JSON_NULL:
      return TRUE;
    case JSON_OBJECT:
    case JSON_ARRAY:
    default:
      {
        g_autoptr(GString) text = g_string_new (NULL);

        if (!sluice_json_write (text, value, JSON_COMPACT | JSON_SORT_KEYS, error))
          return FALSE;
        append_csv_field (out, text->str, text->len, delimiter);
        return TRUE;
      }
    }
}

static void
take_columns_from (SluiceToolFileLoad *self,
                   json_t             *item)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  const char *key;
  json_t *value;

  json_object_foreach (item, key, value)
    g_ptr_array_add (keys, (gpointer) key);
  sluice_sort_strings (keys);
  self->columns = g_new0 (char *, keys->len + 1);
  for (guint i = 0; i < keys->len; i++)
    self->columns[i] = g_strdup (g_ptr_array_index (keys, i));
}

/* @items as text; FALSE with a message naming the bad item. */
static gboolean
format_batch (SluiceToolFileLoad  *self,
              GPtrArray           *items,
              gboolean             with_header,
              GString             *out,
              GError             **error)
{
  if (!self->csv)
    {
      /* Each item is its line already (encode_line). */
      for (guint i = 0; i < items->len; i++)
        {
          json_t *line = g_ptr_array_index (items, i);

          g_string_append_len (out, json_string_value (line), json_string_length (line));
          g_string_append_c (out, '\n');
        }
      return TRUE;
    }

  if (self->columns == NULL && items->len > 0)
    take_columns_from (self, g_ptr_array_index (items, 0));
  if (with_header && self->columns != NULL)
    {
      for (guint c = 0; self->columns[c] != NULL; c++)
        {
          if (c > 0)
            g_string_append_c (out, self->delimiter);
          append_csv_field (out, self->columns[c], strlen (self->columns[c]), self->delimiter);
        }
      g_string_append_c (out, '\n');
    }

  for (guint i = 0; i < items->len; i++)
    {
      json_t *item = g_ptr_array_index (items, i);
      const char *key;
      json_t *value;

      /* A field without a column would be lost: say so instead. */
      json_object_foreach (item, key, value)
        if (!g_strv_contains ((const char * const *) self->columns, key))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "an item has the field “%s”, which is not one of the CSV columns (set `columns`)", key);
            return FALSE;
          }
      for (guint c = 0; self->columns[c] != NULL; c++)
        {
          value = json_object_get (item, self->columns[c]);
          if (c > 0)
            g_string_append_c (out, self->delimiter);
          if (value != NULL && !append_csv_value (out, value, self->delimiter, error))
            return FALSE;
        }
      g_string_append_c (out, '\n');
    }
  return TRUE;
}

/* JSON lines: an item is kept as its line (a JSON string), written on
 * the main thread when it is added. */
static json_t *
encode_line (json_t    *item,
             gpointer   user_data,
             GError   **error)
{
  SluiceToolFileLoad *self = user_data;

  g_string_truncate (self->line, 0);
  if (!sluice_json_write (self->line, item, JSON_COMPACT | JSON_SORT_KEYS, error))
    return NULL;
  return json_stringn_nocheck (self->line->str, self->line->len);
}

/* ---- writing */

static gboolean
write_all_fd (int          fd,
              const char  *data,
              gsize        length,
              GError     **error)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
          return FALSE;
        }
      data += n;
      length -= n;
    }
  return TRUE;
}

static gboolean
sync_fd (int      fd,
         GError **error)
{
  /* A FIFO, a socket or a terminal (another program reading the lines
   * as they come) has nothing to make durable: EINVAL is no failure. */
  if (fsync (fd) == 0 || errno == EINVAL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "fsync: %s", g_strerror (errno));
  return FALSE;
}

/* @text compressed on its own (one frame or stream). */
static GBytes *
compress_alone (SluiceCompression   compression,
                GString            *text,
                GError            **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) stream = sluice_compression_wrap_output (compression, g_object_ref (memory));

  if (!g_output_stream_write_all (stream, text->str, text->len, NULL, NULL, error) ||
      !g_output_stream_close (stream, NULL, error))
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* @length bytes of @text as gzip members; with @whole FALSE, a last
 * piece too short for a member of its own stays unwritten and its length
 * is left in @rest. */
static gboolean
write_gzip_members (SluiceToolFileLoad  *self,
                    const char          *text,
                    gsize                length,
                    gboolean             whole,
                    gsize               *rest,
                    GError             **error)
{
  gsize done = 0;

  if (self->gzip == NULL)
    self->gzip = sluice_gzip_writer_new (6);   /* gzip's own default level */
  while (length - done >= SLUICE_GZIP_MEMBER_SIZE || (whole && (done < length || length == 0)))
    {
      gsize piece = MIN (length - done, SLUICE_GZIP_MEMBER_SIZE);
      gsize member_length;
      const guint8 *member = sluice_gzip_writer_member (self->gzip, text + done, piece, &member_length);

      if (!write_all_fd (self->fd, (const char *) member, member_length, error))
        return FALSE;
      self->gzip_written = TRUE;
      done += piece;
      if (length == 0)
        break;
    }
  if (rest != NULL)
    *rest = length - done;
  return TRUE;
}

static gboolean
append_batch (SluiceToolFileLoad  *self,
              GString             *text,
              GError             **error)
{
  g_autoptr(GBytes) compressed = NULL;
  const char *data = text->str;
  gsize length = text->len;
  off_t before;
  gboolean written;

  if (self->fd < 0)
    {
      self->fd = g_open (self->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
      if (self->fd < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s", g_strerror (errno));
          return FALSE;
        }
    }
  if (self->compression != SLUICE_COMPRESSION_NONE && self->compression != SLUICE_COMPRESSION_GZIP)
    {
      compressed = compress_alone (self->compression, text, error);
      if (compressed == NULL)
        return FALSE;
      data = g_bytes_get_data (compressed, &length);
    }

  before = lseek (self->fd, 0, SEEK_END);
  if (self->compression == SLUICE_COMPRESSION_GZIP)
    written = write_gzip_members (self, data, length, TRUE, NULL, error);
  else
    written = write_all_fd (self->fd, data, length, error);
  if (!written || !sync_fd (self->fd, error))
    {
      /* Only whole batches stay in the file. */
      if (before >= 0 && ftruncate (self->fd, before) == 0)
        fsync (self->fd);
      return FALSE;
    }
  return TRUE;
}

static gboolean
open_temp (SluiceToolFileLoad  *self,
           GError             **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *base = g_path_get_basename (self->path);
  g_autofree char *template = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);

  /* The usual mode of a written file: open() applies the umask. (Not
   * umask(0) and back to read it: the umask is the process's, and
   * another run's thread would create its files with 0 meanwhile.) */
  self->fd = g_mkstemp_full (template, O_WRONLY | O_CLOEXEC, 0666);
  if (self->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create a file in %s: %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  self->temp_path = g_steal_pointer (&template);
  if (self->compression != SLUICE_COMPRESSION_GZIP)
    self->stream = sluice_compression_wrap_output (self->compression, g_unix_output_stream_new (self->fd, FALSE));
  return TRUE;
}

/* gzip: the whole members of @text; the rest stays at its start. */
static gboolean
replace_batch_gzip (SluiceToolFileLoad  *self,
                    GString             *text,
                    GError             **error)
{
  gsize rest;

  if (!write_gzip_members (self, text->str, text->len, FALSE, &rest, error))
    return FALSE;
  if (rest < text->len)
    g_string_erase (text, 0, text->len - rest);
  return TRUE;
}

static gboolean
replace_batch (SluiceToolFileLoad  *self,
               GString             *text,
               GError             **error)
{
  if (self->fd < 0 && !open_temp (self, error))
    return FALSE;
  if (self->compression == SLUICE_COMPRESSION_GZIP)
    return replace_batch_gzip (self, text, error);
  return g_output_stream_write_all (self->stream, text->str, text->len, NULL, NULL, error);
}

/* replace: the stream's end, or for gzip the text still waiting (an
 * empty member when nothing was written, so that the file is gzip). */
static gboolean
close_replace (SluiceToolFileLoad  *self,
               GError             **error)
{
  if (self->compression != SLUICE_COMPRESSION_GZIP)
    return g_output_stream_close (self->stream, NULL, error);
  if (self->scratch->len == 0 && self->gzip_written)
    return TRUE;
  if (!write_gzip_members (self, self->scratch->str, self->scratch->len, TRUE, NULL, error))
    return FALSE;
  g_string_truncate (self->scratch, 0);
  return TRUE;
}

static void
remove_temp (SluiceToolFileLoad *self)
{
  g_clear_object (&self->stream);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (self->temp_path != NULL)
    {
      g_unlink (self->temp_path);
      g_clear_pointer (&self->temp_path, g_free);
    }
  self->gzip_written = FALSE;
}

/* The end of the stream, replace mode: the temporary file becomes the
 * target, durably. */
static gboolean
commit_replace (SluiceToolFileLoad  *self,
                GError             **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  int dir_fd;

  if (self->fd < 0 && !open_temp (self, error))
    return FALSE;
  if (!close_replace (self, error) || !sync_fd (self->fd, error))
    return FALSE;
  if (g_rename (self->temp_path, self->path) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot rename the written file to %s: %s",
                   self->path, g_strerror (errno));
      return FALSE;
    }
  g_clear_pointer (&self->temp_path, g_free);
  g_clear_object (&self->stream);
  close (self->fd);
  self->fd = -1;
  /* The rename itself must survive a crash. */
  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

/* The target, resolved against the pipeline's folder (known from the
 * first item on). */
static void
resolve_path (SluiceToolFileLoad *self)
{
  if (self->path_resolved)
    return;
  g_free (self->path);
  self->path = sluice_tool_params_get_path (self->params, "path");
  self->path_resolved = TRUE;
}

/* Formats and writes @items; on the batch helper's worker thread (one
 * write at a time, so the file's state is this thread's alone while it
 * runs), beside the main loop, which goes on reading and transforming
 * the next batch. NULL or the message. A file write does not give up
 * (@cancellable unused): one that blocks (a FIFO nobody reads) is left
 * to end on its own. */
static char *
write_items (GPtrArray    *items,
             GCancellable *cancellable,
             gpointer      user_data)
{
  SluiceToolFileLoad *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean with_header;
  gboolean ok;
  gsize kept;

  resolve_path (self);
  if (self->broken != NULL)
    return g_strdup (self->broken);

  if (self->append && self->fd < 0)
    {
      GStatBuf st;
      with_header = self->header && (g_stat (self->path, &st) != 0 || st.st_size == 0);
    }
  else
    with_header = self->header && !self->header_written;

  /* replace with gzip: what did not fill a member is still there. */
  if (self->append || self->compression != SLUICE_COMPRESSION_GZIP)
    g_string_truncate (self->scratch, 0);
  kept = self->scratch->len;
  ok = format_batch (self, items, with_header, self->scratch, &error);
  if (!ok)
    g_string_truncate (self->scratch, kept);   /* nothing of a refused batch */
  if (ok)
    ok = self->append ? append_batch (self, self->scratch, &error) : replace_batch (self, self->scratch, &error);
  if (ok)
    {
      self->header_written |= with_header;
      return NULL;
    }

  message = g_strdup_printf ("%s: %s", self->path, error->message);
  if (!self->append && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    {
      /* Part of the batch may be in the compressor or the file: nothing
       * after it can be trusted. The target is untouched. */
      self->broken = g_strdup (message);
      remove_temp (self);
    }
  return g_steal_pointer (&message);
}

/* The end of the stream, after the last batch (worker thread): replace
 * mode puts the file in place. */
static char *
commit_file (gpointer user_data)
{
  SluiceToolFileLoad *self = user_data;
  g_autoptr(GError) error = NULL;

  resolve_path (self);
  if (!self->append && self->broken == NULL && !commit_replace (self, &error))
    {
      remove_temp (self);
      self->broken = g_strdup_printf ("%s: %s", self->path, error->message);
    }
  return g_strdup (self->broken);
}

/* ---- the step */

static gboolean
sluice_tool_file_load_prepare (SluiceStep         *step,
                               SluiceModule       *module,
                               SluiceStepContext  *context,
                               GError            **error)
{
  SluiceToolFileLoad *self = SLUICE_TOOL_FILE_LOAD (step);
  const char *format, *columns, *delimiter;
  g_autofree char *plain = NULL;

  self->params = sluice_tool_params_new (step, module, context, error);
  if (self->params == NULL)
    return FALSE;
  self->path = g_strdup (sluice_tool_params_get (self->params, "path"));
  self->append = g_strcmp0 (sluice_tool_params_get (self->params, "mode"), "append") == 0;
  self->compression = sluice_compression_choose (sluice_tool_params_get (self->params, "compression"), self->path);
  format = sluice_tool_params_get (self->params, "format");
  plain = sluice_compression_strip_suffix (self->path);
  self->csv = g_strcmp0 (format, "csv") == 0 ||
              (g_strcmp0 (format, "auto") == 0 && (g_str_has_suffix (plain, ".csv") || g_str_has_suffix (plain, ".tsv")));
  self->header = sluice_tool_params_get_bool (self->params, "header");
  columns = sluice_tool_params_get (self->params, "columns");
  if (columns != NULL && *columns != '\0')
    {
      self->columns = g_strsplit (columns, ",", -1);
      for (guint i = 0; self->columns[i] != NULL; i++)
        g_strstrip (self->columns[i]);
    }
  delimiter = sluice_tool_params_get (self->params, "delimiter");
  if (g_strcmp0 (delimiter, "tab") == 0 || g_strcmp0 (delimiter, "\\t") == 0)
    self->delimiter = '\t';
  else if (delimiter != NULL && strlen (delimiter) == 1 && *delimiter != '"' && *delimiter != '\n')
    self->delimiter = *delimiter;
  else
    {
      sluice_tool_params_set_error (self->params, error, "delimiter", "must be one character or tab");
      return FALSE;
    }
  /* A file size limit (ulimit -f) is then an error with a message
   * (EFBIG) on the write, not a signal that kills the run. */
  signal (SIGXFSZ, SIG_IGN);

  self->batch = sluice_tool_batch_new_worker (step, self->params, write_items, commit_file, self, error);
  if (self->batch == NULL)
    return FALSE;
  sluice_tool_batch_set_target (self->batch, self->path);
  if (!self->csv)
    sluice_tool_batch_set_encode (self->batch, encode_line, self);
  return TRUE;
}

static void
sluice_tool_file_load_process (SluiceStep     *step,
                               SluiceStepCall *call)
{
  sluice_tool_batch_process (SLUICE_TOOL_FILE_LOAD (step)->batch, call);
}

/* Writes what is left, then puts the file in place. */
static void
sluice_tool_file_load_flush (SluiceStep     *step,
                             SluiceStepCall *call)
{
  sluice_tool_batch_flush (SLUICE_TOOL_FILE_LOAD (step)->batch, call);
}

static void
sluice_tool_file_load_cancel (SluiceStep     *step,
                              SluiceStepCall *call,
                              const char     *reason)
{
  sluice_tool_batch_cancel (SLUICE_TOOL_FILE_LOAD (step)->batch, call, reason);
}

static void
sluice_tool_file_load_finalize (GObject *object)
{
  SluiceToolFileLoad *self = SLUICE_TOOL_FILE_LOAD (object);

  /* Not committed: the target stays as it was. */
  remove_temp (self);
  g_clear_pointer (&self->batch, sluice_tool_batch_free);
  g_clear_pointer (&self->params, sluice_tool_params_free);
  g_clear_pointer (&self->gzip, sluice_gzip_writer_free);
  g_strfreev (self->columns);
  g_free (self->path);
  g_free (self->broken);
  g_string_free (self->scratch, TRUE);
  g_string_free (self->line, TRUE);
  G_OBJECT_CLASS (sluice_tool_file_load_parent_class)->finalize (object);
}

static void
sluice_tool_file_load_class_init (SluiceToolFileLoadClass *klass)
{
  SluiceStepClass *step_class = SLUICE_STEP_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sluice_tool_file_load_finalize;
  step_class->info = &file_load_info;
  step_class->prepare = sluice_tool_file_load_prepare;
  step_class->process = sluice_tool_file_load_process;
  step_class->flush = sluice_tool_file_load_flush;
  step_class->cancel = sluice_tool_file_load_cancel;
  step_class->side_effects = TRUE;
}

static void
sluice_tool_file_load_init (SluiceToolFileLoad *self)
{
  self->fd = -1;
  self->scratch = g_string_sized_new (65536);
  self->line = g_string_sized_new (256);
}
