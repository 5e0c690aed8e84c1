/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-redis-source.h"

typedef struct
{
  GSource            source;
  redisAsyncContext *context;  /* borrowed; NULL once hiredis cleaned up */
  GPollFD            poll_fd;
} RedisSource;

static void
set_events (RedisSource *self,
            gushort      add,
            gushort      remove)
{
  self->poll_fd.events = (self->poll_fd.events | add) & ~remove;
}

static void add_read_cb (void *data)  { set_events (data, G_IO_IN, 0); }
static void del_read_cb (void *data)  { set_events (data, 0, G_IO_IN); }
static void add_write_cb (void *data) { set_events (data, G_IO_OUT, 0); }
static void del_write_cb (void *data) { set_events (data, 0, G_IO_OUT); }

/* hiredis frees the context after this: never touch it again. */
static void
cleanup_cb (void *data)
{
  RedisSource *self = data;

  self->context = NULL;
  self->poll_fd.events = 0;
  /* A destroyed source has left the main context with its fds. */
  if (self->poll_fd.fd >= 0 && !g_source_is_destroyed ((GSource *) self))
    {
      g_source_remove_poll ((GSource *) self, &self->poll_fd);
      self->poll_fd.fd = -1;
    }
  /* The reference the context held (see sluice_redis_source_new). */
  g_source_unref ((GSource *) self);
}

static gboolean
redis_source_prepare (GSource *source,
                      gint    *timeout)
{
  *timeout = -1;
  return FALSE;
}

static gboolean
redis_source_check (GSource *source)
{
  RedisSource *self = (RedisSource *) source;

  return self->context != NULL && self->poll_fd.revents != 0;
}

static gboolean
redis_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  RedisSource *self = (RedisSource *) source;
  gushort revents = self->poll_fd.revents;

  self->poll_fd.revents = 0;
  if (self->context != NULL && (revents & G_IO_OUT))
    redisAsyncHandleWrite (self->context);
  /* The write may have freed the context (cleanup_cb cleared it). */
  if (self->context != NULL && (revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)))
    redisAsyncHandleRead (self->context);
  return G_SOURCE_CONTINUE;
}

GSource *
sluice_redis_source_new (redisAsyncContext *context)
{
  static GSourceFuncs funcs = {
    .prepare = redis_source_prepare,
    .check = redis_source_check,
    .dispatch = redis_source_dispatch,
  };
  RedisSource *self;

  g_return_val_if_fail (context != NULL, NULL);

  self = (RedisSource *) g_source_new (&funcs, sizeof (RedisSource));
  g_source_set_static_name ((GSource *) self, "[sluice] redis");
  self->context = context;
  self->poll_fd.fd = context->c.fd;
  g_source_add_poll ((GSource *) self, &self->poll_fd);

  context->ev.addRead = add_read_cb;
  context->ev.delRead = del_read_cb;
  context->ev.addWrite = add_write_cb;
  context->ev.delWrite = del_write_cb;
  context->ev.cleanup = cleanup_cb;
  context->ev.data = self;
  /* hiredis may free the context later than its owner lets go of this
   * source (a free asked for inside a reply callback is deferred): the
   * context keeps the source alive until its cleanup. */
  g_source_ref ((GSource *) self);
  return (GSource *) self;
}
