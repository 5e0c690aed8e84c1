/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_COLUMNS (sluice_tool_columns_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolColumns, sluice_tool_columns, SLUICE, TOOL_COLUMNS, SluiceStep)

G_END_DECLS
