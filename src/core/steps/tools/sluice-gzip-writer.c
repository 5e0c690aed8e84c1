/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libdeflate.h>

#include "sluice-gzip-writer.h"

struct _SluiceGzipWriter
{
  struct libdeflate_compressor *compressor;
  guint8                       *out;
  gsize                         out_size;
};

SluiceGzipWriter *
sluice_gzip_writer_new (int level)
{
  SluiceGzipWriter *self = g_new0 (SluiceGzipWriter, 1);

  self->compressor = libdeflate_alloc_compressor (level);
  if (self->compressor == NULL)
    g_error ("libdeflate: out of memory");
  self->out_size = libdeflate_gzip_compress_bound (self->compressor, SLUICE_GZIP_MEMBER_SIZE);
  self->out = g_malloc (self->out_size);
  return self;
}

void
sluice_gzip_writer_free (SluiceGzipWriter *self)
{
  if (self == NULL)
    return;
  libdeflate_free_compressor (self->compressor);
  g_free (self->out);
  g_free (self);
}

const guint8 *
sluice_gzip_writer_member (SluiceGzipWriter *self,
                           const char       *text,
                           gsize             length,
                           gsize            *member_length)
{
  g_return_val_if_fail (length <= SLUICE_GZIP_MEMBER_SIZE, NULL);

  /* The bound is what libdeflate promises to fit: never 0 here. */
  *member_length = libdeflate_gzip_compress (self->compressor, text, length, self->out, self->out_size);
  g_assert (*member_length > 0);
  return self->out;
}
