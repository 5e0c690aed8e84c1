/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sluice-commands.h"
#include "sluice-inspector.h"

G_BEGIN_DECLS

/* The inspector's state, shared by its files by concern:
 *   sluice-inspector.c           the object, what it shows, problems, focus
 *   sluice-inspector-rows.c      rows bound to properties through commands
 *   sluice-inspector-code.c      bodies and When as code, tools
 *   sluice-inspector-tool-params.c  a tool parameter's widget by its type
 *   sluice-inspector-pipeline.c  parameters and services
 *   sluice-inspector-multi.c     what several selected nodes share
 *   sluice-inspector-gate.c      a gate's checks as a table
 * Functions one file offers the others are named _sluice_inspector_*. */

struct _SluiceInspector
{
  GtkBox              parent_instance;
  SluiceDocument     *document;        /* owned */
  SluiceNode         *node;            /* owned, may be NULL */
  GtkWidget          *scrolled;        /* borrowed child */
  GtkWidget          *content;         /* borrowed: box of groups, rebuilt */
  AdwPreferencesGroup *problems_group; /* borrowed, inside content */
  GPtrArray          *problem_rows;    /* borrowed rows in problems_group */
  GHashTable         *rows;            /* key → borrowed row */
  gboolean            updating;        /* our own edit is being applied */
  guint               rebuild_source;
  char               *focus_key;       /* owned: the row to focus once rebuilt, or NULL */
  GPtrArray          *selection;       /* owned refs: several selected nodes, or empty */
  SluiceTestCase     *test_case;       /* owned: the case shown instead of a node, or NULL */
  gboolean            test_has_result; /* the case ran since it was selected */
  gboolean            test_passed;
  char               *test_message;    /* why it failed, with the diff; owned */
  gboolean            building;        /* rows are being made: their signals are no edits */
};

void
_sluice_inspector_push (SluiceInspector *self,
                        SluiceCommand   *command);

GObject *
_sluice_inspector_row_target (GtkWidget *row);

void
_sluice_inspector_bind_row (SluiceInspector *self,
                            GtkWidget       *row,
                            GObject         *target,
                            const char      *property,
                            const char      *key);

AdwPreferencesGroup *
_sluice_inspector_add_group (SluiceInspector *self,
                             const char      *title);

void
_sluice_inspector_string_changed_cb (GtkEditable     *row,
                                     SluiceInspector *self);

/* An entry row editing a string property (not yet in a group). */
GtkWidget *
_sluice_inspector_new_string_row (SluiceInspector     *self,
                                  GObject             *target,
                                  const char          *property,
                                  const char          *title,
                                  const char          *key);

GtkWidget *
_sluice_inspector_add_string_row (SluiceInspector     *self,
                                  AdwPreferencesGroup *group,
                                  GObject             *target,
                                  const char          *property,
                                  const char          *title,
                                  const char          *key);

void
_sluice_inspector_timeout_changed_cb (GtkEditable     *row,
                                      SluiceInspector *self);

GtkWidget *
_sluice_inspector_add_spin_row (SluiceInspector     *self,
                                AdwPreferencesGroup *group,
                                GObject             *target,
                                const char          *property,
                                const char          *title,
                                const char          *subtitle,
                                double               min,
                                double               max,
                                double               step,
                                guint                digits,
                                const char          *key);

GtkWidget *
_sluice_inspector_add_enum_row (SluiceInspector     *self,
                                AdwPreferencesGroup *group,
                                GObject             *target,
                                const char          *property,
                                const char          *title,
                                const char * const  *labels,
                                const char          *key);

void
_sluice_inspector_add_expression_editor (SluiceInspector     *self,
                                         AdwPreferencesGroup *group,
                                         SluiceCondition     *condition);

/* sluice-inspector-tool-params.c: the widget for @info's type. */
void
_sluice_inspector_add_tool_param_row (SluiceInspector           *self,
                                      AdwPreferencesGroup       *group,
                                      const SluiceToolParamInfo *info);

void
_sluice_inspector_build_execution (SluiceInspector *self,
                                   SluiceExecution *execution);

void
_sluice_inspector_build_pipeline (SluiceInspector *self,
                                  SluicePipeline  *pipeline);

void
_sluice_inspector_rebuild (SluiceInspector *self);

/* Rebuilds once the current signal handler is over (an edit that
 * changes which rows there are). */
void
_sluice_inspector_queue_rebuild (SluiceInspector *self);

/* sluice-inspector-test-case.c: a test case, its last result and parts. */
void
_sluice_inspector_build_test_case (SluiceInspector *self,
                                   SluiceTestCase  *test);

/* sluice-inspector-gate.c: a gate's checks as a table. */
void
_sluice_inspector_build_gate (SluiceInspector *self,
                              SluiceGate      *gate);

G_END_DECLS
