/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_CONSOLE (sluice_tool_console_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolConsole, sluice_tool_console, SLUICE, TOOL_CONSOLE, SluiceStep)

G_END_DECLS
