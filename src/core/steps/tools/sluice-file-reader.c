/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "sluice-file-reader.h"
#include "sluice-json.h"

#define CHUNK (256 * 1024)

struct _SluiceFileReader
{
  SluiceFileReaderOptions options;
  char          *path;
  char          *encoding;
  char         **columns;     /* options.columns, owned */
  GInputStream  *stream;      /* owned */
  char          *buf;         /* owned */
  gsize          size;        /* allocated */
  gsize          pos;         /* first byte not consumed */
  gsize          len;         /* bytes valid */
  gboolean       eof;
  gboolean       started;     /* BOM and JSON '[' are behind us */
  gboolean       finished;
  guint64        line;        /* lines consumed so far (0-based) */
  guint64        record_line; /* where the last record started, 1-based */
  guint64        element;     /* JSON array: elements read; CSV: records */
  gboolean       header_seen; /* CSV */
  GPtrArray     *names;       /* CSV: column names (char*) */
  GPtrArray     *fields;      /* CSV: GString* of the record being read */
};

SluiceFileFormat
sluice_file_format_choose (const char *name,
                           const char *path)
{
  g_autofree char *plain = NULL;
  g_autofree char *lower = NULL;

  if (g_strcmp0 (name, "jsonl") == 0)
    return SLUICE_FILE_FORMAT_JSONL;
  if (g_strcmp0 (name, "json") == 0)
    return SLUICE_FILE_FORMAT_JSON;
  if (g_strcmp0 (name, "csv") == 0)
    return SLUICE_FILE_FORMAT_CSV;
  if (g_strcmp0 (name, "lines") == 0 || path == NULL)
    return SLUICE_FILE_FORMAT_LINES;

  plain = sluice_compression_strip_suffix (path);
  lower = g_ascii_strdown (plain, -1);
  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".ndjson"))
    return SLUICE_FILE_FORMAT_JSONL;
  if (g_str_has_suffix (lower, ".json"))
    return SLUICE_FILE_FORMAT_JSON;
  if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv"))
    return SLUICE_FILE_FORMAT_CSV;
  return SLUICE_FILE_FORMAT_LINES;
}

static gboolean
is_utf8_name (const char *encoding)
{
  return encoding == NULL || g_ascii_strcasecmp (encoding, "UTF-8") == 0 ||
         g_ascii_strcasecmp (encoding, "UTF8") == 0;
}

SluiceFileReader *
sluice_file_reader_open (const char                     *path,
                         const SluiceFileReaderOptions  *options,
                         GError                        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local = NULL;
  GInputStream *stream;
  SluiceFileReader *self;

  stream = G_INPUT_STREAM (g_file_read (file, NULL, &local));
  if (stream == NULL)
    {
      g_set_error (error, G_IO_ERROR, local->code, "%s: %s", path, local->message);
      return NULL;
    }
  stream = sluice_compression_wrap_input (options->compression, stream);
  if (!is_utf8_name (options->encoding))
    {
      g_autoptr(GCharsetConverter) converter = g_charset_converter_new ("UTF-8", options->encoding, &local);
      GInputStream *converted;

      if (converter == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "%s: cannot read the encoding “%s”: %s", path, options->encoding, local->message);
          g_object_unref (stream);
          return NULL;
        }
      converted = g_converter_input_stream_new (stream, G_CONVERTER (converter));
      g_object_unref (stream);
      stream = converted;
    }

  self = g_new0 (SluiceFileReader, 1);
  self->options = *options;
  self->path = g_strdup (path);
  self->encoding = g_strdup (options->encoding != NULL ? options->encoding : "UTF-8");
  self->options.encoding = self->encoding;
  self->columns = g_strdupv (options->columns);
  self->options.columns = self->columns;
  if (self->options.max_record == 0)
    self->options.max_record = 256u << 20;
  self->stream = stream;
  self->size = CHUNK;
  self->buf = g_malloc (self->size);
  self->names = g_ptr_array_new_with_free_func (g_free);
  self->fields = g_ptr_array_new ();   /* GString*, freed in free() */
  if (self->columns != NULL)
    for (guint i = 0; self->columns[i] != NULL; i++)
      g_ptr_array_add (self->names, g_strdup (self->columns[i]));
  return self;
}

void
sluice_file_reader_free (SluiceFileReader *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->stream);
  for (guint i = 0; i < self->fields->len; i++)
    g_string_free (g_ptr_array_index (self->fields, i), TRUE);
  g_ptr_array_unref (self->fields);
  g_ptr_array_unref (self->names);
  g_strfreev (self->columns);
  g_free (self->encoding);
  g_free (self->path);
  g_free (self->buf);
  g_free (self);
}

