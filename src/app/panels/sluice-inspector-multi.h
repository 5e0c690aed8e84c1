/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the inspector shows for several selected nodes: how many and
 * which, and what can be done to them together (the window's actions). */
GtkWidget *sluice_inspector_multi_new (GPtrArray *nodes);

G_END_DECLS
