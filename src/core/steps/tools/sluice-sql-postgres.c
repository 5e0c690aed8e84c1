/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-sql-connection-private.h"
#include "sluice-sql-record.h"

/* PostgreSQL through libpq: a batch is one query string, so one
 * transaction, that COPYs its rows (into a temporary table first for an
 * upsert, then INSERT … ON CONFLICT from it); its rows come from
 * records (sluice-sql-record.c); queries run behind a cursor, FETCHed a batch at a
 * time. A lost connection is dropped and made again on the next use,
 * so a retry resends the batch on a fresh one. */

#define COPY_CHUNK (1 << 20)

/* Host, port and database, never the password. */
static char *
describe (const char *target,
          PGconn     *conn)
{
  const char *host = NULL, *port = NULL, *dbname = NULL;
  PQconninfoOption *options = conn != NULL ? NULL : PQconninfoParse (target, NULL);
  char *text;

  if (conn != NULL)
    {
      host = PQhost (conn);
      port = PQport (conn);
      dbname = PQdb (conn);
    }
  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host") && o->val != NULL)
        host = o->val;
      else if (g_str_equal (o->keyword, "port") && o->val != NULL)
        port = o->val;
      else if (g_str_equal (o->keyword, "dbname") && o->val != NULL)
        dbname = o->val;
    }
  text = g_strdup_printf ("PostgreSQL database %s at %s:%s", dbname != NULL ? dbname : "(default)",
                          host != NULL && *host ? host : "localhost", port != NULL && *port ? port : "5432");
  PQconninfoFree (options);
  return text;
}

/* libpq's messages end with a new line; ours do not. */
static void
set_error (SluiceSqlConnection  *self,
           GError              **error,
           const char           *message)
{
  g_autofree char *text = g_strstrip (g_strdup (message != NULL && *message ? message : "unknown error"));

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", self->description, text);
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

static gboolean
connect_db (SluiceSqlConnection  *self,
            GError              **error)
{
  const char *keys[] = { "dbname", "fallback_application_name", "connect_timeout", NULL };
  const char *values[] = { self->target, "sluice", "10", NULL };
  PGconn *conn;

  if (self->description == NULL)
    self->description = describe (self->target, NULL);
  if (self->handle != NULL && PQstatus (self->handle) == CONNECTION_OK)
    return TRUE;
  if (self->handle != NULL)
    {
      PQfinish (self->handle);
      self->handle = NULL;
    }

  conn = PQconnectdbParams (keys, values, 1);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      set_error (self, error, PQerrorMessage (conn));
      PQfinish (conn);
      return FALSE;
    }
  PQsetClientEncoding (conn, "UTF8");
  /* Notices ("relation … already exists, skipping") are not for the
   * run's standard error. */
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  self->handle = conn;
  return TRUE;
}

/* After a failure: a broken connection is let go (the next use makes a
 * new one); a working one rolls back what is still open. */
static void
recover (SluiceSqlConnection *self)
{
  PGconn *conn = self->handle;

  if (conn == NULL)
    return;
  if (PQstatus (conn) != CONNECTION_OK)
    {
      PQfinish (conn);
      self->handle = NULL;
      return;
    }
  /* A write's implicit transaction is over already. */
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "ROLLBACK"));
}

static gboolean
exec (SluiceSqlConnection  *self,
      const char           *sql,
      GError              **error)
{
  PGresult *result = PQexec (self->handle, sql);
  gboolean ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;

  if (!ok)
    set_error (self, error, result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (self->handle));
  PQclear (result);
  return ok;
}

/* One row of COPY's text format from the record in @cells: \N for
 * null and missing fields, the text (escaped when the record was made)
 * for the rest. */
static void
append_copy_row (GString        *data,
                 SluiceSqlCells *cells,
                 guint           n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    {
      SluiceSqlKind kind;
      guint32 length = 0;
      const char *text = sluice_sql_cells_get (cells, c, &length, &kind);

      if (c > 0)
        g_string_append_c (data, '\t');
      if (text == NULL)
        g_string_append_len (data, "\\N", 2);
      else
        g_string_append_len (data, text, length);
    }
  g_string_append_c (data, '\n');
}

static gboolean
put_copy (SluiceSqlConnection  *self,
          GString              *data,
          GError              **error)
{
  if (data->len > 0 && PQputCopyData (self->handle, data->str, data->len) != 1)
    {
      set_error (self, error, PQerrorMessage (self->handle));
      return FALSE;
    }
  g_string_truncate (data, 0);
  return TRUE;
}

