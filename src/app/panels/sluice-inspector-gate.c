/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-gate-checks-command.h"
#include "sluice-inspector-private.h"

/* A gate's checks as a table: per check, its name, op and threshold (or
 * min and max) on one line, the value's path and what it is relative to
 * on the next, and a button that removes it; a button below adds one.
 * Every edit replaces the gate's checks through one undoable command
 * (typing in one field merges into one step). Rows are found by keys
 * such as "check-0-threshold", for tests and focus. */

static const char * const ops[] = { ">=", ">", "<=", "<", "==", "!=", "between", NULL };

typedef struct
{
  SluiceInspector *inspector;   /* borrowed: the widgets die with it */
  SluiceGate      *gate;        /* owned */
  guint            index;
  const char      *field;       /* static */
} CellData;

static void
cell_data_free (CellData *data)
{
  g_object_unref (data->gate);
  g_free (data);
}

static void
bind_cell (SluiceInspector *self,
           GtkWidget       *widget,
           SluiceGate      *gate,
           guint            index,
           const char      *field)
{
  CellData *data = g_new0 (CellData, 1);
  g_autofree char *key = g_strdup_printf ("check-%u-%s", index, field);

  data->inspector = self;
  data->gate = g_object_ref (gate);
  data->index = index;
  data->field = field;
  g_object_set_data_full (G_OBJECT (widget), "cell", data, (GDestroyNotify) cell_data_free);
  g_hash_table_replace (self->rows, g_steal_pointer (&key), widget);
}

/* The field of a check that @field names. */
static char **
check_field (SluiceGateCheck *check,
             const char      *field)
{
  if (g_str_equal (field, "name"))
    return &check->name;
  if (g_str_equal (field, "value"))
    return &check->value;
  if (g_str_equal (field, "op"))
    return &check->op;
  if (g_str_equal (field, "threshold"))
    return &check->threshold;
  if (g_str_equal (field, "min"))
    return &check->min;
  if (g_str_equal (field, "max"))
    return &check->max;
  if (g_str_equal (field, "relative-to"))
    return &check->relative_to;
  g_assert_not_reached ();
}

/* Fields a check may leave out are removed when emptied; the others
 * stay, empty, for the validator to name. */
static gboolean
field_is_optional (const char *field)
{
  return g_str_equal (field, "relative-to") || g_str_equal (field, "min") || g_str_equal (field, "max");
}

static void
push_checks (SluiceInspector *self,
             SluiceGate      *gate,
             GPtrArray       *checks,
             const char      *merge_key,
             gboolean         rebuild)
{
  _sluice_inspector_push (self, sluice_gate_checks_command_new (gate, checks, merge_key));
  if (rebuild)
    _sluice_inspector_queue_rebuild (self);
}

static void
entry_changed_cb (GtkEditable *entry,
                  gpointer     user_data)
{
  CellData *data = g_object_get_data (G_OBJECT (entry), "cell");
  g_autoptr(GPtrArray) checks = sluice_gate_dup_checks (data->gate);
  g_autofree char *merge_key = g_strdup_printf ("check-%u-%s", data->index, data->field);
  const char *text = gtk_editable_get_text (entry);
  char **field;

  if (data->index >= checks->len)
    return;
  field = check_field (g_ptr_array_index (checks, data->index), data->field);
  g_free (*field);
  *field = *text == '\0' && field_is_optional (data->field) ? NULL : g_strdup (text);
  push_checks (data->inspector, data->gate, checks, merge_key, FALSE);
}

/* A new op may need other cells: between takes min and max, the others
 * a threshold. What the old op had is carried over where it fits. */
static void
op_changed_cb (GtkDropDown *dropdown,
               GParamSpec  *pspec,
               gpointer     user_data)
{
  CellData *data = g_object_get_data (G_OBJECT (dropdown), "cell");
  g_autoptr(GPtrArray) checks = sluice_gate_dup_checks (data->gate);
  guint selected = gtk_drop_down_get_selected (dropdown);
  SluiceGateCheck *check;
  gboolean was_between, is_between;

  if (data->index >= checks->len || selected >= G_N_ELEMENTS (ops) - 1)
    return;
  check = g_ptr_array_index (checks, data->index);
  if (g_strcmp0 (check->op, ops[selected]) == 0)
    return;
  was_between = g_strcmp0 (check->op, "between") == 0;
  is_between = g_str_equal (ops[selected], "between");
  g_free (check->op);
  check->op = g_strdup (ops[selected]);
  if (is_between && !was_between)
    {
      check->min = g_steal_pointer (&check->threshold);
      g_clear_pointer (&check->max, g_free);
    }
  else if (was_between && !is_between)
    {
      check->threshold = g_strdup (check->min != NULL ? check->min : check->max != NULL ? check->max : "0");
      g_clear_pointer (&check->min, g_free);
      g_clear_pointer (&check->max, g_free);
    }
  push_checks (data->inspector, data->gate, checks, NULL, was_between != is_between);
}

