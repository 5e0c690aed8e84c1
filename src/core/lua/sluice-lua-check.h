/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Compiles Lua source without running it, to find syntax errors. One
 * checker owns one Lua state and is not thread-safe; make one per thread
 * (or per validation) and reuse it for many chunks. */
typedef struct _SluiceLuaCheck SluiceLuaCheck;

SluiceLuaCheck *sluice_lua_check_new        (void);
void            sluice_lua_check_free       (SluiceLuaCheck *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceLuaCheck, sluice_lua_check_free)

/* Compiles @code as a chunk (text only: binary chunks are refused).
 * Returns TRUE when it compiles; otherwise sets @line to the line of the
 * error counted from 1 at the first line of @code (0 when Lua gives none)
 * and @message to Lua's message without its location prefix. */
gboolean        sluice_lua_check_chunk      (SluiceLuaCheck *self,
                                             const char     *code,
                                             guint          *line,
                                             char          **message);
/* The chunk a <when> expression is compiled as, by the validator and the
 * executor alike: "return (EXPR\n)". The newline keeps the closing
 * parenthesis out of a trailing "-- comment". Free with g_free(). */
char           *sluice_lua_expression_source (const char *expression);

/* Same for a <when> expression, compiled as "return (EXPR)" exactly as the
 * executor evaluates it. Lines count from the first line of @expression. */
gboolean        sluice_lua_check_expression (SluiceLuaCheck *self,
                                             const char     *expression,
                                             guint          *line,
                                             char          **message);

/* Calls @func once for each name of @names that @code reads as a global
 * (not after "." or ":", not declared `local` in the chunk, not assigned
 * to), with the line of its first use counted from 1. A lexical scan, not
 * a compile: it exists to warn about what the run's sandbox lacks (io,
 * os, require…) before the run fails on it. */
typedef void (*SluiceLuaGlobalFunc) (const char *name,
                                     guint       line,
                                     gpointer    user_data);
void            sluice_lua_check_globals    (const char          *code,
                                             const char * const  *names,
                                             SluiceLuaGlobalFunc  func,
                                             gpointer             user_data);

G_END_DECLS
