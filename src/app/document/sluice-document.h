/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-command.h"
#include "sluice-core.h"
#include "sluice-view-state.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_DOCUMENT (sluice_document_get_type ())
G_DECLARE_FINAL_TYPE (SluiceDocument, sluice_document, SLUICE, DOCUMENT, GObject)

/* One open pipeline: the model, its file, the undo history, the designer's
 * view state, the problems found by the validator (re-run, debounced, as
 * the model changes) and the draft kept of unsaved work. */
SluiceDocument     *sluice_document_new              (void);
/* A new pipeline with one controller holding one empty phase. */
SluiceDocument     *sluice_document_new_untitled     (void);
gboolean            sluice_document_load             (SluiceDocument  *self,
                                                      GFile           *file,
                                                      GError         **error);
/* Loads a draft's content but keeps @file (may be NULL) as the target;
 * the document is then modified. */
gboolean            sluice_document_load_draft       (SluiceDocument  *self,
                                                      const char      *draft_path,
                                                      GFile           *file,
                                                      GError         **error);
/* Loads the template @name (sluice-templates.h) as a new, unsaved
 * pipeline: no file yet, so the first save asks where. */
gboolean            sluice_document_load_template    (SluiceDocument  *self,
                                                      const char      *name,
                                                      GError         **error);
/* Saves atomically to @file, or to the current file when NULL. */
gboolean            sluice_document_save             (SluiceDocument  *self,
                                                      GFile           *file,
                                                      GError         **error);

SluicePipeline     *sluice_document_get_pipeline     (SluiceDocument  *self);
GFile              *sluice_document_get_file         (SluiceDocument  *self);
/* The file's name, or "Untitled Pipeline". */
char               *sluice_document_dup_title        (SluiceDocument  *self);
SluiceCommandStack *sluice_document_get_history      (SluiceDocument  *self);
gboolean            sluice_document_get_modified     (SluiceDocument  *self);
/* Applies and records an edit. */
void                sluice_document_push             (SluiceDocument  *self,
                                                      SluiceCommand   *command);
gboolean            sluice_document_undo             (SluiceDocument  *self);
gboolean            sluice_document_redo             (SluiceDocument  *self);

/* Borrowed; change it with set_view_state (which emits "view-changed")
 * or record the change as a command with push_view_state. */
const SluiceViewState *sluice_document_get_view_state (SluiceDocument        *self);
void                sluice_document_set_view_state   (SluiceDocument        *self,
                                                      const SluiceViewState *state);
void                sluice_document_push_view_state  (SluiceDocument        *self,
                                                      const SluiceViewState *state,
                                                      const char            *description);

/* Remembers where the user looks (saved with the file, not an edit). */
void                sluice_document_set_viewport     (SluiceDocument  *self,
                                                      double           zoom,
                                                      double           x,
                                                      double           y);
/* TRUE when the file had view data (so the canvas keeps its viewport). */
gboolean            sluice_document_has_stored_view  (SluiceDocument  *self);

/* TRUE while the document copies its view state into the model's <view>
 * (before saving or writing a draft): that "changed" is no edit, and
 * views need not redraw or rebuild for it. */
gboolean            sluice_document_is_storing_view  (SluiceDocument  *self);

/* GListModel of SluiceProblem: the validator's findings, sorted. */
GListModel         *sluice_document_get_problems     (SluiceDocument  *self);
/* The node a problem is about: by its id and, when ids repeat, by its
 * line (or the last node with the id). NULL for none. */
SluiceNode         *sluice_document_find_problem_node (SluiceDocument *self,
                                                       SluiceProblem  *problem);
/* Runs the validator now instead of after the debounce delay. */
void                sluice_document_validate_now     (SluiceDocument  *self);

/* A fresh id "PREFIX", "PREFIX-2", ... unused in the pipeline. */
char               *sluice_document_unique_id        (SluiceDocument  *self,
                                                      const char      *prefix);

/* Drafts of unsaved work, written every few seconds while modified. */
const char         *sluice_document_get_draft_path   (SluiceDocument  *self);
gboolean            sluice_document_write_draft      (SluiceDocument  *self,
                                                      GError         **error);
void                sluice_document_discard_draft    (SluiceDocument  *self);
/* How often a draft is written while modified, in seconds (default 5). */
void                sluice_document_set_draft_interval (SluiceDocument *self,
                                                        guint           seconds);
/* The drafts directory, created on demand. */
char               *sluice_drafts_dir                (void);

G_END_DECLS
