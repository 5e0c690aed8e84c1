/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A sortable table of GObject rows, one label per cell, as the run
 * panel's pages show them (stages, services).  Each column names a
 * property of the row type; clicking a heading sorts by it, numerically
 * or as text. */

typedef struct
{
  const char *title;      /* untranslated (N_()); translated when shown */
  const char *property;   /* a property of the row type */
  gboolean    numeric;    /* right-aligned, tabular digits, sorted as a number */
  gboolean    expand;     /* takes the spare width */
  int         width;      /* a fixed width in pixels, or 0: as wide as its cells */
} SluiceDataTableColumn;

/* Fills @label for @property of @row: its text, and any style class or
 * tooltip the cell needs.  Called on every bind, and again when the row
 * notifies @property (rows updated in place), so it resets what it may
 * have set before. */
typedef void (*SluiceDataTableFormatFunc) (GtkLabel   *label,
                                           gpointer    row,
                                           const char *property);

/* A scrolled table over @store (of @row_type) named @name for tests and
 * CSS. Rows are shown in the store's order until a heading is clicked. */
GtkWidget *sluice_data_table_new (GListStore                  *store,
                                  GType                        row_type,
                                  const char                  *name,
                                  const SluiceDataTableColumn *columns,
                                  guint                        n_columns,
                                  SluiceDataTableFormatFunc    format);

G_END_DECLS
