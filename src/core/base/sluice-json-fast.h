/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-json.h"

G_BEGIN_DECLS

/* The fast path of sluice_json_parse_item() (sluice-json-fast.c): the
 * object @text holds, built exactly as json_loadb() would, or NULL when
 * the line is anything else or anything unusual, which the caller then
 * parses the ordinary way (and refuses with its error). Never an error of
 * its own. */
json_t *_sluice_json_parse_fast (const char *text,
                                 gsize       length);

G_END_DECLS
