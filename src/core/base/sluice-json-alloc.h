/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Gives jansson a per-thread cache of freed small blocks (see
 * sluice-json-alloc.c). Call it once, before threads start; a no-op
 * under AddressSanitizer. */
void sluice_json_alloc_install (void);

G_END_DECLS
