/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-canvas-run-overlay.h"
#include "sluice-run-dialog.h"
#include "sluice-run-panel.h"
#include "sluice-run-session.h"
#include "sluice-window.h"

G_BEGIN_DECLS

/* Runs in a window: the win.run, win.run-with, win.pause, win.resume and
 * win.cancel actions (the application gives them F5, Ctrl+F5, F6,
 * Shift+F6 and Shift+F5), the run controls and state in the header bar, the run
 * overlay on the canvas, the run panel beside the problems, the trust
 * check of files opened from disk, and the editing lock while a run is
 * active. Called once from the window's init. */
void              sluice_window_run_init        (SluiceWindow    *self);
/* The current (or last) run, or NULL. */
SluiceRunSession *sluice_window_get_run_session (SluiceWindow    *self);
SluiceRunPanel   *sluice_window_get_run_panel   (SluiceWindow    *self);
SluiceCanvasRunOverlay *sluice_window_get_run_overlay (SluiceWindow *self);
/* The run state as the header bar shows it ("idle" before any run). */
const char       *sluice_window_get_run_status  (SluiceWindow    *self);
/* Whether editing is locked by a run. */
gboolean          sluice_window_get_run_locked  (SluiceWindow    *self);
/* Starts a run with @choice, skipping the dialog (the trust check still
 * applies). For win.run-with and for tests. */
void              sluice_window_run_with_choice (SluiceWindow    *self,
                                                 SluiceRunChoice *choice);

/* The run states' colours (.run-status.run-running, …), for every window
 * that shows states; loaded once. */
void              sluice_window_run_load_css    (void);
/* Shows a run that goes elsewhere (sluice_run_session_new_remote) on the
 * canvas and in the run panel, with the header's pause, resume and cancel
 * steering it. Closing the window stops watching, not the run. */
void              sluice_window_watch_run       (SluiceWindow     *self,
                                                 SluiceRunSession *session);

G_END_DECLS
