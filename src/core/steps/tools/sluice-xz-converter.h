/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* xz (liblzma) as a GConverter. Decompressing takes concatenated
 * streams, refuses to use more than 256 MiB of memory, and reports a
 * stream cut short. */
#define SLUICE_TYPE_XZ_CONVERTER (sluice_xz_converter_get_type ())
G_DECLARE_FINAL_TYPE (SluiceXzConverter, sluice_xz_converter, SLUICE, XZ_CONVERTER, GObject)

SluiceXzConverter *sluice_xz_converter_new (gboolean compress,
                                            int      level);

G_END_DECLS
