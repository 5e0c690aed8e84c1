/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fast, exact parsing of the plain numbers that make up most CSV
 * columns, for the type converter. Each returns FALSE for anything it
 * does not handle itself (signs and digits only; a decimal point for
 * reals; no spaces, exponents, hex, inf or nan, no more digits than
 * are certainly exact); the caller then takes the general way. */

/* "-123" → -123: at most 18 digits, so it never overflows. */
gboolean sluice_number_text_int  (const char *text,
                                  gsize       length,
                                  gint64     *result);

/* "12.50" → 12.5, correctly rounded (as strtod): at most 15
 * significant digits and 22 after the point, where m / 10^k of exact
 * doubles is the nearest double (Clinger's fast path). */
gboolean sluice_number_text_real (const char *text,
                                  gsize       length,
                                  double     *result);

G_END_DECLS