/* One query string, so one implicit transaction: @before (statements
 * ahead of the COPY: a CREATE TABLE, or NULL), the COPY, and @after (a
 * statement run once the rows are in, or NULL). All of it is committed
 * when the string ends without an error, or none of it: a batch costs
 * two round trips (the COPY's start, then its rows and the answer)
 * without a COMMIT of its own. */
static gboolean
copy_rows (SluiceSqlConnection  *self,
           const char           *before,
           const char           *into,
           char                **columns,
           GPtrArray            *records,
           const char           *after,
           GError              **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) data = g_string_sized_new (COPY_CHUNK + 4096);
  g_autoptr(SluiceSqlCells) cells = sluice_sql_cells_new (columns);
  guint n_columns = g_strv_length (columns);
  PGresult *result;
  gboolean ok = TRUE;

  if (before != NULL)
    g_string_append (sql, before);
  g_string_append (sql, "COPY ");
  g_string_append (sql, into);
  _sluice_sql_append_columns (sql, columns);
  g_string_append (sql, " FROM STDIN");
  if (after != NULL)
    g_string_append_printf (sql, "; %s", after);
  result = PQexec (self->handle, sql->str);
  if (PQresultStatus (result) != PGRES_COPY_IN)
    {
      set_error (self, error, result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (self->handle));
      PQclear (result);
      return FALSE;
    }
  PQclear (result);

  for (guint r = 0; r < records->len && ok; r++)
    {
      sluice_sql_cells_fill (cells, g_ptr_array_index (records, r));
      append_copy_row (data, cells, n_columns);
      if (data->len >= COPY_CHUNK)
        ok = put_copy (self, data, error);
    }
  if (ok)
    ok = put_copy (self, data, error);
  if (PQputCopyEnd (self->handle, ok ? NULL : "the client gave up") != 1 && ok)
    {
      set_error (self, error, PQerrorMessage (self->handle));
      ok = FALSE;
    }

  while ((result = PQgetResult (self->handle)) != NULL)
    {
      if (PQresultStatus (result) != PGRES_COMMAND_OK && ok)
        {
          set_error (self, error, PQresultErrorMessage (result));
          ok = FALSE;
        }
      PQclear (result);
    }
  return ok;
}

/* The types of a created table's columns: each from the first record
 * with a value in it. */
static char *
create_sql (const SluiceSqlWrite  *write,
            char                 **columns,
            GPtrArray             *records)
{
  g_autoptr(SluiceSqlCells) cells = sluice_sql_cells_new (columns);
  guint n_columns = g_strv_length (columns);
  g_autofree const char **types = g_new0 (const char *, n_columns + 1);
  guint typed = 0;

  for (guint r = 0; r < records->len && typed < n_columns; r++)
    {
      sluice_sql_cells_fill (cells, g_ptr_array_index (records, r));
      for (guint c = 0; c < n_columns; c++)
        {
          SluiceSqlKind kind;
          guint32 length;

          if (types[c] == NULL && sluice_sql_cells_get (cells, c, &length, &kind) != NULL)
            {
              types[c] = sluice_sql_kind_postgres_type (kind);
              typed++;
            }
        }
    }
  for (guint c = 0; c < n_columns; c++)
    if (types[c] == NULL)
      types[c] = "TEXT";
  return _sluice_sql_create_sql_typed (write, columns, types);
}

