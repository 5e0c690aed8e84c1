/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-client.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_RUN_FOLLOWER (sluice_run_follower_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunFollower, sluice_run_follower, SLUICE, RUN_FOLLOWER, GObject)

/* Follows a run's events, GET /runs/ID/events as Server-Sent Events, on
 * the thread-default main context: the history first, then live. When
 * the connection drops (a daemon restarted or killed) it reconnects
 * with Last-Event-ID, after 0.25 s, then twice as long each time up to
 * 5 s, so nothing is missed or told twice, and says so with
 * "connection-changed". A stream the server closes cleanly ends the
 * following only when GET /runs/ID says the run is over: a daemon also
 * closes it when it shuts down.
 *
 * Signals:
 *   "event" (const char *json, guint64 seq): one event, as the server
 *     sent it (an object of SPEC section 6).
 *   "connection-changed" (gboolean connected, const char *problem): the
 *     stream opened, or dropped with @problem naming the URL.
 *   "ended" (GError *error): the server ended the stream because the run
 *     is over (@error NULL); or it refused the request (401, unknown run)
 *     or stayed away for more than the allowed failures. Nothing follows. */
SluiceRunFollower *sluice_run_follower_new   (SluiceRunClient   *client,
                                              const char        *run_id);
/* How many failed connections in a row end the following; 0, the
 * default, retries for as long as the follower lives. */
void               sluice_run_follower_set_max_failures (SluiceRunFollower *self,
                                                         guint              max_failures);
void               sluice_run_follower_start (SluiceRunFollower *self);
void               sluice_run_follower_stop  (SluiceRunFollower *self);
/* How long it waits before the next reconnection, in ms. */
guint              sluice_run_follower_get_retry_delay (SluiceRunFollower *self);
/* The last event number received. */
guint64            sluice_run_follower_get_last_seq (SluiceRunFollower *self);
gboolean           sluice_run_follower_get_connected (SluiceRunFollower *self);

G_END_DECLS
