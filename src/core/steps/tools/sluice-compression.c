/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sluice-compression.h"
#include "sluice-gzip-members.h"
#include "sluice-xz-converter.h"
#include "sluice-zstd-converter.h"

const char * const sluice_compression_names[] = { "auto", "none", "gzip", "zstd", "xz", NULL };

static const struct
{
  const char        *suffix;
  SluiceCompression  compression;
} suffixes[] = {
  { ".gz", SLUICE_COMPRESSION_GZIP },
  { ".gzip", SLUICE_COMPRESSION_GZIP },
  { ".zst", SLUICE_COMPRESSION_ZSTD },
  { ".zstd", SLUICE_COMPRESSION_ZSTD },
  { ".xz", SLUICE_COMPRESSION_XZ },
};

SluiceCompression
sluice_compression_choose (const char *name,
                           const char *path)
{
  if (g_strcmp0 (name, "gzip") == 0)
    return SLUICE_COMPRESSION_GZIP;
  if (g_strcmp0 (name, "zstd") == 0)
    return SLUICE_COMPRESSION_ZSTD;
  if (g_strcmp0 (name, "xz") == 0)
    return SLUICE_COMPRESSION_XZ;
  if (g_strcmp0 (name, "none") == 0 || path == NULL)
    return SLUICE_COMPRESSION_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (path, suffixes[i].suffix))
      return suffixes[i].compression;
  return SLUICE_COMPRESSION_NONE;
}

char *
sluice_compression_strip_suffix (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (path, suffixes[i].suffix))
      return g_strndup (path, strlen (path) - strlen (suffixes[i].suffix));
  return g_strdup (path);
}

GInputStream *
sluice_compression_wrap_input (SluiceCompression  compression,
                               GInputStream      *base)
{
  g_autoptr(GConverter) converter = NULL;
  GInputStream *stream;

  switch (compression)
    {
    case SLUICE_COMPRESSION_GZIP:
      /* Every member, not only the first (GZlibDecompressor's). */
      converter = G_CONVERTER (sluice_gzip_members_new ());
      break;
    case SLUICE_COMPRESSION_ZSTD:
      converter = G_CONVERTER (sluice_zstd_converter_new (FALSE, 0));
      break;
    case SLUICE_COMPRESSION_XZ:
      converter = G_CONVERTER (sluice_xz_converter_new (FALSE, 0));
      break;
    case SLUICE_COMPRESSION_NONE:
    default:
      return base;
    }

  stream = g_converter_input_stream_new (base, converter);
  g_object_unref (base);
  return stream;
}

GOutputStream *
sluice_compression_wrap_output (SluiceCompression  compression,
                                GOutputStream     *base)
{
  g_autoptr(GConverter) converter = NULL;
  GOutputStream *stream;

  switch (compression)
    {
    case SLUICE_COMPRESSION_GZIP:
      /* Level 6: gzip's own default, a fair trade of time for size. */
      converter = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6));
      break;
    case SLUICE_COMPRESSION_ZSTD:
      converter = G_CONVERTER (sluice_zstd_converter_new (TRUE, 3));
      break;
    case SLUICE_COMPRESSION_XZ:
      converter = G_CONVERTER (sluice_xz_converter_new (TRUE, 6));
      break;
    case SLUICE_COMPRESSION_NONE:
    default:
      return base;
    }

  stream = g_converter_output_stream_new (base, converter);
  g_object_unref (base);
  return stream;
}
