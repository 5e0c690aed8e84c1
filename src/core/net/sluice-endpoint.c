/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsoup/soup.h>

#include "sluice-endpoint.h"

#define FIRST_BACKOFF_US (100 * 1000)
#define MAX_BACKOFF_US   (10 * G_USEC_PER_SEC)
/* Until it answered once, an endpoint is assumed as fast as 1 ms: every
 * new endpoint gets tried soon. */
#define INITIAL_LATENCY_US 1000.0
/* Weight of the newest round trip in the moving average. */
#define LATENCY_ALPHA 0.2
#define DEFAULT_LIMIT 64
/* Requests (so connections) at once. Fewer measured a little faster on
 * quick servers under load (bench-external, one item per request,
 * concurrency 64: 1,065 items/s with 64 at once, 1,805 with 16, one run
 * each), but cut a slow server's throughput in proportion (at 100 ms a
 * call, 16 at once is 160 calls/s): a server that takes its time gets as
 * many calls at once as the caller has ready, up to this. */
#define DEFAULT_MAX_REQUESTS 64

SluiceEndpoint *
sluice_endpoint_new (const char *url)
{
  SluiceEndpoint *self = g_new0 (SluiceEndpoint, 1);

  self->url = g_strdup (url);
  self->uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  /* What soup_message_new takes; anything else it refuses per call. */
  if (self->uri != NULL &&
      (g_uri_get_host (self->uri) == NULL || *g_uri_get_host (self->uri) == '\0' ||
       (g_strcmp0 (g_uri_get_scheme (self->uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (self->uri), "https") != 0)))
    g_clear_pointer (&self->uri, g_uri_unref);
  self->ref_count = 1;
  self->limit = DEFAULT_LIMIT;
  self->max_requests = DEFAULT_MAX_REQUESTS;
  self->latency_us = INITIAL_LATENCY_US;
  self->healthy = TRUE;
  self->backoff_us = FIRST_BACKOFF_US;

  return self;
}

SluiceEndpoint *
sluice_endpoint_ref (SluiceEndpoint *self)
{
  self->ref_count++;
  return self;
}

void
sluice_endpoint_unref (SluiceEndpoint *self)
{
  if (--self->ref_count > 0)
    return;

  g_free (self->url);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_free (self->last_error);
  g_free (self);
}

void
sluice_endpoint_succeeded (SluiceEndpoint *self,
                           gint64          latency_us,
                           double          load)
{
  self->served++;
  self->failures = 0;
  self->backoff_us = FIRST_BACKOFF_US;
  self->latency_us += LATENCY_ALPHA * ((double) MAX (latency_us, 1) - self->latency_us);
  /* The load it reports counts our other calls at it too. */
  if (load >= 0)
    self->others = MAX (0.0, load - (self->in_flight > 0 ? self->in_flight - 1 : 0));
}

void
sluice_endpoint_failed (SluiceEndpoint *self,
                        gint64          now,
                        const char     *error)
{
  self->failed++;
  self->failures++;
  g_free (self->last_error);
  self->last_error = g_strdup (error);
  self->healthy = FALSE;
  self->down_until = now + self->backoff_us;
  self->backoff_us = MIN (self->backoff_us * 2, MAX_BACKOFF_US);
}

void
sluice_endpoint_busy (SluiceEndpoint *self,
                      gint64          now,
                      gint64          retry_after_us)
{
  self->down_until = now + CLAMP (retry_after_us, FIRST_BACKOFF_US, MAX_BACKOFF_US);
}

void
sluice_endpoint_status (SluiceEndpoint *self,
                        gint64          now,
                        double          in_flight,
                        gboolean        draining)
{
  self->polled_at = now;
  if (draining)
    {
      /* It finishes what it has and goes: send it nothing new. */
      sluice_endpoint_failed (self, now, "it is draining");
      return;
    }
  if (!self->healthy)
    {
      self->healthy = TRUE;
      self->down_until = 0;
      self->failures = 0;
      self->backoff_us = FIRST_BACKOFF_US;
    }
  if (in_flight >= 0)
    self->others = MAX (0.0, in_flight - self->in_flight);
}

gboolean
sluice_endpoint_wants_status (SluiceEndpoint *self,
                              gint64          now,
                              gint64          poll_us)
{
  if (self->probing)
    return FALSE;
  if (!self->healthy)
    return now >= self->down_until;
  return now - self->polled_at >= poll_us;
}
