/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Lua: the sandboxed runtime that runs module bodies and the compile checks the validator uses. Depends on base. */

#include "sluice-base.h"
#include "sluice-lua-check.h"
#include "sluice-lua-runtime.h"
