/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-core.h"
#include "sluice-server-lists.h"
#include "sluice-server-settings.h"
#include "sluice-server-window.h"
#include "sluice-server-watch.h"
#include "sluice-window-run.h"

#define REFRESH_INTERVAL_MS 2000

struct _SluiceServerWindow
{
  AdwApplicationWindow parent_instance;

  SluiceApplication *application;    /* borrowed */
  GtkEntry          *url_entry;
  GtkPasswordEntry  *token_entry;
  GtkLabel          *status;
  GtkStack          *stack;
  SluiceServerLists *lists;          /* owned: the rows of both pages */
  SluiceRunClient   *client;         /* owned, NULL until connected */
  GCancellable      *cancellable;    /* owned, of the current connection */
  SluiceWindow      *watch_window;   /* weak */
  char              *last_triggered;
  guint              refresh_id;
  gboolean           connected;
  gboolean           listing;
};

G_DEFINE_FINAL_TYPE (SluiceServerWindow, sluice_server_window, ADW_TYPE_APPLICATION_WINDOW)

static void
set_status (SluiceServerWindow *self,
            const char         *text,
            gboolean            is_error)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
}

/* What a failed call means to the user, always naming the server. */
static char *
explain (SluiceServerWindow *self,
         const GError       *error)
{
  const char *url = self->client != NULL ? sluice_run_client_get_url (self->client)
                                         : gtk_editable_get_text (GTK_EDITABLE (self->url_entry));

  if (error->domain != SLUICE_RUN_CLIENT_ERROR)
    return g_strdup_printf ("%s: %s", url, error->message);
  switch (error->code)
    {
    case SLUICE_RUN_CLIENT_ERROR_UNREACHABLE:
      /* TRANSLATORS: %s is the server's URL and why (it names the URL too) */
      return g_strdup_printf (_("Could not reach the server — %s"), error->message);
    case SLUICE_RUN_CLIENT_ERROR_TLS:
      return g_strdup_printf (_("Could not connect securely — %s"), error->message);
    case SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED:
      return g_strdup_printf (_("%s refused the token (401): give the token of the daemon’s --token-file"), url);
    case SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON:
    case SLUICE_RUN_CLIENT_ERROR_INVALID:
      return g_strdup (error->message);
    case SLUICE_RUN_CLIENT_ERROR_REFUSED:
    default:
      return g_strdup_printf ("%s: %s", url, error->message);
    }
}

static void refresh (SluiceServerWindow *self);

static void
pipelines_listed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SluiceServerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *answer = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || SLUICE_RUN_CLIENT (source) != self->client)
    return;
  if (answer == NULL)
    {
      g_autofree char *text = NULL;

      /* A daemon started without a folder has no pipelines to show. */
      if (g_error_matches (error, SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_REFUSED) &&
          strstr (error->message, ": 404 ") != NULL)
        text = g_strdup_printf (_("%s serves no pipeline folder: start it as “sluice-run daemon DIR” to list, "
                                  "schedule and trigger the pipelines in DIR."),
                                sluice_run_client_get_url (self->client));
      else
        text = explain (self, error);
      sluice_server_lists_set_pipelines (self->lists, NULL, text);
      return;
    }
  sluice_server_lists_set_pipelines (self->lists, json_object_get (answer, "pipelines"), NULL);
  json_decref (answer);
}

