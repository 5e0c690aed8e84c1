/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-queue-source.h"

typedef struct
{
  json_t   *item;  /* owned */
  gpointer  tag;
} Queued;

struct _SluiceQueueSource
{
  GObject  parent_instance;

  GQueue   queue;   /* Queued*, owned */
  gboolean closed;
};

static void source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceQueueSource, sluice_queue_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE, source_iface_init))

static SluiceSourceStatus
sluice_queue_source_next (SluiceItemSource  *source,
                          json_t           **item,
                          gpointer          *tag,
                          GError           **error)
{
  SluiceQueueSource *self = SLUICE_QUEUE_SOURCE (source);
  Queued *queued = g_queue_pop_head (&self->queue);

  if (queued == NULL)
    return self->closed ? SLUICE_SOURCE_END : SLUICE_SOURCE_WAIT;

  *item = queued->item;
  *tag = queued->tag;
  g_free (queued);
  return SLUICE_SOURCE_ITEM;
}

static void
source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_queue_source_next;
}

static void
queued_free (Queued *queued)
{
  json_decref (queued->item);
  g_free (queued);
}

static void
sluice_queue_source_finalize (GObject *object)
{
  SluiceQueueSource *self = SLUICE_QUEUE_SOURCE (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) queued_free);
  G_OBJECT_CLASS (sluice_queue_source_parent_class)->finalize (object);
}

static void
sluice_queue_source_class_init (SluiceQueueSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_queue_source_finalize;
}

static void
sluice_queue_source_init (SluiceQueueSource *self)
{
  g_queue_init (&self->queue);
}

SluiceQueueSource *
sluice_queue_source_new (void)
{
  return g_object_new (SLUICE_TYPE_QUEUE_SOURCE, NULL);
}

void
sluice_queue_source_push (SluiceQueueSource *self,
                          json_t            *item,
                          gpointer           tag)
{
  Queued *queued;

  g_return_if_fail (SLUICE_IS_QUEUE_SOURCE (self));
  g_return_if_fail (json_is_object (item));
  g_return_if_fail (!self->closed);

  queued = g_new0 (Queued, 1);
  queued->item = item;
  queued->tag = tag;
  g_queue_push_tail (&self->queue, queued);
  if (self->queue.length == 1)
    sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

void
sluice_queue_source_close (SluiceQueueSource *self)
{
  g_return_if_fail (SLUICE_IS_QUEUE_SOURCE (self));

  self->closed = TRUE;
  sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

guint
sluice_queue_source_length (SluiceQueueSource *self)
{
  return self->queue.length;
}
