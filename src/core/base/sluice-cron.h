/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Five-field cron expressions: minute hour day-of-month month day-of-week.
 *
 * Each field is a comma-separated list of `*`, `N`, `N-M`, with an
 * optional `/STEP` (`*\/15`, `8-18/2`; `N/STEP` means N to the field's
 * maximum). Months may be written jan–dec and days of the week sun–sat
 * (any case); day of week 0 and 7 are both Sunday. The macros @yearly
 * (@annually), @monthly, @weekly, @daily (@midnight) and @hourly stand for
 * their usual expansions.
 *
 * Day of month and day of week (the POSIX and Vixie cron rule): when both
 * fields are restricted (neither starts with `*`), a day matches when
 * EITHER matches — "0 0 1 * mon" runs on the 1st and on every Monday.
 * When one of them starts with `*`, only the other one restricts the day.
 *
 * Time zones and daylight-saving changes (sluice_cron_next()):
 *  - A job whose hour field covers every hour (an "interval" job such as
 *    `*\/15 * * * *`) follows real time: local times skipped by a change
 *    do not exist, and a repeated local hour runs again, so runs stay
 *    evenly spaced in elapsed time.
 *  - Any other job (a "time of day" job such as `30 2 * * *`) runs once
 *    per matching local time: a time in a skipped hour runs once, at the
 *    instant of the change; a time in a repeated hour runs once, at its
 *    first occurrence. This is what Vixie cron and cronie do. */

#define SLUICE_CRON_ERROR (sluice_cron_error_quark ())
GQuark sluice_cron_error_quark (void);

/* The longest expression accepted, in bytes. */
#define SLUICE_CRON_MAX_LENGTH 1024

typedef struct _SluiceCron SluiceCron;

/* Parses @text. On error the message names the field and the part of it
 * that is wrong, e.g. "minute field `*\/0`: a step must be at least 1". */
SluiceCron *sluice_cron_parse         (const char  *text,
                                       GError     **error);
SluiceCron *sluice_cron_copy          (const SluiceCron *cron);
void        sluice_cron_free          (SluiceCron  *cron);

/* FALSE for an expression that names no day that exists in any year,
 * like "0 0 31 2 *" (February never has a 31st). */
gboolean    sluice_cron_can_fire      (const SluiceCron *cron);
/* TRUE when the hour field covers every hour (see above). */
gboolean    sluice_cron_is_interval   (const SluiceCron *cron);

/* Whether the local wall-clock minute matches (month 1–12, day 1–31,
 * weekday 0–6 with 0 = Sunday). */
gboolean    sluice_cron_matches       (const SluiceCron *cron,
                                       int               month,
                                       int               day,
                                       int               weekday,
                                       int               hour,
                                       int               minute);

/* The first fire time strictly after @after (Unix seconds) in @tz, with
 * the daylight-saving rules above. FALSE when there is none within the
 * next nine years (an expression that cannot fire, or Feb 29 on a
 * weekday combination that does not come). */
gboolean    sluice_cron_next          (const SluiceCron *cron,
                                       GTimeZone        *tz,
                                       gint64            after,
                                       gint64           *next);
/* The last fire time at or before @at; FALSE when there is none within
 * the nine years before it. */
gboolean    sluice_cron_previous      (const SluiceCron *cron,
                                       GTimeZone        *tz,
                                       gint64            at,
                                       gint64           *previous);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceCron, sluice_cron_free)

G_END_DECLS
