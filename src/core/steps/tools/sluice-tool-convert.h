/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_CONVERT (sluice_tool_convert_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolConvert, sluice_tool_convert, SLUICE, TOOL_CONVERT, SluiceStep)

G_END_DECLS
