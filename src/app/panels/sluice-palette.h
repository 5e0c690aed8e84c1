/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_PALETTE (sluice_palette_get_type ())
G_DECLARE_FINAL_TYPE (SluicePalette, sluice_palette, SLUICE, PALETTE, GtkBox)

/* What can be added to a pipeline: controllers by mode, the phase, each
 * module kind and each built-in tool. Entries are dragged onto the canvas
 * (as their kind string) or activated to run win.insert after the
 * selection. Searchable. */
GtkWidget *sluice_palette_new           (void);
/* Number of entries shown with the current search (for tests). */
guint      sluice_palette_count_visible (SluicePalette *self);
void       sluice_palette_set_search    (SluicePalette *self,
                                         const char    *text);
/* The first entry shown with the current search, or NULL. */
GtkWidget *sluice_palette_get_first_visible (SluicePalette *self);

G_END_DECLS
