/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <hiredis/async.h>
#include <string.h>

#include "sluice-redis-client.h"
#include "sluice-redis-source.h"

struct _SluiceRedisArgs
{
  GPtrArray *argv;    /* char*, owned */
  GArray    *lengths; /* size_t */
};

struct _SluiceRedisClient
{
  GObject            parent_instance;

  SluiceRedisUrl    *url;             /* owned */
  redisAsyncContext *context;         /* owned by hiredis; NULL when not connected */
  GSource           *source;          /* owned */
  guint              timeout_id;
  guint              connect_timeout_ms;
  gboolean           connected;       /* the handshake was answered */
  gboolean           was_up;          /* ... on this context, even if lost now */
  gboolean           closing;         /* callbacks are no longer called */
  char              *handshake_error; /* AUTH or SELECT refused */
};

enum
{
  SIGNAL_CONNECTED,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceRedisClient, sluice_redis_client, G_TYPE_OBJECT)

typedef struct
{
  SluiceRedisClient   *client;  /* owned */
  SluiceRedisReplyFunc func;
  gpointer             user_data;
} Pending;

SluiceRedisArgs *
sluice_redis_args_new (const char *command)
{
  SluiceRedisArgs *args = g_new0 (SluiceRedisArgs, 1);

  args->argv = g_ptr_array_new_with_free_func (g_free);
  args->lengths = g_array_new (FALSE, FALSE, sizeof (size_t));
  sluice_redis_args_add (args, command);
  return args;
}

void
sluice_redis_args_add_len (SluiceRedisArgs *args,
                           const char      *data,
                           gsize            length)
{
  size_t len = length;
  char *copy = g_malloc (length + 1);

  if (length > 0)
    memcpy (copy, data, length);
  copy[length] = '\0';
  g_ptr_array_add (args->argv, copy);
  g_array_append_val (args->lengths, len);
}

void
sluice_redis_args_add (SluiceRedisArgs *args,
                       const char      *text)
{
  sluice_redis_args_add_len (args, text, strlen (text));
}

void
sluice_redis_args_add_uint (SluiceRedisArgs *args,
                            guint64          value)
{
  char buffer[32];

  g_snprintf (buffer, sizeof buffer, "%" G_GUINT64_FORMAT, value);
  sluice_redis_args_add (args, buffer);
}

guint
sluice_redis_args_get_count (SluiceRedisArgs *args)
{
  return args->argv->len;
}

void
sluice_redis_args_free (SluiceRedisArgs *args)
{
  if (args == NULL)
    return;
  g_ptr_array_unref (args->argv);
  g_array_unref (args->lengths);
  g_free (args);
}

gboolean
sluice_redis_reply_is_array (redisReply *reply)
{
  return reply != NULL && reply->type == REDIS_REPLY_ARRAY;
}

const char *
sluice_redis_reply_str (redisReply *reply,
                        gsize      *length)
{
  if (reply == NULL || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS))
    return NULL;
  if (length != NULL)
    *length = reply->len;
  return reply->str;
}

static void
pending_finish (Pending    *pending,
                redisReply *reply,
                const char *error)
{
  g_autoptr(SluiceRedisClient) client = pending->client;

  if (!client->closing)
    pending->func (client, reply, error, pending->user_data);
  g_free (pending);
}

static void
reply_cb (redisAsyncContext *context,
          void              *r,
          void              *privdata)
{
  Pending *pending = privdata;
  redisReply *reply = r;

  if (reply == NULL)
    {
      /* The connection is going: say so before the callback asks. */
      pending->client->connected = FALSE;
      g_autofree char *error = g_strdup_printf ("%s: connection lost: %s",
                                                pending->client->url->display,
                                                context->errstr[0] ? context->errstr : "closed");
      pending_finish (pending, NULL, error);
    }
  else if (reply->type == REDIS_REPLY_ERROR)
    {
      g_autofree char *error = g_strdup_printf ("%s: %s", pending->client->url->display, reply->str);
      pending_finish (pending, NULL, error);
    }
  else
    pending_finish (pending, reply, NULL);
}

static gboolean
not_connected_cb (gpointer user_data)
{
  Pending *pending = user_data;
  g_autofree char *error = g_strdup_printf ("%s: not connected", pending->client->url->display);

  pending_finish (pending, NULL, error);
  return G_SOURCE_REMOVE;
}

