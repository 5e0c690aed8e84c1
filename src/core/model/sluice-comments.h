/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The XML comments of a file, kept with the model object they stood
 * near so that a save puts them back: one store for every object of the
 * model, nodes, parameters and services alike. A place says where:
 *
 *   SLUICE_COMMENTS_BEFORE   before the object's element
 *   SLUICE_COMMENTS_END      inside it, after its last child
 *   SLUICE_COMMENTS_AFTER    after the root element (the pipeline only)
 *   "before:NAME", "in:NAME" before or inside a child element NAME that
 *                            is not a model object (<when>, <lua>, <use>,
 *                            <parameters>, "endpoint:URL", …)
 *
 * Strings are owned by the object; an empty list is the same as none. */

#define SLUICE_COMMENTS_BEFORE ""
#define SLUICE_COMMENTS_END    "end"
#define SLUICE_COMMENTS_AFTER  "after"

const char * const *sluice_comments_get (gpointer            object,
                                         const char         *place);
/* TRUE when the comments at @place changed. */
gboolean            sluice_comments_set (gpointer            object,
                                         const char         *place,
                                         const char * const *comments);

G_END_DECLS
