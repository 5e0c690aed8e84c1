/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-item-sink.h"

G_DEFINE_INTERFACE (SluiceItemSink, sluice_item_sink, G_TYPE_OBJECT)

static void
sluice_item_sink_default_init (SluiceItemSinkInterface *iface)
{
}

gboolean
sluice_item_sink_write (SluiceItemSink  *self,
                        json_t          *item,
                        gpointer         tag,
                        GError         **error)
{
  g_return_val_if_fail (SLUICE_IS_ITEM_SINK (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  return SLUICE_ITEM_SINK_GET_IFACE (self)->write (self, item, tag, error);
}

void
sluice_item_sink_done (SluiceItemSink *self,
                       gpointer        tag,
                       const char     *error)
{
  g_return_if_fail (SLUICE_IS_ITEM_SINK (self));

  if (SLUICE_ITEM_SINK_GET_IFACE (self)->done != NULL)
    SLUICE_ITEM_SINK_GET_IFACE (self)->done (self, tag, error);
}

gboolean
sluice_item_sink_flush (SluiceItemSink  *self,
                        GError         **error)
{
  g_return_val_if_fail (SLUICE_IS_ITEM_SINK (self), FALSE);

  if (SLUICE_ITEM_SINK_GET_IFACE (self)->flush == NULL)
    return TRUE;
  return SLUICE_ITEM_SINK_GET_IFACE (self)->flush (self, error);
}

gboolean
sluice_item_sink_can_write_text (SluiceItemSink *self)
{
  g_return_val_if_fail (SLUICE_IS_ITEM_SINK (self), FALSE);

  return SLUICE_ITEM_SINK_GET_IFACE (self)->write_text != NULL;
}

gboolean
sluice_item_sink_write_text (SluiceItemSink  *self,
                             const char      *text,
                             gsize            length,
                             gpointer         tag,
                             GError         **error)
{
  g_return_val_if_fail (SLUICE_IS_ITEM_SINK (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (SLUICE_ITEM_SINK_GET_IFACE (self)->write_text != NULL, FALSE);

  return SLUICE_ITEM_SINK_GET_IFACE (self)->write_text (self, text, length, tag, error);
}
