/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One endpoint of a service as its callers see it: how many of our calls
 * are at it, the load it reported, how fast it answers, whether it is up.
 * A plain struct, since the balancer reads it for every call and that
 * choice must cost well under a microsecond. Main context only.
 *
 * Health: an endpoint that fails (refused, reset, time-out, 5xx,
 * garbage) is taken out and probed back (GET /status) after a back-off
 * that doubles with each failure in a row, from 100 ms up to 10 s. A 503
 * with Retry-After takes it out for that long without counting as a
 * failure: it is busy, not broken. */

typedef struct
{
  char    *url;            /* owned, as declared */
  GUri    *uri;            /* owned: @url parsed once for every call; NULL if not http(s) */
  guint    ref_count;
  guint    in_flight;      /* our calls at it now */
  guint    limit;          /* at most this many of our calls at once (items in batches count one each) */
  guint    max_requests;   /* at most this many of our POSTs at once (a batch is one): connections */
  double   others;         /* calls at it from other clients, as it last reported */
  double   latency_us;     /* moving average of our calls' round trips */
  gboolean healthy;
  gboolean probing;        /* a GET /status is out */
  gint64   down_until;     /* monotonic µs: no calls before; a probe after */
  gint64   backoff_us;     /* the next back-off */
  gint64   polled_at;      /* last GET /status answer */
  guint    failures;       /* in a row */
  guint64  served;         /* calls it answered with 2xx or 4xx */
  guint64  failed;         /* calls it failed */
  guint    batch_max;      /* items it takes in one POST (its /status); below 2: one */
  guint    requests;       /* our POSTs at it now (a batch is one) */
  char    *last_error;     /* owned, or NULL */
} SluiceEndpoint;

SluiceEndpoint *sluice_endpoint_new          (const char     *url);
SluiceEndpoint *sluice_endpoint_ref          (SluiceEndpoint *self);
void            sluice_endpoint_unref        (SluiceEndpoint *self);

/* What a policy compares: lower is better. The expected wait of one more
 * call, i.e. the calls ahead of it times how long a call takes there. */
static inline double
sluice_endpoint_score (const SluiceEndpoint *self)
{
  return (self->in_flight + self->others + 1.0) * self->latency_us;
}

/* Are our calls or POSTs at it at their limit? */
static inline gboolean
sluice_endpoint_is_full (const SluiceEndpoint *self)
{
  return self->in_flight >= self->limit || self->requests >= self->max_requests;
}

/* May a call go to it now? */
static inline gboolean
sluice_endpoint_is_available (const SluiceEndpoint *self,
                              gint64                now)
{
  return self->healthy && !sluice_endpoint_is_full (self) && now >= self->down_until;
}

/* A call answered after @latency_us; @load is what the endpoint said in
 * its load header (calls in flight there besides this one), or -1. */
void            sluice_endpoint_succeeded    (SluiceEndpoint *self,
                                              gint64          latency_us,
                                              double          load);
/* A call failed because of the endpoint: out until a probe brings it back. */
void            sluice_endpoint_failed       (SluiceEndpoint *self,
                                              gint64          now,
                                              const char     *error);
/* It said it is overloaded (503): no calls for @retry_after_us. */
void            sluice_endpoint_busy         (SluiceEndpoint *self,
                                              gint64          now,
                                              gint64          retry_after_us);
/* A GET /status answered: @in_flight and @queued as reported (-1 when
 * unknown), @draining when it stops taking work. */
void            sluice_endpoint_status       (SluiceEndpoint *self,
                                              gint64          now,
                                              double          in_flight,
                                              gboolean        draining);
/* Should a GET /status go to it now (a probe when it is down, a poll of
 * its load every @poll_us when it is up)? */
gboolean        sluice_endpoint_wants_status (SluiceEndpoint *self,
                                              gint64          now,
                                              gint64          poll_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceEndpoint, sluice_endpoint_unref)

G_END_DECLS
