/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A real PostgreSQL 15 for tests: initdb and pg_ctl from
 * /usr/lib/postgresql/15/bin (or $SLUICE_PG_BIN) in a new temporary
 * folder, listening on a free port of 127.0.0.1 only, with trust
 * authentication for the user "sluice". As root it runs as the user
 * nobody (PostgreSQL refuses root). It is stopped and its folder removed
 * by test_postgres_stop() — and also when the test process dies in any
 * other way (a watcher process waits for it). Missing binaries are an
 * error, never a skip. */

typedef struct _TestPostgres TestPostgres;

TestPostgres *test_postgres_start   (GError      **error);
/* postgresql://sluice@127.0.0.1:PORT/postgres */
const char   *test_postgres_get_uri (TestPostgres *pg);
guint         test_postgres_get_port (TestPostgres *pg);
/* Runs @sql with psql, FALSE with its error output. */
gboolean      test_postgres_exec    (TestPostgres *pg,
                                     const char   *sql,
                                     char        **output,
                                     GError      **error);
void          test_postgres_stop    (TestPostgres *pg);

G_END_DECLS
