/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* A path to a value inside an item, as a gate's checks name them (and,
 * rooted at `$`, inside a document, as the http tool's parameters do):
 *
 *   item.historical.sharpe     keys, each after a dot
 *   item.trades[0].profit      array elements, counted from 0
 *   item["odd key"].value      keys with any characters, quoted
 *
 * "item" itself is the whole item. Evaluated in C: no Lua is involved,
 * so a path is cheap and its errors say exactly which step is missing. */

#define SLUICE_JSON_PATH_ERROR (sluice_json_path_error_quark ())

typedef enum
{
  SLUICE_JSON_PATH_ERROR_SYNTAX,     /* not a path */
  SLUICE_JSON_PATH_ERROR_MISSING,    /* a key or an index is not in the item */
  SLUICE_JSON_PATH_ERROR_TYPE,       /* a step meets a value of the wrong type */
} SluiceJsonPathError;

/* Paths longer than this many steps are refused: no item nests deeper. */
#define SLUICE_JSON_PATH_MAX_STEPS 512

typedef struct _SluiceJsonPath SluiceJsonPath;

GQuark          sluice_json_path_error_quark (void);

SluiceJsonPath *sluice_json_path_parse      (const char            *text,
                                             GError               **error);
/* The same steps from the root of a document, as tools name a place in
 * an answer: `data.items`, `$.data.items`, `results[0].rows`,
 * `$['odd key'].x`; an empty path or `$` is the whole document. */
SluiceJsonPath *sluice_json_path_parse_document (const char        *text,
                                                 GError           **error);
void            sluice_json_path_free       (SluiceJsonPath        *path);
const char     *sluice_json_path_get_text   (const SluiceJsonPath  *path);
/* The value at @path in @item (borrowed), or NULL with @error naming the
 * step that is missing or of the wrong type. */
json_t         *sluice_json_path_lookup     (const SluiceJsonPath  *path,
                                             json_t                *item,
                                             GError               **error);
/* The number at @path (an integer or a real); FALSE with @error when the
 * value is missing or is not a number (a string "1.5" is not a number). */
gboolean        sluice_json_path_get_number (const SluiceJsonPath  *path,
                                             json_t                *item,
                                             double                *number,
                                             GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceJsonPath, sluice_json_path_free)

G_END_DECLS
