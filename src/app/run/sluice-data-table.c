/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-data-table.h"

typedef struct
{
  const char               *property;
  SluiceDataTableFormatFunc format;
} Cell;

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  /* Text gives way when the panel is narrow; a number never does (a
   * count cut to "1…" would say nothing). */
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

/* A row whose value changed in place (a live table updates its rows
 * rather than replacing them): only this cell is formatted again, and
 * the table is sorted again if it is sorted. */
static void
row_notify_cb (GObject     *row,
               GParamSpec  *pspec,
               GtkListItem *item)
{
  const Cell *cell = g_object_get_data (G_OBJECT (item), "sluice-cell");
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkWidget *view = gtk_widget_get_ancestor (label, GTK_TYPE_COLUMN_VIEW);

  cell->format (GTK_LABEL (label), row, cell->property);
  /* Sorted by a column (the column view's sorter has an order only
   * then): the new value may move the row. */
  if (view != NULL && gtk_sorter_get_order (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view))) != GTK_SORTER_ORDER_NONE)
    gtk_sorter_changed (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view)), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         const Cell               *cell)
{
  GObject *row = gtk_list_item_get_item (item);
  g_autofree char *signal = g_strconcat ("notify::", cell->property, NULL);

  cell->format (GTK_LABEL (gtk_list_item_get_child (item)), row, cell->property);
  g_object_set_data (G_OBJECT (item), "sluice-cell", (gpointer) cell);
  g_signal_connect_object (row, signal, G_CALLBACK (row_notify_cb), item, 0);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           const Cell               *cell)
{
  GObject *row = gtk_list_item_get_item (item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, row_notify_cb, item);
}

static void
free_cell (gpointer  cell,
           GClosure *closure)
{
  g_free (cell);
}

static void
add_column (GtkColumnView               *view,
            GType                        row_type,
            const SluiceDataTableColumn *spec,
            SluiceDataTableFormatFunc    format)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkExpression *expression = gtk_property_expression_new (row_type, NULL, spec->property);
  GtkSorter *sorter = spec->numeric ? GTK_SORTER (gtk_numeric_sorter_new (expression))
                                    : GTK_SORTER (gtk_string_sorter_new (expression));
  GtkColumnViewColumn *column;
  Cell *cell = g_new (Cell, 1);

  cell->property = spec->property;
  cell->format = format;
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (spec->numeric));
  /* The factory lives as long as the column: it owns the cell. */
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cb), cell,
                         free_cell, 0);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), cell);
  column = gtk_column_view_column_new (_(spec->title), factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_expand (column, spec->expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  if (spec->width > 0)
    gtk_column_view_column_set_fixed_width (column, spec->width);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);
  g_object_unref (sorter);
}

GtkWidget *
sluice_data_table_new (GListStore                  *store,
                       GType                        row_type,
                       const char                  *name,
                       const SluiceDataTableColumn *columns,
                       guint                        n_columns,
                       SluiceDataTableFormatFunc    format)
{
  GtkWidget *view;
  GtkWidget *scrolled;
  GtkSortListModel *sorted;

  g_return_val_if_fail (G_IS_LIST_STORE (store), NULL);
  g_return_val_if_fail (format != NULL, NULL);

  view = gtk_column_view_new (NULL);
  for (guint i = 0; i < n_columns; i++)
    add_column (GTK_COLUMN_VIEW (view), row_type, &columns[i], format);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (store)),
                                    g_object_ref (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view))));
  gtk_column_view_set_model (GTK_COLUMN_VIEW (view),
                             GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));
  gtk_widget_add_css_class (view, "data-table");
  gtk_widget_set_name (view, name);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}
