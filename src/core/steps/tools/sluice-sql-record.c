/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-text.h"
#include "sluice-sql-record.h"

static void
put_u32 (GString *out,
         guint32  value)
{
  g_string_append_len (out, (const char *) &value, sizeof value);
}

static guint32
get_u32 (const char **cursor)
{
  guint32 value;

  memcpy (&value, *cursor, sizeof value);
  *cursor += sizeof value;
  return value;
}

/* COPY's text format: backslash, tab, new line and carriage return
 * escaped. A NUL stays as it is: PostgreSQL's text cannot hold it, and
 * the server's refusal (invalid byte sequence … 0x00) is the message. */
static void
append_escaped (GString    *out,
                const char *text,
                gsize       length)
{
  const char *run = text;
  const char *end = text + length;

  for (const char *p = text; p < end; p++)
    {
      const char *escape;

      switch (*p)
        {
        case '\\': escape = "\\\\"; break;
        case '\t': escape = "\\t"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        default: continue;
        }
      g_string_append_len (out, run, p - run);
      g_string_append_len (out, escape, 2);
      run = p + 1;
    }
  g_string_append_len (out, run, end - run);
}

static void
append_int (GString    *out,
            json_int_t  value)
{
  char buffer[24];
  char *p = buffer + sizeof buffer;
  /* Negated as unsigned: the smallest value has no positive twin. */
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, buffer + sizeof buffer - p);
}

/* Appends kind, length and text of @value. */
static void
append_value (GString *out,
              json_t  *value)
{
  char buffer[SLUICE_JSON_REAL_BUF_SIZE];
  gsize start;
  guint32 length;
  SluiceSqlKind kind;

  switch (json_typeof (value))
    {
    case JSON_NULL:    kind = SLUICE_SQL_KIND_NULL; break;
    case JSON_INTEGER: kind = SLUICE_SQL_KIND_INT; break;
    case JSON_REAL:    kind = SLUICE_SQL_KIND_REAL; break;
    case JSON_TRUE:
    case JSON_FALSE:   kind = SLUICE_SQL_KIND_BOOL; break;
    case JSON_STRING:  kind = SLUICE_SQL_KIND_TEXT; break;
    default:           kind = SLUICE_SQL_KIND_JSON; break;
    }
  g_string_append_c (out, (char) kind);
  start = out->len;
  put_u32 (out, 0);

  switch (kind)
    {
    case SLUICE_SQL_KIND_NULL:
      break;
    case SLUICE_SQL_KIND_INT:
      append_int (out, json_integer_value (value));
      break;
    case SLUICE_SQL_KIND_REAL:
      g_string_append_len (out, buffer, sluice_json_format_real (json_real_value (value), buffer));
      break;
    case SLUICE_SQL_KIND_BOOL:
      g_string_append (out, json_is_true (value) ? "true" : "false");
      break;
    case SLUICE_SQL_KIND_TEXT:
      append_escaped (out, json_string_value (value), json_string_length (value));
      break;
    case SLUICE_SQL_KIND_JSON:
    default:
      {
        char *dumped = sluice_json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS);

        append_escaped (out, dumped != NULL ? dumped : "null", dumped != NULL ? strlen (dumped) : 4);
        free (dumped);
      }
      break;
    }
  length = (guint32) (out->len - start - sizeof length);
  memcpy (out->str + start, &length, sizeof length);
}

json_t *
sluice_sql_record_new (json_t  *item,
                       GString *scratch)
{
  guint32 n_fields = (guint32) json_object_size (item);
  guint32 names_length;
  const char *key;
  json_t *value;

  g_string_truncate (scratch, 0);
  put_u32 (scratch, n_fields);
  put_u32 (scratch, 0);
  json_object_foreach (item, key, value)
    {
      guint32 length = (guint32) strlen (key);

      put_u32 (scratch, length);
      g_string_append_len (scratch, key, length);
    }
  names_length = (guint32) (scratch->len - 2 * sizeof (guint32));
  memcpy (scratch->str + sizeof (guint32), &names_length, sizeof names_length);
  json_object_foreach (item, key, value)
    append_value (scratch, value);
  return json_stringn_nocheck (scratch->str, scratch->len);
}

void
sluice_sql_record_read (json_t          *record,
                        SluiceSqlRecord *out)
{
  const char *cursor = json_string_value (record);

  out->n_fields = get_u32 (&cursor);
  out->names_length = get_u32 (&cursor);
  out->names = cursor;
  out->values = cursor + out->names_length;
}

const char *
sluice_sql_record_next_name (const char **cursor,
                             guint32     *length)
{
  const char *name;

  *length = get_u32 (cursor);
  name = *cursor;
  *cursor += *length;
  return name;
}

const char *
sluice_sql_record_next_value (const char    **cursor,
                              guint32        *length,
                              SluiceSqlKind  *kind)
{
  const char *text;

  *kind = (SluiceSqlKind) **cursor;
  (*cursor)++;
  *length = get_u32 (cursor);
  text = *cursor;
  *cursor += *length;
  return text;
}

