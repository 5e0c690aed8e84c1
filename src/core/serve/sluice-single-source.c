/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-single-source.h"

struct _SluiceSingleSource
{
  GObject  parent_instance;

  json_t  *item;   /* owned until handed on */
};

static void source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceSingleSource, sluice_single_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE, source_iface_init))

static SluiceSourceStatus
sluice_single_source_next (SluiceItemSource  *source,
                           json_t           **item,
                           GError           **error)
{
  SluiceSingleSource *self = SLUICE_SINGLE_SOURCE (source);

  if (self->item == NULL)
    return SLUICE_SOURCE_END;

  *item = g_steal_pointer (&self->item);
  return SLUICE_SOURCE_ITEM;
}

static void
source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = sluice_single_source_next;
}

static void
sluice_single_source_finalize (GObject *object)
{
  SluiceSingleSource *self = SLUICE_SINGLE_SOURCE (object);

  g_clear_pointer (&self->item, json_decref);

  G_OBJECT_CLASS (sluice_single_source_parent_class)->finalize (object);
}

static void
sluice_single_source_class_init (SluiceSingleSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_single_source_finalize;
}

static void
sluice_single_source_init (SluiceSingleSource *self)
{
}

SluiceSingleSource *
sluice_single_source_new (json_t *item)
{
  SluiceSingleSource *self;

  g_return_val_if_fail (json_is_object (item), NULL);

  self = g_object_new (SLUICE_TYPE_SINGLE_SOURCE, NULL);
  self->item = json_incref (item);
  return self;
}
