/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Where a run's items come from: a stream of JSON lines today (a file,
 * standard input), later a journal being resumed, a Redis stream, an HTTP
 * request. The executor pulls items while its first queue has room, so a
 * source never has to buffer more than it likes; when it has nothing yet
 * it answers WAIT and emits "ready" once it may have. Main context only. */

#define SLUICE_TYPE_ITEM_SOURCE (sluice_item_source_get_type ())
G_DECLARE_INTERFACE (SluiceItemSource, sluice_item_source, SLUICE, ITEM_SOURCE, GObject)

typedef enum
{
  SLUICE_SOURCE_ITEM,   /* *item is the next item (a JSON object, owned by the caller) */
  SLUICE_SOURCE_WAIT,   /* nothing yet: "ready" follows */
  SLUICE_SOURCE_END,    /* no more items */
  SLUICE_SOURCE_ERROR,  /* the input is broken: the run fails with the error */
} SluiceSourceStatus;

struct _SluiceItemSourceInterface
{
  GTypeInterface g_iface;

  SluiceSourceStatus (*next)  (SluiceItemSource  *self,
                               json_t           **item,
                               GError           **error);
  /* The run ended: stop reading. Optional. */
  void               (*close) (SluiceItemSource  *self);
};

SluiceSourceStatus sluice_item_source_next  (SluiceItemSource  *self,
                                             json_t           **item,
                                             GError           **error);
void               sluice_item_source_close (SluiceItemSource  *self);
/* For implementations: tells the reader that next() may have an item. */
void               sluice_item_source_ready (SluiceItemSource  *self);

G_END_DECLS