const char *
sluice_sql_kind_postgres_type (SluiceSqlKind kind)
{
  switch (kind)
    {
    case SLUICE_SQL_KIND_INT:  return "BIGINT";
    case SLUICE_SQL_KIND_REAL: return "DOUBLE PRECISION";
    case SLUICE_SQL_KIND_BOOL: return "BOOLEAN";
    case SLUICE_SQL_KIND_JSON: return "JSONB";
    case SLUICE_SQL_KIND_TEXT:
    case SLUICE_SQL_KIND_NULL:
    default:                   return "TEXT";
    }
}

/* ---- reading a batch */

static gboolean
same_names (const SluiceSqlRecord *a,
            const SluiceSqlRecord *b)
{
  return a->names != NULL && a->n_fields == b->n_fields && a->names_length == b->names_length &&
         memcmp (a->names, b->names, a->names_length) == 0;
}

char **
sluice_sql_record_names (GPtrArray *records)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  SluiceSqlRecord previous = { 0 };
  char **out;

  for (guint i = 0; i < records->len; i++)
    {
      SluiceSqlRecord record;
      const char *cursor;

      sluice_sql_record_read (g_ptr_array_index (records, i), &record);
      if (same_names (&previous, &record))
        continue;
      previous = record;
      cursor = record.names;
      for (guint32 f = 0; f < record.n_fields; f++)
        {
          guint32 length;
          const char *name = sluice_sql_record_next_name (&cursor, &length);
          char *copy = g_strndup (name, length);

          /* Not g_hash_table_add: it would free the name already kept. */
          if (g_hash_table_contains (seen, copy))
            g_free (copy);
          else
            {
              g_hash_table_add (seen, copy);
              g_ptr_array_add (names, copy);
            }
        }
    }
  sluice_sort_strings (names);
  out = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    out[i] = g_strdup (g_ptr_array_index (names, i));
  return out;
}

struct _SluiceSqlCells
{
  GHashTable      *index;      /* column name → its position + 1 */
  guint            n_columns;
  const char     **text;
  guint32         *length;
  SluiceSqlKind   *kind;
  GArray          *map;        /* gint: each field's column, or -1 */
  SluiceSqlRecord  previous;   /* whose shape @map is */
  GString         *name;       /* a name looked up, NUL-terminated */
};

SluiceSqlCells *
sluice_sql_cells_new (char * const *columns)
{
  SluiceSqlCells *self = g_new0 (SluiceSqlCells, 1);

  self->index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint c = 0; columns[c] != NULL; c++)
    g_hash_table_insert (self->index, columns[c], GUINT_TO_POINTER (c + 1));
  self->n_columns = g_strv_length ((char **) columns);
  self->text = g_new0 (const char *, self->n_columns);
  self->length = g_new0 (guint32, self->n_columns);
  self->kind = g_new0 (SluiceSqlKind, self->n_columns);
  self->map = g_array_new (FALSE, FALSE, sizeof (gint));
  self->name = g_string_new (NULL);
  return self;
}

void
sluice_sql_cells_free (SluiceSqlCells *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->index);
  g_free (self->text);
  g_free (self->length);
  g_free (self->kind);
  g_array_unref (self->map);
  g_string_free (self->name, TRUE);
  g_free (self);
}

static void
map_fields (SluiceSqlCells        *self,
            const SluiceSqlRecord *record)
{
  const char *cursor = record->names;

  g_array_set_size (self->map, record->n_fields);
  for (guint32 f = 0; f < record->n_fields; f++)
    {
      guint32 length;
      const char *name = sluice_sql_record_next_name (&cursor, &length);

      g_string_truncate (self->name, 0);
      g_string_append_len (self->name, name, length);
      g_array_index (self->map, gint, f) = (gint) GPOINTER_TO_UINT (g_hash_table_lookup (self->index, self->name->str)) - 1;
    }
  self->previous = *record;
}

void
sluice_sql_cells_fill (SluiceSqlCells *self,
                       json_t         *record_string)
{
  SluiceSqlRecord record;
  const char *cursor;

  sluice_sql_record_read (record_string, &record);
  if (!same_names (&self->previous, &record))
    map_fields (self, &record);
  self->previous = record;
  for (guint c = 0; c < self->n_columns; c++)
    self->kind[c] = SLUICE_SQL_KIND_NULL;
  cursor = record.values;
  for (guint32 f = 0; f < record.n_fields; f++)
    {
      SluiceSqlKind kind;
      guint32 length;
      const char *text = sluice_sql_record_next_value (&cursor, &length, &kind);
      gint column = g_array_index (self->map, gint, f);

      if (column < 0)
        continue;
      self->text[column] = text;
      self->length[column] = length;
      self->kind[column] = kind;
    }
}

const char *
sluice_sql_cells_get (SluiceSqlCells *self,
                      guint           column,
                      guint32        *length,
                      SluiceSqlKind  *kind)
{
  *kind = self->kind[column];
  if (*kind == SLUICE_SQL_KIND_NULL)
    return NULL;
  *length = self->length[column];
  return self->text[column];
}
