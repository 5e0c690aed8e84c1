/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-request-source.h"

typedef struct
{
  json_t   *item;
  gpointer  tag;
} Waiting;

struct _SluiceRequestSource
{
  GObject   parent_instance;

  GQueue    waiting;   /* Waiting*, owned */
  guint     limit;
  guint     running;   /* handed out, not released */
  gboolean  closed;
};

static void source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceRequestSource, sluice_request_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE, source_iface_init))

static void
waiting_free (Waiting *waiting)
{
  json_decref (waiting->item);
  g_free (waiting);
}

static SluiceSourceStatus
sluice_request_source_next (SluiceItemSource  *source,
                            json_t           **item,
                            gpointer          *tag,
                            GError           **error)
{
  SluiceRequestSource *self = SLUICE_REQUEST_SOURCE (source);
  Waiting *waiting;

  if (g_queue_is_empty (&self->waiting))
    return self->closed ? SLUICE_SOURCE_END : SLUICE_SOURCE_WAIT;
  if (self->running >= self->limit)
    return SLUICE_SOURCE_WAIT;

  waiting = g_queue_pop_head (&self->waiting);
  *item = g_steal_pointer (&waiting->item);
  *tag = waiting->tag;
  g_free (waiting);
  self->running++;
  return SLUICE_SOURCE_ITEM;
}

static void
source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_request_source_next;
}

static void
sluice_request_source_finalize (GObject *object)
{
  SluiceRequestSource *self = SLUICE_REQUEST_SOURCE (object);

  g_queue_clear_full (&self->waiting, (GDestroyNotify) waiting_free);

  G_OBJECT_CLASS (sluice_request_source_parent_class)->finalize (object);
}

static void
sluice_request_source_class_init (SluiceRequestSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_request_source_finalize;
}

static void
sluice_request_source_init (SluiceRequestSource *self)
{
  g_queue_init (&self->waiting);
}

SluiceRequestSource *
sluice_request_source_new (guint limit)
{
  SluiceRequestSource *self = g_object_new (SLUICE_TYPE_REQUEST_SOURCE, NULL);

  self->limit = MAX (limit, 1);
  return self;
}

void
sluice_request_source_push (SluiceRequestSource *self,
                            json_t              *item,
                            gpointer             tag)
{
  Waiting *waiting;

  g_return_if_fail (SLUICE_IS_REQUEST_SOURCE (self));
  g_return_if_fail (json_is_object (item));
  g_return_if_fail (!self->closed);

  waiting = g_new0 (Waiting, 1);
  waiting->item = json_incref (item);
  waiting->tag = tag;
  g_queue_push_tail (&self->waiting, waiting);
  if (self->running < self->limit)
    sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

gboolean
sluice_request_source_remove (SluiceRequestSource *self,
                              gpointer             tag)
{
  g_return_val_if_fail (SLUICE_IS_REQUEST_SOURCE (self), FALSE);

  for (GList *link = self->waiting.head; link != NULL; link = link->next)
    {
      Waiting *waiting = link->data;

      if (waiting->tag == tag)
        {
          waiting_free (waiting);
          g_queue_delete_link (&self->waiting, link);
          return TRUE;
        }
    }
  return FALSE;
}

void
sluice_request_source_release (SluiceRequestSource *self)
{
  g_return_if_fail (SLUICE_IS_REQUEST_SOURCE (self));
  g_return_if_fail (self->running > 0);

  self->running--;
  if (!g_queue_is_empty (&self->waiting) || self->closed)
    sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

void
sluice_request_source_close (SluiceRequestSource *self)
{
  g_return_if_fail (SLUICE_IS_REQUEST_SOURCE (self));

  self->closed = TRUE;
  sluice_item_source_ready (SLUICE_ITEM_SOURCE (self));
}

guint
sluice_request_source_get_waiting (SluiceRequestSource *self)
{
  return self->waiting.length;
}

guint
sluice_request_source_get_running (SluiceRequestSource *self)
{
  return self->running;
}