guint64
sluice_file_reader_get_line (SluiceFileReader *self)
{
  return self->record_line;
}

/* A read error, said plainly: where, what, and the likely cause. */
static void
set_read_error (SluiceFileReader  *self,
                GError           **error,
                GError            *cause)
{
  const char *hint = "";

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    hint = " (the compressed data ends too soon: is the file cut short?)";
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) && !is_utf8_name (self->encoding))
    hint = " (is it really in that encoding?)";
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: near line %" G_GUINT64_FORMAT ": %s%s",
               self->path, self->line + 1, cause->message, hint);
}

/* Reads more: FALSE on a read error. Keeps bytes from @pos on. */
static gboolean
fill (SluiceFileReader  *self,
      GError           **error)
{
  g_autoptr(GError) local = NULL;
  gssize n;

  if (self->eof)
    return TRUE;

  if (self->pos > 0)
    {
      memmove (self->buf, self->buf + self->pos, self->len - self->pos);
      self->len -= self->pos;
      self->pos = 0;
    }
  if (self->size - self->len < CHUNK)
    {
      self->size = MAX (self->size * 2, self->len + CHUNK);
      self->buf = g_realloc (self->buf, self->size);
    }

  n = g_input_stream_read (self->stream, self->buf + self->len, self->size - self->len, NULL, &local);
  if (n < 0)
    {
      set_read_error (self, error, local);
      return FALSE;
    }
  if (n == 0)
    self->eof = TRUE;
  self->len += n;

  if (!self->started && (self->len >= 3 || self->eof))
    {
      /* A byte-order mark says the encoding; it is not data. */
      if (self->len >= 3 && memcmp (self->buf, "\xEF\xBB\xBF", 3) == 0)
        self->pos = 3;
      self->started = TRUE;
    }
  return TRUE;
}

static SluiceFileReadStatus
bad_record (SluiceFileReader  *self,
            GError           **error,
            const char        *format,
            ...) G_GNUC_PRINTF (3, 4);

static SluiceFileReadStatus
bad_record (SluiceFileReader  *self,
            GError           **error,
            const char        *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%" G_GUINT64_FORMAT ": %s",
               self->path, self->record_line, message);
  return SLUICE_FILE_READ_BAD_RECORD;
}

static SluiceFileReadStatus
too_long (SluiceFileReader  *self,
          GError           **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s:%" G_GUINT64_FORMAT ": a record longer than %" G_GSIZE_FORMAT " bytes (raise max-record if it is right)",
               self->path, self->line + 1, self->options.max_record);
  return SLUICE_FILE_READ_ERROR;
}

static SluiceFileReadStatus
invalid_utf8 (SluiceFileReader  *self,
              GError           **error)
{
  if (is_utf8_name (self->encoding))
    return bad_record (self, error, "not valid UTF-8 (if the file is in another encoding, set `encoding`)");
  return bad_record (self, error, "not valid UTF-8 after conversion from %s", self->encoding);
}

/* ---- lines and JSON lines */

/* The next line (without its end) at @line/@length; FALSE at the end. */
static SluiceFileReadStatus
next_line (SluiceFileReader  *self,
           const char       **line,
           gsize             *length,
           GError           **error)
{
  gsize scanned = 0;

  for (;;)
    {
      const char *start = self->buf + self->pos;
      const char *nl = memchr (start + scanned, '\n', self->len - self->pos - scanned);

      if (nl != NULL)
        {
          *line = start;
          *length = nl - start;
          self->pos += *length + 1;
          break;
        }
      if (self->eof)
        {
          if (self->len == self->pos)
            return SLUICE_FILE_READ_END;
          *line = start;
          *length = self->len - self->pos;
          self->pos = self->len;
          break;
        }
      scanned = self->len - self->pos;
      if (scanned > self->options.max_record)
        return too_long (self, error);
      if (!fill (self, error))
        return SLUICE_FILE_READ_ERROR;
    }

  if (*length > self->options.max_record)
    return too_long (self, error);
  self->line++;
  self->record_line = self->line;
  if (*length > 0 && (*line)[*length - 1] == '\r')
    (*length)--;
  return SLUICE_FILE_READ_ITEM;
}

