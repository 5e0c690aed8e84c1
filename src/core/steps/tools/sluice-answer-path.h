/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* A small JSON path: where in an answer the items are, or the next
 * link, or the cursor. `data.items`, `$.data.items`, `results[0].rows`,
 * `$['odd key'].x`. Names are object members, [N] array elements; an
 * empty path or `$` is the whole document. Parsed once, when the module
 * is prepared, so that a typo fails the run before the first request. */

typedef struct _SluiceAnswerPath SluiceAnswerPath;

SluiceAnswerPath *sluice_answer_path_new    (const char      *text,
                                         GError         **error);
void            sluice_answer_path_free   (SluiceAnswerPath  *path);
const char     *sluice_answer_path_text   (SluiceAnswerPath  *path);
/* The value at the path in @root (borrowed), or NULL when some step is
 * missing or not of the kind it needs (a name into an array). */
json_t         *sluice_answer_path_lookup (SluiceAnswerPath  *path,
                                         json_t          *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceAnswerPath, sluice_answer_path_free)

G_END_DECLS
