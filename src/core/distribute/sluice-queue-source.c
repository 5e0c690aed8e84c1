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

  /* A ring in an array, not a GQueue: no allocation per item. */
  GArray  *queue;   /* Queued, from @head on owned */
  guint    head;
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
  Queued *queued;

  if (self->head == self->queue->len)
    return self->closed ? SLUICE_SOURCE_END : SLUICE_SOURCE_WAIT;

  queued = &g_array_index (self->queue, Queued, self->head++);
  *item = queued->item;
  *tag = queued->tag;
  if (self->head == self->queue->len)
    {
      g_array_set_size (self->queue, 0);
      self->head = 0;
    }
  else if (self->head >= 1024 && self->head * 2 >= self->queue->len)
    {
      g_array_remove_range (self->queue, 0, self->head);
      self->head = 0;
    }
  return SLUICE_SOURCE_ITEM;
}

static void
source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_queue_source_next;
}

static void
sluice_queue_source_finalize (GObject *object)
{
  SluiceQueueSource *self = SLUICE_QUEUE_SOURCE (object);

  for (guint i = self->head; i < self->queue->len; i++)
    json_decref (g_array_index (self->queue, Queued, i).item);
  g_array_unref (self->queue);
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
  self->queue = g_array_new (FALSE, FALSE, sizeof (Queued));
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
  Queued queued = { item, tag };

  g_return_if_fail (SLUICE_IS_QUEUE_SOURCE (self));
  g_return_if_fail (json_is_object (item));
  g_return_if_fail (!self->closed);

  g_array_append_val (self->queue, queued);
  if (self->queue->len - self->head == 1)
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
  return self->queue->len - self->head;
}
