/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* When to try an HTTP request again. */

/* TRUE for the answers worth another try: 429, 5xx except 501 and 505
 * (which will not change), and 408. */
gboolean sluice_http_retry_status_is_transient (guint        status);

/* The wait a Retry-After header asks for, in µs: delta-seconds or an
 * HTTP date (relative to @now_unix_us, wall clock). -1 when absent or
 * not understood; 0 for a date in the past. */
gint64   sluice_http_retry_after_parse          (const char *value,
                                                 gint64      now_unix_us);

/* Exponential backoff: @first_us × 2^@attempt (attempt 0 = the first
 * retry), never more than @cap_us. */
gint64   sluice_http_retry_backoff              (gint64      first_us,
                                                 guint       attempt,
                                                 gint64      cap_us);

G_END_DECLS