static void
send_raw (SluiceRedisClient *self,
          SluiceRedisArgs   *args,
          redisCallbackFn   *callback,
          void              *privdata)
{
  redisAsyncCommandArgv (self->context, callback, privdata, (int) args->argv->len,
                         (const char **) args->argv->pdata, (const size_t *) args->lengths->data);
}

void
sluice_redis_client_send (SluiceRedisClient    *self,
                          SluiceRedisArgs      *args,
                          SluiceRedisReplyFunc  func,
                          gpointer              user_data)
{
  Pending *pending;

  g_return_if_fail (SLUICE_IS_REDIS_CLIENT (self));
  g_return_if_fail (args != NULL);

  pending = g_new0 (Pending, 1);
  pending->client = g_object_ref (self);
  pending->func = func;
  pending->user_data = user_data;

  if (self->context == NULL || !self->connected || self->closing)
    g_idle_add (not_connected_cb, pending);
  else if (redisAsyncCommandArgv (self->context, reply_cb, pending, (int) args->argv->len,
                                  (const char **) args->argv->pdata,
                                  (const size_t *) args->lengths->data) != REDIS_OK)
    g_idle_add (not_connected_cb, pending);
  sluice_redis_args_free (args);
}

/* The context is gone (hiredis frees it after this returns). */
static void
lost (SluiceRedisClient *self,
      const char        *reason)
{
  g_autofree char *message = NULL;
  gboolean was_connected = self->was_up;

  self->context = NULL;
  self->connected = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->closing)
    return;

  if (self->handshake_error != NULL)
    message = g_strdup_printf ("%s: %s", self->url->display, self->handshake_error);
  else if (was_connected)
    message = g_strdup_printf ("%s: connection lost: %s", self->url->display, reason);
  else
    message = g_strdup_printf ("cannot connect to %s: %s", self->url->display, reason);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, message);
}

static void
connect_cb (const redisAsyncContext *context,
            int                      status)
{
  SluiceRedisClient *self = context->data;

  if (status != REDIS_OK)
    lost (self, context->errstr[0] ? context->errstr : "connection failed");
}

static void
disconnect_cb (const redisAsyncContext *context,
               int                      status)
{
  SluiceRedisClient *self = context->data;

  lost (self, status == REDIS_OK ? "closed" : (context->errstr[0] ? context->errstr : "closed"));
}

static void
handshake_step_cb (redisAsyncContext *context,
                   void              *r,
                   void              *privdata)
{
  SluiceRedisClient *self = privdata;
  redisReply *reply = r;

  if (reply != NULL && reply->type == REDIS_REPLY_ERROR && self->handshake_error == NULL)
    self->handshake_error = g_strdup (reply->str);
}

static void
handshake_done_cb (redisAsyncContext *context,
                   void              *r,
                   void              *privdata)
{
  SluiceRedisClient *self = privdata;
  redisReply *reply = r;

  if (reply == NULL || self->closing || self->context != context)
    return;
  if (reply->type == REDIS_REPLY_ERROR && self->handshake_error == NULL)
    self->handshake_error = g_strdup (reply->str);
  if (self->handshake_error != NULL)
    {
      /* Refused credentials: hang up; disconnect_cb tells why. */
      redisAsyncDisconnect (context);
      return;
    }
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->connected = TRUE;
  self->was_up = TRUE;
  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  SluiceRedisClient *self = user_data;
  redisAsyncContext *context = self->context;

  self->timeout_id = 0;
  if (context == NULL || self->connected)
    return G_SOURCE_REMOVE;

  /* Freed without a disconnect callback when it never connected. */
  context->onConnect = NULL;
  context->onDisconnect = NULL;
  redisAsyncFree (context);
  if (self->context != NULL)
    lost (self, "timed out");
  return G_SOURCE_REMOVE;
}

static gboolean
fail_later_cb (gpointer user_data)
{
  g_autoptr(SluiceRedisClient) self = user_data;
  g_autofree char *message = g_object_steal_data (G_OBJECT (self), "sluice-connect-error");

  if (!self->closing)
    g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, message);
  return G_SOURCE_REMOVE;
}

