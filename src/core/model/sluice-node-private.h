/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-node.h"

G_BEGIN_DECLS

/* Tells the pipeline at the root of @self's tree (if any) that something
 * changed, so that it emits "changed". Every model setter calls it. */
void sluice_node_changed             (SluiceNode *self);
/* Clears the parent pointer of every child in @list; called from
 * containers' dispose so that children that outlive them hold no dangling
 * pointer. */
void sluice_node_list_clear_parents  (GListModel *list);
/* Sets a string member and reports whether it changed. */
gboolean sluice_set_string           (char      **member,
                                      const char *value);

G_END_DECLS
