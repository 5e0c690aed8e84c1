/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* <lua>: a chunk that changes, drops or multiplies the item. Runs in the
 * executor's sandboxed Lua states (see sluice-lua-runtime.h). */
#define SLUICE_TYPE_STEP_LUA (sluice_step_lua_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepLua, sluice_step_lua, SLUICE, STEP_LUA, SluiceStep)

G_END_DECLS
