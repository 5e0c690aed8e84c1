/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* A connection of the SQL tools to SQLite ("sqlite:FILE") or PostgreSQL
 * (a libpq URI, postgresql://…, or key=value conninfo). It connects when
 * first used and again after the connection was lost. Values always
 * travel as bound parameters or COPY data, never inside SQL text; names
 * of tables and columns are quoted as identifiers. Messages name the
 * database without its password.
 *
 * A connection is used by one thread at a time. */

typedef struct _SluiceSqlConnection SluiceSqlConnection;

typedef struct
{
  const char  *schema;    /* NULL: the default */
  const char  *table;
  char       **columns;   /* NULL: the fields of the batch's items */
  gboolean     upsert;    /* insert … on conflict (keys) do update */
  char       **keys;      /* the conflict columns of an upsert */
  gboolean     create;    /* create the table when it is missing */
} SluiceSqlWrite;

typedef enum
{
  SLUICE_SQL_ROWS,   /* some rows */
  SLUICE_SQL_END,    /* no more */
  SLUICE_SQL_ERROR,
} SluiceSqlFetch;

SluiceSqlConnection *sluice_sql_connection_new      (const char           *database,
                                                     const char           *base_directory,
                                                     GError              **error);
void                 sluice_sql_connection_free     (SluiceSqlConnection  *connection);
/* "PostgreSQL database shop at 127.0.0.1:5432", "SQLite file x.db". */
const char          *sluice_sql_connection_describe (SluiceSqlConnection  *connection);

/* Writes @items (json_t*) in one transaction: all or nothing. */
gboolean             sluice_sql_connection_write    (SluiceSqlConnection  *connection,
                                                     const SluiceSqlWrite *write,
                                                     GPtrArray            *items,
                                                     GError              **error);

/* TRUE when the backend writes records (sluice-sql-record.h) made from
 * the items on the run's thread: PostgreSQL. */
gboolean             sluice_sql_connection_takes_records (SluiceSqlConnection *connection);
/* Writes @records (sluice_sql_record_new) in one transaction. */
gboolean             sluice_sql_connection_write_records (SluiceSqlConnection  *connection,
                                                          const SluiceSqlWrite *write,
                                                          GPtrArray            *records,
                                                          GError              **error);

/* A query with its parameters bound (@binds: char*, NULL for SQL NULL),
 * read in batches of @batch rows (a cursor on PostgreSQL). */
gboolean             sluice_sql_connection_query    (SluiceSqlConnection  *connection,
                                                     const char           *query,
                                                     GPtrArray            *binds,
                                                     guint                 batch,
                                                     GError              **error);
/* Appends up to a batch of rows (json_t* objects) to @rows. */
SluiceSqlFetch       sluice_sql_connection_fetch    (SluiceSqlConnection  *connection,
                                                     GPtrArray            *rows,
                                                     GError              **error);
void                 sluice_sql_connection_query_end (SluiceSqlConnection *connection);

/* "name" → "\"name\"" with quotes doubled. */
void                 sluice_sql_quote_identifier    (GString              *sql,
                                                     const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceSqlConnection, sluice_sql_connection_free)

G_END_DECLS
