/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* An output item as the one line every sink writes: compact, keys sorted
 * (Lua tables iterate in an order that differs between Lua states, and
 * output must not depend on which worker ran an item), no newline. The
 * text is written into a buffer the caller reuses (grown as needed);
 * returns its length, 0 when @item cannot be written (nested deeper than
 * SLUICE_JSON_MAX_DEPTH, which items leaving Lua never are). */
gsize sluice_item_to_text (json_t  *item,
                           char   **buffer,
                           gsize   *size);

G_END_DECLS