static gboolean
is_blank (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

static SluiceFileReadStatus
next_lines_item (SluiceFileReader  *self,
                 json_t           **item,
                 GError           **error)
{
  const char *line;
  gsize length;
  SluiceFileReadStatus status = next_line (self, &line, &length, error);

  if (status != SLUICE_FILE_READ_ITEM)
    return status;
  if (!g_utf8_validate_len (line, length, NULL))
    return invalid_utf8 (self, error);

  *item = json_object ();
  json_object_set_new_nocheck (*item, self->options.line_field != NULL ? self->options.line_field : "line",
                               json_stringn_nocheck (line, length));
  return SLUICE_FILE_READ_ITEM;
}

static SluiceFileReadStatus
next_jsonl_item (SluiceFileReader  *self,
                 json_t           **item,
                 GError           **error)
{
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      const char *line;
      gsize length;
      SluiceFileReadStatus status = next_line (self, &line, &length, error);

      if (status != SLUICE_FILE_READ_ITEM)
        return status;
      if (is_blank (line, length))
        continue;

      *item = sluice_json_parse_item (line, length, &local);
      if (*item == NULL)
        return bad_record (self, error, "%s", local->message);
      return SLUICE_FILE_READ_ITEM;
    }
}

/* ---- a JSON array */

static gboolean
skip_space (SluiceFileReader  *self,
            GError           **error)
{
  for (;;)
    {
      while (self->pos < self->len && g_ascii_isspace (self->buf[self->pos]))
        {
          if (self->buf[self->pos] == '\n')
            self->line++;
          self->pos++;
        }
      if (self->pos < self->len || self->eof)
        return TRUE;
      if (!fill (self, error))
        return FALSE;
    }
}

static SluiceFileReadStatus
syntax_error (SluiceFileReader  *self,
              GError           **error,
              const char        *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%" G_GUINT64_FORMAT ": %s",
               self->path, self->line + 1, what);
  return SLUICE_FILE_READ_ERROR;
}

/* Finds the end of the value at pos (relative length), through strings
 * and nesting, reading more as needed. */
static SluiceFileReadStatus
scan_value (SluiceFileReader  *self,
            gsize             *length,
            guint64           *newlines,
            GError           **error)
{
  gsize i = 0;
  int depth = 0;
  gboolean in_string = FALSE, escape = FALSE;

  *newlines = 0;
  for (;;)
    {
      for (; self->pos + i < self->len; i++)
        {
          char c = self->buf[self->pos + i];

          if (c == '\n')
            (*newlines)++;
          if (in_string)
            {
              if (escape)
                escape = FALSE;
              else if (c == '\\')
                escape = TRUE;
              else if (c == '"')
                in_string = FALSE;
              continue;
            }
          if (c == '"')
            in_string = TRUE;
          else if (c == '{' || c == '[')
            depth++;
          else if (c == '}' || c == ']')
            {
              if (depth == 0)
                goto done;   /* the array's own ']' after a scalar */
              if (--depth == 0)
                {
                  i++;
                  goto done;
                }
            }
          else if (c == ',' && depth == 0)
            goto done;
        }
      if (self->eof)
        break;
      if (i > self->options.max_record)
        return too_long (self, error);
      if (!fill (self, error))
        return SLUICE_FILE_READ_ERROR;
    }
done:
  if (in_string || depth > 0)
    return syntax_error (self, error, "the JSON array ends inside an element");
  if (i > self->options.max_record)
    return too_long (self, error);
  *length = i;
  return SLUICE_FILE_READ_ITEM;
}

