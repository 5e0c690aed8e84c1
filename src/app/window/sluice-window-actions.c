/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sluice-edits.h"
#include "sluice-export.h"
#include "sluice-trust-dialog.h"
#include "sluice-window-private.h"
#include "sluice-window-run.h"

static void
set_enabled (SluiceWindow *self,
             const char   *name,
             gboolean      enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
sluice_window_update_actions (SluiceWindow *self)
{
  SluiceCommandStack *history;
  gboolean selected, editable;

  if (self->document == NULL || self->canvas == NULL)
    return;
  history = sluice_document_get_history (self->document);
  selected = sluice_canvas_get_selection (self->canvas)->len > 0;
  /* A run locks every edit; when it ends, this gives them all back,
   * including those that do not depend on the selection (the palette's
   * rows are insensitive while win.insert is disabled). */
  editable = !sluice_window_get_run_locked (self);
  set_enabled (self, "undo", editable && sluice_command_stack_get_can_undo (history));
  set_enabled (self, "redo", editable && sluice_command_stack_get_can_redo (history));
  set_enabled (self, "cut", editable && selected);
  set_enabled (self, "copy", selected);
  set_enabled (self, "delete", editable && selected);
  set_enabled (self, "duplicate", editable && selected);
  set_enabled (self, "move-up", editable && selected);
  set_enabled (self, "move-down", editable && selected);
  set_enabled (self, "paste", editable);
  set_enabled (self, "paste-xml", editable);
  set_enabled (self, "move-to", editable);
  set_enabled (self, "insert", editable);
  set_enabled (self, "reload", editable && sluice_document_get_file (self->document) != NULL);
}

/* Saving ------------------------------------------------------------------------- */

gboolean
sluice_window_save_to (SluiceWindow *self,
                       GFile        *file)
{
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!sluice_document_save (self->document, file, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

      sluice_window_toast (self, message);
      return FALSE;
    }
  if (SLUICE_IS_APPLICATION (app))
    sluice_application_add_recent (SLUICE_APPLICATION (app), sluice_document_get_file (self->document));
  /* What the user wrote or trusted here is theirs: opening the saved
   * file again later asks nothing either. */
  if (self->vouched)
    {
      g_autofree char *hash = sluice_trust_hash (sluice_document_get_pipeline (self->document));
      g_autoptr(GError) trust_error = NULL;

      if (!sluice_trust_is_trusted (hash) && !sluice_trust_remember (hash, &trust_error))
        g_debug ("Could not remember %s as trusted: %s", hash, trust_error->message);
    }
  return TRUE;
}

typedef struct
{
  SluiceSavedFunc then;
  gpointer        user_data;
} SaveThen;

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  SaveThen        *data)
{
  SluiceWindow *self = g_object_get_data (G_OBJECT (dialog), "window");
  gboolean saved = FALSE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      saved = sluice_window_save_to (self, file);
    }
  if (data->then != NULL)
    data->then (self, saved, data->user_data);
  g_free (data);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
sluice_window_save_then (SluiceWindow    *self,
                         gboolean         ask,
                         SluiceSavedFunc  then,
                         gpointer         user_data)
{
  GtkFileChooserNative *chooser;
  SaveThen *data;
  GFile *file = sluice_document_get_file (self->document);

  if (!ask && file != NULL)
    {
      gboolean saved = sluice_window_save_to (self, NULL);

      if (then != NULL)
        then (self, saved, user_data);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Pipeline"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (file != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL);
  else
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("pipeline.xml"));
  data = g_new0 (SaveThen, 1);
  data->then = then;
  data->user_data = user_data;
  g_object_set_data (G_OBJECT (chooser), "window", self);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_window_save_then (user_data, FALSE, NULL, NULL);
}

static void
save_as_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_window_save_then (user_data, TRUE, NULL, NULL);
}

/* For scripts and tests: save to a path without a dialog. */
static void
save_to_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (param, NULL));

  sluice_window_save_to (user_data, file);
}