static void
runs_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SluiceServerWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  json_t *answer = sluice_run_client_call_finish (SLUICE_RUN_CLIENT (source), result, &error);
  json_t *runs;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || SLUICE_RUN_CLIENT (source) != self->client)
    return;
  self->listing = FALSE;
  runs = answer != NULL ? json_object_get (answer, "runs") : NULL;
  if (answer != NULL && !json_is_array (runs))
    {
      g_clear_error (&error);
      error = g_error_new (SLUICE_RUN_CLIENT_ERROR, SLUICE_RUN_CLIENT_ERROR_NOT_A_DAEMON,
                           _("%s does not answer like sluice-run daemon: GET /runs has no “runs” list"),
                           sluice_run_client_get_url (self->client));
    }
  if (error != NULL)
    {
      g_autofree char *text = explain (self, error);

      if (self->connected)
        {
          /* TRANSLATORS: %s says what went wrong, with the server's URL */
          g_autofree char *lost = g_strdup_printf (_("%s. Trying again every 2 seconds."), text);

          set_status (self, lost, TRUE);
        }
      else
        {
          set_status (self, text, TRUE);
          g_clear_handle_id (&self->refresh_id, g_source_remove);
          gtk_stack_set_visible_child_name (self->stack, "empty");
        }
      json_decref (answer);
      return;
    }

  if (!self->connected)
    {
      GSettings *settings = sluice_application_get_settings (self->application);
      g_autoptr(GError) store_error = NULL;

      self->connected = TRUE;
      sluice_server_settings_set_url (settings, sluice_run_client_get_url (self->client));
      if (!sluice_server_token_store (sluice_run_client_get_url (self->client),
                                      gtk_editable_get_text (GTK_EDITABLE (self->token_entry)), &store_error))
        g_warning ("Could not keep the server's token: %s", store_error->message);
      gtk_stack_set_visible_child_name (self->stack, "runs");
    }
  sluice_server_lists_set_runs (self->lists, runs);
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected to %s · %u run",
                                                          "Connected to %s · %u runs", json_array_size (runs)),
                                             sluice_run_client_get_url (self->client), (guint) json_array_size (runs));

    set_status (self, text, FALSE);
  }
  json_decref (answer);
  sluice_run_client_call_async (self->client, "GET", "/pipelines", NULL, self->cancellable, pipelines_listed_cb,
                                g_object_ref (self));
}

static void
refresh (SluiceServerWindow *self)
{
  if (self->client == NULL || self->listing)
    return;
  self->listing = TRUE;
  sluice_run_client_call_async (self->client, "GET", "/runs", NULL, self->cancellable, runs_listed_cb,
                                g_object_ref (self));
}

static gboolean
refresh_cb (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

void
sluice_server_window_set_page (SluiceServerWindow *self,
                               const char         *page)
{
  g_return_if_fail (SLUICE_IS_SERVER_WINDOW (self));
  if (self->connected)
    gtk_stack_set_visible_child_name (self->stack, page);
}

void
sluice_server_window_refresh (SluiceServerWindow *self)
{
  g_return_if_fail (SLUICE_IS_SERVER_WINDOW (self));
  refresh (self);
}

void
sluice_server_window_connect (SluiceServerWindow *self,
                              const char         *url,
                              const char         *token)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (SLUICE_IS_SERVER_WINDOW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url);
  gtk_editable_set_text (GTK_EDITABLE (self->token_entry), token != NULL ? token : "");

  /* Whatever the last server was doing for us stops here. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->client);
  self->connected = FALSE;
  self->listing = FALSE;
  sluice_server_lists_clear (self->lists);

  self->client = sluice_run_client_new (url, token, &error);
  if (self->client == NULL)
    {
      set_status (self, error->message, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  sluice_server_lists_set_client (self->lists, self->client);
  {
    g_autofree char *text = g_strdup_printf (_("Connecting to %s…"), sluice_run_client_get_url (self->client));

    set_status (self, text, FALSE);
  }
  refresh (self);
  self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static void
connect_clicked_cb (SluiceServerWindow *self)
{
  g_autofree char *url = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));
  g_autofree char *token = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_entry)));

  sluice_server_window_connect (self, url, token);
}

/* A new URL typed: its remembered token comes with it. */
static void
url_changed_cb (SluiceServerWindow *self)
{
  g_autofree char *token = sluice_server_token_lookup (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));

  if (token != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->token_entry), token);
}

/* The lists report what their buttons did (or why they could not). */
static void
lists_message_cb (SluiceServerWindow *self,
                  const char         *message,
                  gboolean            is_error)
{
  set_status (self, message, is_error);
  refresh (self);
}

static void
watch_problem_cb (SluiceServerWatch *watch,
                  GParamSpec        *pspec,
                  SluiceWindow      *window)
{
  const char *problem = sluice_server_watch_get_problem (watch);

  if (problem != NULL)
    sluice_window_toast (window, problem);
}

