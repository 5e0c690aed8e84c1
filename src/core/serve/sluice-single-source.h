/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-item-source.h"

G_BEGIN_DECLS

/* A source of exactly one item, already parsed: what an HTTP request
 * brings to a run. */
#define SLUICE_TYPE_SINGLE_SOURCE (sluice_single_source_get_type ())
G_DECLARE_FINAL_TYPE (SluiceSingleSource, sluice_single_source, SLUICE, SINGLE_SOURCE, GObject)

/* Takes a reference to @item. */
SluiceSingleSource *sluice_single_source_new (json_t *item);

G_END_DECLS
