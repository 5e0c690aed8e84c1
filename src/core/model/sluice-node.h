/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_NODE (sluice_node_get_type ())
G_DECLARE_DERIVABLE_TYPE (SluiceNode, sluice_node, SLUICE, NODE, GObject)

/* The base of everything in a pipeline file that has an id: the pipeline,
 * controllers, phases and modules. It carries what every element shares:
 * its id and display name, the line it was loaded from (0 for nodes made in
 * the designer), a borrowed pointer to its parent node, and the XML comments
 * that stood before it in the file so that saving keeps them. */
struct _SluiceNodeClass
{
  GObjectClass parent_class;

  /* The element name in the file, e.g. "controller" or "execution". */
  const char *element_name;

  /* Fills @lists with the node's child lists in document order (a
   * condition has two: then and else) and returns how many; NULL for
   * leaves. */
  guint (*get_child_lists) (SluiceNode  *self,
                            GListModel **lists);
};

#define SLUICE_NODE_MAX_CHILD_LISTS 2

const char  *sluice_node_get_id            (SluiceNode *self);
void         sluice_node_set_id            (SluiceNode *self,
                                            const char *id);
const char  *sluice_node_get_name          (SluiceNode *self);
void         sluice_node_set_name          (SluiceNode *self,
                                            const char *name);
/* Returns the name, or the id when the name is unset: what a UI shows. */
const char  *sluice_node_get_label         (SluiceNode *self);
guint        sluice_node_get_line          (SluiceNode *self);
void         sluice_node_set_line          (SluiceNode *self,
                                            guint       line);
SluiceNode  *sluice_node_get_parent        (SluiceNode *self);
/* Set by the containers when a node is added or removed; borrowed. */
void         sluice_node_set_parent        (SluiceNode *self,
                                            SluiceNode *parent);
const char  *sluice_node_get_element_name  (SluiceNode *self);
/* The child lists of @self (at most SLUICE_NODE_MAX_CHILD_LISTS, borrowed)
 * in document order; returns their number, 0 for leaves. */
guint        sluice_node_get_child_lists   (SluiceNode  *self,
                                            GListModel **lists);

/* Comments that preceded this element in the file, in order (text without
 * the <!-- -->). May be NULL. */
const char * const *sluice_node_get_comments (SluiceNode         *self);
void         sluice_node_set_comments      (SluiceNode         *self,
                                            const char * const *comments);
/* Comments after the last child of a container element, before its end
 * tag. May be NULL. */
const char * const *sluice_node_get_trailing_comments (SluiceNode         *self);
void         sluice_node_set_trailing_comments     (SluiceNode         *self,
                                                    const char * const *comments);

G_END_DECLS

G_BEGIN_DECLS

/* The list holding @node, the node that owns that list and @node's
 * position in it (each out argument may be NULL). FALSE for a node outside
 * any tree. */
gboolean     sluice_node_get_container     (SluiceNode  *node,
                                            SluiceNode **owner,
                                            GListModel **list,
                                            guint       *position);

/* Child lists. Containers keep their children in a GListStore (exposed as a
 * GListModel so that views can bind to it); these helpers keep the
 * children's parent pointers right. Mutate lists only through them. */
GListStore  *sluice_node_list_new          (GType       child_type);
void         sluice_node_list_insert       (SluiceNode *owner,
                                            GListModel *list,
                                            guint       position,
                                            SluiceNode *child);
void         sluice_node_list_append       (SluiceNode *owner,
                                            GListModel *list,
                                            SluiceNode *child);
/* Removes the child at @position and clears its parent. */
void         sluice_node_list_remove       (GListModel *list,
                                            guint       position);
/* Returns the position of @child in @list, or -1. */
gint         sluice_node_list_find         (GListModel *list,
                                            SluiceNode *child);

G_END_DECLS
