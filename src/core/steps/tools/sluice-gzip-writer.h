/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* gzip output as a series of members (RFC 1952 allows any number in a
 * file; gzip -d, zcat, zlib's gzread, Python and file-extract read them
 * all), each compressed whole with libdeflate: at the same level about
 * three times as fast as zlib's streaming deflate, and each member is
 * complete as soon as it is written (file-load's append mode: one
 * member or more a batch, fsync'ed). A piece of at most
 * SLUICE_GZIP_MEMBER_SIZE bytes of text is one member: the memory it
 * takes stays bounded, and the ratio is that of one stream (deflate's
 * window is 32 KiB). */
#define SLUICE_GZIP_MEMBER_SIZE (1024 * 1024)

typedef struct _SluiceGzipWriter SluiceGzipWriter;

/* @level: 1–12 (libdeflate's; 6 is gzip's default). */
SluiceGzipWriter *sluice_gzip_writer_new     (int                level);
void              sluice_gzip_writer_free    (SluiceGzipWriter  *self);

/* @length bytes of @text (at most SLUICE_GZIP_MEMBER_SIZE) as one
 * member, in a buffer of @self's valid until the next call; @length 0
 * gives an empty member (a valid .gz of nothing). */
const guint8     *sluice_gzip_writer_member  (SluiceGzipWriter  *self,
                                              const char        *text,
                                              gsize              length,
                                              gsize             *member_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceGzipWriter, sluice_gzip_writer_free)

G_END_DECLS
