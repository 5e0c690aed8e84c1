/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-document.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TESTS_PANEL (sluice_tests_panel_get_type ())
G_DECLARE_FINAL_TYPE (SluiceTestsPanel, sluice_tests_panel, SLUICE, TESTS_PANEL, GtkWidget)

/* The Tests panel: the test cases of the document's <tests>, each with
 * its result once run (passed, or failed with the first line of why and
 * the whole diff as its tooltip), and "Run Tests" (the action
 * "tests.run"). Cases run off the main thread on a copy of the pipeline,
 * with the same runner as `sluice-run test`, so editing goes on while
 * they run. "tests.add" adds a case and "tests.remove" (its name) removes
 * one, each an undoable step; "Add From Run" is the window's
 * win.add-test-from-run. Signals: "case-selected" (a row activated, the
 * case) and "results-changed" (a run of the cases ended). */
SluiceTestsPanel *sluice_tests_panel_new          (void);
void              sluice_tests_panel_set_document (SluiceTestsPanel *self,
                                                   SluiceDocument   *document);
/* TRUE while cases run. */
gboolean          sluice_tests_panel_is_running   (SluiceTestsPanel *self);
/* Cases that passed and failed in the last run (0 and 0 before any). */
void              sluice_tests_panel_get_counts   (SluiceTestsPanel *self,
                                                   guint            *passed,
                                                   guint            *failed);

/* The result of case @name in the last run, or NULL. */
const SluiceTestResult *sluice_tests_panel_get_result (SluiceTestsPanel *self,
                                                       const char       *name);
/* Where the failed cases of the last run are marked on the canvas: node
 * id → the names of the cases that failed there (the module the failure
 * names, else the case's target, else the last controller). */
GHashTable       *sluice_tests_panel_dup_failures (SluiceTestsPanel *self);
/* Selects case @name in the list ("case-selected" follows). */
gboolean          sluice_tests_panel_select_case  (SluiceTestsPanel *self,
                                                   const char       *name);
/* Adds @test at the end of the cases, as one undoable step, and
 * selects it. */
void              sluice_tests_panel_add_case     (SluiceTestsPanel *self,
                                                   SluiceTestCase   *test);
/* A name no case has: @base, or "@base 2", … */
char             *sluice_tests_panel_new_case_name (SluiceTestsPanel *self,
                                                    const char       *base);

G_END_DECLS
