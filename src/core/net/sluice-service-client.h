/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "sluice-endpoint-set.h"

G_BEGIN_DECLS

/* The caller's side of an external service (SPEC section 5): the
 * look-aside balancer for modules. For each call it picks an endpoint by
 * the service's policy, POSTs the item there on one keep-alive session,
 * and on a refused connection, a reset, a time-out, a 5xx or a garbage
 * answer tries the next endpoint, each at most once per call; a 4xx is
 * the item's failure. It learns each endpoint's load from the load
 * header of every answer and from GET /status (polled while calls go,
 * never when idle); a failed endpoint is taken out and probed back with
 * back-off.
 *
 * With a pipeline balancer (sluice-run balance), the endpoints are the
 * instances the balancer lists for the pipeline, fetched again every
 * second while calls go; when the balancer is down, the last instances
 * it listed stay in use.
 *
 * Main context only: the client belongs to the thread-default main
 * context it was made on. */

#define SLUICE_TYPE_SERVICE_CLIENT (sluice_service_client_get_type ())
G_DECLARE_FINAL_TYPE (SluiceServiceClient, sluice_service_client, SLUICE, SERVICE_CLIENT, GObject)

/* The header in which `sluice-run serve` reports its load (requests in
 * flight and queued, besides the one answered) on every answer. */
#define SLUICE_LOAD_HEADER "X-Sluice-Load"
/* Answers larger than this fail the call. */
#define SLUICE_SERVICE_MAX_ANSWER (16 * 1024 * 1024)

typedef struct
{
  const char         *name;          /* the service's, for messages */
  SluiceBalance       balance;
  const char * const *endpoints;     /* URLs; may be empty with a balancer */
  const char         *balancer;      /* a balancer's URL, or NULL */
  const char         *pipeline;      /* what to ask the balancer for; NULL = name */
  const char         *token;         /* sent as "Authorization: Bearer" with calls, or NULL */
} SluiceServiceConfig;

/* A client for @config, shared by every caller on this main context that
 * asks for the same configuration: several modules and runs (serve
 * makes one per request) then share the connections and what was learnt
 * of the endpoints. */
SluiceServiceClient *sluice_service_client_get_shared (const SluiceServiceConfig *config);
/* Lets go of the shared clients made on @context (a designer run's own
 * context, at the end of the run); their calls are over. */
void                 sluice_service_client_forget_context (GMainContext *context);
SluiceServiceClient *sluice_service_client_new        (const SluiceServiceConfig *config);

const char          *sluice_service_client_get_name   (SluiceServiceClient *self);
/* The endpoints now, with what is known of them (borrowed). */
SluiceEndpointSet   *sluice_service_client_get_endpoints (SluiceServiceClient *self);

typedef struct _SluiceServiceCall SluiceServiceCall;

/* How a call ended: @outputs (a JSON array of objects, borrowed) or
 * @error, a message that names the service and the endpoints tried. */
typedef void (*SluiceServiceCallFunc) (json_t     *outputs,
                                       const char *error,
                                       gpointer    user_data);

/* Sends @item (borrowed). @deadline (monotonic µs, 0 = none) bounds the
 * whole call: an attempt that is not the last one gets half of what is
 * left, so that another endpoint still has time. @func is called once,
 * never from within this function. */
SluiceServiceCall   *sluice_service_client_call       (SluiceServiceClient  *self,
                                                       json_t               *item,
                                                       gint64                deadline,
                                                       SluiceServiceCallFunc func,
                                                       gpointer              user_data);
/* Counts of one caller's calls by endpoint, e.g. of one run's module:
 * the endpoints' own counts (SluiceEndpoint) are of every caller in the
 * process that shares the client. */
typedef struct _SluiceServiceTally SluiceServiceTally;

SluiceServiceTally  *sluice_service_tally_new         (void);
void                 sluice_service_tally_free        (SluiceServiceTally   *tally);
/* Calls @url answered (2xx or 4xx) and failed (refused, time-out, 5xx,
 * garbage) for calls counted in @tally. */
void                 sluice_service_tally_get         (SluiceServiceTally   *tally,
                                                       const char           *url,
                                                       guint64              *served,
                                                       guint64              *failed);
/* Counts how @call goes in @tally (borrowed: it must outlive the call). */
void                 sluice_service_call_set_tally    (SluiceServiceCall    *call,
                                                       SluiceServiceTally   *tally);

/* Stops @call: @func is called now with @reason and the endpoint the call
 * was waiting for. */
void                 sluice_service_call_cancel       (SluiceServiceCall    *call,
                                                       const char           *reason);

G_END_DECLS