static void
remove_clicked_cb (GtkButton *button,
                   gpointer   user_data)
{
  CellData *data = g_object_get_data (G_OBJECT (button), "cell");
  g_autoptr(GPtrArray) checks = sluice_gate_dup_checks (data->gate);

  if (data->index >= checks->len)
    return;
  g_ptr_array_remove_index (checks, data->index);
  push_checks (data->inspector, data->gate, checks, NULL, TRUE);
}

static void
add_clicked_cb (GtkButton *button,
                gpointer   user_data)
{
  SluiceInspector *self = user_data;
  SluiceGate *gate = g_object_get_data (G_OBJECT (button), "gate");
  g_autoptr(GPtrArray) checks = sluice_gate_dup_checks (gate);
  g_autofree char *name = g_strdup_printf (_("Check %u"), checks->len + 1);
  g_autofree char *focus = g_strdup_printf ("check-%u-name", checks->len);

  g_ptr_array_add (checks, sluice_gate_check_new (name, "item.value", ">=", "0"));
  push_checks (self, gate, checks, NULL, TRUE);
  sluice_inspector_focus_row (self, focus);
}

static GtkWidget *
cell_entry (SluiceInspector *self,
            SluiceGate      *gate,
            guint            index,
            const char      *field,
            const char      *text,
            const char      *placeholder,
            int              width_chars)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), width_chars);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_widget_set_tooltip_text (entry, placeholder);
  bind_cell (self, entry, gate, index, field);
  g_signal_connect (entry, "changed", G_CALLBACK (entry_changed_cb), NULL);
  return entry;
}

static GtkWidget *
header_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
attach_check (SluiceInspector       *self,
              GtkGrid               *grid,
              SluiceGate            *gate,
              guint                  index,
              const SluiceGateCheck *check,
              int                    row)
{
  GtkWidget *op = gtk_drop_down_new_from_strings (ops);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *remove_key = g_strdup_printf ("check-%u-remove", index);
  guint selected = GTK_INVALID_LIST_POSITION;

  gtk_grid_attach (grid, cell_entry (self, gate, index, "name", check->name, _("Name"), 6), 0, row, 1, 1);

  for (guint i = 0; ops[i] != NULL; i++)
    if (g_strcmp0 (check->op, ops[i]) == 0)
      selected = i;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (op), selected);
  gtk_widget_set_tooltip_text (op, _("How the value is compared"));
  bind_cell (self, op, gate, index, "op");
  g_signal_connect (op, "notify::selected", G_CALLBACK (op_changed_cb), NULL);
  gtk_grid_attach (grid, op, 1, row, 1, 1);

  if (g_strcmp0 (check->op, "between") == 0)
    {
      GtkWidget *range = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);

      gtk_box_append (GTK_BOX (range), cell_entry (self, gate, index, "min", check->min, _("Min"), 3));
      gtk_box_append (GTK_BOX (range), cell_entry (self, gate, index, "max", check->max, _("Max"), 3));
      gtk_grid_attach (grid, range, 2, row, 1, 1);
    }
  else
    gtk_grid_attach (grid, cell_entry (self, gate, index, "threshold", check->threshold,
                                       _("Threshold: a number or ${parameter}"), 5), 2, row, 1, 1);

  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove this check"));
  bind_cell (self, remove, gate, index, "remove");
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), NULL);
  gtk_grid_attach (grid, remove, 3, row, 1, 1);

  gtk_grid_attach (grid, cell_entry (self, gate, index, "value", check->value,
                                     _("Value: a path such as item.a.b"), 8), 0, row + 1, 2, 1);
  gtk_grid_attach (grid, cell_entry (self, gate, index, "relative-to", check->relative_to,
                                     _("Relative to (optional path)"), 6), 2, row + 1, 2, 1);
  gtk_widget_set_margin_bottom (gtk_grid_get_child_at (grid, 0, row + 1), 8);
}

void
_sluice_inspector_build_gate (SluiceInspector *self,
                              SluiceGate      *gate)
{
  AdwPreferencesGroup *group = _sluice_inspector_add_group (self, _("Checks"));
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *add = gtk_button_new_with_mnemonic (_("_Add Check"));
  guint n = sluice_gate_get_n_checks (gate);

  adw_preferences_group_set_description (group,
    _("Every check must pass for an item to go on. Values are paths into the item; "
      "thresholds are numbers or ${parameters}; relative to a path, the check measures "
      "the drop from that value."));
  gtk_widget_set_name (grid, "gate-checks");
  gtk_grid_set_column_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Check")), 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Op")), 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), header_label (_("Threshold")), 2, 0, 1, 1);
  for (guint i = 0; i < n; i++)
    attach_check (self, GTK_GRID (grid), gate, i, sluice_gate_get_check (gate, i), 1 + 2 * (int) i);

  g_object_set_data_full (G_OBJECT (add), "gate", g_object_ref (gate), g_object_unref);
  g_signal_connect (add, "clicked", G_CALLBACK (add_clicked_cb), self);
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  g_hash_table_replace (self->rows, g_strdup ("check-add"), add);
  gtk_grid_attach (GTK_GRID (grid), add, 0, 1 + 2 * (int) n, 2, 1);
  adw_preferences_group_add (group, grid);
}