static void
close_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
}

static void
reload_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  GFile *file = sluice_document_get_file (self->document);

  if (file != NULL)
    {
      g_autoptr(GFile) keep = g_object_ref (file);
      sluice_window_load (self, keep);
    }
}

/* Editing ---------------------------------------------------------------------- */

static void
undo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  sluice_document_undo (self->document);
}

static void
redo_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  sluice_document_redo (self->document);
}

static void
copy_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  g_autofree char *xml = sluice_edit_copy_xml (self->document, sluice_canvas_get_selection (self->canvas));

  if (xml != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), xml);
}

static void
delete_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  GPtrArray *selection = sluice_canvas_get_selection (self->canvas);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func (g_object_unref);

  /* Deleting changes the selection: work on a copy. */
  for (guint i = 0; i < selection->len; i++)
    g_ptr_array_add (nodes, g_object_ref (selection->pdata[i]));
  sluice_edit_delete (self->document, nodes);
}

static void
cut_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  copy_activated (action, param, user_data);
  delete_activated (action, param, user_data);
}

static void
paste_text (SluiceWindow *self,
            const char   *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pasted = NULL;

  pasted = sluice_edit_paste_xml (self->document, text, sluice_canvas_get_focus_node (self->canvas), &error);
  if (pasted == NULL)
    {
      sluice_window_toast (self, error->message);
      return;
    }
  sluice_canvas_select_nodes (self->canvas, pasted);
  /* A pasted controller goes after the others: show what was pasted. */
  if (pasted->len > 0)
    sluice_canvas_reveal (self->canvas, g_ptr_array_index (pasted, 0));
}

static void
paste_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SluiceWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (text == NULL)
    {
      sluice_window_toast (self, _("The clipboard holds no text to paste"));
      return;
    }
  paste_text (self, text);
}

static void
paste_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (self)), NULL,
                                 paste_read_cb, g_object_ref (self));
}

static void
paste_xml_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  paste_text (user_data, g_variant_get_string (param, NULL));
}

static void
duplicate_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  g_autofree char *xml = sluice_edit_copy_xml (self->document, sluice_canvas_get_selection (self->canvas));

  if (xml != NULL)
    paste_text (self, xml);
}

static void
select_all_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  sluice_canvas_select_all (self->canvas);
}

static void
select_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  const char *id = g_variant_get_string (param, NULL);
  SluiceNode *node = sluice_pipeline_find_node (sluice_document_get_pipeline (self->document), id);

  if (node == NULL || SLUICE_IS_PIPELINE (node))
    {
      sluice_canvas_unselect_all (self->canvas);
      return;
    }
  sluice_canvas_select (self->canvas, node, FALSE);
  sluice_canvas_reveal (self->canvas, node);
}

static void
find_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
move_by (SluiceWindow *self,
         int           delta)
{
  SluiceNode *node = sluice_canvas_get_focus_node (self->canvas);

  if (node != NULL && !sluice_edit_move_by (self->document, node, delta))
    gtk_widget_error_bell (GTK_WIDGET (self));
}

static void
move_up_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  move_by (user_data, -1);
}

static void
move_down_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  move_by (user_data, +1);
}

/* Moves the selected node to a position in a container, by ids: for
 * scripts and tests, what a drag on the canvas does. */
