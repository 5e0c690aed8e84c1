/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-source.h"

G_BEGIN_DECLS

/* Items pushed by their owner (a Redis worker) for one long-lived run,
 * each with a tag; after close() the run ends once the queue is empty. */
#define SLUICE_TYPE_QUEUE_SOURCE (sluice_queue_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceQueueSource, sluice_queue_source, SLUICE, QUEUE_SOURCE, GObject)

SluiceQueueSource *sluice_queue_source_new    (void);
/* Takes @item (a JSON object) over. */
void               sluice_queue_source_push   (SluiceQueueSource *self,
                                               json_t            *item,
                                               gpointer           tag);
void               sluice_queue_source_close  (SluiceQueueSource *self);
guint              sluice_queue_source_length (SluiceQueueSource *self);

G_END_DECLS
