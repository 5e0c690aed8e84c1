/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sluice-picture-bin.h"
#include "sluice-window-private.h"
#include "sluice-window-tests.h"
#include "sluice-window-run.h"

G_DEFINE_FINAL_TYPE (SluiceWindow, sluice_window, ADW_TYPE_APPLICATION_WINDOW)

static void
update_title (SluiceWindow *self)
{
  g_autofree char *name = sluice_document_dup_title (self->document);
  g_autofree char *title = NULL;
  g_autofree char *window_title = NULL;
  GFile *file = sluice_document_get_file (self->document);
  g_autofree char *dir = NULL;

  title = sluice_document_get_modified (self->document) ? g_strdup_printf ("• %s", name) : g_strdup (name);
  adw_window_title_set_title (self->window_title, title);
  if (file != NULL)
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *path = parent ? g_file_get_path (parent) : NULL;
      const char *home = g_get_home_dir ();

      if (path != NULL && g_str_has_prefix (path, home))
        dir = g_strconcat ("~", path + strlen (home), NULL);
      else
        dir = g_steal_pointer (&path);
    }
  adw_window_title_set_subtitle (self->window_title, dir ? dir : _("Not saved yet"));
  window_title = g_strdup_printf ("%s — %s", title, _("Sluice"));
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

/* Toasts ------------------------------------------------------------------------ */

/* The zoom controls' height and their margin, and a margin above them. */
#define TOAST_ABOVE_ZOOM (12 + 34 + 12)

/* A toast spans the window's width (a long message reads whole) but
 * never covers the bottom pane, where the run panel's log and the note
 * under its stages say more of what the toast says, nor the canvas's
 * zoom controls: this window's toasts rise above them, by the pane's
 * height when the toast comes. */
static void
lift_toasts (SluiceWindow *self)
{
  GtkWidget *paned = gtk_widget_get_ancestor (GTK_WIDGET (self->canvas), GTK_TYPE_PANED);
  GtkWidget *pane = paned != NULL ? gtk_paned_get_end_child (GTK_PANED (paned)) : NULL;
  int height = pane != NULL && gtk_widget_get_mapped (pane) ? gtk_widget_get_height (pane) : 0;
  g_autofree char *css = g_strdup_printf ("toastoverlay.%s > toast { margin-bottom: %dpx; }",
                                          self->toast_class, height + TOAST_ABOVE_ZOOM);

  gtk_css_provider_load_from_data (self->toast_css, css, -1);
}

static void
add_toast (SluiceWindow *self,
           AdwToast     *toast)
{
  g_free (self->last_message);
  self->last_message = g_strdup (adw_toast_get_title (toast));
  lift_toasts (self);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
init_toasts (SluiceWindow *self)
{
  static guint n_windows;

  self->toast_class = g_strdup_printf ("sluice-toasts-%u", ++n_windows);
  gtk_widget_add_css_class (GTK_WIDGET (self->toast_overlay), self->toast_class);
  self->toast_css = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                              GTK_STYLE_PROVIDER (self->toast_css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

void
sluice_window_toast (SluiceWindow *self,
                     const char   *message)
{
  add_toast (self, adw_toast_new (message));
}

const char *
sluice_window_get_last_message (SluiceWindow *self)
{
  return self->last_message;
}

/* Problems --------------------------------------------------------------------- */

static GtkWidget *
create_problem_row (gpointer item,
                    gpointer user_data)
{
  SluiceProblem *problem = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  g_autofree char *where = NULL;
  g_autofree char *escaped = g_markup_escape_text (sluice_problem_get_message (problem), -1);
  const char *id = sluice_problem_get_node_id (problem);

  if (sluice_problem_get_line (problem) > 0 && id != NULL)
    where = g_strdup_printf (_("%s · line %u"), id, sluice_problem_get_line (problem));
  else if (sluice_problem_get_line (problem) > 0)
    where = g_strdup_printf (_("line %u"), sluice_problem_get_line (problem));
  else
    where = g_strdup (id ? id : "");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), where);
  icon = gtk_image_new_from_icon_name (sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR ?
                                       "dialog-error-symbolic" : "dialog-warning-symbolic");
  gtk_widget_add_css_class (icon, sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR ?
                            "error" : "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), id != NULL);
  g_object_set_data_full (G_OBJECT (row), "node-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (row), "problem", g_object_ref (problem), g_object_unref);
  return row;
}

static void
problem_activated_cb (SluiceWindow  *self,
                      GtkListBoxRow *row)
{
  SluiceProblem *problem = g_object_get_data (G_OBJECT (row), "problem");
  SluiceNode *node = problem ? sluice_document_find_problem_node (self->document, problem) : NULL;

  if (node == NULL)
    return;
  sluice_canvas_select (self->canvas, node, FALSE);
  sluice_canvas_reveal (self->canvas, node);
}

static void
problems_changed_cb (SluiceWindow *self)
{
  GListModel *problems = sluice_document_get_problems (self->document);
  guint n = g_list_model_get_n_items (problems), errors = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceProblem) p = g_list_model_get_item (problems, i);
      errors += sluice_problem_get_severity (p) == SLUICE_SEVERITY_ERROR;
    }
  if (n == 0)
    text = g_strdup (_("No problems"));
  else
    {
      g_autofree char *e = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error", "%u errors", errors), errors);
      g_autofree char *w = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", n - errors), n - errors);

      /* TRANSLATORS: "Problems: 2 errors, 1 warning" */
      text = g_strdup_printf (_("Problems: %s, %s"), e, w);
    }
  gtk_label_set_label (self->problems_label, text);
}

/* Document wiring -------------------------------------------------------------- */

static void
file_changed_on_disk_cb (SluiceWindow *self)
{
  AdwToast *toast = adw_toast_new (_("The file was changed by another program"));

  adw_toast_set_button_label (toast, _("_Reload"));
  adw_toast_set_action_name (toast, "win.reload");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 0);
  add_toast (self, toast);
}