static void
move_to_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);
  const char *node_id, *container_id, *branch;
  guint position;
  SluiceNode *node, *container;
  GListModel *list = NULL;

  g_variant_get (param, "(&s&s&su)", &node_id, &container_id, &branch, &position);
  node = sluice_pipeline_find_node (pipeline, node_id);
  container = sluice_pipeline_find_node (pipeline, container_id);
  if (node == NULL || container == NULL)
    return;
  if (SLUICE_IS_CONTROLLER (container))
    list = sluice_controller_get_phases (SLUICE_CONTROLLER (container));
  else if (SLUICE_IS_PHASE (container))
    list = sluice_phase_get_modules (SLUICE_PHASE (container));
  else if (SLUICE_IS_COMBINATION (container))
    list = sluice_combination_get_modules (SLUICE_COMBINATION (container));
  else if (SLUICE_IS_CONDITION (container))
    list = g_str_equal (branch, "else") ? sluice_condition_get_else_modules (SLUICE_CONDITION (container))
                                        : sluice_condition_get_then_modules (SLUICE_CONDITION (container));
  if (list == NULL || (SLUICE_IS_PHASE (node) != SLUICE_IS_CONTROLLER (container)))
    return;
  sluice_edit_move (self->document, node, container, list, MIN (position, g_list_model_get_n_items (list)));
}

static void
insert_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  const char *kind = g_variant_get_string (param, NULL);
  g_autoptr(SluiceNode) node = sluice_edit_create_node (self->document, kind);
  SluiceNode *owner;
  GListModel *list;
  guint position;

  if (node == NULL)
    return;
  if (!sluice_edit_insertion_point (self->document, sluice_canvas_get_focus_node (self->canvas),
                                    G_OBJECT_TYPE (node), &owner, &list, &position))
    {
      sluice_window_toast (self, _("Add a controller and a phase first"));
      return;
    }
  sluice_edit_insert (self->document, node, owner, list, position);
  sluice_canvas_select (self->canvas, node, FALSE);
  sluice_canvas_reveal (self->canvas, node);
}

static void
toggle_collapse_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  SluiceNode *node = sluice_canvas_get_focus_node (self->canvas);

  if (node != NULL && SLUICE_IS_COMBINATION (node))
    sluice_canvas_toggle_collapsed (self->canvas, node);
}

static void
relayout_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  g_autoptr(SluiceViewState) state = sluice_view_state_copy (sluice_document_get_view_state (self->document));

  if (g_hash_table_size (state->positions) == 0)
    {
      sluice_canvas_zoom_to_fit (self->canvas);
      return;
    }
  /* Forget where the user put the controllers. */
  g_hash_table_remove_all (state->positions);
  sluice_document_push_view_state (self->document, state, _("Arrange"));
  sluice_canvas_zoom_to_fit (self->canvas);
}

/* View ------------------------------------------------------------------------------ */

static void
zoom_in_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_canvas_zoom (((SluiceWindow *) user_data)->canvas, 1.25);
}

static void
zoom_out_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_canvas_zoom (((SluiceWindow *) user_data)->canvas, 0.8);
}

static void
zoom_reset_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_canvas_zoom_reset (((SluiceWindow *) user_data)->canvas);
}

static void
zoom_fit_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  sluice_canvas_zoom_to_fit (((SluiceWindow *) user_data)->canvas);
}

static void
toggle_state (GSimpleAction *action)
{
  GVariant *state = g_action_get_state (G_ACTION (action));

  g_action_change_state (G_ACTION (action), g_variant_new_boolean (!g_variant_get_boolean (state)));
  g_variant_unref (state);
}