/* Watch: the run's pipeline, as the server runs it, in a designer
 * window of its own, with the run drawn over it from its events. */
static void
pipeline_fetched_cb (SluiceServerLists *lists,
                     const char        *run_id,
                     const char        *path,
                     SluiceServerWindow *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWindow *window = sluice_application_open_file (self->application, file);
  SluiceServerWatch *watch;

  if (!SLUICE_IS_WINDOW (window) ||
      sluice_document_get_file (sluice_window_get_document (SLUICE_WINDOW (window))) == NULL)
    return;   /* the window said why */
  watch = sluice_server_watch_new (self->client, run_id,
                                   sluice_document_get_pipeline (sluice_window_get_document (SLUICE_WINDOW (window))));
  /* The window owns the watch: closing it stops watching. */
  g_object_set_data_full (G_OBJECT (window), "sluice-server-watch", watch, g_object_unref);
  g_signal_connect_object (watch, "notify::problem", G_CALLBACK (watch_problem_cb), window, 0);
  sluice_window_watch_run (SLUICE_WINDOW (window), sluice_server_watch_get_session (watch));
  sluice_server_watch_start (watch);
  if (self->watch_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->watch_window), (gpointer *) &self->watch_window);
  self->watch_window = SLUICE_WINDOW (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->watch_window);
  gtk_window_present (window);
}

static void
triggered_cb (SluiceServerLists  *lists,
              const char         *run_id,
              SluiceServerWindow *self)
{
  g_free (self->last_triggered);
  self->last_triggered = g_strdup (run_id);
}

static GtkWidget *
build_connect_bar (SluiceServerWindow *self)
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Connect"));

  self->url_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->url_entry, "http://127.0.0.1:8095");
  gtk_widget_set_hexpand (GTK_WIDGET (self->url_entry), TRUE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_entry), _("The URL of a sluice-run daemon"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->url_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Server URL"), -1);
  self->token_entry = GTK_PASSWORD_ENTRY (gtk_password_entry_new ());
  gtk_password_entry_set_show_peek_icon (self->token_entry, TRUE);
  g_object_set (self->token_entry, "placeholder-text", _("Token (if the daemon has one)"), NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->token_entry), 220, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->token_entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Token"), -1);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_set_name (button, "server-connect");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (connect_clicked_cb), self);
  g_signal_connect_swapped (self->url_entry, "activate", G_CALLBACK (connect_clicked_cb), self);
  g_signal_connect_swapped (self->token_entry, "activate", G_CALLBACK (connect_clicked_cb), self);
  g_signal_connect_swapped (self->url_entry, "changed", G_CALLBACK (url_changed_cb), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->url_entry));
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->token_entry));
  gtk_box_append (GTK_BOX (bar), button);
  return bar;
}

static void
build_ui (SluiceServerWindow *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *switcher = gtk_stack_switcher_new ();
  GtkWidget *refresh_button = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *empty = adw_status_page_new ();

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), self->stack);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), switcher);
  gtk_widget_set_tooltip_text (refresh_button, _("List again"));
  g_signal_connect_swapped (refresh_button, "clicked", G_CALLBACK (refresh), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), refresh_button);

  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  gtk_box_append (GTK_BOX (content), build_connect_bar (self));
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status, 0);
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_selectable (self->status, TRUE);
  gtk_widget_set_name (GTK_WIDGET (self->status), "server-status");
  gtk_widget_set_visible (GTK_WIDGET (self->status), FALSE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->status));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "network-server-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("Not Connected"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("Connect to a sluice-run daemon to see its runs and pipelines. "
                                     "Start one with “sluice-run daemon --listen 127.0.0.1:8095”."));
  gtk_stack_add_named (self->stack, empty, "empty");
  self->lists = sluice_server_lists_new ();
  gtk_stack_add_titled (self->stack, sluice_server_lists_get_runs_widget (self->lists), "runs", _("Runs"));
  gtk_stack_add_titled (self->stack, sluice_server_lists_get_pipelines_widget (self->lists), "pipelines",
                        _("Pipelines"));
  gtk_stack_set_visible_child_name (self->stack, "empty");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  g_signal_connect_swapped (self->lists, "message", G_CALLBACK (lists_message_cb), self);
  g_signal_connect (self->lists, "pipeline-fetched", G_CALLBACK (pipeline_fetched_cb), self);
  g_signal_connect (self->lists, "triggered", G_CALLBACK (triggered_cb), self);

  gtk_box_append (GTK_BOX (toolbar), header);
  gtk_box_append (GTK_BOX (toolbar), content);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), toolbar);
  gtk_window_set_title (GTK_WINDOW (self), _("Server"));
  gtk_window_set_default_size (GTK_WINDOW (self), 960, 560);
}

