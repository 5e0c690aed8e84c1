/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-sink.h"

G_BEGIN_DECLS

/* Hands each output, and the end of each input item, to the server with
 * the item's tag (its request). */
#define SLUICE_TYPE_REQUEST_SINK (sluice_request_sink_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRequestSink, sluice_request_sink, SLUICE, REQUEST_SINK, GObject)

typedef void (*SluiceRequestOutputFunc) (gpointer tag, json_t *item, gpointer user_data);
typedef void (*SluiceRequestDoneFunc)   (gpointer tag, const char *error, gpointer user_data);

SluiceRequestSink *sluice_request_sink_new (SluiceRequestOutputFunc output,
                                            SluiceRequestDoneFunc   done,
                                            gpointer                user_data);

G_END_DECLS
