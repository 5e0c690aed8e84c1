/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Decompressing gzip as a GConverter that reads every member of a file,
 * as gzip -d, zcat, zlib's gzread and Python do: a gzip file may be
 * several members one after the other (`cat a.gz b.gz`, pigz, bgzip,
 * and the file loader, which writes one member per piece of output).
 * GZlibDecompressor alone stops after the first member, silently.
 * Anything after a member that is not another member (trailing garbage)
 * is an error, never a quiet end. */
#define SLUICE_TYPE_GZIP_MEMBERS (sluice_gzip_members_get_type ())
G_DECLARE_FINAL_TYPE (SluiceGzipMembers, sluice_gzip_members, SLUICE, GZIP_MEMBERS, GObject)

SluiceGzipMembers *sluice_gzip_members_new (void);

G_END_DECLS
