/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real ClickHouse server for a test: clickhouse-server (Debian 12's
 * 18.16) as a plain foreground process, with its data in a temporary
 * folder and its HTTP, native and interserver ports on 127.0.0.1 (free
 * ports picked when it starts). It runs as the test's user (root works:
 * 18.16 does not refuse it) and answers /ping in well under a second.
 *
 * It never outlives the test: it is stopped by test_clickhouse_free(),
 * and it gets SIGKILL from the kernel when the test process dies (an
 * assertion that aborts included). A missing binary fails the test with
 * a message: a server test never skips. */

typedef struct _TestClickhouse TestClickhouse;

/* Starts the server and waits for /ping; NULL (after g_test_fail) when
 * it cannot. */
TestClickhouse *test_clickhouse_new      (void);
void            test_clickhouse_free     (TestClickhouse *self);
/* "http://127.0.0.1:PORT/" */
const char     *test_clickhouse_get_url  (TestClickhouse *self);
/* Runs @sql (no FORMAT: the default TabSeparated) and returns the
 * answer; NULL with @error carrying the server's message. Synchronous. */
char           *test_clickhouse_query    (TestClickhouse *self,
                                          const char     *sql,
                                          GError        **error);
/* The same, asserting success; the answer without its last newline. */
char           *test_clickhouse_query_ok (TestClickhouse *self,
                                          const char     *sql);
/* SIGKILL, no clean-up: what a crash or an OOM kill looks like. */
void            test_clickhouse_kill     (TestClickhouse *self);
/* Starts it again on the same ports and data (after a kill). */
gboolean        test_clickhouse_restart  (TestClickhouse *self);

/* SELECT count() FROM @table_sql (a table, or "t FINAL"). */
guint64         test_clickhouse_count    (TestClickhouse *self,
                                          const char     *table_sql);
/* CREATE TABLE @table (id UInt64, name String) whose rows the server
 * takes @seconds_per_row each to write (a materialised sleepEachRow
 * column, evaluated after the INSERT's body is read; 3 s at most a
 * block): an INSERT that stays in flight for a known time. */
void            test_clickhouse_create_slow_table (TestClickhouse *self,
                                                   const char     *table,
                                                   double          seconds_per_row);
/* Asserts that @table holds @expected rows now, when a run ended or
 * sluice-run exited, and still 2 s later, the default main context
 * iterated meanwhile (as a run's loop would go on): nothing of the run
 * lands after its end. */
void            test_clickhouse_assert_count_holds (TestClickhouse *self,
                                                    const char     *table,
                                                    guint64         expected);

/* Where a ClickHouse that stalls would be: a socket on a free loopback
 * port that listens and never accepts, so the kernel takes connections
 * and their requests and nobody ever answers. @url: its http:// URL. */
GSocket        *test_clickhouse_stalled_new (char **url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClickhouse, test_clickhouse_free)

G_END_DECLS
