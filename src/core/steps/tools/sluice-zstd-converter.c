/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <zstd.h>

#include "sluice-zstd-converter.h"

struct _SluiceZstdConverter
{
  GObject      parent_instance;
  gboolean     compress;
  int          level;
  ZSTD_CStream *cstream;   /* owned, when compressing */
  ZSTD_DStream *dstream;   /* owned, when decompressing */
  gboolean     in_frame;   /* decompressing: a frame has begun and not ended */
};

static void sluice_zstd_converter_iface_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceZstdConverter, sluice_zstd_converter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER, sluice_zstd_converter_iface_init))

static void
set_zstd_error (GError **error,
                size_t   code)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "corrupt zstd data: %s", ZSTD_getErrorName (code));
}

/* No progress: more input, more room, or the end. */
static GConverterResult
no_progress (gboolean   at_end,
             gboolean   complete,
             gsize      inbuf_size,
             GError   **error)
{
  if (at_end && inbuf_size == 0)
    {
      if (complete)
        return G_CONVERTER_FINISHED;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                           "truncated zstd data: the file ends inside a frame");
      return G_CONVERTER_ERROR;
    }
  if (inbuf_size == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "need more input");
      return G_CONVERTER_ERROR;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "need more room");
  return G_CONVERTER_ERROR;
}

static GConverterResult
decompress (SluiceZstdConverter *self,
            const void          *inbuf,
            gsize                inbuf_size,
            void                *outbuf,
            gsize                outbuf_size,
            GConverterFlags      flags,
            gsize               *bytes_read,
            gsize               *bytes_written,
            GError             **error)
{
  ZSTD_inBuffer in = { inbuf, inbuf_size, 0 };
  ZSTD_outBuffer out = { outbuf, outbuf_size, 0 };
  gboolean at_end = (flags & G_CONVERTER_INPUT_AT_END) != 0;
  size_t ret;

  ret = ZSTD_decompressStream (self->dstream, &out, &in);
  if (ZSTD_isError (ret))
    {
      set_zstd_error (error, ret);
      return G_CONVERTER_ERROR;
    }
  if (in.pos > 0 || out.pos > 0)
    self->in_frame = ret != 0;
  *bytes_read = in.pos;
  *bytes_written = out.pos;

  if (in.pos == 0 && out.pos == 0)
    return no_progress (at_end, !self->in_frame, inbuf_size, error);
  if (at_end && in.pos == inbuf_size && !self->in_frame)
    return G_CONVERTER_FINISHED;
  return G_CONVERTER_CONVERTED;
}

static GConverterResult
compress (SluiceZstdConverter *self,
          const void          *inbuf,
          gsize                inbuf_size,
          void                *outbuf,
          gsize                outbuf_size,
          GConverterFlags      flags,
          gsize               *bytes_read,
          gsize               *bytes_written,
          GError             **error)
{
  ZSTD_inBuffer in = { inbuf, inbuf_size, 0 };
  ZSTD_outBuffer out = { outbuf, outbuf_size, 0 };
  ZSTD_EndDirective mode = (flags & G_CONVERTER_INPUT_AT_END) ? ZSTD_e_end :
                           (flags & G_CONVERTER_FLUSH) ? ZSTD_e_flush : ZSTD_e_continue;
  size_t ret = ZSTD_compressStream2 (self->cstream, &out, &in, mode);

  if (ZSTD_isError (ret))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "zstd: %s", ZSTD_getErrorName (ret));
      return G_CONVERTER_ERROR;
    }
  *bytes_read = in.pos;
  *bytes_written = out.pos;

  if (ret == 0 && in.pos == inbuf_size)
    {
      if (mode == ZSTD_e_end)
        return G_CONVERTER_FINISHED;
      if (mode == ZSTD_e_flush)
        return G_CONVERTER_FLUSHED;
    }
  if (in.pos == 0 && out.pos == 0)
    {
      if (mode == ZSTD_e_continue && inbuf_size == 0)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "need more input");
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "need more room");
      return G_CONVERTER_ERROR;
    }
  return G_CONVERTER_CONVERTED;
}

static GConverterResult
sluice_zstd_converter_convert (GConverter      *converter,
                               const void      *inbuf,
                               gsize            inbuf_size,
                               void            *outbuf,
                               gsize            outbuf_size,
                               GConverterFlags  flags,
                               gsize           *bytes_read,
                               gsize           *bytes_written,
                               GError         **error)
{
  SluiceZstdConverter *self = SLUICE_ZSTD_CONVERTER (converter);

  if (self->compress)
    return compress (self, inbuf, inbuf_size, outbuf, outbuf_size, flags, bytes_read, bytes_written, error);
  return decompress (self, inbuf, inbuf_size, outbuf, outbuf_size, flags, bytes_read, bytes_written, error);
}

static void
sluice_zstd_converter_reset (GConverter *converter)
{
  SluiceZstdConverter *self = SLUICE_ZSTD_CONVERTER (converter);

  if (self->cstream != NULL)
    ZSTD_CCtx_reset (self->cstream, ZSTD_reset_session_only);
  if (self->dstream != NULL)
    ZSTD_DCtx_reset (self->dstream, ZSTD_reset_session_only);
  self->in_frame = FALSE;
}

static void
sluice_zstd_converter_iface_init (GConverterIface *iface)
{
  iface->convert = sluice_zstd_converter_convert;
  iface->reset = sluice_zstd_converter_reset;
}

static void
sluice_zstd_converter_finalize (GObject *object)
{
  SluiceZstdConverter *self = SLUICE_ZSTD_CONVERTER (object);

  ZSTD_freeCStream (self->cstream);
  ZSTD_freeDStream (self->dstream);
  G_OBJECT_CLASS (sluice_zstd_converter_parent_class)->finalize (object);
}

static void
sluice_zstd_converter_class_init (SluiceZstdConverterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_zstd_converter_finalize;
}

static void
sluice_zstd_converter_init (SluiceZstdConverter *self)
{
}

SluiceZstdConverter *
sluice_zstd_converter_new (gboolean compress,
                           int      level)
{
  SluiceZstdConverter *self = g_object_new (SLUICE_TYPE_ZSTD_CONVERTER, NULL);

  self->compress = compress;
  self->level = level;
  if (compress)
    {
      self->cstream = ZSTD_createCStream ();
      ZSTD_CCtx_setParameter (self->cstream, ZSTD_c_compressionLevel, level);
    }
  else
    {
      self->dstream = ZSTD_createDStream ();
      /* 2^27 = 128 MiB, zstd's own default limit, said explicitly. */
      ZSTD_DCtx_setParameter (self->dstream, ZSTD_d_windowLogMax, 27);
    }
  return self;
}
