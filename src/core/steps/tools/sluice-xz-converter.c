/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <lzma.h>

#include "sluice-xz-converter.h"

#define XZ_MEMORY_LIMIT (256u << 20)

struct _SluiceXzConverter
{
  GObject     parent_instance;
  gboolean    compress;
  int         level;
  lzma_stream stream;
  gboolean    started;
};

static void sluice_xz_converter_iface_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceXzConverter, sluice_xz_converter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER, sluice_xz_converter_iface_init))

static const char *
describe (lzma_ret ret)
{
  switch (ret)
    {
    case LZMA_MEMLIMIT_ERROR: return "it needs more than 256 MiB of memory to decompress";
    case LZMA_FORMAT_ERROR:   return "not xz data";
    case LZMA_OPTIONS_ERROR:  return "unsupported options";
    case LZMA_DATA_ERROR:     return "corrupt data";
    case LZMA_BUF_ERROR:      return "the data ends too soon";
    case LZMA_MEM_ERROR:      return "out of memory";
    default:                  return "unknown error";
    }
}

static gboolean
start (SluiceXzConverter  *self,
       GError            **error)
{
  lzma_ret ret;

  if (self->started)
    return TRUE;

  self->stream = (lzma_stream) LZMA_STREAM_INIT;
  ret = self->compress ? lzma_easy_encoder (&self->stream, self->level, LZMA_CHECK_CRC64)
                       : lzma_stream_decoder (&self->stream, XZ_MEMORY_LIMIT, LZMA_CONCATENATED);
  if (ret != LZMA_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "xz: %s", describe (ret));
      return FALSE;
    }
  self->started = TRUE;
  return TRUE;
}

static GConverterResult
sluice_xz_converter_convert (GConverter      *converter,
                             const void      *inbuf,
                             gsize            inbuf_size,
                             void            *outbuf,
                             gsize            outbuf_size,
                             GConverterFlags  flags,
                             gsize           *bytes_read,
                             gsize           *bytes_written,
                             GError         **error)
{
  SluiceXzConverter *self = SLUICE_XZ_CONVERTER (converter);
  gboolean at_end = (flags & G_CONVERTER_INPUT_AT_END) != 0;
  lzma_action action = at_end ? LZMA_FINISH : (flags & G_CONVERTER_FLUSH) && self->compress ? LZMA_FULL_FLUSH : LZMA_RUN;
  lzma_ret ret;

  if (!start (self, error))
    return G_CONVERTER_ERROR;

  self->stream.next_in = inbuf;
  self->stream.avail_in = inbuf_size;
  self->stream.next_out = outbuf;
  self->stream.avail_out = outbuf_size;
  ret = lzma_code (&self->stream, action);
  *bytes_read = inbuf_size - self->stream.avail_in;
  *bytes_written = outbuf_size - self->stream.avail_out;

  if (ret == LZMA_STREAM_END)
    return G_CONVERTER_FINISHED;
  if (ret == LZMA_OK && action == LZMA_FULL_FLUSH && self->stream.avail_in == 0 && self->stream.avail_out > 0)
    return G_CONVERTER_FLUSHED;
  if (ret == LZMA_OK && (*bytes_read > 0 || *bytes_written > 0))
    return G_CONVERTER_CONVERTED;
  if (ret == LZMA_OK || (ret == LZMA_BUF_ERROR && !at_end))
    {
      if (*bytes_read > 0 || *bytes_written > 0)
        return G_CONVERTER_CONVERTED;
      if (inbuf_size == 0 && !at_end)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "need more input");
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "need more room");
      return G_CONVERTER_ERROR;
    }

  g_set_error (error, G_IO_ERROR, ret == LZMA_BUF_ERROR ? G_IO_ERROR_PARTIAL_INPUT : G_IO_ERROR_INVALID_DATA,
               ret == LZMA_BUF_ERROR ? "truncated xz data: %s" : "corrupt xz data: %s", describe (ret));
  return G_CONVERTER_ERROR;
}

static void
sluice_xz_converter_reset (GConverter *converter)
{
  SluiceXzConverter *self = SLUICE_XZ_CONVERTER (converter);

  if (self->started)
    lzma_end (&self->stream);
  self->started = FALSE;
}

static void
sluice_xz_converter_iface_init (GConverterIface *iface)
{
  iface->convert = sluice_xz_converter_convert;
  iface->reset = sluice_xz_converter_reset;
}

static void
sluice_xz_converter_finalize (GObject *object)
{
  sluice_xz_converter_reset (G_CONVERTER (object));
  G_OBJECT_CLASS (sluice_xz_converter_parent_class)->finalize (object);
}

static void
sluice_xz_converter_class_init (SluiceXzConverterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_xz_converter_finalize;
}

static void
sluice_xz_converter_init (SluiceXzConverter *self)
{
}

SluiceXzConverter *
sluice_xz_converter_new (gboolean compress,
                         int      level)
{
  SluiceXzConverter *self = g_object_new (SLUICE_TYPE_XZ_CONVERTER, NULL);

  self->compress = compress;
  self->level = level;
  return self;
}
