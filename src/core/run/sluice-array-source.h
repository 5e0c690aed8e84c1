/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-source.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_ARRAY_SOURCE (sluice_array_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceArraySource, sluice_array_source, SLUICE, ARRAY_SOURCE, GObject)

/* Input items already in memory (a test case's): @items is a GPtrArray
 * of json_t* objects, referenced; each is handed out once, in order. */
SluiceArraySource *sluice_array_source_new (GPtrArray *items);

G_END_DECLS
