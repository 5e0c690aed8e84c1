/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_FILE_LOAD (sluice_tool_file_load_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolFileLoad, sluice_tool_file_load, SLUICE, TOOL_FILE_LOAD, SluiceStep)

G_END_DECLS
