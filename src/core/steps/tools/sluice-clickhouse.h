/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* ClickHouse's HTTP interface, as the clickhouse tool uses it: every
 * statement is the `query` URL parameter or the body, settings are URL
 * parameters, the user and password go in a Basic authorization header
 * (never in a URL, which messages quote). Values never enter SQL: rows
 * travel as JSONEachRow bodies; only identifiers (quoted) and column
 * types (checked) are written into statements. */

typedef struct
{
  char *url;        /* http://host:8123/ */
  char *database;
  char *user;
  char *password;   /* NULL = none; never in a message */
} SluiceClickhouseServer;

void         sluice_clickhouse_server_clear (SluiceClickhouseServer *server);

/* `name` with backticks, a backtick or backslash inside escaped with a
 * backslash: ClickHouse's quoted identifier. */
char        *sluice_clickhouse_quote_name   (const char             *name);
/* `database`.`table` */
char        *sluice_clickhouse_table_name   (SluiceClickhouseServer *server,
                                             const char             *table);
/* TRUE when @type is a plain column type: letters, digits, _ ( ) , and
 * spaces, and '…' literals without quotes or backslashes inside
 * (DateTime('UTC'), Decimal(10, 2), Nullable(String)). */
gboolean     sluice_clickhouse_type_is_safe (const char             *type);

/* A POST of @sql with @settings (NULL-terminated name, value pairs) and
 * @body (NULL: the statement is the body). */
SoupMessage *sluice_clickhouse_message_new  (SluiceClickhouseServer *server,
                                             const char             *sql,
                                             const char * const     *settings,
                                             GBytes                 *body);
/* The server's message from an error answer: its first line
 * ("Code: 27, e.displayText() = DB::Exception: …"), trimmed. */
char        *sluice_clickhouse_error_text   (guint                   status,
                                             GBytes                 *body);

G_END_DECLS
