/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-item-to-change.h"

json_t *
sluice_item_to_change (SluiceStepCall *call)
{
  json_t *item = call->item;

  /* Copying costs as much as building the item again (an object, its
   * table, a pair a field); changing it in place costs nothing. */
  if (json_is_object (item) && item->refcount == 2)
    return json_incref (item);
  return json_copy (item);
}
