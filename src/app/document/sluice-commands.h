/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-command.h"
#include "sluice-core.h"

G_BEGIN_DECLS

/* The concrete edits of a document. Each captures what it needs to undo
 * itself when it is created (or, for removals, when first applied). */

/* Sets any model property through GObject (ids, names, modes, workers,
 * timeouts, ...). Consecutive sets of one property of one object merge,
 * so typing a name is one undo step. */
SluiceCommand *sluice_set_property_command_new (GObject      *object,
                                                const char   *property,
                                                const GValue *value);
SluiceCommand *sluice_set_string_command_new   (GObject      *object,
                                                const char   *property,
                                                const char   *value);

/* Inserts @child into @list (owned by @owner) at @position. */
SluiceCommand *sluice_insert_command_new       (SluiceNode   *owner,
                                                GListModel   *list,
                                                guint         position,
                                                SluiceNode   *child);
/* Removes @child from the list it is in (found when applied). */
SluiceCommand *sluice_remove_command_new       (SluiceNode   *child);

/* Replaces the body of an execution: @kind with @text as Lua, command or
 * tool name. */
SluiceCommand *sluice_body_command_new         (SluiceExecution *execution,
                                                SluiceBodyKind   kind,
                                                const char      *text);
/* Sets (or, with NULL, removes) one tool parameter. */
SluiceCommand *sluice_tool_param_command_new   (SluiceExecution *execution,
                                                const char      *name,
                                                const char      *value);

/* Inserts into or removes from a plain GListStore (parameters, services). */
SluiceCommand *sluice_store_insert_command_new (GListStore   *store,
                                                guint         position,
                                                GObject      *item);
SluiceCommand *sluice_store_remove_command_new (GListStore   *store,
                                                GObject      *item);

/* Several commands as one step: applied in order, reverted backwards. */
SluiceCommand *sluice_group_command_new        (const char    *description);
void           sluice_group_command_add        (SluiceCommand *group,
                                                SluiceCommand *command);
guint          sluice_group_command_get_size   (SluiceCommand *group);

/* Calls @apply with @new_data or @old_data: for state outside the model,
 * such as the view's positions. The data are freed with @free_func.
 * @target is borrowed: it must own the history the command goes into. */
typedef void (*SluiceStateFunc) (gpointer target,
                                 gpointer data);
SluiceCommand *sluice_state_command_new        (gpointer        target,
                                                SluiceStateFunc apply,
                                                gpointer        old_data,
                                                gpointer        new_data,
                                                GDestroyNotify  free_func);

G_END_DECLS
