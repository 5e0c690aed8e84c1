/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "bench-median.h"

double
bench_median (const double *values,
              guint         n)
{
  double sorted[BENCH_MEDIAN_MAX];

  g_return_val_if_fail (n >= 1 && n <= BENCH_MEDIAN_MAX, 0);

  /* A handful of values: sorted by insertion. */
  memcpy (sorted, values, n * sizeof *values);
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && sorted[j - 1] > sorted[j]; j--)
      {
        double t = sorted[j];

        sorted[j] = sorted[j - 1];
        sorted[j - 1] = t;
      }
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}
