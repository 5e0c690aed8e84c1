/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <jansson.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_RUN_REPORT_VIEW (sluice_run_report_view_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunReportView, sluice_run_report_view, SLUICE, RUN_REPORT_VIEW, GtkWidget)

/* The run report (sluice_run_build_report(), the one `sluice-run
 * --report` writes) shown in the run panel: the verdict and the rule
 * behind it, the headline, the failed checks with their margins, the
 * stages side by side, the consistency score and the warnings; and a
 * button that saves it as HTML or JSON. */
GtkWidget  *sluice_run_report_view_new         (void);
/* Shows @report (borrowed; NULL shows that there is none yet). */
void        sluice_run_report_view_set_report  (SluiceRunReportView  *self,
                                                json_t               *report);
/* The verdict shown ("deploy", "review", "reject"), or NULL. */
const char *sluice_run_report_view_get_verdict (SluiceRunReportView  *self);
/* Every text the view shows, one a line (for tests). */
char       *sluice_run_report_view_dup_text    (SluiceRunReportView  *self);
/* Writes the report shown to @path (.html or .json). */
gboolean    sluice_run_report_view_save        (SluiceRunReportView  *self,
                                                const char           *path,
                                                GError              **error);

G_END_DECLS
