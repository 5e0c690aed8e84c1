/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_COMMAND (sluice_command_get_type ())
G_DECLARE_DERIVABLE_TYPE (SluiceCommand, sluice_command, SLUICE, COMMAND, GObject)

/* One undoable change of the document. Every edit of the model goes
 * through a command; apply() is called when it is pushed and on redo,
 * revert() on undo. merge() lets consecutive edits of one thing (typing in
 * an entry) become one step. */
struct _SluiceCommandClass
{
  GObjectClass parent_class;

  void     (*apply)  (SluiceCommand *self);
  void     (*revert) (SluiceCommand *self);
  /* Absorbs @next (already applied) into @self; returns FALSE to refuse. */
  gboolean (*merge)  (SluiceCommand *self,
                      SluiceCommand *next);
};

void        sluice_command_apply            (SluiceCommand *self);
void        sluice_command_revert           (SluiceCommand *self);
gboolean    sluice_command_merge            (SluiceCommand *self,
                                             SluiceCommand *next);
const char *sluice_command_get_description  (SluiceCommand *self);
void        sluice_command_set_description  (SluiceCommand *self,
                                             const char    *description);

#define SLUICE_TYPE_COMMAND_STACK (sluice_command_stack_get_type ())
G_DECLARE_FINAL_TYPE (SluiceCommandStack, sluice_command_stack, SLUICE, COMMAND_STACK, GObject)

/* The undo history, with the "saved" marker that decides "modified". */
SluiceCommandStack *sluice_command_stack_new          (void);
/* Applies @command and pushes it (merging into the previous one when it
 * accepts); clears the redo history. */
void                sluice_command_stack_push         (SluiceCommandStack *self,
                                                       SluiceCommand      *command);
gboolean            sluice_command_stack_undo         (SluiceCommandStack *self);
gboolean            sluice_command_stack_redo         (SluiceCommandStack *self);
gboolean            sluice_command_stack_get_can_undo (SluiceCommandStack *self);
gboolean            sluice_command_stack_get_can_redo (SluiceCommandStack *self);
gboolean            sluice_command_stack_get_modified (SluiceCommandStack *self);
/* Marks the current state as saved (or, with FALSE, as never saved). */
void                sluice_command_stack_set_saved    (SluiceCommandStack *self,
                                                       gboolean            saved);
/* Prevents merging into the last command (e.g. when focus moves). */
void                sluice_command_stack_seal         (SluiceCommandStack *self);
void                sluice_command_stack_clear        (SluiceCommandStack *self);

G_END_DECLS
