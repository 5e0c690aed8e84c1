/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-server.h"

G_BEGIN_DECLS

/* `serve … --announce URL`: tells a pipeline balancer (`sluice-run
 * balance`) that this instance exists and how loaded it is, with a
 * POST /announce every @interval; the balancer forgets instances it
 * stops hearing from. A balancer that is down is tried again at the next
 * beat; the server never depends on it. */

#define SLUICE_TYPE_ANNOUNCER (sluice_announcer_get_type ())
G_DECLARE_FINAL_TYPE (SluiceAnnouncer, sluice_announcer, SLUICE, ANNOUNCER, GObject)

/* @url is where callers reach @server (its own URL unless it is behind
 * something); @balancer the balancer's base URL. */
SluiceAnnouncer *sluice_announcer_new  (SluiceServer *server,
                                        const char   *balancer,
                                        const char   *url,
                                        guint         interval_ms);
/* What an announcing process that is not a SluiceServer says of itself
 * at each beat (a new JSON object with at least "pipeline"; the
 * announcer adds "url"). */
typedef json_t *(*SluiceAnnouncerStatusFunc) (gpointer user_data);

/* The same for a process without a server: a `sluice-run worker`, which
 * announces itself as {"kind": "worker", …} so that the balancer lists it
 * but never hands it out to a caller (it takes its items from Redis).
 * @user_data must outlive the announcer. */
SluiceAnnouncer *sluice_announcer_new_for_status (SluiceAnnouncerStatusFunc status,
                                                  gpointer                  user_data,
                                                  const char               *balancer,
                                                  const char               *url,
                                                  guint                     interval_ms);
/* Beats now (and then every interval). */
void             sluice_announcer_start (SluiceAnnouncer *self);
/* One last beat saying it drains; no more after it. */
void             sluice_announcer_stop  (SluiceAnnouncer *self);

G_END_DECLS
