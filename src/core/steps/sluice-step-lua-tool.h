/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* A tool written in Lua: a `.lua` file whose first lines, each starting
 * with `---`, are its manifest, and whose code then runs like any Lua
 * body (sandboxed, in the executor's Lua states), with the module's tool
 * parameters in the table `args`:
 *
 *   --- tool: upper
 *   --- title: Upper-case a field
 *   --- description: Upper-cases the text of one field of each item
 *   --- param: field string required: The field to change
 *   --- param: suffix string default=!: Appended to the text
 *   item[args.field] = string.upper (item[args.field]) .. (args.suffix or "")
 *
 * A param line is `param: NAME TYPE required|optional|default=VALUE:
 * DESCRIPTION`, TYPE one of string, int, float, bool, duration, path,
 * text, secret; int and float arrive as Lua numbers, bool as a boolean,
 * the rest as strings (after ${name} substitution). Names are lower-case
 * letters, digits and hyphens (tools) or underscores (params). */

/* Reads the manifest of the Lua tool in @source (the file's content;
 * @path names it in errors) and registers it as a tool step. FALSE with
 * @error (G_IO_ERROR_INVALID_DATA naming the path and line, or
 * G_IO_ERROR_EXISTS when the name is taken) otherwise. */
gboolean sluice_step_lua_tool_register (const char  *path,
                                        const char  *source,
                                        GError     **error);

G_END_DECLS