static gboolean
postgres_write_records (SluiceSqlConnection   *self,
                        const SluiceSqlWrite  *write,
                        GPtrArray             *records,
                        GError               **error)
{
  g_autoptr(GString) table = g_string_new (NULL);
  g_autoptr(GString) head = NULL;
  g_auto(GStrv) columns = write->columns != NULL ? g_strdupv (write->columns) : sluice_sql_record_names (records);

  if (columns[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the items have no fields to write");
      return FALSE;
    }
  if (!connect_db (self, error))
    return FALSE;
  _sluice_sql_append_table (table, write);

  /* The CREATE and the COPY (or the staging table, and the INSERT from
   * it) go in one query string: one implicit transaction. */
  head = g_string_new (NULL);
  if (write->create)
    {
      g_autofree char *create = create_sql (write, columns, records);

      g_string_append_printf (head, "%s; ", create);
    }

  if (!write->upsert)
    {
      if (copy_rows (self, head->len > 0 ? head->str : NULL, table->str, columns, records, NULL, error))
        return TRUE;
    }
  else
    {
      g_autoptr(GString) insert = g_string_new ("INSERT INTO ");

      g_string_append (head, "CREATE TEMP TABLE IF NOT EXISTS sluice_stage (LIKE ");
      g_string_append (head, table->str);
      g_string_append (head, ") ON COMMIT DELETE ROWS; ");
      g_string_append (insert, table->str);
      _sluice_sql_append_columns (insert, columns);
      g_string_append (insert, " SELECT ");
      for (guint c = 0; columns[c] != NULL; c++)
        {
          if (c > 0)
            g_string_append (insert, ", ");
          sluice_sql_quote_identifier (insert, columns[c]);
        }
      g_string_append (insert, " FROM sluice_stage");
      _sluice_sql_append_upsert (insert, write, columns);
      if (copy_rows (self, head->str, "sluice_stage", columns, records, insert->str, error))
        return TRUE;
    }

  recover (self);
  return FALSE;
}

/* Items as they are: made into records here. */
static gboolean
postgres_write (SluiceSqlConnection   *self,
                const SluiceSqlWrite  *write,
                char                 **columns,
                GPtrArray             *items,
                GError               **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_full (items->len, (GDestroyNotify) json_decref);
  g_autoptr(GString) scratch = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (records, sluice_sql_record_new (g_ptr_array_index (items, i), scratch));
  return postgres_write_records (self, write, records, error);
}

static gboolean
postgres_query (SluiceSqlConnection  *self,
                const char           *query,
                GPtrArray            *binds,
                guint                 batch,
                GError              **error)
{
  g_autofree char *declare = g_strdup_printf ("DECLARE sluice_cursor NO SCROLL CURSOR FOR %s", query);
  PGresult *result;

  if (!connect_db (self, error))
    return FALSE;
  if (!exec (self, "BEGIN", error))
    {
      recover (self);
      return FALSE;
    }
  result = PQexecParams (self->handle, declare, binds != NULL ? binds->len : 0, NULL,
                         binds != NULL ? (const char * const *) binds->pdata : NULL, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      set_error (self, error, PQresultErrorMessage (result));
      PQclear (result);
      recover (self);
      return FALSE;
    }
  PQclear (result);
  self->statement = GINT_TO_POINTER (1);
  return TRUE;
}

static json_t *
cell_value (PGresult *result,
            int       row,
            int       column)
{
  const char *text = PQgetvalue (result, row, column);

  if (PQgetisnull (result, row, column))
    return json_null ();
  switch (PQftype (result, column))
    {
    case 16:   /* bool */
      return json_boolean (text[0] == 't');
    case 20: case 21: case 23: case 26:   /* int8, int2, int4, oid */
      return json_integer (g_ascii_strtoll (text, NULL, 10));
    case 700: case 701: case 1700:   /* float4, float8, numeric */
      return json_real (g_ascii_strtod (text, NULL));
    case 114: case 3802:   /* json, jsonb */
      {
        json_error_t jerror;
        json_t *value = json_loads (text, JSON_DECODE_ANY, &jerror);
        return value != NULL ? value : json_string (text);
      }
    default:
      return json_stringn (text, PQgetlength (result, row, column));
    }
}

static SluiceSqlFetch
postgres_fetch (SluiceSqlConnection  *self,
                GPtrArray            *rows,
                GError              **error)
{
  g_autofree char *fetch = g_strdup_printf ("FETCH FORWARD %u FROM sluice_cursor", self->batch);
  PGresult *result = PQexec (self->handle, fetch);
  int n;

  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      set_error (self, error, result != NULL ? PQresultErrorMessage (result) : PQerrorMessage (self->handle));
      PQclear (result);
      self->statement = NULL;
      recover (self);
      return SLUICE_SQL_ERROR;
    }

  n = PQntuples (result);
  for (int r = 0; r < n; r++)
    {
      json_t *row = json_object ();

      for (int c = 0; c < PQnfields (result); c++)
        json_object_set_new (row, PQfname (result, c), cell_value (result, r, c));
      g_ptr_array_add (rows, row);
    }
  PQclear (result);
  if ((guint) n < self->batch)
    {
      self->query_done = TRUE;
      sluice_sql_connection_query_end (self);
    }
  return n > 0 ? SLUICE_SQL_ROWS : SLUICE_SQL_END;
}

static void
postgres_query_end (SluiceSqlConnection *self)
{
  if (self->handle != NULL && PQstatus (self->handle) == CONNECTION_OK)
    PQclear (PQexec (self->handle, "COMMIT"));
}

static void
postgres_close (SluiceSqlConnection *self)
{
  if (self->handle != NULL)
    PQfinish (self->handle);
  self->handle = NULL;
}

const SluiceSqlBackend _sluice_sql_postgres_backend = {
  postgres_write,
  postgres_write_records,
  postgres_query,
  postgres_fetch,
  postgres_query_end,
  postgres_close,
};

char *
_sluice_sql_postgres_describe (const char *target)
{
  return describe (target, NULL);
}
