/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <sqlite3.h>
#include <string.h>

#include "sluice-json.h"
#include "sluice-sql-connection-private.h"

/* SQLite: a transaction a batch with one prepared INSERT bound per
 * row (text keeps its NUL bytes); queries step through their rows. */

static void
set_error (GError     **error,
           sqlite3     *db,
           const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, db != NULL ? sqlite3_errmsg (db) : "out of memory");
}

static gboolean
open_db (SluiceSqlConnection  *self,
         GError              **error)
{
  sqlite3 *db = NULL;

  if (self->handle != NULL)
    return TRUE;
  if (sqlite3_open_v2 (self->target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", self->description,
                   db != NULL ? sqlite3_errmsg (db) : "cannot open");
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 10000);
  self->handle = db;
  return TRUE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  set_error (error, db, sql[0] == 'C' && sql[1] == 'R' ? "cannot create the table" : "the database refused");
  return FALSE;
}

static int
bind_value (sqlite3_stmt *stmt,
            int           index,
            json_t       *value)
{
  if (value == NULL || json_is_null (value))
    return sqlite3_bind_null (stmt, index);
  switch (json_typeof (value))
    {
    case JSON_INTEGER:
      return sqlite3_bind_int64 (stmt, index, json_integer_value (value));
    case JSON_REAL:
      return sqlite3_bind_double (stmt, index, json_real_value (value));
    case JSON_TRUE:
      return sqlite3_bind_int (stmt, index, 1);
    case JSON_FALSE:
      return sqlite3_bind_int (stmt, index, 0);
    case JSON_STRING:
      return sqlite3_bind_text64 (stmt, index, json_string_value (value), json_string_length (value),
                                  SQLITE_TRANSIENT, SQLITE_UTF8);
    default:
      {
        char *text = sluice_json_dumps (value, JSON_COMPACT | JSON_SORT_KEYS);
        int rc = sqlite3_bind_text (stmt, index, text != NULL ? text : "null", -1, SQLITE_TRANSIENT);
        free (text);
        return rc;
      }
    }
}

static gboolean
sqlite_write (SluiceSqlConnection   *self,
              const SluiceSqlWrite  *write,
              char                 **columns,
              GPtrArray             *items,
              GError               **error)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO ");
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  guint n_columns = g_strv_length (columns);

  if (!open_db (self, error))
    return FALSE;
  db = self->handle;
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (write->create)
    {
      g_autofree char *create = _sluice_sql_create_sql (write, columns, items, FALSE);

      if (!exec (db, create, error))
        goto fail;
    }

  _sluice_sql_append_table (sql, write);
  _sluice_sql_append_columns (sql, columns);
  g_string_append (sql, " VALUES (");
  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (sql, "%s?%u", i > 0 ? ", " : "", i + 1);
  g_string_append (sql, ")");
  if (write->upsert)
    _sluice_sql_append_upsert (sql, write, columns);

  if (sqlite3_prepare_v2 (db, sql->str, sql->len, &stmt, NULL) != SQLITE_OK)
    {
      set_error (error, db, "the insert was refused");
      goto fail;
    }
  for (guint r = 0; r < items->len; r++)
    {
      json_t *item = g_ptr_array_index (items, r);

      for (guint c = 0; c < n_columns; c++)
        bind_value (stmt, c + 1, json_object_get (item, columns[c]));
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          g_autofree char *what = g_strdup_printf ("row %u of the batch was refused", r + 1);
          set_error (error, db, what);
          goto fail;
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  return exec (db, "COMMIT", error);

fail:
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
sqlite_query (SluiceSqlConnection  *self,
              const char           *query,
              GPtrArray            *binds,
              guint                 batch,
              GError              **error)
{
  sqlite3_stmt *stmt = NULL;

  if (!open_db (self, error))
    return FALSE;
  if (sqlite3_prepare_v2 (self->handle, query, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_error (error, self->handle, "the query was refused");
      return FALSE;
    }
  if (binds != NULL && (guint) sqlite3_bind_parameter_count (stmt) != binds->len)
    {
      int wanted = sqlite3_bind_parameter_count (stmt);
      g_autofree char *has = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "the query has %d parameter",
                                                           "the query has %d parameters", wanted), wanted);
      g_autofree char *bound = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "but %u value is bound",
                                                             "but %u values are bound", binds->len), binds->len);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s, %s", has, bound);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  for (guint i = 0; binds != NULL && i < binds->len; i++)
    {
      const char *value = g_ptr_array_index (binds, i);

      if (value == NULL)
        sqlite3_bind_null (stmt, i + 1);
      else
        sqlite3_bind_text (stmt, i + 1, value, -1, SQLITE_TRANSIENT);
    }
  self->statement = stmt;
  return TRUE;
}

static json_t *
sluice_sqlite_text_value (const char *text,
                          int         length)
{
  return text != NULL ? json_stringn (text, length) : json_string ("");
}

static json_t *
column_value (sqlite3_stmt *stmt,
              int           i)
{
  switch (sqlite3_column_type (stmt, i))
    {
    case SQLITE_INTEGER:
      return json_integer (sqlite3_column_int64 (stmt, i));
    case SQLITE_FLOAT:
      return json_real (sqlite3_column_double (stmt, i));
    case SQLITE_NULL:
      return json_null ();
    case SQLITE_BLOB:
    case SQLITE_TEXT:
    default:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, i);
        int length = sqlite3_column_bytes (stmt, i);

        /* jansson checks UTF-8 and keeps NUL bytes. */
        json_t *string = sluice_sqlite_text_value (text, length);

        if (string != NULL)
          return string;
        /* Bytes that are not text: base64, so nothing is lost. */
        {
          g_autofree char *encoded = g_base64_encode ((const guchar *) sqlite3_column_blob (stmt, i), length);
          return json_string (encoded);
        }
      }
    }
}

static SluiceSqlFetch
sqlite_fetch (SluiceSqlConnection  *self,
              GPtrArray            *rows,
              GError              **error)
{
  sqlite3_stmt *stmt = self->statement;

  for (guint n = 0; n < self->batch; n++)
    {
      int rc = sqlite3_step (stmt);
      json_t *row;

      if (rc == SQLITE_DONE)
        {
          self->query_done = TRUE;
          return rows->len > 0 ? SLUICE_SQL_ROWS : SLUICE_SQL_END;
        }
      if (rc != SQLITE_ROW)
        {
          set_error (error, self->handle, "the query failed");
          return SLUICE_SQL_ERROR;
        }
      row = json_object ();
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        json_object_set_new (row, sqlite3_column_name (stmt, i), column_value (stmt, i));
      g_ptr_array_add (rows, row);
    }
  return SLUICE_SQL_ROWS;
}

static void
sqlite_query_end (SluiceSqlConnection *self)
{
  sqlite3_finalize (self->statement);
}

static void
sqlite_close (SluiceSqlConnection *self)
{
  sqlite3_close_v2 (self->handle);
  self->handle = NULL;
}

const SluiceSqlBackend _sluice_sql_sqlite_backend = {
  sqlite_write,
  NULL,
  sqlite_query,
  sqlite_fetch,
  sqlite_query_end,
  sqlite_close,
};
