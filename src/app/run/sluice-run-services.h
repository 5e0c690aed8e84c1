/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-run-session.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_ENDPOINT_ROW (sluice_endpoint_row_get_type ())
G_DECLARE_FINAL_TYPE (SluiceEndpointRow, sluice_endpoint_row, SLUICE, ENDPOINT_ROW, GObject)

/* One endpoint of a service that the run's external modules call, as
 * the run panel's Services table shows it while the run goes: its
 * service and URL, health ("up", "busy", "down"), our calls at it now,
 * the load it last reported, its latency, the calls it answered and
 * failed, and its last error. The properties ("service", "url",
 * "health", "in-flight", "load", "latency-ms", "served", "failed",
 * "last-error") are what the columns show and sort by. */
const char *sluice_endpoint_row_get_url    (SluiceEndpointRow *self);
const char *sluice_endpoint_row_get_health (SluiceEndpointRow *self);
guint64     sluice_endpoint_row_get_served (SluiceEndpointRow *self);

/* A sortable table of endpoints (a GtkColumnView in a scrolled window)
 * showing @store, a GListStore of SluiceEndpointRow. */
GtkWidget  *sluice_run_services_view_new (GListStore       *store);
/* Replaces the rows of @store with the endpoints of the services that
 * @session's external modules call. */
void        sluice_run_services_update   (GListStore       *store,
                                          SluiceRunSession *session);

G_END_DECLS
