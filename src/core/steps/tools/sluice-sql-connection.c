/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-sql-connection-private.h"
#include "sluice-text.h"

static gboolean
is_postgres (const char *database)
{
  return g_str_has_prefix (database, "postgresql://") || g_str_has_prefix (database, "postgres://") ||
         strstr (database, "dbname=") != NULL || strstr (database, "host=") != NULL;
}

SluiceSqlConnection *
sluice_sql_connection_new (const char  *database,
                           const char  *base_directory,
                           GError     **error)
{
  SluiceSqlConnection *self;

  if (g_str_has_prefix (database, "sqlite:"))
    {
      const char *file = database + strlen ("sqlite:");

      if (*file == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "sqlite: needs a file name (sqlite:data.db)");
          return NULL;
        }
      self = g_new0 (SluiceSqlConnection, 1);
      self->backend = &_sluice_sql_sqlite_backend;
      self->target = g_path_is_absolute (file) || base_directory == NULL ? g_strdup (file)
                                                                          : g_build_filename (base_directory, file, NULL);
      self->description = g_strdup_printf ("SQLite file %s", self->target);
      return self;
    }

  if (is_postgres (database))
    {
      self = g_new0 (SluiceSqlConnection, 1);
      self->backend = &_sluice_sql_postgres_backend;
      self->target = g_strdup (database);
      self->description = _sluice_sql_postgres_describe (database);
      return self;
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the database must be sqlite:FILE or a PostgreSQL URI (postgresql://user@host:port/name)");
  return NULL;
}

void
sluice_sql_connection_free (SluiceSqlConnection *self)
{
  if (self == NULL)
    return;

  sluice_sql_connection_query_end (self);
  self->backend->close (self);
  g_free (self->target);
  g_free (self->description);
  g_free (self);
}

const char *
sluice_sql_connection_describe (SluiceSqlConnection *self)
{
  return self->description != NULL ? self->description : "PostgreSQL database";
}

void
sluice_sql_quote_identifier (GString    *sql,
                             const char *name)
{
  g_string_append_c (sql, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (sql, '"');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '"');
}

void
_sluice_sql_append_table (GString              *sql,
                          const SluiceSqlWrite *write)
{
  if (write->schema != NULL && *write->schema != '\0')
    {
      sluice_sql_quote_identifier (sql, write->schema);
      g_string_append_c (sql, '.');
    }
  sluice_sql_quote_identifier (sql, write->table);
}

void
_sluice_sql_append_columns (GString  *sql,
                            char    **columns)
{
  g_string_append (sql, " (");
  for (guint i = 0; columns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      sluice_sql_quote_identifier (sql, columns[i]);
    }
  g_string_append (sql, ")");
}

const char *
_sluice_sql_column_type (GPtrArray  *items,
                         const char *column,
                         gboolean    postgres)
{
  for (guint i = 0; i < items->len; i++)
    {
      json_t *value = json_object_get (g_ptr_array_index (items, i), column);

      if (value == NULL || json_is_null (value))
        continue;
      switch (json_typeof (value))
        {
        case JSON_INTEGER: return postgres ? "BIGINT" : "INTEGER";
        case JSON_REAL:    return postgres ? "DOUBLE PRECISION" : "REAL";
        case JSON_TRUE:
        case JSON_FALSE:   return postgres ? "BOOLEAN" : "INTEGER";
        case JSON_OBJECT:
        case JSON_ARRAY:   return postgres ? "JSONB" : "TEXT";
        case JSON_STRING:
        default:           return "TEXT";
        }
    }
  return "TEXT";
}

char *
_sluice_sql_create_sql_typed (const SluiceSqlWrite  *write,
                              char                 **columns,
                              const char * const    *types)
{
  GString *sql = g_string_new ("CREATE TABLE IF NOT EXISTS ");

  _sluice_sql_append_table (sql, write);
  g_string_append (sql, " (");
  for (guint i = 0; columns[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (sql, ", ");
      sluice_sql_quote_identifier (sql, columns[i]);
      g_string_append_printf (sql, " %s", types[i]);
    }
  if (write->keys != NULL && write->keys[0] != NULL)
    {
      g_string_append (sql, ", PRIMARY KEY");
      _sluice_sql_append_columns (sql, write->keys);
    }
  g_string_append (sql, ")");
  return g_string_free (sql, FALSE);
}

char *
_sluice_sql_create_sql (const SluiceSqlWrite  *write,
                        char                 **columns,
                        GPtrArray             *items,
                        gboolean               postgres)
{
  guint n = g_strv_length (columns);
  g_autofree const char **types = g_new0 (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    types[i] = _sluice_sql_column_type (items, columns[i], postgres);
  return _sluice_sql_create_sql_typed (write, columns, types);
}

void
_sluice_sql_append_upsert (GString              *sql,
                           const SluiceSqlWrite *write,
                           char                **columns)
{
  gboolean any = FALSE;

  g_string_append (sql, " ON CONFLICT");
  _sluice_sql_append_columns (sql, write->keys);
  for (guint i = 0; columns[i] != NULL; i++)
    {
      if (g_strv_contains ((const char * const *) write->keys, columns[i]))
        continue;
      g_string_append (sql, any ? ", " : " DO UPDATE SET ");
      sluice_sql_quote_identifier (sql, columns[i]);
      g_string_append (sql, " = excluded.");
      sluice_sql_quote_identifier (sql, columns[i]);
      any = TRUE;
    }
  if (!any)
    g_string_append (sql, " DO NOTHING");
}

/* The union of the items' fields, sorted. */
static char **
columns_of (GPtrArray *items)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  char **columns;

  for (guint i = 0; i < items->len; i++)
    {
      const char *key;
      json_t *value;

      json_object_foreach ((json_t *) g_ptr_array_index (items, i), key, value)
        if (g_hash_table_add (seen, (gpointer) key))
          g_ptr_array_add (names, (gpointer) key);
    }
  sluice_sort_strings (names);
  columns = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    columns[i] = g_strdup (g_ptr_array_index (names, i));
  return columns;
}

gboolean
sluice_sql_connection_write (SluiceSqlConnection   *self,
                             const SluiceSqlWrite  *write,
                             GPtrArray             *items,
                             GError               **error)
{
  g_auto(GStrv) columns = write->columns != NULL ? g_strdupv (write->columns) : columns_of (items);

  if (items->len == 0)
    return TRUE;
  if (columns[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the items have no fields to write");
      return FALSE;
    }
  return self->backend->write (self, write, columns, items, error);
}

gboolean
sluice_sql_connection_takes_records (SluiceSqlConnection *self)
{
  return self->backend->write_records != NULL;
}

gboolean
sluice_sql_connection_write_records (SluiceSqlConnection   *self,
                                     const SluiceSqlWrite  *write,
                                     GPtrArray             *records,
                                     GError               **error)
{
  g_return_val_if_fail (self->backend->write_records != NULL, FALSE);

  if (records->len == 0)
    return TRUE;
  return self->backend->write_records (self, write, records, error);
}

gboolean
sluice_sql_connection_query (SluiceSqlConnection  *self,
                             const char           *query,
                             GPtrArray            *binds,
                             guint                 batch,
                             GError              **error)
{
  sluice_sql_connection_query_end (self);
  self->batch = MAX (batch, 1);
  self->query_done = FALSE;
  return self->backend->query (self, query, binds, self->batch, error);
}

SluiceSqlFetch
sluice_sql_connection_fetch (SluiceSqlConnection  *self,
                             GPtrArray            *rows,
                             GError              **error)
{
  if (self->query_done)
    return SLUICE_SQL_END;
  return self->backend->fetch (self, rows, error);
}

void
sluice_sql_connection_query_end (SluiceSqlConnection *self)
{
  if (self->statement != NULL)
    self->backend->query_end (self);
  self->statement = NULL;
}
