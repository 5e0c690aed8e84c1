/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-item-source.h"

enum
{
  READY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (SluiceItemSource, sluice_item_source, G_TYPE_OBJECT)

static void
sluice_item_source_default_init (SluiceItemSourceInterface *iface)
{
  /**
   * SluiceItemSource::ready:
   *
   * A source that answered WAIT may now have an item (or its end).
   */
  signals[READY] =
    g_signal_new ("ready", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

SluiceSourceStatus
sluice_item_source_next (SluiceItemSource  *self,
                         json_t           **item,
                         gpointer          *tag,
                         GError           **error)
{
  g_return_val_if_fail (SLUICE_IS_ITEM_SOURCE (self), SLUICE_SOURCE_END);
  g_return_val_if_fail (item != NULL, SLUICE_SOURCE_END);

  g_return_val_if_fail (tag != NULL, SLUICE_SOURCE_END);

  *item = NULL;
  *tag = NULL;
  return SLUICE_ITEM_SOURCE_GET_IFACE (self)->next (self, item, tag, error);
}

void
sluice_item_source_close (SluiceItemSource *self)
{
  g_return_if_fail (SLUICE_IS_ITEM_SOURCE (self));

  if (SLUICE_ITEM_SOURCE_GET_IFACE (self)->close != NULL)
    SLUICE_ITEM_SOURCE_GET_IFACE (self)->close (self);
}

void
sluice_item_source_ready (SluiceItemSource *self)
{
  g_return_if_fail (SLUICE_IS_ITEM_SOURCE (self));

  g_signal_emit (self, signals[READY], 0);
}
