/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Durations are written as an unsigned integer and a unit: "250ms", "30s",
 * "5m" (also "h"), at most SLUICE_DURATION_MAX_MS (8760h, a year).
 * Parsing returns FALSE for anything else, longer ones included.
 * Formatting picks the largest unit that represents the value
 * exactly, which is the canonical form the saver writes. */
#define SLUICE_DURATION_MAX_MS (G_GINT64_CONSTANT (8760) * 60 * 60 * 1000)

gboolean sluice_duration_parse  (const char *text,
                                 gint64     *milliseconds);
char    *sluice_duration_format (gint64      milliseconds);

G_END_DECLS
