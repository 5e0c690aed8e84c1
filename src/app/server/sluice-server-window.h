/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sluice-application.h"
#include "sluice-window.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_SERVER_WINDOW (sluice_server_window_get_type ())
G_DECLARE_FINAL_TYPE (SluiceServerWindow, sluice_server_window, SLUICE, SERVER_WINDOW, AdwApplicationWindow)

/* The Server view: connects to a sluice-run daemon (URL and token, both
 * remembered: sluice-server-settings.h), lists its runs (state, pipeline,
 * start, duration, items) with Pause, Resume, Cancel and Watch — which
 * opens the run's pipeline in a designer window and draws the run live
 * from its events — and, when the daemon serves a folder, its pipelines
 * with their schedule, next and last run and Run Now. Refreshed every two
 * seconds while connected. Every failure is said in the window with the
 * server's URL. */
SluiceServerWindow *sluice_server_window_new        (SluiceApplication  *application);
/* Connects as the Connect button does, with this URL and token. */
void                sluice_server_window_connect    (SluiceServerWindow *self,
                                                     const char         *url,
                                                     const char         *token);
/* Shows the "runs" or the "pipelines" page, as the switcher does. */
void                sluice_server_window_set_page   (SluiceServerWindow *self,
                                                     const char         *page);
/* Lists again now (as the refresh button). */
void                sluice_server_window_refresh    (SluiceServerWindow *self);
/* For tests, what the window shows: */
gboolean            sluice_server_window_get_connected (SluiceServerWindow *self);
/* The error or status line ("" when none). */
const char         *sluice_server_window_get_status (SluiceServerWindow *self);
/* The state column of @run_id's row, or NULL without such a row. */
const char         *sluice_server_window_get_run_state (SluiceServerWindow *self,
                                                        const char         *run_id);
/* The text of @run_id's row, all columns, or NULL. */
char               *sluice_server_window_dup_run_row (SluiceServerWindow *self,
                                                      const char         *run_id);
/* A button of @run_id's row: "pause", "resume", "cancel" or "watch". */
GtkWidget          *sluice_server_window_get_run_button (SluiceServerWindow *self,
                                                         const char         *run_id,
                                                         const char         *action);
/* The text of a pipeline's row and its Run Now button, or NULL. */
char               *sluice_server_window_dup_pipeline_row (SluiceServerWindow *self,
                                                           const char         *pipeline_id);
GtkWidget          *sluice_server_window_get_run_now_button (SluiceServerWindow *self,
                                                             const char         *pipeline_id);
/* The designer window of the last run opened with Watch, or NULL. */
SluiceWindow       *sluice_server_window_get_watch_window (SluiceServerWindow *self);
/* The counts of the lists as last shown. */
guint               sluice_server_window_get_n_runs (SluiceServerWindow *self);
guint               sluice_server_window_get_n_pipelines (SluiceServerWindow *self);
/* What the Pipelines page says instead of a list ("" when it lists). */
const char         *sluice_server_window_get_pipelines_problem (SluiceServerWindow *self);
/* The id of the run that Run Now started last, or NULL. */
const char         *sluice_server_window_get_last_triggered (SluiceServerWindow *self);

G_END_DECLS
