/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-document.h"

G_BEGIN_DECLS

/* The editing operations of the designer, as commands on a document.
 * They need no widget, so the actions, the canvas and the tests share
 * them. */

/* A new, detached node for a palette entry: "controller:MODE", "phase",
 * "lua", "command", "tool:NAME", "condition", "combination", "external",
 * "fail". Its id is unused in the document. NULL for an unknown kind. */
SluiceNode  *sluice_edit_create_node     (SluiceDocument  *document,
                                          const char      *kind);
/* The GType a palette kind creates. */
GType        sluice_edit_kind_type       (const char      *kind);

/* Where a new node of @type goes "after" @anchor (the selection; NULL
 * means at the end of the pipeline). */
gboolean     sluice_edit_insertion_point (SluiceDocument  *document,
                                          SluiceNode      *anchor,
                                          GType            type,
                                          SluiceNode     **owner,
                                          GListModel     **list,
                                          guint           *position);
void         sluice_edit_insert          (SluiceDocument  *document,
                                          SluiceNode      *node,
                                          SluiceNode      *owner,
                                          GListModel      *list,
                                          guint            position);
/* Moves @node to @position of @list, counted before the node is taken out
 * of its current list. Returns FALSE when nothing changes or the move is
 * impossible (into itself). */
gboolean     sluice_edit_move            (SluiceDocument  *document,
                                          SluiceNode      *node,
                                          SluiceNode      *owner,
                                          GListModel      *list,
                                          guint            position);
/* Moves @node one place up (-1) or down (+1) in its list. */
gboolean     sluice_edit_move_by         (SluiceDocument  *document,
                                          SluiceNode      *node,
                                          int              delta);
/* Deletes the nodes (a node inside another one is deleted with it). */
gboolean     sluice_edit_delete          (SluiceDocument  *document,
                                          GPtrArray       *nodes);

/* The nodes as a pipeline document (modules wrapped in a phase and a
 * controller), for the clipboard; NULL when @nodes is empty. */
char        *sluice_edit_copy_xml        (SluiceDocument  *document,
                                          GPtrArray       *nodes);
/* Pastes XML (a pipeline, or bare controllers, phases or modules) after
 * @anchor, renaming ids that are taken. Returns the pasted nodes, or NULL
 * with @error naming what is wrong with the text. */
GPtrArray   *sluice_edit_paste_xml       (SluiceDocument  *document,
                                          const char      *text,
                                          SluiceNode      *anchor,
                                          GError         **error);

/* TRUE when @node is @ancestor or inside it. */
gboolean     sluice_node_is_inside       (SluiceNode      *node,
                                          SluiceNode      *ancestor);

G_END_DECLS
