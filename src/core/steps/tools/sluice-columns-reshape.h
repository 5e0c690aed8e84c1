/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>
#include <glib.h>

G_BEGIN_DECLS

/* Flattening and nesting of an item's fields, in C (the columns tool).
 * Both take an object the caller owns alone at the top level; nested
 * values may be shared with other items and are never changed in
 * place: what is changed is copied first. */

/* Nested non-empty objects become fields named by their path joined
 * with @separator; arrays, empty objects and scalars stay values.
 * Returns a new object (the caller's reference to @item is consumed). */
json_t *sluice_columns_flatten (json_t     *item,
                                const char *separator);

/* Fields whose names contain @separator become nested objects (a value
 * in the way that is not an object is replaced by one). Changes @item. */
void    sluice_columns_nest    (json_t     *item,
                                const char *separator);

G_END_DECLS