static SluiceFileReadStatus
next_json_item (SluiceFileReader  *self,
                json_t           **item,
                GError           **error)
{
  g_autoptr(GError) local = NULL;
  SluiceFileReadStatus status;
  guint64 newlines;
  gsize length;

  if (self->finished)
    return SLUICE_FILE_READ_END;
  if (!skip_space (self, error))
    return SLUICE_FILE_READ_ERROR;

  if (self->element == 0)
    {
      if (self->pos >= self->len || self->buf[self->pos] != '[')
        return syntax_error (self, error, "not a JSON array (format json wants [ {…}, {…} ]; use jsonl for one object a line)");
      self->pos++;
      if (!skip_space (self, error))
        return SLUICE_FILE_READ_ERROR;
    }
  else
    {
      if (self->pos < self->len && self->buf[self->pos] == ',')
        self->pos++;
      else if (self->pos >= self->len || self->buf[self->pos] != ']')
        return syntax_error (self, error, "expected , or ] after an element of the JSON array");
      if (!skip_space (self, error))
        return SLUICE_FILE_READ_ERROR;
    }

  if (self->pos < self->len && self->buf[self->pos] == ']')
    {
      self->pos++;
      self->finished = TRUE;
      if (!skip_space (self, error))
        return SLUICE_FILE_READ_ERROR;
      if (self->pos < self->len)
        return syntax_error (self, error, "something after the end of the JSON array");
      return SLUICE_FILE_READ_END;
    }
  if (self->pos >= self->len)
    return syntax_error (self, error, "the JSON array is not closed");

  status = scan_value (self, &length, &newlines, error);
  if (status != SLUICE_FILE_READ_ITEM)
    return status;
  self->record_line = self->line + 1;
  self->line += newlines;
  self->element++;
  *item = sluice_json_parse_item (self->buf + self->pos, length, &local);
  self->pos += length;
  if (*item == NULL)
    {
      /* An element that did not parse leaves the file unreadable after it. */
      if (!g_error_matches (local, SLUICE_JSON_ERROR, SLUICE_JSON_ERROR_NOT_OBJECT))
        return syntax_error (self, error, local->message);
      return bad_record (self, error, "element %" G_GUINT64_FORMAT " of the array: %s", self->element, local->message);
    }
  /* Leave the separator for the next call. */
  if (!skip_space (self, error))
    {
      json_decref (g_steal_pointer (item));
      return SLUICE_FILE_READ_ERROR;
    }
  return SLUICE_FILE_READ_ITEM;
}

/* ---- CSV */

static GString *
field_at (SluiceFileReader *self,
          guint             index)
{
  while (self->fields->len <= index)
    g_ptr_array_add (self->fields, g_string_sized_new (32));
  return g_ptr_array_index (self->fields, index);
}

/* Most fields are ASCII without NUL, which g_utf8_validate_len()
 * accepts: checked a word at a time (a byte of 0x80 or more, or a zero
 * byte, sets a high bit), a sixth of what g_utf8_validate_len costs.
 * FALSE only means "ask g_utf8_validate_len". */
static gboolean
is_ascii (const char *text,
          gsize       length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  guint64 bits = 0;
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      bits |= word | ((word - ones) & ~word);
    }
  for (; i < length; i++)
    bits |= (guchar) text[i] == 0 ? 0x80 : (guchar) text[i];
  return (bits & (ones * 0x80)) == 0;
}

/* Reads one record's fields into self->fields (the first @n_fields).
 * END when there is none. */
static SluiceFileReadStatus
read_csv_record (SluiceFileReader  *self,
                 guint             *n_fields,
                 GError           **error)
{
  enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } state = FIELD_START;
  const char delimiter = self->options.delimiter;
  const char quote = self->options.quote;
  gsize record_bytes = 0;
  guint n = 0;
  GString *field;

  if (self->pos >= self->len && !fill (self, error))
    return SLUICE_FILE_READ_ERROR;
  if (self->pos >= self->len && self->eof)
    return SLUICE_FILE_READ_END;

  self->record_line = self->line + 1;
  field = field_at (self, 0);
  g_string_truncate (field, 0);

  for (;;)
    {
      while (self->pos < self->len)
        {
          char c = self->buf[self->pos];

          if (state == QUOTED)
            {
              /* The bulk of a quoted field: up to the next quote. */
              const char *start = self->buf + self->pos;
              const char *end = memchr (start, quote, self->len - self->pos);
              gsize run = end != NULL ? (gsize) (end - start) : self->len - self->pos;

              for (gsize k = 0; k < run; k++)
                if (start[k] == '\n')
                  self->line++;
              g_string_append_len (field, start, run);
              self->pos += run;
              record_bytes += run;
              if (end != NULL)
                {
                  self->pos++;
                  state = QUOTE_IN_QUOTED;
                }
              continue;
            }

          if (state == QUOTE_IN_QUOTED && c == quote)
            {
              g_string_append_c (field, quote);   /* "" inside quotes */
              self->pos++;
              state = QUOTED;
              continue;
            }

          if (c == delimiter)
            {
              field = field_at (self, ++n);
              g_string_truncate (field, 0);
              state = FIELD_START;
              self->pos++;
              continue;
            }
          if (c == '\n')
            {
              self->pos++;
              self->line++;
              if (state != QUOTE_IN_QUOTED && field->len > 0 && field->str[field->len - 1] == '\r')
                g_string_truncate (field, field->len - 1);
              *n_fields = n + 1;
              return SLUICE_FILE_READ_ITEM;
            }
          if (state == FIELD_START && quote != 0 && c == quote)
            {
              state = QUOTED;
              self->pos++;
              continue;
            }

          {
            /* The bulk of an unquoted field (or text after a closing
             * quote, kept as it is): up to a delimiter or line end. */
            const char *start = self->buf + self->pos;
            gsize k = 0, avail = self->len - self->pos;

            while (k < avail && start[k] != delimiter && start[k] != '\n')
              k++;
            g_string_append_len (field, start, k);
            self->pos += k;
            record_bytes += k;
            state = UNQUOTED;
          }
        }

      if (record_bytes > self->options.max_record)
        return too_long (self, error);
      if (self->eof)
        break;
      if (!fill (self, error))
        return SLUICE_FILE_READ_ERROR;
    }

  if (state == QUOTED)
    return syntax_error (self, error, "a quoted field is not closed before the end of the file");
  if (state != QUOTE_IN_QUOTED && field->len > 0 && field->str[field->len - 1] == '\r')
    g_string_truncate (field, field->len - 1);
  *n_fields = n + 1;
  return SLUICE_FILE_READ_ITEM;
}

