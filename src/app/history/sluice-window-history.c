/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-application.h"
#include "sluice-history-keeper.h"
#include "sluice-server-settings.h"
#include "sluice-window-history.h"
#include "sluice-window-run.h"

#define HISTORY_KEY "sluice-window-history"

typedef struct
{
  SluiceWindow   *window;      /* borrowed: owns us */
  SluiceRunsView *view;        /* borrowed: in the bottom stack */
  char           *state_dir;
  guint           refresh_id;  /* the list again, once the run's journal is whole */
  gboolean        watching_server;
  guint           server_id;   /* the server again, once its token is kept too */
} WindowHistory;

static WindowHistory *
get_history (SluiceWindow *self)
{
  return g_object_get_data (G_OBJECT (self), HISTORY_KEY);
}

static void
history_free (gpointer data)
{
  WindowHistory *history = data;

  if (history->view != NULL)
    g_object_remove_weak_pointer (G_OBJECT (history->view), (gpointer *) &history->view);
  g_clear_handle_id (&history->refresh_id, g_source_remove);
  g_clear_handle_id (&history->server_id, g_source_remove);
  g_free (history->state_dir);
  g_free (history);
}

static char *
document_path (SluiceWindow *self)
{
  GFile *file = sluice_document_get_file (sluice_window_get_document (self));

  return file != NULL ? g_file_get_path (file) : NULL;
}

static GSettings *
settings_of (SluiceWindow *window)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));

  return SLUICE_IS_APPLICATION (app) ? sluice_application_get_settings (SLUICE_APPLICATION (app)) : NULL;
}

/* The server the Server view last connected to (its URL is kept once
 * it answered): its runs of the pipeline are listed too. */
static void
apply_server (WindowHistory *history)
{
  g_autofree char *url = sluice_server_settings_get_url (settings_of (history->window));
  g_autofree char *token = url != NULL ? sluice_server_token_lookup (url) : NULL;
  g_autoptr(SluiceRunClient) client = url != NULL ? sluice_run_client_new (url, token, NULL) : NULL;

  if (history->view != NULL)
    sluice_runs_view_set_server (history->view, client);
}

static gboolean
apply_server_idle_cb (gpointer user_data)
{
  WindowHistory *history = user_data;

  history->server_id = 0;
  apply_server (history);
  return G_SOURCE_REMOVE;
}

/* The Server view keeps the URL, then the token: both are read once it
 * is done. */
static void
server_url_changed_cb (GSettings    *settings,
                       const char   *key,
                       SluiceWindow *window)
{
  WindowHistory *history = get_history (window);

  if (history != NULL && history->server_id == 0)
    history->server_id = g_idle_add (apply_server_idle_cb, history);
}

static void
watch_server (WindowHistory *history)
{
  GSettings *settings = settings_of (history->window);

  if (history->watching_server || settings == NULL)
    return;
  history->watching_server = TRUE;
  g_signal_connect_object (settings, "changed::server-url", G_CALLBACK (server_url_changed_cb), history->window, 0);
  apply_server (history);
}

/* The list follows the document: its pipeline and file as they are now. */
static void
update_view (WindowHistory *history)
{
  g_autofree char *path = NULL;

  /* The view goes with the window's widgets, before the window. */
  if (history->view == NULL)
    return;
  watch_server (history);
  path = document_path (history->window);
  sluice_runs_view_set_pipeline (history->view, sluice_document_get_pipeline (sluice_window_get_document (history->window)),
                                   path);
}

static void
visible_child_cb (GtkStack      *stack,
                  GParamSpec    *pspec,
                  WindowHistory *history)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "runs") == 0)
    update_view (history);
}

/* The canvas shows the replay, or again the window's own last run. */
static void
replay_changed_cb (SluiceRunsView   *view,
                   SluiceRunSession *replay,
                   WindowHistory    *history)
{
  SluiceCanvasRunOverlay *overlay = sluice_window_get_run_overlay (history->window);
  SluiceRunPanel *panel = sluice_window_get_run_panel (history->window);
  SluiceRunSession *shown = replay != NULL ? replay : sluice_window_get_run_session (history->window);

  if (overlay != NULL)
    sluice_canvas_run_overlay_set_session (overlay, shown);
  /* The log and the stages table follow the canvas. */
  if (panel != NULL)
    sluice_run_panel_set_session (panel, shown);
}

/* A scrub is one step, not a run moving: the panel shows it at once. */
static void
replay_moved_cb (SluiceRunsView   *view,
                 SluiceRunSession *replay,
                 WindowHistory    *history)
{
  SluiceRunPanel *panel = sluice_window_get_run_panel (history->window);

  if (panel != NULL)
    sluice_run_panel_refresh (panel);
}

void
sluice_window_history_init (SluiceWindow *self,
                            GtkStack     *bottom)
{
  WindowHistory *history = g_new0 (WindowHistory, 1);

  history->window = self;
  history->view = SLUICE_RUNS_VIEW (sluice_runs_view_new ());
  g_object_add_weak_pointer (G_OBJECT (history->view), (gpointer *) &history->view);
  g_object_set_data_full (G_OBJECT (self), HISTORY_KEY, history, history_free);
  gtk_stack_add_titled (bottom, GTK_WIDGET (history->view), "runs", _("Runs"));
  g_signal_connect (history->view, "replay-changed", G_CALLBACK (replay_changed_cb), history);
  g_signal_connect (history->view, "replay-moved", G_CALLBACK (replay_moved_cb), history);
  g_signal_connect (bottom, "notify::visible-child", G_CALLBACK (visible_child_cb), history);
}

static void
warn_cb (const char *message,
         gpointer    user_data)
{
  sluice_window_toast (SLUICE_WINDOW (user_data), message);
}

/* Once the run's last event is in its journal (right after its final
 * state), the list shows it. */
static gboolean
refresh_idle_cb (gpointer user_data)
{
  WindowHistory *history = user_data;

  history->refresh_id = 0;
  update_view (history);
  return G_SOURCE_REMOVE;
}

static void
run_state_cb (SluiceRunSession *session,
              GParamSpec       *pspec,
              SluiceWindow     *self)
{
  WindowHistory *history = get_history (self);

  if (history != NULL && history->refresh_id == 0 &&
      sluice_run_state_is_final (sluice_run_session_get_state (session)))
    history->refresh_id = g_idle_add (refresh_idle_cb, history);
}

void
sluice_window_history_track_run (SluiceWindow     *self,
                                 SluiceRunSession *session,
                                 GHashTable       *defines)
{
  WindowHistory *history = get_history (self);
  SluiceDocument *document = sluice_window_get_document (self);
  g_autofree char *path = document_path (self);

  if (history == NULL)
    return;
  /* A live run takes the canvas back from a replay. */
  if (history->view != NULL)
    sluice_runs_view_close_replay (history->view);
  sluice_history_keep_run (session, history->state_dir, path, !sluice_document_get_modified (document), defines,
                           warn_cb, self);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (run_state_cb), self, 0);
}

SluiceRunsView *
sluice_window_get_runs_view (SluiceWindow *self)
{
  WindowHistory *history = get_history (self);

  return history != NULL ? history->view : NULL;
}

void
sluice_window_history_set_state_dir (SluiceWindow *self,
                                     const char   *state_dir)
{
  WindowHistory *history = get_history (self);

  g_return_if_fail (history != NULL);
  g_free (history->state_dir);
  history->state_dir = g_strdup (state_dir);
  if (history->view != NULL)
    sluice_runs_view_set_state_dir (history->view, state_dir);
}
