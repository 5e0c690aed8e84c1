/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-source.h"

G_BEGIN_DECLS

/* The items of HTTP requests, for one long-lived run: each item comes
 * with its request as the tag. At most `limit` items are in the run at
 * once (handed out and not released); the others wait here, where the
 * server can count them and take back those whose client left. After
 * close(), the run ends once the waiting ones are handed out. */
#define SLUICE_TYPE_REQUEST_SOURCE (sluice_request_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRequestSource, sluice_request_source, SLUICE, REQUEST_SOURCE, GObject)

SluiceRequestSource *sluice_request_source_new         (guint                limit);
/* Takes a reference to @item. */
void                 sluice_request_source_push        (SluiceRequestSource *self,
                                                        json_t              *item,
                                                        gpointer             tag);
/* FALSE when @tag was already handed out. */
gboolean             sluice_request_source_remove      (SluiceRequestSource *self,
                                                        gpointer             tag);
/* An item handed out is done: room for the next. */
void                 sluice_request_source_release     (SluiceRequestSource *self);
void                 sluice_request_source_close       (SluiceRequestSource *self);
guint                sluice_request_source_get_waiting (SluiceRequestSource *self);
guint                sluice_request_source_get_running (SluiceRequestSource *self);

G_END_DECLS