/* Header names: empty ones and repeats get a name of their own. */
static void
take_header (SluiceFileReader *self,
             guint             n_fields)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < n_fields; i++)
    {
      GString *field = g_ptr_array_index (self->fields, i);
      char *name = field->len > 0 ? g_strdup (field->str) : g_strdup_printf ("column_%u", i + 1);

      for (guint k = 2; g_hash_table_contains (seen, name); k++)
        {
          g_free (name);
          name = g_strdup_printf ("%s_%u", field->str, k);
        }
      g_hash_table_add (seen, name);
      g_ptr_array_add (self->names, name);
    }
}

static SluiceFileReadStatus
next_csv_item (SluiceFileReader  *self,
               json_t           **item,
               GError           **error)
{
  for (;;)
    {
      SluiceFileReadStatus status;
      guint n_fields = 0;

      status = read_csv_record (self, &n_fields, error);
      if (status != SLUICE_FILE_READ_ITEM)
        return status;

      for (guint i = 0; i < n_fields; i++)
        {
          GString *field = g_ptr_array_index (self->fields, i);

          if (!is_ascii (field->str, field->len) && !g_utf8_validate_len (field->str, field->len, NULL))
            return invalid_utf8 (self, error);
        }

      /* A blank line is no record. */
      if (n_fields == 1 && ((GString *) g_ptr_array_index (self->fields, 0))->len == 0)
        continue;

      if (self->options.header && !self->header_seen)
        {
          self->header_seen = TRUE;
          /* Names given in `columns` win over the header. */
          if (self->columns == NULL)
            take_header (self, n_fields);
          continue;
        }
      self->element++;

      if (self->names->len == 0)
        for (guint i = 0; i < n_fields; i++)
          g_ptr_array_add (self->names, g_strdup_printf ("column_%u", i + 1));

      if (n_fields != self->names->len && !self->options.pad_ragged)
        {
          g_autofree char *fields = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u field", "%u fields", n_fields),
                                                     n_fields);
          g_autofree char *columns = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u column", "%u columns",
                                                                   self->names->len), self->names->len);

          return bad_record (self, error, "%s, but %s (set ragged to pad to accept it)", fields, columns);
        }

      *item = json_object ();
      for (guint i = 0; i < MAX (n_fields, self->names->len); i++)
        {
          GString *field = i < n_fields ? g_ptr_array_index (self->fields, i) : NULL;
          json_t *value = field != NULL ? json_stringn_nocheck (field->str, field->len) : json_null ();

          if (i < self->names->len)
            json_object_set_new_nocheck (*item, g_ptr_array_index (self->names, i), value);
          else
            {
              char name[32];

              g_snprintf (name, sizeof name, "column_%u", i + 1);
              json_object_set_new_nocheck (*item, name, value);
            }
        }
      return SLUICE_FILE_READ_ITEM;
    }
}

SluiceFileReadStatus
sluice_file_reader_next (SluiceFileReader  *self,
                         json_t           **item,
                         GError           **error)
{
  *item = NULL;

  if (!self->started && !fill (self, error))
    return SLUICE_FILE_READ_ERROR;

  switch (self->options.format)
    {
    case SLUICE_FILE_FORMAT_JSONL:
      return next_jsonl_item (self, item, error);
    case SLUICE_FILE_FORMAT_JSON:
      return next_json_item (self, item, error);
    case SLUICE_FILE_FORMAT_CSV:
      return next_csv_item (self, item, error);
    case SLUICE_FILE_FORMAT_LINES:
    default:
      return next_lines_item (self, item, error);
    }
}
