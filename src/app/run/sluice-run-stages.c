/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-run-stages.h"

struct _SluiceStageRow
{
  GObject  parent_instance;
  char    *label;
  char    *state;
  double   seconds;
  guint64  items_in;
  guint64  items_out;
  char    *gate;
};

enum
{
  PROP_0,
  PROP_LABEL,
  PROP_STATE,
  PROP_SECONDS,
  PROP_ITEMS_IN,
  PROP_ITEMS_OUT,
  PROP_GATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SluiceStageRow, sluice_stage_row, G_TYPE_OBJECT)

static void
sluice_stage_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SluiceStageRow *self = SLUICE_STAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_STATE: g_value_set_string (value, self->state); break;
    case PROP_SECONDS: g_value_set_double (value, self->seconds); break;
    case PROP_ITEMS_IN: g_value_set_uint64 (value, self->items_in); break;
    case PROP_ITEMS_OUT: g_value_set_uint64 (value, self->items_out); break;
    case PROP_GATE: g_value_set_string (value, self->gate); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_stage_row_finalize (GObject *object)
{
  SluiceStageRow *self = SLUICE_STAGE_ROW (object);

  g_free (self->label);
  g_free (self->state);
  g_free (self->gate);
  G_OBJECT_CLASS (sluice_stage_row_parent_class)->finalize (object);
}

static void
sluice_stage_row_class_init (SluiceStageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = sluice_stage_row_get_property;
  object_class->finalize = sluice_stage_row_finalize;
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_SECONDS] = g_param_spec_double ("seconds", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_ITEMS_IN] = g_param_spec_uint64 ("items-in", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ITEMS_OUT] = g_param_spec_uint64 ("items-out", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_GATE] = g_param_spec_string ("gate", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sluice_stage_row_init (SluiceStageRow *self)
{
}

const char *
sluice_stage_row_get_label (SluiceStageRow *self)
{
  g_return_val_if_fail (SLUICE_IS_STAGE_ROW (self), NULL);
  return self->label;
}

const char *
sluice_stage_row_get_gate (SluiceStageRow *self)
{
  g_return_val_if_fail (SLUICE_IS_STAGE_ROW (self), NULL);
  return self->gate;
}

/* The table ---------------------------------------------------------------------------------- */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         const char               *property)
{
  SluiceStageRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;

  if (g_str_equal (property, "seconds"))
    text = g_strdup_printf (_("%.1f s"), row->seconds);
  else if (g_str_equal (property, "items-in"))
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->items_in);
  else if (g_str_equal (property, "items-out"))
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->items_out);
  else
    g_object_get (row, property, &text, NULL);
  gtk_label_set_text (label, text ? text : "");
  if (g_str_equal (property, "gate"))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
      if (g_strcmp0 (text, _("passed")) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "success");
      else if (text != NULL && *text != '\0' && g_strcmp0 (text, "–") != 0)
        gtk_widget_add_css_class (GTK_WIDGET (label), "error");
    }
}

static void
add_column (GtkColumnView *view,
            const char    *title,
            const char    *property,
            gboolean       numeric,
            gboolean       expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkExpression *expression = gtk_property_expression_new (SLUICE_TYPE_STAGE_ROW, NULL, property);
  GtkSorter *sorter = numeric ? GTK_SORTER (gtk_numeric_sorter_new (expression))
                              : GTK_SORTER (gtk_string_sorter_new (expression));
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), (gpointer) property);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (view, column);
  g_object_unref (column);
  g_object_unref (sorter);
}

GtkWidget *
sluice_run_stages_view_new (GListStore *store)
{
  GtkWidget *view = gtk_column_view_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkSortListModel *sorted;

  g_return_val_if_fail (G_IS_LIST_STORE (store), NULL);

  add_column (GTK_COLUMN_VIEW (view), _("Stage"), "label", FALSE, TRUE);
  add_column (GTK_COLUMN_VIEW (view), _("State"), "state", FALSE, FALSE);
  add_column (GTK_COLUMN_VIEW (view), _("Time"), "seconds", TRUE, FALSE);
  add_column (GTK_COLUMN_VIEW (view), _("In"), "items-in", TRUE, FALSE);
  add_column (GTK_COLUMN_VIEW (view), _("Out"), "items-out", TRUE, FALSE);
  add_column (GTK_COLUMN_VIEW (view), _("Gate"), "gate", FALSE, FALSE);
  /* Clicking a heading sorts by it; until then, the order of the stages. */
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (store)),
                                    g_object_ref (gtk_column_view_get_sorter (GTK_COLUMN_VIEW (view))));
  gtk_column_view_set_model (GTK_COLUMN_VIEW (view), GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));
  gtk_widget_add_css_class (view, "data-table");
  gtk_widget_set_name (view, "run-stages");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static gboolean
is_inside (SluiceNode *node,
           SluiceNode *ancestor)
{
  for (; node != NULL; node = sluice_node_get_parent (node))
    if (node == ancestor)
      return TRUE;
  return FALSE;
}

typedef struct
{
  SluiceRunSession *session;
  GPtrArray        *rows;
} Collect;

static gboolean
collect_cb (SluiceNode *node,
            gpointer    user_data)
{
  Collect *c = user_data;
  SluiceControllerLive live;
  const char *failed = sluice_run_session_get_failed_module (c->session);
  SluiceNode *failed_node;
  SluiceStageRow *row;

  if (!SLUICE_IS_CONTROLLER (node) || !sluice_run_session_get_controller_live (c->session, node, &live))
    return TRUE;
  failed_node = failed ? sluice_pipeline_find_node (sluice_run_session_get_pipeline (c->session), failed) : NULL;
  row = g_object_new (SLUICE_TYPE_STAGE_ROW, NULL);
  row->label = g_strdup (sluice_node_get_label (node));
  row->state = g_strdup (sluice_live_state_to_string (live.state));
  row->seconds = live.started ? ((live.finished ? live.finished : g_get_monotonic_time ()) - live.started) / 1e6 : 0;
  row->items_in = live.items_in;
  row->items_out = live.items_out;
  if (failed_node != NULL && (SLUICE_IS_FAIL (failed_node) || SLUICE_IS_GATE (failed_node)) && is_inside (failed_node, node))
    row->gate = g_strdup (_("gate failed"));
  else if (live.state == SLUICE_LIVE_FAILED)
    row->gate = g_strdup (_("failed"));
  else if (live.state == SLUICE_LIVE_DONE)
    row->gate = g_strdup (_("passed"));
  else
    row->gate = g_strdup ("–");
  g_ptr_array_add (c->rows, row);
  return TRUE;
}

void
sluice_run_stages_update (GListStore       *store,
                          SluiceRunSession *session)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  Collect c = { session, rows };

  g_return_if_fail (G_IS_LIST_STORE (store));

  if (session != NULL && sluice_run_session_get_started (session))
    sluice_pipeline_foreach_node (sluice_run_session_get_pipeline (session), collect_cb, &c);
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata, rows->len);
}
