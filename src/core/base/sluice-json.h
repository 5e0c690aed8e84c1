/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* jansson writes every real with 17 significant digits, so 0.5449 comes
 * out as 0.54490000000000005. These return the dump flags (@flags plus
 * JSON_REAL_PRECISION) with the fewest digits, from 15 to 17, that still
 * read back as exactly the same doubles for every real in @json: what a
 * person typed stays as typed, and nothing is ever rounded away. */
size_t sluice_json_dump_flags (json_t *json,
                               size_t  flags);
/* json_dumps() with those flags; free with free(). */
char  *sluice_json_dumps      (json_t *json,
                               size_t  flags);

G_END_DECLS
