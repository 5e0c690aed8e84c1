/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The compressions the file tools read and write, chosen by name or by
 * the file's extension (.gz, .zst, .xz). */
typedef enum
{
  SLUICE_COMPRESSION_NONE,
  SLUICE_COMPRESSION_GZIP,
  SLUICE_COMPRESSION_ZSTD,
  SLUICE_COMPRESSION_XZ,
} SluiceCompression;

/* The names a `compression` parameter takes ("auto" first). */
extern const char * const sluice_compression_names[];

/* @name is one of sluice_compression_names; "auto" looks at @path. */
SluiceCompression sluice_compression_choose       (const char        *name,
                                                   const char        *path);
/* @path without its compression extension ("a.csv.gz" → "a.csv"). */
char             *sluice_compression_strip_suffix (const char        *path);
/* Decompresses @base (taken) as it is read. */
GInputStream     *sluice_compression_wrap_input   (SluiceCompression  compression,
                                                   GInputStream      *base);
/* Compresses what is written into @base (taken). */
GOutputStream    *sluice_compression_wrap_output  (SluiceCompression  compression,
                                                   GOutputStream     *base);

G_END_DECLS
