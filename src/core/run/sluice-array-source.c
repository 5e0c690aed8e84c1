/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-array-source.h"

struct _SluiceArraySource
{
  GObject    parent_instance;

  GPtrArray *items;   /* of json_t*, a reference */
  guint      next;
};

static void item_source_iface_init (SluiceItemSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceArraySource, sluice_array_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SLUICE_TYPE_ITEM_SOURCE, item_source_iface_init))

static SluiceSourceStatus
array_source_next (SluiceItemSource  *source,
                   json_t           **item,
                   gpointer          *tag,
                   GError           **error)
{
  SluiceArraySource *self = SLUICE_ARRAY_SOURCE (source);

  if (self->next >= self->items->len)
    return SLUICE_SOURCE_END;
  *item = json_incref (g_ptr_array_index (self->items, self->next++));
  return SLUICE_SOURCE_ITEM;
}

static void
item_source_iface_init (SluiceItemSourceInterface *iface)
{
  iface->next = array_source_next;
}

static void
sluice_array_source_finalize (GObject *object)
{
  SluiceArraySource *self = SLUICE_ARRAY_SOURCE (object);

  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (sluice_array_source_parent_class)->finalize (object);
}

static void
sluice_array_source_class_init (SluiceArraySourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_array_source_finalize;
}

static void
sluice_array_source_init (SluiceArraySource *self)
{
}

SluiceArraySource *
sluice_array_source_new (GPtrArray *items)
{
  SluiceArraySource *self;

  g_return_val_if_fail (items != NULL, NULL);

  self = g_object_new (SLUICE_TYPE_ARRAY_SOURCE, NULL);
  self->items = g_ptr_array_ref (items);
  return self;
}
