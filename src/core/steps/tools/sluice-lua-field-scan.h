/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which fields of `item` a Lua expression reads, when that can be told
 * from its text alone: TRUE when every use of `item` is `item.NAME` or
 * `item["NAME"]` and nothing in it can change the item or reach it
 * otherwise (no assignment, no `table.*`, `rawset`, `_ENV`, `_G`,
 * `load`, `emit`, no comment or long string that would need a real Lua
 * lexer). Then evaluating it over a table holding only those fields
 * gives the same value as over the whole item. The names found are
 * added to @fields (each once; strings owned by @fields). FALSE when
 * the expression may use the item in any other way: the caller then
 * gives it the whole item. */
gboolean sluice_lua_field_scan (const char *expression,
                                GPtrArray  *fields);

G_END_DECLS
