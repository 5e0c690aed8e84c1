/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-run-report-view.h"
#include "sluice-run-session.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_RUN_PANEL (sluice_run_panel_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRunPanel, sluice_run_panel, SLUICE, RUN_PANEL, GtkWidget)

/* The run panel: the event log (a virtualised list, newest first,
 * filtered by module and level), a per-stage summary (state, duration,
 * items in and out, gate outcome), the data preview of one module (the
 * last items in and out, newest first, as formatted JSON) and the last
 * output items. */
GtkWidget  *sluice_run_panel_new            (void);
void        sluice_run_panel_set_session    (SluiceRunPanel   *self,
                                             SluiceRunSession *session);
/* Shows the session's state now, not at the next of its (throttled)
 * updates: a replay moved by the scrubber does not move by itself. */
void        sluice_run_panel_refresh        (SluiceRunPanel   *self);
/* The module whose data the preview shows (NULL: none). */
void        sluice_run_panel_set_module     (SluiceRunPanel   *self,
                                             const char       *module_id);
/* Log filter, as the panel's controls set it. */
void        sluice_run_panel_set_filter     (SluiceRunPanel   *self,
                                             const char       *module_id,
                                             SluiceRunLevel    min_level);
/* What the panel shows (for tests). */
char       *sluice_run_panel_dup_summary    (SluiceRunPanel   *self);
char       *sluice_run_panel_dup_preview    (SluiceRunPanel   *self);
char       *sluice_run_panel_dup_outputs    (SluiceRunPanel   *self);
GListModel *sluice_run_panel_get_log_model  (SluiceRunPanel   *self);
/* The Report page: the run report once the run is over. */
SluiceRunReportView *sluice_run_panel_get_report_view (SluiceRunPanel *self);
/* The Data page's "Fetch from Server" button (shown for a remote run). */
GtkWidget  *sluice_run_panel_get_fetch_button (SluiceRunPanel *self);
/* The rows of the stages table (SluiceStageRow), in the order shown. */
GListModel *sluice_run_panel_get_stages     (SluiceRunPanel   *self);
/* Shows the page whose tab reads @title; FALSE when there is no such
 * page or it is hidden. */
gboolean    sluice_run_panel_show_page      (SluiceRunPanel   *self,
                                             const char       *title);
/* The Services table's rows (SluiceEndpointRow) as shown. */
GListModel *sluice_run_panel_get_services   (SluiceRunPanel   *self);
/* Whether the log keeps showing the newest events as they come (the
 * user did not scroll down to older ones), and its scroll position. */
gboolean       sluice_run_panel_get_following      (SluiceRunPanel *self);
GtkAdjustment *sluice_run_panel_get_log_adjustment (SluiceRunPanel *self);
/* Whether new rows came and the view goes to the newest once the frame
 * that lays them out is over (for tests: a user's scroll before then
 * must win). */
gboolean       sluice_run_panel_get_newest_queued  (SluiceRunPanel *self);

G_END_DECLS
