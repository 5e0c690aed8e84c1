/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-registry-runs.h"
#include "sluice-run-manager.h"

G_BEGIN_DECLS

/* The run API of `sluice-run daemon` over HTTP (data/sluice-run-api.json
 * is its OpenAPI description):
 *
 *   POST /runs                    create a pending run → 201
 *   GET  /runs                    list (?state= &pipeline= &since= &until= &limit=)
 *   GET  /runs/ID                 state, current stage, counters
 *   POST /runs/ID/start|pause|resume|cancel
 *                                 200 (with "changed"), 409 when SPEC 6 forbids it
 *   GET  /runs/ID/events          JSON array; Server-Sent Events with
 *                                 Accept: text/event-stream (history, then
 *                                 live; Last-Event-ID or ?after= resumes)
 *   GET  /runs/ID/output          output items, JSON lines
 *   GET  /runs/ID/report          the run report
 *   GET  /metrics                 Prometheus text format 0.0.4
 *   /pipelines…                   the daemon's folder (sluice-pipelines-api.h)
 *
 * Errors are JSON objects {"error": "…", "status": N} naming the run or
 * the field. With a token, every request needs "Authorization: Bearer
 * TOKEN" (401 otherwise). Request bodies beyond max_body get 413. */

#define SLUICE_TYPE_RUN_API (sluice_run_api_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunApi, sluice_run_api, SLUICE, RUN_API, GObject)

typedef struct
{
  SluiceRunManager *manager;   /* the API keeps a ref */
  SluiceRegistryRuns *pipelines; /* the folder's pipelines (a ref is kept), or NULL */
  const char       *token;     /* bearer token, or NULL for none */
  gsize             max_body;  /* bytes; 0 = 16 MiB */
  GTlsCertificate  *tls;       /* serve https with it, or NULL */
} SluiceRunApiConfig;

/* One route the server answers, as OpenAPI writes it ("/runs/{id}"). */
typedef struct
{
  const char *method;
  const char *path;
} SluiceRunApiRoute;

/* Every route, for the test that checks the OpenAPI description. */
const SluiceRunApiRoute *sluice_run_api_get_routes (guint *n_routes);

SluiceRunApi *sluice_run_api_new    (const SluiceRunApiConfig *config);
/* "HOST:PORT" as sluice_listen() takes it; port 0 picks a free one. */
gboolean      sluice_run_api_listen (SluiceRunApi  *self,
                                     const char    *address,
                                     GError       **error);
/* http://HOST:PORT/ of the first address listened on. */
const char   *sluice_run_api_get_url (SluiceRunApi *self);

G_END_DECLS
