/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sluice-data-table.h"
#include "sluice-run-stages.h"

struct _SluiceStageRow
{
  GObject  parent_instance;
  char    *label;
  char    *state;
  double   seconds;
  guint64  items_in;
  guint64  items_out;
  guint64  items_failed;
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
  PROP_ITEMS_FAILED,
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
    case PROP_ITEMS_FAILED: g_value_set_uint64 (value, self->items_failed); break;
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
  properties[PROP_ITEMS_FAILED] = g_param_spec_uint64 ("items-failed", NULL, NULL, 0, G_MAXUINT64, 0, flags);
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
set_css_class (GtkWidget  *widget,
               const char *name,
               gboolean    on)
{
  if (on && !gtk_widget_has_css_class (widget, name))
    gtk_widget_add_css_class (widget, name);
  else if (!on && gtk_widget_has_css_class (widget, name))
    gtk_widget_remove_css_class (widget, name);
}

static void
format_cell (GtkLabel   *label,
             gpointer    data,
             const char *property)
{
  SluiceStageRow *row = data;
  g_autofree char *text = NULL;

  if (g_str_equal (property, "seconds"))
    text = g_strdup_printf (_("%.1f s"), row->seconds);
  else if (g_str_equal (property, "items-in"))
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->items_in);
  else if (g_str_equal (property, "items-out"))
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->items_out);
  else if (g_str_equal (property, "items-failed"))
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->items_failed);
  else
    g_object_get (row, property, &text, NULL);
  /* The same text again costs nothing; a class taken off and put back
   * would restyle the cell. */
  gtk_label_set_text (label, text ? text : "");
  if (g_str_equal (property, "gate"))
    {
      gboolean passed = g_strcmp0 (text, _("passed")) == 0;
      gboolean failed = !passed && text != NULL && *text != '\0' && g_strcmp0 (text, "–") != 0;

      set_css_class (GTK_WIDGET (label), "success", passed);
      set_css_class (GTK_WIDGET (label), "error", failed);
    }
}

/* Fixed widths for the short columns, so that all seven fit the run
 * panel beside the log (about 380 px at 1270 px); the names take what
 * is left and are shortened first. In and Out hold 7 digits (a run of a
 * million items). */
static const SluiceDataTableColumn stage_columns[] = {
  { N_("Stage"),  "label",        FALSE, TRUE,  0 },
  { N_("State"),  "state",        FALSE, FALSE, 64 },
  { N_("Time"),   "seconds",      TRUE,  FALSE, 52 },
  { N_("In"),     "items-in",     TRUE,  FALSE, 56 },
  { N_("Out"),    "items-out",    TRUE,  FALSE, 56 },
  { N_("Failed"), "items-failed", TRUE,  FALSE, 56 },
  { N_("Gate"),   "gate",         FALSE, TRUE,  0 },
};

GtkWidget *
sluice_run_stages_view_new (GListStore *store)
{
  GtkWidget *table = sluice_data_table_new (store, SLUICE_TYPE_STAGE_ROW, "run-stages",
                                            stage_columns, G_N_ELEMENTS (stage_columns), format_cell);

  /* The columns fit at 1270 px with the counts of a short run; longer
   * counts or a narrower panel scroll rather than cut the last column. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (table), GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  return table;
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
  row->items_failed = live.items_failed;
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

#define UPDATE_STRING(field, prop) \
  if (g_strcmp0 (old->field, new->field) != 0) \
    { \
      g_free (old->field); \
      old->field = g_strdup (new->field); \
      g_object_notify_by_pspec (G_OBJECT (old), properties[prop]); \
    }
#define UPDATE_NUMBER(field, prop) \
  if (old->field != new->field) \
    { \
      old->field = new->field; \
      g_object_notify_by_pspec (G_OBJECT (old), properties[prop]); \
    }

/* The same stages as the table shows (a run's updates): their rows take
 * the new values, and only the cells whose value changed are drawn
 * again. Replacing the rows would make the table build all its cells
 * anew (widgets, styles, text) several times a second. */
static gboolean
update_in_place (GListStore *store,
                 GPtrArray  *rows)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (n != rows->len || n == 0)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceStageRow) old = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (old->label, ((SluiceStageRow *) rows->pdata[i])->label) != 0)
        return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceStageRow) old = g_list_model_get_item (G_LIST_MODEL (store), i);
      SluiceStageRow *new = rows->pdata[i];

      g_object_freeze_notify (G_OBJECT (old));
      UPDATE_STRING (state, PROP_STATE);
      UPDATE_STRING (gate, PROP_GATE);
      UPDATE_NUMBER (items_in, PROP_ITEMS_IN);
      UPDATE_NUMBER (items_out, PROP_ITEMS_OUT);
      UPDATE_NUMBER (items_failed, PROP_ITEMS_FAILED);
      /* The time as shown (tenths): not a redraw per microsecond. */
      if (round (old->seconds * 10) != round (new->seconds * 10))
        {
          old->seconds = new->seconds;
          g_object_notify_by_pspec (G_OBJECT (old), properties[PROP_SECONDS]);
        }
      g_object_thaw_notify (G_OBJECT (old));
    }
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
  if (!update_in_place (store, rows))
    g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), rows->pdata, rows->len);
}
