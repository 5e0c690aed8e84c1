/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "sluice-inspector-private.h"
#include "sluice-tool-params.h"

/* A tool parameter's row, by its declared type: a switch for a bool, a
 * spin button for an int, a drop-down for a choice, several lines for
 * text, a file chooser for a path, a password entry for a secret, an
 * entry otherwise. A value the widget cannot show (a ${name}, or one
 * that does not fit the type) gets an entry, so nothing is lost; the
 * validator says what is wrong with it. The row's key ("param:NAME")
 * names the widget that edits the value. */

static void
set_value (SluiceInspector *self,
           GObject         *widget,
           const char      *value)
{
  _sluice_inspector_push (self, sluice_tool_param_command_new (SLUICE_EXECUTION (self->node),
                                                               g_object_get_data (widget, "param"),
                                                               value != NULL && *value ? value : NULL));
}

static void
entry_changed_cb (GtkEditable     *editable,
                  SluiceInspector *self)
{
  set_value (self, G_OBJECT (editable), gtk_editable_get_text (editable));
}

static void
switch_cb (GtkSwitch       *widget,
           GParamSpec      *pspec,
           SluiceInspector *self)
{
  set_value (self, G_OBJECT (widget), gtk_switch_get_active (widget) ? "true" : "false");
}

static void
spin_cb (GtkSpinButton   *spin,
         SluiceInspector *self)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) gtk_spin_button_get_value (spin));

  set_value (self, G_OBJECT (spin), text);
}

static void
choice_cb (AdwComboRow     *row,
           GParamSpec      *pspec,
           SluiceInspector *self)
{
  const SluiceToolParamInfo *info = g_object_get_data (G_OBJECT (row), "info");
  guint selected = adw_combo_row_get_selected (row);

  if (selected < g_strv_length ((char **) info->choices))
    set_value (self, G_OBJECT (row), info->choices[selected]);
}

static void
text_cb (GtkTextBuffer   *buffer,
         SluiceInspector *self)
{
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  set_value (self, G_OBJECT (buffer), text);
}

static void
register_row (SluiceInspector *self,
              GtkWidget       *editor,
              const char      *name)
{
  g_hash_table_replace (self->rows, g_strdup_printf ("param:%s", name), editor);
}

static void
describe (GtkWidget                 *row,
          const SluiceToolParamInfo *info)
{
  g_autofree char *title = info->required ? g_strdup_printf ("%s *", info->name) : g_strdup (info->name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (info->description != NULL)
    gtk_widget_set_tooltip_text (row, _(info->description));
}

static GtkWidget *
add_entry (SluiceInspector           *self,
           AdwPreferencesGroup       *group,
           const SluiceToolParamInfo *info,
           const char                *value,
           gboolean                   password)
{
  GtkWidget *row = password ? adw_password_entry_row_new () : adw_entry_row_new ();

  describe (row, info);
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  g_object_set_data_full (G_OBJECT (row), "param", g_strdup (info->name), g_free);
  g_signal_connect (row, "changed", G_CALLBACK (entry_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static GtkWidget *
add_switch (SluiceInspector           *self,
            AdwPreferencesGroup       *group,
            const SluiceToolParamInfo *info,
            gboolean                   active)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *widget = gtk_switch_new ();

  describe (row, info);
  gtk_switch_set_active (GTK_SWITCH (widget), active);
  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), widget);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), widget);
  g_object_set_data_full (G_OBJECT (widget), "param", g_strdup (info->name), g_free);
  g_signal_connect (widget, "notify::active", G_CALLBACK (switch_cb), self);
  adw_preferences_group_add (group, row);
  return widget;
}

static GtkWidget *
add_spin (SluiceInspector           *self,
          AdwPreferencesGroup       *group,
          const SluiceToolParamInfo *info,
          gint64                     value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (-1e15, 1e15, 1);

  describe (row, info);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), (double) value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  g_object_set_data_full (G_OBJECT (spin), "param", g_strdup (info->name), g_free);
  g_signal_connect (spin, "value-changed", G_CALLBACK (spin_cb), self);
  adw_preferences_group_add (group, row);
  return spin;
}

static GtkWidget *
add_choice (SluiceInspector           *self,
            AdwPreferencesGroup       *group,
            const SluiceToolParamInfo *info,
            guint                      selected)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new ((const char * const *) info->choices);
  GtkWidget *row = adw_combo_row_new ();

  describe (row, info);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  g_object_set_data (G_OBJECT (row), "info", (gpointer) info);
  g_object_set_data_full (G_OBJECT (row), "param", g_strdup (info->name), g_free);
  g_signal_connect (row, "notify::selected", G_CALLBACK (choice_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static GtkWidget *
add_text (SluiceInspector           *self,
          AdwPreferencesGroup       *group,
          const SluiceToolParamInfo *info,
          const char                *value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (info->name);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (box, 12);
  if (info->description != NULL)
    gtk_widget_set_tooltip_text (view, _(info->description));
  gtk_text_buffer_set_text (buffer, value != NULL ? value : "", -1);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, info->name, -1);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 90);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), frame);
  g_object_set_data_full (G_OBJECT (buffer), "param", g_strdup (info->name), g_free);
  g_signal_connect (buffer, "changed", G_CALLBACK (text_cb), self);
  adw_preferences_group_add (group, box);
  return view;
}