static void
viewport_changed_cb (SluiceWindow *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", sluice_canvas_get_viewport (self->canvas)->zoom * 100);

  gtk_label_set_label (self->zoom_label, text);
}

static void
selection_changed_cb (SluiceWindow *self)
{
  sluice_inspector_set_selection (self->inspector, sluice_canvas_get_selection (self->canvas),
                                  sluice_canvas_get_focus_node (self->canvas));
  sluice_window_update_actions (self);
}

/* A node dropped from the palette is named next: its id is focused,
 * whatever its kind. */
static void
node_dropped_cb (SluiceWindow *self)
{
  sluice_inspector_focus_row (self->inspector, "id");
}

static void
set_document (SluiceWindow   *self,
              SluiceDocument *document,
              gboolean        vouched)
{
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_history (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
    }
  g_set_object (&self->document, document);
  self->vouched = vouched;

  g_signal_connect_object (document, "notify::modified", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::file", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "file-changed-on-disk", G_CALLBACK (file_changed_on_disk_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sluice_document_get_history (document), "notify",
                           G_CALLBACK (sluice_window_update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (sluice_document_get_problems (document), "items-changed",
                           G_CALLBACK (problems_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->problems_list, sluice_document_get_problems (document),
                           create_problem_row, NULL, NULL);

  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
    GSettings *settings = SLUICE_IS_APPLICATION (app) ? sluice_application_get_settings (SLUICE_APPLICATION (app)) : NULL;

    if (settings != NULL)
      sluice_document_set_draft_interval (document, g_settings_get_uint (settings, "draft-interval"));
  }
  sluice_canvas_set_document (self->canvas, document);
  sluice_inspector_set_document (self->inspector, document);
  sluice_tests_panel_set_document (self->tests_panel, document);
  update_title (self);
  problems_changed_cb (self);
  sluice_window_update_actions (self);
}

static void
show_error (SluiceWindow *self,
            const char   *heading,
            const char   *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_free (self->last_message);
  self->last_message = g_strdup (body);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
sluice_window_load (SluiceWindow *self,
                    GFile        *file)
{
  g_autoptr(SluiceDocument) document = sluice_document_new ();
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!sluice_document_load (document, file, &error))
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), name);

      show_error (self, heading, error->message);
      return FALSE;
    }
  set_document (self, document, FALSE);
  if (SLUICE_IS_APPLICATION (app))
    sluice_application_add_recent (SLUICE_APPLICATION (app), file);
  return TRUE;
}

gboolean
sluice_window_load_template (SluiceWindow *self,
                             const char   *name)
{
  g_autoptr(SluiceDocument) document = sluice_document_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) built_in = NULL;
  g_autofree char *resource = g_strdup_printf ("/org/sluice/core/templates/%s.xml", name);

  if (!sluice_document_load_template (document, name, &error))
    {
      show_error (self, _("Could Not Use the Template"), error->message);
      return FALSE;
    }
  /* Sluice's own templates are as safe as an empty window; one a plug-in
   * installed shows what it runs first, like a file from disk. */
  built_in = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  set_document (self, document, built_in != NULL);
  return TRUE;
}

gboolean
sluice_window_load_draft (SluiceWindow *self,
                          const char   *draft,
                          GFile        *file)
{
  g_autoptr(SluiceDocument) document = sluice_document_new ();
  g_autoptr(GError) error = NULL;

  if (!sluice_document_load_draft (document, draft, file, &error))
    {
      show_error (self, _("Could Not Restore the Draft"), error->message);
      return FALSE;
    }
  /* A draft of an untitled window holds only what was written in it. */
  set_document (self, document, file == NULL);
  return TRUE;
}

