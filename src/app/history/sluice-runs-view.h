/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-run-session.h"
#include "sluice-serve.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_RUNS_VIEW (sluice_runs_view_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunsView, sluice_runs_view, SLUICE, RUNS_VIEW, GtkWidget)

/* The Runs page of the run panel: the history of the pipeline shown
 * (its journaled runs, from the designer and from sluice-run --journal,
 * newest first: state, start, duration, outcome, the stage reached and
 * the check that failed it; unreadable journals with their path), the
 * progression rate per stage over that history, and:
 *
 * - Open: the canvas shows the run's final state (through the run
 *   overlay, from a replay session), and a timeline scrubber replays its
 *   recorded events at any speed, forwards or backwards;
 * - Compare: two selected runs side by side in a window of their own.
 *
 * "replay-changed" (SluiceRunSession *session, or NULL when the replay
 * was closed) tells the window what the canvas and the run panel should
 * show; "replay-moved" (SluiceRunSession *session) that the scrubber
 * moved: the session's log and counters are those of the new position. */
GtkWidget        *sluice_runs_view_new            (void);
/* The pipeline whose runs are listed (its file's path, NULL for one
 * never saved: no history). Lists again. */
void              sluice_runs_view_set_pipeline   (SluiceRunsView *self,
                                                   SluicePipeline *pipeline,
                                                   const char     *path);
/* NULL: the default state directory (as sluice-run's). */
void              sluice_runs_view_set_state_dir  (SluiceRunsView *self,
                                                   const char     *state_dir);
void              sluice_runs_view_refresh        (SluiceRunsView *self);
/* A sluice-run daemon whose runs of the same pipeline (same id) are
 * listed too, marked as the server's and whether they ran the file
 * shown; opening one fetches its events and pipeline and replays it.
 * NULL: none. A server that cannot be reached or that lies says so
 * under the list; the journals' runs are listed all the same. */
void              sluice_runs_view_set_server     (SluiceRunsView  *self,
                                                   SluiceRunClient *client);
SluiceRunClient  *sluice_runs_view_get_server     (SluiceRunsView  *self);
/* A listing of the server's runs is under way. */
gboolean          sluice_runs_view_get_server_listing (SluiceRunsView *self);
/* What the line about the server says, NULL when there is none. */
const char       *sluice_runs_view_get_server_status  (SluiceRunsView *self);

guint             sluice_runs_view_get_n_runs     (SluiceRunsView *self);
const SluicePastRun *sluice_runs_view_get_run     (SluiceRunsView *self,
                                                   guint           index);
/* What row @index shows, its cells separated by " | " (for tests). */
char             *sluice_runs_view_dup_row_text   (SluiceRunsView *self,
                                                   guint           index);
/* The progression line shown under the list. */
char             *sluice_runs_view_dup_progression_text (SluiceRunsView *self);

/* Opens run @index on the canvas at its end. FALSE with @error when its
 * journal cannot be read. A server's run not fetched yet is fetched
 * first (TRUE; the replay opens when its events are in, or the server
 * status says why not). */
gboolean          sluice_runs_view_open           (SluiceRunsView *self,
                                                   guint           index,
                                                   GError        **error);
void              sluice_runs_view_close_replay   (SluiceRunsView *self);
SluiceRunSession *sluice_runs_view_get_replay_session (SluiceRunsView *self);
/* The scrubber: the replay after its first @position events. */
void              sluice_runs_view_seek           (SluiceRunsView *self,
                                                   guint           position);
/* Plays from where the scrubber is at @speed times the recorded pace
 * (0 stops). */
void              sluice_runs_view_play           (SluiceRunsView *self,
                                                   double          speed);
gboolean          sluice_runs_view_get_playing    (SluiceRunsView *self);
/* Opens the comparison of runs @a and @b in a window (returned); NULL
 * when either cannot be read. */
GtkWidget        *sluice_runs_view_compare        (SluiceRunsView *self,
                                                   guint           a,
                                                   guint           b);

G_END_DECLS
