/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include "sluice-commands.h"
#include "sluice-inspector-private.h"

/* Rows bound to a node's properties: every edit is an undoable command,
 * and a change from elsewhere (undo, another view) updates the row. */

/* Pushes an edit without rebuilding the panel under the user's fingers. */
void
_sluice_inspector_push (SluiceInspector *self,
                        SluiceCommand   *command)
{
  self->updating = TRUE;
  sluice_document_push (self->document, command);
  self->updating = FALSE;
}

GObject *
_sluice_inspector_row_target (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "target");
}

static const char *
row_property (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "property");
}

void
_sluice_inspector_bind_row (SluiceInspector *self,
                            GtkWidget       *row,
                            GObject         *target,
                            const char      *property,
                            const char      *key)
{
  g_object_set_data_full (G_OBJECT (row), "target", g_object_ref (target), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "property", g_strdup (property), g_free);
  if (key != NULL)
    g_hash_table_replace (self->rows, g_strdup (key), row);
}

AdwPreferencesGroup *
_sluice_inspector_add_group (SluiceInspector *self,
                             const char      *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->content), group);
  return ADW_PREFERENCES_GROUP (group);
}

void
_sluice_inspector_string_changed_cb (GtkEditable     *row,
                                     SluiceInspector *self)
{
  const char *text = gtk_editable_get_text (row);

  _sluice_inspector_push (self, sluice_set_string_command_new (_sluice_inspector_row_target (GTK_WIDGET (row)), row_property (GTK_WIDGET (row)),
                                             *text ? text : NULL));
}

GtkWidget *
_sluice_inspector_new_string_row (SluiceInspector *self,
                                  GObject         *target,
                                  const char      *property,
                                  const char      *title,
                                  const char      *key)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *value = NULL;

  g_object_get (target, property, &value, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
  _sluice_inspector_bind_row (self, row, target, property, key);
  g_signal_connect (row, "changed", G_CALLBACK (_sluice_inspector_string_changed_cb), self);
  return row;
}

GtkWidget *
_sluice_inspector_add_string_row (SluiceInspector     *self,
                                  AdwPreferencesGroup *group,
                                  GObject             *target,
                                  const char          *property,
                                  const char          *title,
                                  const char          *key)
{
  GtkWidget *row = _sluice_inspector_new_string_row (self, target, property, title, key);

  adw_preferences_group_add (group, row);
  return row;
}

void
_sluice_inspector_timeout_changed_cb (GtkEditable     *row,
                                      SluiceInspector *self)
{
  const char *text = gtk_editable_get_text (row);
  gint64 ms = 0;

  if (*text != '\0' && !sluice_duration_parse (text, &ms))
    {
      /* Said at once, before anything reaches the model. */
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), _("Write a duration such as 250ms, 30s or 5m"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_INT64);
    g_value_set_int64 (&value, ms);
    _sluice_inspector_push (self, sluice_set_property_command_new (_sluice_inspector_row_target (GTK_WIDGET (row)), "timeout-ms", &value));
  }
}

static void
spin_changed_cb (GtkSpinButton   *spin,
                 SluiceInspector *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (spin), "row");
  GObject *target = _sluice_inspector_row_target (row);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), row_property (row));
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, gtk_spin_button_get_value (spin));
  if (pspec->value_type == G_TYPE_UINT)
    {
      g_auto(GValue) uvalue = G_VALUE_INIT;

      g_value_init (&uvalue, G_TYPE_UINT);
      g_value_set_uint (&uvalue, (guint) gtk_spin_button_get_value_as_int (spin));
      _sluice_inspector_push (self, sluice_set_property_command_new (target, row_property (row), &uvalue));
      return;
    }
  _sluice_inspector_push (self, sluice_set_property_command_new (target, row_property (row), &value));
}

GtkWidget *
_sluice_inspector_add_spin_row (SluiceInspector     *self,
                                AdwPreferencesGroup *group,
                                GObject             *target,
                                const char          *property,
                                const char          *title,
                                const char          *subtitle,
                                double               min,
                                double               max,
                                double               step,
                                guint                digits,
                                const char          *key)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), property);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (target, property, &value);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), pspec->value_type == G_TYPE_UINT ?
                             (double) g_value_get_uint (&value) : g_value_get_double (&value));
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  _sluice_inspector_bind_row (self, row, target, property, key);
  g_object_set_data (G_OBJECT (spin), "row", row);
  g_signal_connect (spin, "value-changed", G_CALLBACK (spin_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static void
enum_changed_cb (AdwComboRow     *row,
                 GParamSpec      *pspec,
                 SluiceInspector *self)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GObject *target = _sluice_inspector_row_target (GTK_WIDGET (row));
  GParamSpec *prop = g_object_class_find_property (G_OBJECT_GET_CLASS (target), row_property (GTK_WIDGET (row)));

  g_value_init (&value, prop->value_type);
  g_value_set_enum (&value, adw_combo_row_get_selected (row));
  _sluice_inspector_push (self, sluice_set_property_command_new (target, row_property (GTK_WIDGET (row)), &value));
}

GtkWidget *
_sluice_inspector_add_enum_row (SluiceInspector     *self,
                                AdwPreferencesGroup *group,
                                GObject             *target,
                                const char          *property,
                                const char          *title,
                                const char * const  *labels,
                                const char          *key)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);
  int current;

  g_object_get (target, property, &current, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), current);
  _sluice_inspector_bind_row (self, row, target, property, key);
  g_signal_connect (row, "notify::selected", G_CALLBACK (enum_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}
