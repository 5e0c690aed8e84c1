/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Compares the outputs of a test run with the expected items (json_t*
 * objects, borrowed). @strict: in order, else as multisets. @subset: an
 * output matches an expected item when it has each of its fields with an
 * equal value (json_equal: 1 and 1.0 differ), else when it equals it.
 * Returns TRUE when they agree; otherwise appends a readable diff to
 * @diff ("- " expected, "+ " actual, with positions), at most
 * SLUICE_TEST_DIFF_MAX differences. Linear in the number of items when
 * they agree or nearly do (100,000 items compare in milliseconds). */
#define SLUICE_TEST_DIFF_MAX 20

gboolean sluice_test_compare_items (GPtrArray *expected,
                                    GPtrArray *actual,
                                    gboolean   strict,
                                    gboolean   subset,
                                    GString   *diff);

/* Compact JSON with sorted keys, for messages; at most @limit bytes
 * (with an ellipsis), 0 for no limit. */
char    *sluice_test_item_text     (json_t    *item,
                                    gsize      limit);

G_END_DECLS
