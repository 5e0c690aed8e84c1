/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"
#include "sluice-problem.h"

G_BEGIN_DECLS

/* Files larger than this are refused before they are parsed. */
#define SLUICE_MAX_FILE_SIZE (8 * 1024 * 1024)
/* The most attributes one element may have (a pipeline element needs a
 * handful; libxml2 is quadratic in their number). */
#define SLUICE_MAX_ATTRIBUTES 256

/* Loads a pipeline file. Untrusted input is the normal case: the file is
 * read with a size cap and parsed from memory without network access,
 * entity substitution or DTD loading; documents with a DOCTYPE are refused;
 * the document is checked against the RelaxNG schema compiled into the
 * program; attribute values are checked (modes, durations, counts).
 *
 * Every finding is appended to @problems (a GPtrArray of SluiceProblem
 * with g_object_unref as free func), each naming @path and a line. Returns
 * NULL when the file cannot be turned into a model (any error problem);
 * warnings alone do not stop loading. */
SluicePipeline *sluice_load_file (const char  *path,
                                  GPtrArray   *problems);
/* Same from memory; @display_name is used in problems. */
SluicePipeline *sluice_load_data (const char  *data,
                                  gsize        length,
                                  const char  *display_name,
                                  GPtrArray   *problems);


G_END_DECLS