/* Paths are kept relative to the pipeline's folder when they are inside
 * it, so that the pipeline can move with its data. */
static char *
relative_path (SluiceInspector *self,
               GFile           *chosen)
{
  GFile *document = sluice_document_get_file (self->document);
  g_autoptr(GFile) folder = document != NULL ? g_file_get_parent (document) : NULL;
  char *relative = folder != NULL ? g_file_get_relative_path (folder, chosen) : NULL;

  return relative != NULL ? relative : g_file_get_path (chosen);
}

static void
file_chosen_cb (GtkNativeDialog *dialog,
                int              response,
                gpointer         data)
{
  GtkEditable *entry = data;
  SluiceInspector *self = g_object_get_data (G_OBJECT (dialog), "inspector");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? relative_path (self, file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (entry, path);
    }
  g_object_unref (dialog);
}

static void
choose_file_cb (GtkButton       *button,
                SluiceInspector *self)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (button), "entry");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Choose a File"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));

  g_object_set_data (G_OBJECT (dialog), "inspector", self);
  g_signal_connect_object (dialog, "response", G_CALLBACK (file_chosen_cb), entry, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static GtkWidget *
add_path (SluiceInspector           *self,
          AdwPreferencesGroup       *group,
          const SluiceToolParamInfo *info,
          const char                *value)
{
  GtkWidget *row = add_entry (self, group, info, value, FALSE);
  GtkWidget *button = gtk_button_new_from_icon_name ("document-open-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Choose a file"));
  g_object_set_data (G_OBJECT (button), "entry", row);
  g_signal_connect (button, "clicked", G_CALLBACK (choose_file_cb), self);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
  g_object_set_data (G_OBJECT (row), "choose", button);
  return row;
}

void
_sluice_inspector_add_tool_param_row (SluiceInspector           *self,
                                      AdwPreferencesGroup       *group,
                                      const SluiceToolParamInfo *info)
{
  const char *value = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (self->node), info->name);
  const char *shown = value != NULL ? value : info->default_value;
  g_autofree char *why = shown != NULL ? sluice_tool_param_check_value (info, shown) : NULL;
  gboolean fits = why == NULL;
  GtkWidget *editor = NULL;

  /* A ${name} or a bad value stays editable as text. */
  if (value != NULL && (strstr (value, "${") != NULL || !fits))
    {
      register_row (self, add_entry (self, group, info, value, info->type == SLUICE_TOOL_PARAM_SECRET), info->name);
      return;
    }

  switch (info->type)
    {
    case SLUICE_TOOL_PARAM_BOOL:
      {
        gboolean active = FALSE;

        if (shown != NULL)
          sluice_tool_param_parse_bool (shown, &active);
        editor = add_switch (self, group, info, active);
      }
      break;

    case SLUICE_TOOL_PARAM_INT:
      {
        gint64 number = shown != NULL ? g_ascii_strtoll (shown, NULL, 10) : 0;

        editor = add_spin (self, group, info, number);
      }
      break;

    case SLUICE_TOOL_PARAM_CHOICE:
      {
        guint selected = 0;

        for (guint i = 0; info->choices != NULL && info->choices[i] != NULL; i++)
          if (g_strcmp0 (info->choices[i], shown) == 0)
            selected = i;
        editor = add_choice (self, group, info, selected);
      }
      break;

    case SLUICE_TOOL_PARAM_TEXT:
      editor = add_text (self, group, info, value);
      break;

    case SLUICE_TOOL_PARAM_PATH:
      editor = add_path (self, group, info, value);
      break;

    case SLUICE_TOOL_PARAM_SECRET:
      editor = add_entry (self, group, info, value, TRUE);
      break;

    case SLUICE_TOOL_PARAM_DURATION:
    case SLUICE_TOOL_PARAM_FLOAT:
    case SLUICE_TOOL_PARAM_STRING:
    default:
      editor = add_entry (self, group, info, value, FALSE);
      if (info->default_value != NULL && value == NULL)
        {
          g_autofree char *hint = g_strdup_printf (_("Default: %s"), info->default_value);
          gtk_widget_set_tooltip_text (editor, hint);
        }
      break;
    }

  register_row (self, editor, info->name);
}
