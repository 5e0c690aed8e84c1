/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_CLICKHOUSE (sluice_tool_clickhouse_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolClickhouse, sluice_tool_clickhouse, SLUICE, TOOL_CLICKHOUSE, SluiceStep)

G_END_DECLS
