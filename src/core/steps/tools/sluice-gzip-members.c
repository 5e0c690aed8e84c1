/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-gzip-members.h"

/* GZlibDecompressor does the work; this converter starts it again on
 * the next member whenever one ends and input follows. */
struct _SluiceGzipMembers
{
  GObject     parent_instance;
  GConverter *member;           /* the GZlibDecompressor */
  gboolean    between_members;  /* a member has ended, the next not begun */
};

static void sluice_gzip_members_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SluiceGzipMembers, sluice_gzip_members, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER, sluice_gzip_members_converter_init))

static GConverterResult
sluice_gzip_members_convert (GConverter       *converter,
                             const void       *inbuf,
                             gsize             inbuf_size,
                             void             *outbuf,
                             gsize             outbuf_size,
                             GConverterFlags   flags,
                             gsize            *bytes_read,
                             gsize            *bytes_written,
                             GError          **error)
{
  SluiceGzipMembers *self = SLUICE_GZIP_MEMBERS (converter);
  GConverterResult result;

  if (self->between_members)
    {
      if (inbuf_size == 0 && (flags & G_CONVERTER_INPUT_AT_END))
        {
          *bytes_read = *bytes_written = 0;
          return G_CONVERTER_FINISHED;
        }
      if (inbuf_size == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "Need more input");
          return G_CONVERTER_ERROR;
        }
      g_converter_reset (self->member);
      self->between_members = FALSE;
    }

  result = g_converter_convert (self->member, inbuf, inbuf_size, outbuf, outbuf_size,
                                flags, bytes_read, bytes_written, error);
  if (result != G_CONVERTER_FINISHED)
    return result;

  /* A member ended: the file ends here only when its input does. */
  self->between_members = TRUE;
  if (*bytes_read == inbuf_size && (flags & G_CONVERTER_INPUT_AT_END))
    return G_CONVERTER_FINISHED;
  return G_CONVERTER_CONVERTED;
}

static void
sluice_gzip_members_reset (GConverter *converter)
{
  SluiceGzipMembers *self = SLUICE_GZIP_MEMBERS (converter);

  g_converter_reset (self->member);
  self->between_members = FALSE;
}

static void
sluice_gzip_members_converter_init (GConverterIface *iface)
{
  iface->convert = sluice_gzip_members_convert;
  iface->reset = sluice_gzip_members_reset;
}

static void
sluice_gzip_members_finalize (GObject *object)
{
  SluiceGzipMembers *self = SLUICE_GZIP_MEMBERS (object);

  g_object_unref (self->member);
  G_OBJECT_CLASS (sluice_gzip_members_parent_class)->finalize (object);
}

static void
sluice_gzip_members_class_init (SluiceGzipMembersClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sluice_gzip_members_finalize;
}

static void
sluice_gzip_members_init (SluiceGzipMembers *self)
{
  self->member = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
}

SluiceGzipMembers *
sluice_gzip_members_new (void)
{
  return g_object_new (SLUICE_TYPE_GZIP_MEMBERS, NULL);
}
