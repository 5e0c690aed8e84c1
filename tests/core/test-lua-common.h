/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"

/* A runtime over a few chunks, for the tests of the Lua runtime. */
typedef struct
{
  GPtrArray        *codes;    /* of SluiceLuaCode*, owned */
  SluiceLuaRuntime *runtime;
  lua_State        *L;
  gint              cancel;
} TestLua;

/* @chunks: NULL-terminated; module ids are "m0", "m1", … */
TestLua        *test_lua_new      (const char * const *chunks);
void            test_lua_free     (TestLua            *t);

/* Runs chunk @slot over the item parsed from @json_text with a deadline
 * @timeout_ms from now (0 for none). Returns the result; *@out is the
 * item or the first emitted item as JSON text (PASS, EMITTED), *@error
 * the error (ERROR). Checks that the Lua stack is balanced. */
SluiceLuaResult test_lua_run      (TestLua            *t,
                                   guint               slot,
                                   const char         *json_text,
                                   guint               timeout_ms,
                                   char              **out,
                                   GError            **error);
