/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"
#include "sluice-run-session.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_SERVER_WATCH (sluice_server_watch_get_type ())
G_DECLARE_FINAL_TYPE (SluiceServerWatch, sluice_server_watch, SLUICE, SERVER_WATCH, GObject)

/* Watches one run of a sluice-run daemon through a remote run session of
 * @pipeline (the window's own model, so the overlay finds its nodes):
 * its events (SSE, resumed after a dropped connection) feed the session,
 * GET /runs/ID once a second gives its totals and state, and the
 * session's pause, resume and cancel go to the server. Once the run is
 * over, and whenever the session asks ("results"), its report (GET
 * /runs/ID/report) and its newest 1,000 output items (GET
 * /runs/ID/output?tail=1000) go into the session.
 *
 * "problem" says what went wrong with the server, naming its URL (the
 * connection dropped, a refused action), or is NULL while all is well. */
SluiceServerWatch *sluice_server_watch_new         (SluiceRunClient   *client,
                                                    const char        *run_id,
                                                    SluicePipeline    *pipeline);
void               sluice_server_watch_start       (SluiceServerWatch *self);
SluiceRunSession  *sluice_server_watch_get_session (SluiceServerWatch *self);
const char        *sluice_server_watch_get_run_id  (SluiceServerWatch *self);
const char        *sluice_server_watch_get_problem (SluiceServerWatch *self);

G_END_DECLS
