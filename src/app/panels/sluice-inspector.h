/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sluice-document.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_INSPECTOR (sluice_inspector_get_type ())
G_DECLARE_FINAL_TYPE (SluiceInspector, sluice_inspector, SLUICE, INSPECTOR, GtkBox)

/* The side panel that edits every property of the selected node (or of
 * the pipeline, with its parameters and services, when nothing is
 * selected). Each edit is a command on the document; the validator's
 * messages about the node are shown on top. */
GtkWidget  *sluice_inspector_new          (void);
void        sluice_inspector_set_document (SluiceInspector *self,
                                           SluiceDocument  *document);
void        sluice_inspector_set_node     (SluiceInspector *self,
                                           SluiceNode      *node);
SluiceNode *sluice_inspector_get_node     (SluiceInspector *self);
/* The selection: with several nodes, the panel says how many and what
 * can be done to them together; @focus is the node shown otherwise. */
void        sluice_inspector_set_selection (SluiceInspector *self,
                                            GPtrArray       *nodes,
                                            SluiceNode      *focus);
/* Moves the keyboard focus to a row (as sluice_inspector_get_row names
 * it), with its text selected, now or once the panel is rebuilt. */
void        sluice_inspector_focus_row    (SluiceInspector *self,
                                           const char      *key);
/* The editing row for a property (e.g. "name", "timeout", "code"), for
 * tests; NULL when the node has none. */
GtkWidget  *sluice_inspector_get_row      (SluiceInspector *self,
                                           const char      *key);
/* Number of validator messages shown for the node. */
/* Shows test case @test (of the document's pipeline) instead of a node:
 * its last result when @has_result (@message: why it failed, with the
 * diff of expected and actual items) and every part, editable. Showing
 * a node again (set_node, set_selection) leaves it. */
void        sluice_inspector_set_test_case (SluiceInspector *self,
                                            SluiceTestCase  *test,
                                            gboolean         has_result,
                                            gboolean         passed,
                                            const char      *message);
SluiceTestCase *sluice_inspector_get_test_case (SluiceInspector *self);
guint       sluice_inspector_count_problems (SluiceInspector *self);

G_END_DECLS
