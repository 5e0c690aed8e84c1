/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-executor.h"
#include "sluice-item-sink.h"

G_BEGIN_DECLS

/* Hands each output item, as its JSON line without the newline, to a
 * function: the designer's run panel and the tests read outputs so. */
#define SLUICE_TYPE_FUNC_SINK (sluice_func_sink_get_type ())
G_DECLARE_FINAL_TYPE (SluiceFuncSink, sluice_func_sink, SLUICE, FUNC_SINK, GObject)

SluiceFuncSink *sluice_func_sink_new (SluiceOutputFunc func,
                                      gpointer         user_data,
                                      GDestroyNotify   destroy);

G_END_DECLS
