/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A Redis address as users write it: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB].
 * The port defaults to 6379 and the database to 0. hiredis 0.14 has no
 * TLS, so rediss:// is refused with a message that says so. */
typedef struct
{
  char   *host;
  guint16 port;
  char   *user;      /* NULL unless given (Redis 6 ACL user) */
  char   *password;  /* NULL unless given */
  guint   database;
  char   *display;   /* the URL without its password, for messages */
} SluiceRedisUrl;

SluiceRedisUrl *sluice_redis_url_parse (const char      *text,
                                        GError         **error);
SluiceRedisUrl *sluice_redis_url_copy  (const SluiceRedisUrl *url);
void            sluice_redis_url_free  (SluiceRedisUrl  *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRedisUrl, sluice_redis_url_free)

G_END_DECLS
