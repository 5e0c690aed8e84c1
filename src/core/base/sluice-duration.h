/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Durations are written as an unsigned integer and a unit: "250ms", "30s",
 * "5m" (also "h"). Parsing returns FALSE for anything else, including
 * overflow. Formatting picks the largest unit that represents the value
 * exactly, which is the canonical form the saver writes. */
gboolean sluice_duration_parse  (const char *text,
                                 gint64     *milliseconds);
char    *sluice_duration_format (gint64      milliseconds);

G_END_DECLS
