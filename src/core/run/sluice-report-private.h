/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* The run report's parts, shared by its files:
 *
 *   sluice-run-report.c       the report object: run, modules; writing it
 *   sluice-report-stages.c    stages, gates, metrics side by side, consistency, warnings
 *   sluice-report-verdict.c   the recommendation (deploy, review, reject)
 *   sluice-report-html.c      the self-contained HTML page with its SVG charts */

/* A passed check whose margin is at most this share of its threshold is
 * "near" when the pipeline does not say otherwise. */
#define SLUICE_REPORT_SLOW_FACTOR 3.0     /* a stage this many times the median … */
#define SLUICE_REPORT_SLOW_MIN_MS 250.0   /* … and at least this long is "much slower" */

/* Adds "stages", "metrics", "consistency" and "warnings" to @report. */
void    _sluice_report_add_stages      (json_t         *report,
                                        SluiceExecutor *executor,
                                        double          near);
/* Adds "recommendation" and "outcome" to @report (after the stages). */
void    _sluice_report_add_verdict     (json_t         *report,
                                        SluiceExecutor *executor);
/* The near share the pipeline asks for, or the default. */
double  _sluice_report_near            (SluiceExecutor *executor);
char   *_sluice_report_to_html         (json_t         *report);

/* sluice-report-history.c: the "history" section, when there is one. */
void    _sluice_report_append_history (GString *html,
                                       json_t  *report);

G_END_DECLS