gboolean
sluice_window_is_pristine (SluiceWindow *self)
{
  return sluice_document_get_file (self->document) == NULL &&
         !sluice_command_stack_get_can_undo (sluice_document_get_history (self->document)) &&
         !sluice_document_get_modified (self->document);
}

SluiceDocument *
sluice_window_get_document (SluiceWindow *self)
{
  return self->document;
}

SluiceCanvas *
sluice_window_get_canvas (SluiceWindow *self)
{
  return self->canvas;
}

/* Closing ------------------------------------------------------------------------ */

static void
saved_then_close (SluiceWindow *self,
                  gboolean      saved,
                  gpointer      user_data)
{
  if (saved)
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

static gboolean
close_confirmed_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   SluiceWindow     *self)
{
  if (g_strcmp0 (response, "discard") == 0)
    {
      sluice_document_discard_draft (self->document);
      self->close_confirmed = TRUE;
      /* Not from inside the dialog's response: the dialog is still
       * transient for us and, once we were gone, would disconnect from a
       * finalized window as it goes away itself (GLib criticals). */
      g_idle_add_full (G_PRIORITY_DEFAULT, close_confirmed_cb, g_object_ref (self), g_object_unref);
    }
  else if (g_strcmp0 (response, "save") == 0)
    sluice_window_save_then (self, FALSE, saved_then_close, NULL);
}

static gboolean
sluice_window_close_request (GtkWindow *window)
{
  SluiceWindow *self = SLUICE_WINDOW (window);
  GtkApplication *app = gtk_window_get_application (window);
  GSettings *settings = SLUICE_IS_APPLICATION (app) ? sluice_application_get_settings (SLUICE_APPLICATION (app)) : NULL;
  g_autofree char *title = NULL;
  AdwMessageDialog *dialog;

  if (!self->close_confirmed && sluice_document_get_modified (self->document))
    {
      title = sluice_document_dup_title (self->document);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save Changes?"), NULL));
      adw_message_dialog_format_body (dialog, _("“%s” has unsaved changes. Changes which are not saved will be lost."), title);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"),
                                        "save", _("_Save"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "save");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set (settings, "window-size", "(ii)", width, height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
    }
  return GTK_WINDOW_CLASS (sluice_window_parent_class)->close_request (window);
}

/* Search ----------------------------------------------------------------------------- */

typedef struct
{
  const char *needle;
  GPtrArray  *found;
} FindData;

static gboolean
find_cb (SluiceNode *node,
         gpointer    user_data)
{
  FindData *data = user_data;
  g_autofree char *id = g_utf8_casefold (sluice_node_get_id (node) ? sluice_node_get_id (node) : "", -1);
  g_autofree char *name = g_utf8_casefold (sluice_node_get_name (node) ? sluice_node_get_name (node) : "", -1);

  if (strstr (id, data->needle) || strstr (name, data->needle))
    g_ptr_array_add (data->found, node);
  else if (SLUICE_IS_GATE (node))
    /* A gate is also found by what it checks ("Sharpe"). */
    for (guint i = 0; i < sluice_gate_get_n_checks (SLUICE_GATE (node)); i++)
      {
        const char *check_name = sluice_gate_get_check (SLUICE_GATE (node), i)->name;
        g_autofree char *check = g_utf8_casefold (check_name ? check_name : "", -1);

        if (strstr (check, data->needle))
          {
            g_ptr_array_add (data->found, node);
            break;
          }
      }
  return TRUE;
}

void
sluice_window_find_next (SluiceWindow *self,
                         gboolean      restart)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *needle = g_utf8_casefold (text, -1);
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  FindData data = { needle, found };
  SluiceNode *focus = sluice_canvas_get_focus_node (self->canvas);
  guint index = 0;

  if (*needle == '\0')
    {
      sluice_canvas_set_highlights (self->canvas, NULL);
      gtk_label_set_text (self->search_count, "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
      return;
    }
  sluice_pipeline_foreach_node (sluice_document_get_pipeline (self->document), find_cb, &data);
  /* Every match shows on the canvas, not only the one selected. */
  sluice_canvas_set_highlights (self->canvas, found);
  if (found->len == 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
      gtk_label_set_text (self->search_count, _("No matches"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
  /* The match after the current one, wrapping around. */
  if (!restart && focus != NULL && g_ptr_array_find (found, focus, &index))
    index = (index + 1) % found->len;
  else
    index = 0;
  {
    /* TRANSLATORS: the match shown and how many there are: "2 of 5" */
    g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u", "%u of %u", found->len),
                                              index + 1, found->len);

    gtk_label_set_text (self->search_count, count);
  }
  sluice_canvas_select (self->canvas, found->pdata[index], FALSE);
  sluice_canvas_reveal (self->canvas, found->pdata[index]);
}

static void
search_changed_cb (SluiceWindow *self)
{
  sluice_window_find_next (self, TRUE);
}

static void
search_activate_cb (SluiceWindow *self)
{
  sluice_window_find_next (self, FALSE);
}

/* Closing find takes its highlights away. */
static void
search_mode_cb (SluiceWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    sluice_canvas_set_highlights (self->canvas, NULL);
}

/* GObject ---------------------------------------------------------------------------- */

static void
sluice_window_dispose (GObject *object)
{
  SluiceWindow *self = SLUICE_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SLUICE_TYPE_WINDOW);
  g_clear_object (&self->document);
  if (self->toast_css != NULL)
    gtk_style_context_remove_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                   GTK_STYLE_PROVIDER (self->toast_css));
  g_clear_object (&self->toast_css);
  G_OBJECT_CLASS (sluice_window_parent_class)->dispose (object);
}

static void
sluice_window_finalize (GObject *object)
{
  g_free (SLUICE_WINDOW (object)->last_message);
  g_free (SLUICE_WINDOW (object)->toast_class);
  G_OBJECT_CLASS (sluice_window_parent_class)->finalize (object);
}

static void
sluice_window_class_init (SluiceWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sluice_window_dispose;
  object_class->finalize = sluice_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = sluice_window_close_request;

  g_type_ensure (SLUICE_TYPE_CANVAS);
  g_type_ensure (SLUICE_TYPE_INSPECTOR);
  g_type_ensure (SLUICE_TYPE_PALETTE);
  g_type_ensure (SLUICE_TYPE_PICTURE_BIN);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/sluice/Sluice/sluice-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, palette);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, canvas);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, problems_list);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, problems_label);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, problems_box);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, search_count);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, zoom_label);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, palette_pane);
  gtk_widget_class_bind_template_child (widget_class, SluiceWindow, inspector_pane);
  gtk_widget_class_bind_template_callback (widget_class, problem_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
}