static void
sluice_server_window_dispose (GObject *object)
{
  SluiceServerWindow *self = SLUICE_SERVER_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->watch_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->watch_window), (gpointer *) &self->watch_window);
  self->watch_window = NULL;
  if (self->lists != NULL)
    g_signal_handlers_disconnect_by_data (self->lists, self);
  g_clear_object (&self->lists);
  G_OBJECT_CLASS (sluice_server_window_parent_class)->dispose (object);
}

static void
sluice_server_window_finalize (GObject *object)
{
  SluiceServerWindow *self = SLUICE_SERVER_WINDOW (object);

  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_free (self->last_triggered);
  G_OBJECT_CLASS (sluice_server_window_parent_class)->finalize (object);
}

static void
sluice_server_window_class_init (SluiceServerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sluice_server_window_dispose;
  object_class->finalize = sluice_server_window_finalize;
}

static void
sluice_server_window_init (SluiceServerWindow *self)
{
  self->cancellable = g_cancellable_new ();
  sluice_window_run_load_css ();
  build_ui (self);
}

SluiceServerWindow *
sluice_server_window_new (SluiceApplication *application)
{
  SluiceServerWindow *self = g_object_new (SLUICE_TYPE_SERVER_WINDOW, "application", application, NULL);
  g_autofree char *url = sluice_server_settings_get_url (sluice_application_get_settings (application));

  self->application = application;
  if (url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url);
  return self;
}

gboolean
sluice_server_window_get_connected (SluiceServerWindow *self)
{
  return self->connected;
}

const char *
sluice_server_window_get_status (SluiceServerWindow *self)
{
  return gtk_label_get_text (self->status);
}

const char *
sluice_server_window_get_run_state (SluiceServerWindow *self,
                                    const char         *run_id)
{
  return sluice_server_lists_get_run_state (self->lists, run_id);
}

char *
sluice_server_window_dup_run_row (SluiceServerWindow *self,
                                  const char         *run_id)
{
  return sluice_server_lists_dup_run_row (self->lists, run_id);
}

GtkWidget *
sluice_server_window_get_run_button (SluiceServerWindow *self,
                                     const char         *run_id,
                                     const char         *action)
{
  return sluice_server_lists_get_run_button (self->lists, run_id, action);
}

char *
sluice_server_window_dup_pipeline_row (SluiceServerWindow *self,
                                       const char         *pipeline_id)
{
  return sluice_server_lists_dup_pipeline_row (self->lists, pipeline_id);
}

GtkWidget *
sluice_server_window_get_run_now_button (SluiceServerWindow *self,
                                         const char         *pipeline_id)
{
  return sluice_server_lists_get_run_now_button (self->lists, pipeline_id);
}

SluiceWindow *
sluice_server_window_get_watch_window (SluiceServerWindow *self)
{
  return self->watch_window;
}

guint
sluice_server_window_get_n_runs (SluiceServerWindow *self)
{
  return sluice_server_lists_get_n_runs (self->lists);
}

guint
sluice_server_window_get_n_pipelines (SluiceServerWindow *self)
{
  return sluice_server_lists_get_n_pipelines (self->lists);
}

const char *
sluice_server_window_get_pipelines_problem (SluiceServerWindow *self)
{
  return sluice_server_lists_get_pipelines_problem (self->lists);
}

const char *
sluice_server_window_get_last_triggered (SluiceServerWindow *self)
{
  return self->last_triggered;
}
