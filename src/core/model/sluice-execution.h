/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"

G_BEGIN_DECLS

/* One <param name="…">value</param> of a <use tool="…"> body. */
typedef struct
{
  char  *name;
  char  *value;
  guint  line;
} SluiceToolParam;

SluiceToolParam *sluice_tool_param_new  (const char      *name,
                                         const char      *value,
                                         guint            line);
void             sluice_tool_param_free (SluiceToolParam *param);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceToolParam, sluice_tool_param_free)

#define SLUICE_TYPE_EXECUTION (sluice_execution_get_type ())
G_DECLARE_FINAL_TYPE (SluiceExecution, sluice_execution, SLUICE, EXECUTION, SluiceModule)

/* <execution>: runs code on the item. Exactly one body: <lua>, <command>
 * or <use tool>. A file with no body or several is refused by the loader;
 * the model holds one body kind at a time. */
SluiceExecution *sluice_execution_new            (const char      *id);
SluiceBodyKind   sluice_execution_get_body_kind  (SluiceExecution *self);
/* Lua chunk or command text; NULL for tools. */
const char      *sluice_execution_get_code       (SluiceExecution *self);
/* Line of the first character of the code in the file (for mapping Lua
 * error lines), 0 when unknown. */
guint            sluice_execution_get_code_line  (SluiceExecution *self);
void             sluice_execution_set_code_line  (SluiceExecution *self,
                                                  guint            line);
void             sluice_execution_set_lua        (SluiceExecution *self,
                                                  const char      *code);
void             sluice_execution_set_command    (SluiceExecution *self,
                                                  const char      *command);
void             sluice_execution_set_tool       (SluiceExecution *self,
                                                  const char      *tool);
/* NULL unless the body is a tool. */
const char      *sluice_execution_get_tool       (SluiceExecution *self);
/* Array of SluiceToolParam, never NULL. Borrowed. */
GPtrArray       *sluice_execution_get_tool_params(SluiceExecution *self);
/* Replaces or adds a param (NULL value removes it). */
void             sluice_execution_set_tool_param (SluiceExecution *self,
                                                  const char      *name,
                                                  const char      *value);
const char      *sluice_execution_lookup_tool_param (SluiceExecution *self,
                                                     const char      *name);

G_END_DECLS
