/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"

G_BEGIN_DECLS

/* Writes canonical, diff-friendly XML: a fixed attribute order, two-space
 * indentation, one element per line, attributes with default values
 * omitted, comments and the <view> element kept. Loading a canonical file
 * and saving it gives the same bytes. */
char     *sluice_save_to_data (SluicePipeline *pipeline,
                               gsize          *length);
/* Atomic: written to a temporary file, synced, renamed over @path. */
gboolean  sluice_save_file    (SluicePipeline *pipeline,
                               const char     *path,
                               GError        **error);

G_END_DECLS
