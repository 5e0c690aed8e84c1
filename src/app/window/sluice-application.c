/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>

#include "sluice-application.h"
#include "sluice-server-window.h"
#include "sluice-document.h"
#include "sluice-json-alloc.h"
#include "sluice-preferences.h"
#include "sluice-renderer-choice.h"
#include "sluice-template-chooser.h"
#include "sluice-window.h"

#define MAX_RECENT 10

struct _SluiceApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;        /* owned, may be NULL */
  GMenu          *recent_menu;     /* owned */
  gboolean        drafts_checked;
};

G_DEFINE_FINAL_TYPE (SluiceApplication, sluice_application, ADW_TYPE_APPLICATION)

SluiceApplication *
sluice_application_new (void)
{
  return g_object_new (SLUICE_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/sluice/Sluice",
                       NULL);
}

GSettings *
sluice_application_get_settings (SluiceApplication *self)
{
  return self->settings;
}

static SluiceWindow *
find_window_for (SluiceApplication *self,
                 GFile             *file)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (SLUICE_IS_WINDOW (l->data))
      {
        GFile *f = sluice_document_get_file (sluice_window_get_document (l->data));

        if (f != NULL && g_file_equal (f, file))
          return l->data;
      }
  return NULL;
}

GtkWindow *
sluice_application_new_window (SluiceApplication *self)
{
  SluiceWindow *window = sluice_window_new (self);

  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* Reuse an untouched empty window, as Text Editor does. */
static SluiceWindow *
pristine_or_new_window (SluiceApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (SLUICE_IS_WINDOW (active) && sluice_window_is_pristine (SLUICE_WINDOW (active)))
    return SLUICE_WINDOW (active);
  return sluice_window_new (self);
}

GtkWindow *
sluice_application_new_from_template (SluiceApplication *self,
                                     const char        *name)
{
  SluiceWindow *window = pristine_or_new_window (self);

  sluice_window_load_template (window, name);
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

GtkWindow *
sluice_application_open_file (SluiceApplication *self,
                              GFile             *file)
{
  SluiceWindow *window = find_window_for (self, file);

  if (window == NULL)
    {
      window = pristine_or_new_window (self);
      sluice_window_load (window, file);
    }
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* Recent files -------------------------------------------------------------- */

static void
update_recent_menu (SluiceApplication *self)
{
  g_auto(GStrv) recent = self->settings ? g_settings_get_strv (self->settings, "recent-files") : NULL;

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; recent != NULL && recent[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (recent[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target (item, "app.open-recent", "s", recent[i]);
      g_menu_append_item (self->recent_menu, item);
    }
}

void
sluice_application_add_recent (SluiceApplication *self,
                               GFile             *file)
{
  g_auto(GStrv) recent = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *uri = g_file_get_uri (file);
  guint n = 1;

  if (self->settings == NULL)
    return;
  recent = g_settings_get_strv (self->settings, "recent-files");
  g_strv_builder_add (builder, uri);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT; i++)
    if (g_strcmp0 (recent[i], uri) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        n++;
      }
  g_strfreev (recent);
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) recent);
}

/* Drafts ---------------------------------------------------------------------- */

static void
free_closure_data (gpointer  data,
                   GClosure *closure)
{
  g_free (data);
}

static void
restore_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     char             *draft)
{
  SluiceApplication *self = SLUICE_APPLICATION (g_application_get_default ());
  g_autofree char *source_path = g_strconcat (draft, ".source", NULL);

  if (g_strcmp0 (response, "restore") == 0)
    {
      g_autofree char *uri = NULL;
      g_autoptr(GFile) file = NULL;
      SluiceWindow *window;

      g_file_get_contents (source_path, &uri, NULL, NULL);
      file = uri != NULL && *uri != '\0' ? g_file_new_for_uri (uri) : NULL;
      window = sluice_window_new (self);
      sluice_window_load_draft (window, draft, file);
      gtk_window_present (GTK_WINDOW (window));
    }
  else if (g_strcmp0 (response, "discard") == 0)
    {
      g_unlink (draft);
      g_unlink (source_path);
    }
}

/* After a crash, drafts of unsaved work are left behind: offer them. */
static void
check_drafts (SluiceApplication *self,
              GtkWindow         *parent)
{
  g_autofree char *dir_path = sluice_drafts_dir ();
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->drafts_checked || g_getenv ("SLUICE_NO_DRAFT_CHECK") != NULL)
    return;
  self->drafts_checked = TRUE;
  dir = g_dir_open (dir_path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *draft = NULL;
      g_autofree char *uri = NULL;
      g_autofree char *source_path = NULL;
      g_autofree char *label = NULL;
      AdwMessageDialog *dialog;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      draft = g_build_filename (dir_path, name, NULL);
      source_path = g_strconcat (draft, ".source", NULL);
      if (!g_file_get_contents (source_path, &uri, NULL, NULL))
        continue;
      if (*uri != '\0')
        {
          g_autoptr(GFile) file = g_file_new_for_uri (uri);
          label = g_file_get_basename (file);
        }
      else
        label = g_strdup (_("an untitled pipeline"));

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Restore Unsaved Work?"), NULL));
      adw_message_dialog_format_body (dialog, _("Sluice found changes to %s that were never saved."), label);
      adw_message_dialog_add_responses (dialog, "later", _("_Later"), "discard", _("_Discard"),
                                        "restore", _("_Restore"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_appearance (dialog, "restore", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "restore");
      g_signal_connect_data (dialog, "response", G_CALLBACK (restore_response_cb),
                             g_steal_pointer (&draft), free_closure_data, 0);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

/* Actions ----------------------------------------------------------------------- */

static void
new_activated (GSimpleAction *action,
               GVariant      *param,
               gpointer       user_data)
{
  sluice_application_new_window (user_data);
}

static void
new_from_template_activated (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  sluice_template_chooser_present (gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                                   SLUICE_APPLICATION (user_data));
}

static void
open_response_cb (GtkNativeDialog   *dialog,
                  int                response,
                  SluiceApplication *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          sluice_application_open_file (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
open_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  SluiceApplication *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Open Pipeline"),
                                         gtk_application_get_active_window (GTK_APPLICATION (self)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Pipelines"));
  gtk_file_filter_add_pattern (filter, "*.xml");
  gtk_file_filter_add_mime_type (filter, "application/xml");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_recent_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  sluice_application_open_file (user_data, file);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  /* Each window asks about its unsaved changes. */
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  const char *developers[] = { "The Sluice developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                         "application-name", _("Sluice"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Design pipelines of controllers, phases and modules, and run them"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  SluiceApplication *self = user_data;

  if (self->settings == NULL)
    return;
  gtk_window_present (sluice_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                     self->settings));
}

static void
server_activated (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  gtk_window_present (GTK_WINDOW (sluice_server_window_new (user_data)));
}

static const GActionEntry app_actions[] = {
  { "preferences", preferences_activated },
  { "server", server_activated },
  { "new", new_activated },
  { "new-from-template", new_from_template_activated },
  { "open", open_activated },
  { "open-recent", open_recent_activated, "s" },
  { "quit", quit_activated },
  { "about", about_activated },
};

static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.new", { "<Control>n", NULL } },
  { "app.new-from-template", { "<Control><Shift>n", NULL } },
  { "app.open", { "<Control>o", NULL } },
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.save", { "<Control>s", NULL } },
  { "win.save-as", { "<Control><Shift>s", NULL } },
  { "win.close", { "<Control>w", NULL } },
  { "win.undo", { "<Control>z", NULL } },
  { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
  { "win.find", { "<Control>f", NULL } },
  { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
  { "win.zoom-out", { "<Control>minus", NULL } },
  { "win.zoom-reset", { "<Control>0", NULL } },
  { "win.zoom-fit", { "<Control>1", NULL } },
  { "win.show-palette", { "F9", NULL } },
  { "win.show-inspector", { "<Control>i", NULL } },
  { "win.export-runner", { "<Control>e", NULL } },
  /* Runs: here rather than on the window, so that the shortcuts window
   * shows them next to the actions. */
  { "win.run", { "F5", NULL } },
  { "win.run-with", { "<Control>F5", NULL } },
  { "win.cancel", { "<Shift>F5", NULL } },
  { "win.pause", { "F6", NULL } },
  { "win.resume", { "<Shift>F6", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
};

static void load_plugins (void);

/* SIGTERM (the session ending, `kill`) or SIGINT (Ctrl+C where it was
 * started): the windows go without asking about unsaved changes (their
 * drafts stay, offered at the next start), their runs are cancelled, and
 * the application ends once the runs' threads are over (it is held for
 * them, for a bound; see sluice_run_thread_release): a batched write in
 * flight is finished, not cut in the middle of a line as the default
 * action would. A second signal ends the process at once. */
static gboolean
terminate_cb (gpointer user_data)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (user_data)));

  g_message ("ending: the runs are cancelled and their writes finished first");
  for (GList *l = windows; l != NULL; l = l->next)
    {
      SluiceDocument *document = SLUICE_IS_WINDOW (l->data) ? sluice_window_get_document (l->data) : NULL;
      g_autoptr(GError) error = NULL;

      /* The last edits too, not only those of the last periodic draft. */
      if (document != NULL && sluice_document_get_modified (document) &&
          !sluice_document_write_draft (document, &error))
        g_message ("the draft of an unsaved pipeline could not be written: %s", error->message);
      gtk_window_destroy (l->data);
    }
  g_list_free (windows);
  return G_SOURCE_REMOVE;
}

static void
sluice_application_startup (GApplication *application)
{
  SluiceApplication *self = SLUICE_APPLICATION (application);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

  /* Each thread keeps its freed jansson blocks, as sluice-run does: a
   * live run's thread makes and frees some twenty blocks an item, which
   * glibc's arena otherwise takes one by one (a third of the run's
   * thread). Blocks made on one thread and freed on another go to the
   * freeing thread's cache; what was made before comes back through
   * free(). Before any run's thread exists. */
  sluice_json_alloc_install ();

  G_APPLICATION_CLASS (sluice_application_parent_class)->startup (application);
  /* Before the first window: its renderer is chosen as it is shown. */
  if (gdk_display_get_default () != NULL)
    sluice_renderer_choose_for_display (gdk_display_get_default ());

  if (schema != NULL)
    {
      self->settings = g_settings_new (APP_ID);
      g_signal_connect_object (self->settings, "changed::recent-files",
                               G_CALLBACK (update_recent_menu), self, G_CONNECT_SWAPPED);
    }
  update_recent_menu (self);
  load_plugins ();

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  /* Once each: the handler goes with its first call, and the default
   * action comes back for a second signal. */
  g_unix_signal_add (SIGTERM, terminate_cb, self);
  g_unix_signal_add (SIGINT, terminate_cb, self);
}

/* The installed plug-in tools join the palette. (Not a pipeline's own
 * tools/ folder: its shared objects would run code before the trust
 * question, which covers the pipeline's content only.) Broken ones are
 * logged; the designer starts anyway. */
static void
load_plugins (void)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);

  sluice_plugins_load_installed (problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      g_message ("%s", line);
    }
}

static void
sluice_application_activate (GApplication *application)
{
  SluiceApplication *self = SLUICE_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = sluice_application_new_window (self);
  gtk_window_present (window);
  check_drafts (self, window);
}

static void
sluice_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  SluiceApplication *self = SLUICE_APPLICATION (application);
  GtkWindow *last = NULL;

  for (int i = 0; i < n_files; i++)
    {
      /* A new window each: never replace what is open. */
      SluiceWindow *window = find_window_for (self, files[i]);

      if (window == NULL)
        {
          window = sluice_window_new (self);
          sluice_window_load (window, files[i]);
        }
      gtk_window_present (GTK_WINDOW (window));
      last = GTK_WINDOW (window);
    }
  if (last != NULL)
    check_drafts (self, last);
}

static void
sluice_application_dispose (GObject *object)
{
  SluiceApplication *self = SLUICE_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->recent_menu);
  G_OBJECT_CLASS (sluice_application_parent_class)->dispose (object);
}

static void
sluice_application_class_init (SluiceApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sluice_application_dispose;
  app_class->startup = sluice_application_startup;
  app_class->activate = sluice_application_activate;
  app_class->open = sluice_application_open;
}

static void
sluice_application_init (SluiceApplication *self)
{
  self->recent_menu = g_menu_new ();
}

GMenuModel *
sluice_application_get_recent_menu (SluiceApplication *self)
{
  return G_MENU_MODEL (self->recent_menu);
}
