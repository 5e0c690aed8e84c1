/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Where a run's items come from: a stream of JSON lines today (a file,
 * standard input), later a journal being resumed, a Redis stream, an HTTP
 * request. The executor pulls items while its first queue has room, so a
 * source never has to buffer more than it likes; when it has nothing yet
 * it answers WAIT and emits "ready" once it may have. Main context only.
 *
 * Each item may come with a tag: the sink gets it back with every output
 * that item led to, and once more when all its work is over (see
 * SluiceItemSink), so that a server can answer the request it came in. */

#define SLUICE_TYPE_ITEM_SOURCE (sluice_item_source_get_type ())
G_DECLARE_INTERFACE (SluiceItemSource, sluice_item_source, SLUICE, ITEM_SOURCE, GObject)

typedef enum
{
  SLUICE_SOURCE_ITEM,   /* *item is the next item (a JSON object, owned by the caller) */
  SLUICE_SOURCE_WAIT,   /* nothing yet: "ready" follows */
  SLUICE_SOURCE_END,    /* no more items */
  SLUICE_SOURCE_ERROR,  /* the input is broken: the run fails with the error */
  SLUICE_SOURCE_REJECTED, /* one item cannot be taken (@error says why; the sink hears done for
                           * its tag, if any); the run goes on without it */
} SluiceSourceStatus;

struct _SluiceItemSourceInterface
{
  GTypeInterface g_iface;

  /* @tag: set to what the source wants to know this item by (given back
   * to the sink with its outputs and when it is done), or left NULL. */
  SluiceSourceStatus (*next)  (SluiceItemSource  *self,
                               json_t           **item,
                               gpointer          *tag,
                               GError           **error);
  /* The run ended: stop reading. Optional. */
  void               (*close) (SluiceItemSource  *self);
};

SluiceSourceStatus sluice_item_source_next  (SluiceItemSource  *self,
                                             json_t           **item,
                                             gpointer          *tag,
                                             GError           **error);
void               sluice_item_source_close (SluiceItemSource  *self);
/* For implementations: tells the reader that next() may have an item. */
void               sluice_item_source_ready (SluiceItemSource  *self);

G_END_DECLS