void
sluice_redis_client_connect (SluiceRedisClient *self)
{
  redisAsyncContext *context;
  g_autoptr(SluiceRedisArgs) ping = NULL;

  g_return_if_fail (SLUICE_IS_REDIS_CLIENT (self));
  g_return_if_fail (self->context == NULL);

  self->closing = FALSE;
  self->was_up = FALSE;
  g_clear_pointer (&self->handshake_error, g_free);
  context = redisAsyncConnect (self->url->host, self->url->port);
  if (context == NULL || context->err)
    {
      g_object_set_data_full (G_OBJECT (self), "sluice-connect-error",
                              g_strdup_printf ("cannot connect to %s: %s", self->url->display,
                                               context ? context->errstr : "out of memory"),
                              g_free);
      if (context != NULL)
        redisAsyncFree (context);
      g_idle_add (fail_later_cb, g_object_ref (self));
      return;
    }

  self->context = context;
  context->data = self;
  self->source = sluice_redis_source_new (context);
  g_source_attach (self->source, g_main_context_get_thread_default ());
  redisAsyncSetConnectCallback (context, connect_cb);
  redisAsyncSetDisconnectCallback (context, disconnect_cb);

  /* Pipelined before the connection is up: hiredis sends them first. */
  if (self->url->password != NULL)
    {
      g_autoptr(SluiceRedisArgs) auth = sluice_redis_args_new ("AUTH");

      if (self->url->user != NULL)
        sluice_redis_args_add (auth, self->url->user);
      sluice_redis_args_add (auth, self->url->password);
      send_raw (self, auth, handshake_step_cb, self);
    }
  if (self->url->database != 0)
    {
      g_autoptr(SluiceRedisArgs) select = sluice_redis_args_new ("SELECT");

      sluice_redis_args_add_uint (select, self->url->database);
      send_raw (self, select, handshake_step_cb, self);
    }
  ping = sluice_redis_args_new ("PING");
  send_raw (self, ping, handshake_done_cb, self);
  self->timeout_id = g_timeout_add (self->connect_timeout_ms, connect_timeout_cb, self);
}

gboolean
sluice_redis_client_is_connected (SluiceRedisClient *self)
{
  g_return_val_if_fail (SLUICE_IS_REDIS_CLIENT (self), FALSE);
  return self->connected;
}

void
sluice_redis_client_close (SluiceRedisClient *self)
{
  redisAsyncContext *context;

  g_return_if_fail (SLUICE_IS_REDIS_CLIENT (self));

  self->closing = TRUE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  context = self->context;
  if (context != NULL)
    {
      context->onConnect = NULL;
      context->onDisconnect = NULL;
      redisAsyncFree (context);
    }
  /* redisAsyncFree ran cleanup; the source may still be ours. */
  self->context = NULL;
  self->connected = FALSE;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
}

const SluiceRedisUrl *
sluice_redis_client_get_url (SluiceRedisClient *self)
{
  return self->url;
}

void
sluice_redis_client_set_connect_timeout (SluiceRedisClient *self,
                                         guint              timeout_ms)
{
  self->connect_timeout_ms = MAX (timeout_ms, 1);
}

static void
sluice_redis_client_dispose (GObject *object)
{
  SluiceRedisClient *self = SLUICE_REDIS_CLIENT (object);

  sluice_redis_client_close (self);
  G_OBJECT_CLASS (sluice_redis_client_parent_class)->dispose (object);
}

static void
sluice_redis_client_finalize (GObject *object)
{
  SluiceRedisClient *self = SLUICE_REDIS_CLIENT (object);

  sluice_redis_url_free (self->url);
  g_free (self->handshake_error);
  G_OBJECT_CLASS (sluice_redis_client_parent_class)->finalize (object);
}

static void
sluice_redis_client_class_init (SluiceRedisClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_redis_client_dispose;
  object_class->finalize = sluice_redis_client_finalize;

  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
sluice_redis_client_init (SluiceRedisClient *self)
{
  self->connect_timeout_ms = 5000;
}

SluiceRedisClient *
sluice_redis_client_new (const SluiceRedisUrl *url)
{
  SluiceRedisClient *self = g_object_new (SLUICE_TYPE_REDIS_CLIENT, NULL);

  self->url = sluice_redis_url_copy (url);
  return self;
}