/* Editing keys act on the canvas only: in an entry of the inspector,
 * Delete and Ctrl+C keep their text meaning. */
static void
add_canvas_shortcuts (SluiceWindow *self)
{
  static const struct { const char *trigger; const char *action; } keys[] = {
    { "Delete", "win.delete" },
    { "BackSpace", "win.delete" },
    { "<Control>x", "win.cut" },
    { "<Control>c", "win.copy" },
    { "<Control>v", "win.paste" },
    { "<Control>d", "win.duplicate" },
    { "<Control>a", "win.select-all" },
    { "<Alt>Up", "win.move-up" },
    { "<Alt>Down", "win.move-down" },
    { "<Control>period", "win.toggle-collapse" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (keys[i].trigger),
                                                            gtk_named_action_new (keys[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self->canvas), controller);
}

static void
sluice_window_init (SluiceWindow *self)
{
  g_autoptr(SluiceDocument) document = sluice_document_new_untitled ();

  gtk_widget_init_template (GTK_WIDGET (self));
  init_toasts (self);
  sluice_window_add_actions (self);
  add_canvas_shortcuts (self);
  sluice_window_run_init (self);
  {
    GtkWidget *placeholder = gtk_label_new (_("The validator has nothing to report"));

    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_widget_set_margin_top (placeholder, 12);
    gtk_widget_set_margin_bottom (placeholder, 12);
    gtk_list_box_set_placeholder (self->problems_list, placeholder);
  }
  self->tests_panel = sluice_tests_panel_new ();
  gtk_box_append (GTK_BOX (self->problems_box), GTK_WIDGET (self->tests_panel));
  sluice_window_tests_init (self);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (search_mode_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "viewport-changed", G_CALLBACK (viewport_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->canvas, "node-dropped", G_CALLBACK (node_dropped_cb),
                           self, G_CONNECT_SWAPPED);
  set_document (self, document, TRUE);
}

SluiceWindow *
sluice_window_new (SluiceApplication *application)
{
  SluiceWindow *self = g_object_new (SLUICE_TYPE_WINDOW, "application", application, NULL);
  GSettings *settings = sluice_application_get_settings (application);

  if (settings != NULL)
    {
      int width, height;

      g_settings_bind (settings, "show-grid", self->canvas, "show-grid", G_SETTINGS_BIND_GET);
      g_settings_get (settings, "window-size", "(ii)", &width, &height);
      gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  gtk_menu_button_set_menu_model (self->menu_button, NULL);
  {
    GtkBuilder *builder = gtk_builder_new_from_resource ("/org/sluice/Sluice/sluice-menus.ui");
    GMenu *menu = G_MENU (gtk_builder_get_object (builder, "primary_menu"));
    GMenu *recent = G_MENU (gtk_builder_get_object (builder, "recent_section"));

    g_menu_append_submenu (recent, _("Open _Recent"), sluice_application_get_recent_menu (application));
    gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
    g_object_unref (builder);
  }
  return self;
}
