/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <hiredis/hiredis.h>

#include "sluice-redis-url.h"

G_BEGIN_DECLS

/* One connection to Redis on the main loop (hiredis' async context on
 * the thread-default main context, see sluice-redis-source.h).
 *
 * connect() is asynchronous: "connected" follows once the server
 * answered PING (after AUTH and SELECT when the URL asks for them),
 * "disconnected" (with a message naming the URL) when the connection
 * could not be made within the time-out or was lost. Commands are
 * pipelined: each one's reply comes to its callback, in order.
 *
 * Every callback is called exactly once: with the reply, or with
 * @error set (an error reply, or the connection lost) — except after
 * close(), which drops them silently: close before freeing what the
 * callbacks point to. A pending command holds a reference to the client. */

#define SLUICE_TYPE_REDIS_CLIENT (sluice_redis_client_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRedisClient, sluice_redis_client, SLUICE, REDIS_CLIENT, GObject)

/* @reply is borrowed and NULL when @error is set. */
typedef void (*SluiceRedisReplyFunc) (SluiceRedisClient *client,
                                      redisReply        *reply,
                                      const char        *error,
                                      gpointer           user_data);

/* A command's arguments, built up and then sent (binary-safe). */
typedef struct _SluiceRedisArgs SluiceRedisArgs;

SluiceRedisArgs   *sluice_redis_args_new        (const char      *command);
void               sluice_redis_args_add        (SluiceRedisArgs *args,
                                                 const char      *text);
void               sluice_redis_args_add_len    (SluiceRedisArgs *args,
                                                 const char      *data,
                                                 gsize            length);
void               sluice_redis_args_add_uint   (SluiceRedisArgs *args,
                                                 guint64          value);
guint              sluice_redis_args_get_count  (SluiceRedisArgs *args);
void               sluice_redis_args_free       (SluiceRedisArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceRedisArgs, sluice_redis_args_free)

SluiceRedisClient *sluice_redis_client_new          (const SluiceRedisUrl *url);
const SluiceRedisUrl *sluice_redis_client_get_url   (SluiceRedisClient    *self);
/* Milliseconds to wait for the connection and the handshake (5000). */
void               sluice_redis_client_set_connect_timeout (SluiceRedisClient *self,
                                                            guint              timeout_ms);
void               sluice_redis_client_connect      (SluiceRedisClient    *self);
gboolean           sluice_redis_client_is_connected (SluiceRedisClient    *self);
/* Sends @args (consumed). Without a connection, @func is called from an
 * idle with an error. */
void               sluice_redis_client_send         (SluiceRedisClient    *self,
                                                     SluiceRedisArgs      *args,
                                                     SluiceRedisReplyFunc  func,
                                                     gpointer              user_data);
/* Drops the connection and every pending callback. */
void               sluice_redis_client_close        (SluiceRedisClient    *self);

/* Helpers for replies. */
gboolean           sluice_redis_reply_is_array      (redisReply           *reply);
/* The string of a bulk/status reply; NULL for others. */
const char        *sluice_redis_reply_str           (redisReply           *reply,
                                                     gsize                *length);

G_END_DECLS
