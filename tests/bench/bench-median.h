/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* The median of @n values (1 to BENCH_MEDIAN_MAX), @values untouched:
 * what the live-run benchmarks report of their rounds, this host's speed
 * drifting by a third from one run to the next. */
#define BENCH_MEDIAN_MAX 31

double bench_median (const double *values,
                     guint         n);
