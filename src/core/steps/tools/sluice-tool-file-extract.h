/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_FILE_EXTRACT (sluice_tool_file_extract_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolFileExtract, sluice_tool_file_extract, SLUICE, TOOL_FILE_EXTRACT, SluiceStep)

G_END_DECLS
