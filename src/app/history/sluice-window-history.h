/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-runs-view.h"
#include "sluice-window.h"

G_BEGIN_DECLS

/* Run history in a window: the Runs page beside Problems and Run, kept
 * up to date with the document's file and each run's end; a replay shown
 * on the canvas through the window's run overlay; and each run started
 * in the window journaled into the history. */

/* Adds the Runs page to @bottom (the stack of Problems and Run). */
void            sluice_window_history_init      (SluiceWindow     *self,
                                                 GtkStack         *bottom);
/* Called as a run starts (before sluice_run_session_start()). */
void            sluice_window_history_track_run (SluiceWindow     *self,
                                                 SluiceRunSession *session,
                                                 GHashTable       *defines);
SluiceRunsView *sluice_window_get_runs_view     (SluiceWindow     *self);
/* Where runs are kept (NULL, the default, unless set: for tests). */
void            sluice_window_history_set_state_dir (SluiceWindow *self,
                                                     const char   *state_dir);

G_END_DECLS
