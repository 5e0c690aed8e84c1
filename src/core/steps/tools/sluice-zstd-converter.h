/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Zstandard as a GConverter (libzstd streaming), for
 * GConverterInputStream and GConverterOutputStream like GZlib*.
 * Decompressing takes any number of concatenated frames; a frame cut
 * short is an error, not a silent end; a frame needing a window beyond
 * 128 MiB is refused (what an hostile file would use to take memory). */
#define SLUICE_TYPE_ZSTD_CONVERTER (sluice_zstd_converter_get_type ())
G_DECLARE_FINAL_TYPE (SluiceZstdConverter, sluice_zstd_converter, SLUICE, ZSTD_CONVERTER, GObject)

SluiceZstdConverter *sluice_zstd_converter_new (gboolean compress,
                                                int      level);

G_END_DECLS