static void
show_palette_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  SluiceWindow *self = user_data;

  gtk_widget_set_visible (self->palette_pane, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
show_inspector_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  SluiceWindow *self = user_data;

  gtk_widget_set_visible (self->inspector_pane, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
show_problems_changed (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  SluiceWindow *self = user_data;

  gtk_widget_set_visible (self->problems_box, g_variant_get_boolean (value));
  g_simple_action_set_state (action, value);
}

static void
toggle_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  toggle_state (action);
}

/* Export ------------------------------------------------------------------------------ */

static void
export_rendered_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SluiceWindow *self = g_task_get_source_object (task);
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sluice_export_render_finish (result, &error);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *message = NULL;

  if (bytes == NULL ||
      !g_file_replace_contents (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
    message = g_strdup_printf (_("Could not export %s: %s"), name, error->message);
  else
    message = g_strdup_printf (_("Exported %s"), name);
  sluice_window_toast (self, message);
  g_task_return_boolean (task, bytes != NULL);
}

/* Exports to @file in @format ("dot", "svg" or "png"); DOT is written
 * as generated, the others are rendered on the graphviz thread. */
static void
export_to (SluiceWindow *self,
           GFile        *file,
           const char   *format)
{
  g_autofree char *dot = sluice_export_dot (sluice_document_get_pipeline (self->document));
  GTask *task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  if (g_str_equal (format, "dot"))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *message = NULL;

      if (g_file_replace_contents (file, dot, strlen (dot), NULL, FALSE,
                                   G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &error))
        message = g_strdup_printf (_("Exported %s"), name);
      else
        message = g_strdup_printf (_("Could not export %s: %s"), name, error->message);
      sluice_window_toast (self, message);
      g_task_return_boolean (task, error == NULL);
      g_object_unref (task);
      return;
    }
  sluice_export_render_async (dot, format, NULL, export_rendered_cb, task);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    SluiceWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      export_to (self, file, g_object_get_data (G_OBJECT (dialog), "format"));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;
  const char *format = g_variant_get_string (param, NULL);
  g_autofree char *title = sluice_document_dup_title (self->document);
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (!g_str_equal (format, "dot") && !g_str_equal (format, "svg") && !g_str_equal (format, "png"))
    return;
  base = g_str_has_suffix (title, ".xml") ? g_strndup (title, strlen (title) - 4) : g_strdup ("pipeline");
  name = g_strdup_printf ("%s.%s", base, format);
  chooser = gtk_file_chooser_native_new (_("Export Pipeline"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "format", g_strdup (format), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* For scripts and tests: export to a path, format from its extension. */
static void
export_to_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  const char *path = g_variant_get_string (param, NULL);
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  const char *dot = strrchr (path, '.');

  if (dot == NULL || (!g_str_equal (dot, ".dot") && !g_str_equal (dot, ".svg") && !g_str_equal (dot, ".png")))
    {
      sluice_window_toast (user_data, _("Export to a .dot, .svg or .png file"));
      return;
    }
  export_to (user_data, file, dot + 1);
}

static void
runner_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    SluiceWindow     *self)
{
  if (g_strcmp0 (response, "copy") == 0)
    {
      gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                              g_object_get_data (G_OBJECT (dialog), "command"));
      sluice_window_toast (self, _("Command copied"));
    }
}

/* The exact command line that runs the saved file: `sluice-run FILE`,
 * or with @subcommand (`serve`) `sluice-run serve FILE`. */
static char *
runner_command (SluiceWindow *self,
                const char   *subcommand)
{
  GFile *file = sluice_document_get_file (self->document);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autofree char *quoted = path ? g_shell_quote (path) : NULL;
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (sluice_document_get_pipeline (self->document)));
  GString *command;

  if (quoted == NULL)
    return NULL;
  command = g_string_new ("sluice-run ");
  if (subcommand != NULL)
    g_string_append_printf (command, "%s ", subcommand);
  g_string_append (command, quoted);
  /* A parameter without a default must be given for a run. */
  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);

      if (sluice_parameter_get_default_value (parameter) == NULL)
        g_string_append_printf (command, " -D %s=VALUE", sluice_parameter_get_name (parameter));
    }
  return g_string_free (command, FALSE);
}

char *
sluice_window_runner_command (SluiceWindow *self)
{
  return runner_command (self, NULL);
}

/* What `sluice-run serve` needs beyond the file: where it listens (the
 * loopback, as serve's default, on a fixed port so callers can be
 * configured) and who may call it. */
char *
sluice_window_serve_command (SluiceWindow *self)
{
  g_autofree char *command = runner_command (self, "serve");

  if (command == NULL)
    return NULL;
  return g_strconcat (command, " --listen 127.0.0.1:8080 --token-file TOKEN-FILE", NULL);
}

