/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <hiredis/hiredis.h>

G_BEGIN_DECLS

/* A real redis-server for a test: on a free 127.0.0.1 port, in a
 * temporary directory, with no RDB snapshots and AOF as asked. The
 * server dies with the test process (PR_SET_PDEATHSIG), so a failing
 * test never leaves one behind. A missing binary fails the test (it is
 * never skipped): $SLUICE_REDIS_SERVER, else redis-server on $PATH,
 * else /usr/bin/redis-server. */
typedef struct _SluiceTestRedis SluiceTestRedis;

/* NULL when it could not start; the test is then marked failed with
 * the reason. */
SluiceTestRedis *sluice_test_redis_start    (gboolean          appendonly);
const char      *sluice_test_redis_get_url  (SluiceTestRedis  *redis);
guint16          sluice_test_redis_get_port (SluiceTestRedis  *redis);
/* Stops the server as an operator would (SIGTERM: AOF flushed) and
 * waits for it; the directory stays. */
void             sluice_test_redis_stop     (SluiceTestRedis  *redis);
/* Starts it again on the same port and directory (after stop). */
gboolean         sluice_test_redis_restart  (SluiceTestRedis  *redis);
/* Stops the server and removes its directory. */
void             sluice_test_redis_free     (SluiceTestRedis  *redis);
/* A synchronous command on a fresh connection (argv as redisCommand's
 * format); the reply is the caller's (freeReplyObject). */
redisReply      *sluice_test_redis_command  (SluiceTestRedis  *redis,
                                             const char       *format,
                                             ...);
/* An integer reply's value, e.g. of XLEN; -1 on an error. */
long long        sluice_test_redis_integer  (SluiceTestRedis  *redis,
                                             const char       *format,
                                             ...);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceTestRedis, sluice_test_redis_free)

G_END_DECLS
