/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-core.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_SERVER_LISTS (sluice_server_lists_get_type ())
G_DECLARE_FINAL_TYPE (SluiceServerLists, sluice_server_lists, SLUICE, SERVER_LISTS, GObject)

/* The two pages of the Server view: a daemon's runs and its pipelines,
 * rows updated in place as the lists come again (so that a button under
 * the pointer stays there), with the buttons that steer them.
 *
 * Signals:
 *   "message" (const char *text, gboolean is_error): what a button did,
 *     or why the server refused it (naming the server).
 *   "pipeline-fetched" (const char *run_id, const char *path): Watch got
 *     the run's pipeline file and kept it at @path, ready to open.
 *   "triggered" (const char *run_id): Run Now created this run. */
SluiceServerLists *sluice_server_lists_new              (void);
void               sluice_server_lists_set_client       (SluiceServerLists *self,
                                                         SluiceRunClient   *client);
void               sluice_server_lists_clear            (SluiceServerLists *self);
/* @runs: the "runs" array of GET /runs. */
void               sluice_server_lists_set_runs         (SluiceServerLists *self,
                                                         json_t            *runs);
/* @pipelines: the "pipelines" array of GET /pipelines, or NULL with
 * @problem said instead. */
void               sluice_server_lists_set_pipelines    (SluiceServerLists *self,
                                                         json_t            *pipelines,
                                                         const char        *problem);
GtkWidget         *sluice_server_lists_get_runs_widget  (SluiceServerLists *self);
GtkWidget         *sluice_server_lists_get_pipelines_widget (SluiceServerLists *self);

const char        *sluice_server_lists_get_run_state    (SluiceServerLists *self,
                                                         const char        *run_id);
char              *sluice_server_lists_dup_run_row      (SluiceServerLists *self,
                                                         const char        *run_id);
GtkWidget         *sluice_server_lists_get_run_button   (SluiceServerLists *self,
                                                         const char        *run_id,
                                                         const char        *action);
char              *sluice_server_lists_dup_pipeline_row (SluiceServerLists *self,
                                                         const char        *pipeline_id);
GtkWidget         *sluice_server_lists_get_run_now_button (SluiceServerLists *self,
                                                           const char        *pipeline_id);
/* What the Pipelines page says instead of a list ("" when it lists). */
const char        *sluice_server_lists_get_pipelines_problem (SluiceServerLists *self);
guint              sluice_server_lists_get_n_runs       (SluiceServerLists *self);
guint              sluice_server_lists_get_n_pipelines  (SluiceServerLists *self);

/* "2026-11-27T16:05:09.123Z" → "16:05:09" today, else "2026-11-26 16:05"
 * (local time); NULL → "—". */
char              *sluice_server_format_time            (const char        *iso);
/* "1.2 s", "3 min 05 s", "2 h 04 min" from @started to @finished (or to
 * now while it runs); "—" before it started. */
char              *sluice_server_format_duration        (const char        *started,
                                                         const char        *finished);

G_END_DECLS