static gboolean
runner_command_needs_values (SluiceWindow *self)
{
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (sluice_document_get_pipeline (self->document)));

  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);

      if (sluice_parameter_get_default_value (parameter) == NULL)
        return TRUE;
    }
  return FALSE;
}

/* A dialog showing @command, selectable, with a Copy button. */
static void
show_command_dialog (SluiceWindow *self,
                     const char   *heading,
                     const char   *body,
                     char         *command)
{
  AdwMessageDialog *dialog;
  GtkWidget *label;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  label = gtk_label_new (command);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "card");
  gtk_widget_add_css_class (label, "runner-command");
  adw_message_dialog_set_extra_child (dialog, label);
  adw_message_dialog_add_responses (dialog, "close", _("_Close"), "copy", _("C_opy"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "copy", ADW_RESPONSE_SUGGESTED);
  g_object_set_data_full (G_OBJECT (dialog), "command", command, g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (runner_response_cb), self, 0);
  g_free (self->last_message);
  self->last_message = g_strdup (command);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_runner_command (SluiceWindow *self,
                     gboolean      saved,
                     gpointer      user_data)
{
  if (!saved)
    return;
  show_command_dialog (self, _("Run It From a Terminal"),
                       runner_command_needs_values (self) ?
                       _("The pipeline is saved. This command runs it, once each VALUE is replaced by the parameter's value:") :
                       _("The pipeline is saved. This command runs it:"),
                       sluice_window_runner_command (self));
}

static void
show_serve_command (SluiceWindow *self,
                    gboolean      saved,
                    gpointer      user_data)
{
  if (!saved)
    return;
  show_command_dialog (self, _("Serve It to Other Pipelines"),
                       _("The pipeline is saved. This command serves it over HTTP, so that external modules "
                         "of other pipelines can call it: each item POSTed to it comes back as the JSON array "
                         "of its outputs. TOKEN-FILE holds the token callers must send"
                         "; replace each VALUE by the parameter's value. Add --announce URL to join a "
                         "balancer (sluice-run balance)."),
                       sluice_window_serve_command (self));
}

static void
export_runner_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  SluiceWindow *self = user_data;

  /* Always save first: the runner runs what is on disk. */
  sluice_window_save_then (self, FALSE, show_runner_command, NULL);
}

static void
serve_command_activated (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  /* Serve, too, serves what is on disk. */
  sluice_window_save_then (user_data, FALSE, show_serve_command, NULL);
}

static const GActionEntry win_actions[] = {
  { "save", save_activated },
  { "save-as", save_as_activated },
  { "save-to", save_to_activated, "s" },
  { "close", close_activated },
  { "reload", reload_activated },
  { "undo", undo_activated },
  { "redo", redo_activated },
  { "cut", cut_activated },
  { "copy", copy_activated },
  { "paste", paste_activated },
  { "paste-xml", paste_xml_activated, "s" },
  { "duplicate", duplicate_activated },
  { "delete", delete_activated },
  { "select-all", select_all_activated },
  { "select", select_activated, "s" },
  { "find", find_activated },
  { "move-up", move_up_activated },
  { "move-down", move_down_activated },
  { "move-to", move_to_activated, "(sssu)" },
  { "insert", insert_activated, "s" },
  { "toggle-collapse", toggle_collapse_activated },
  { "relayout", relayout_activated },
  { "zoom-in", zoom_in_activated },
  { "zoom-out", zoom_out_activated },
  { "zoom-reset", zoom_reset_activated },
  { "zoom-fit", zoom_fit_activated },
  { "show-palette", toggle_activated, NULL, "true", show_palette_changed },
  { "show-inspector", toggle_activated, NULL, "true", show_inspector_changed },
  { "show-problems", toggle_activated, NULL, "true", show_problems_changed },
  { "export", export_activated, "s" },
  { "export-to", export_to_activated, "s" },
  { "export-runner", export_runner_activated },
  { "serve-command", serve_command_activated },
};

void
sluice_window_add_actions (SluiceWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
}
