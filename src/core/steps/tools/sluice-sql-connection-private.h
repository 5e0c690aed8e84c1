/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-sql-connection.h"

G_BEGIN_DECLS

/* What the SQL backends (sluice-sql-sqlite.c, sluice-sql-postgres.c)
 * implement, and what they share. */

typedef struct
{
  gboolean       (*write)     (SluiceSqlConnection *self, const SluiceSqlWrite *write,
                               char **columns, GPtrArray *items, GError **error);
  /* NULL: the backend takes items only. */
  gboolean       (*write_records) (SluiceSqlConnection *self, const SluiceSqlWrite *write,
                                   GPtrArray *records, GError **error);
  gboolean       (*query)     (SluiceSqlConnection *self, const char *query, GPtrArray *binds,
                               guint batch, GError **error);
  SluiceSqlFetch (*fetch)     (SluiceSqlConnection *self, GPtrArray *rows, GError **error);
  void           (*query_end) (SluiceSqlConnection *self);
  void           (*close)     (SluiceSqlConnection *self);
} SluiceSqlBackend;

struct _SluiceSqlConnection
{
  const SluiceSqlBackend *backend;
  char                   *target;       /* the file, or the conninfo (may hold a password) */
  char                   *description;
  gpointer                handle;       /* sqlite3* or PGconn*, NULL until connected */
  gpointer                statement;    /* the query being read */
  guint                   batch;
  gboolean                query_done;
};

extern const SluiceSqlBackend _sluice_sql_sqlite_backend;
extern const SluiceSqlBackend _sluice_sql_postgres_backend;

/* Host, port and database of a PostgreSQL conninfo, never its password. */
char  *_sluice_sql_postgres_describe (const char *target);

/* "INSERT INTO t (a, b)" and friends. */
void   _sluice_sql_append_table   (GString *sql, const SluiceSqlWrite *write);
void   _sluice_sql_append_columns (GString *sql, char **columns);
/* The SQL type for a column from its first non-null value. */
const char *_sluice_sql_column_type (GPtrArray *items, const char *column, gboolean postgres);
/* CREATE TABLE IF NOT EXISTS for @columns of @items. */
char  *_sluice_sql_create_sql     (const SluiceSqlWrite *write, char **columns, GPtrArray *items, gboolean postgres);
/* The same with each column's type given. */
char  *_sluice_sql_create_sql_typed (const SluiceSqlWrite *write, char **columns, const char * const *types);
/* ON CONFLICT (keys) DO UPDATE SET c = excluded.c (or DO NOTHING). */
void   _sluice_sql_append_upsert  (GString *sql, const SluiceSqlWrite *write, char **columns);

G_END_DECLS
