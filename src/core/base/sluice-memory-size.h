/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sizes of memory in pipeline files (lua-memory-limit="512MiB"): a whole
 * number and a binary unit, KiB, MiB or GiB (the unit is required, so
 * "512" cannot be mistaken for megabytes). */

/* The smallest and largest Lua memory limit a file may set: below 1 MiB
 * a Lua state cannot even hold the standard library. */
#define SLUICE_MEMORY_SIZE_MIN_LUA (G_GUINT64_CONSTANT (1) << 20)
#define SLUICE_MEMORY_SIZE_MAX_LUA (G_GUINT64_CONSTANT (64) << 30)

/* Parses @text into bytes; FALSE when it is not of that form or does not
 * fit in 64 bits. */
gboolean  sluice_memory_size_parse  (const char *text,
                                     guint64    *bytes);
/* The form parse() reads, in the largest unit that divides @bytes
 * exactly ("512MiB", "1536KiB"); bytes not a multiple of 1 KiB are
 * rounded up to one. */
char     *sluice_memory_size_format (guint64     bytes);

G_END_DECLS
