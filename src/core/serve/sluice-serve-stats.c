/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-serve-stats.h"

#define N_LATENCIES 4096
#define N_SECONDS 10

struct _SluiceServeStats
{
  gint64   latencies[N_LATENCIES];  /* µs, a ring */
  guint    n_latencies;
  guint    next;
  guint64  total;
  gint64   second_of[N_SECONDS];    /* which second each bucket counts */
  guint64  count[N_SECONDS];
  gint64   sorted[N_LATENCIES];     /* @latencies sorted, when @total was @sorted_total */
  guint64  sorted_total;
  gboolean sorted_valid;
};

SluiceServeStats *
sluice_serve_stats_new (void)
{
  return g_new0 (SluiceServeStats, 1);
}

void
sluice_serve_stats_free (SluiceServeStats *self)
{
  g_free (self);
}

void
sluice_serve_stats_record (SluiceServeStats *self,
                           gint64            now,
                           gint64            latency_us)
{
  gint64 second = now / G_USEC_PER_SEC;
  guint bucket = second % N_SECONDS;

  self->latencies[self->next] = latency_us;
  self->next = (self->next + 1) % N_LATENCIES;
  self->n_latencies = MIN (self->n_latencies + 1, N_LATENCIES);
  self->total++;

  if (self->second_of[bucket] != second)
    {
      self->second_of[bucket] = second;
      self->count[bucket] = 0;
    }
  self->count[bucket]++;
}

double
sluice_serve_stats_rate (SluiceServeStats *self,
                         gint64            now)
{
  gint64 second = now / G_USEC_PER_SEC;
  guint64 sum = 0;

  /* The current second is partial: count the ten before it. */
  for (guint i = 0; i < N_SECONDS; i++)
    if (self->second_of[i] < second && self->second_of[i] >= second - N_SECONDS)
      sum += self->count[i];
  return sum / (double) N_SECONDS;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

double
sluice_serve_stats_percentile (SluiceServeStats *self,
                               double            fraction)
{
  guint index;

  if (self->n_latencies == 0)
    return 0;

  /* Sorted once for the several percentiles of one /status, not once
   * each (4,096 values: a sort costs more than serving an item). */
  if (!self->sorted_valid || self->sorted_total != self->total)
    {
      memcpy (self->sorted, self->latencies, self->n_latencies * sizeof (gint64));
      qsort (self->sorted, self->n_latencies, sizeof (gint64), compare_gint64);
      self->sorted_total = self->total;
      self->sorted_valid = TRUE;
    }
  index = MIN ((guint) (fraction * self->n_latencies), self->n_latencies - 1);
  return self->sorted[index] / 1000.0;
}

guint64
sluice_serve_stats_total (SluiceServeStats *self)
{
  return self->total;
}
