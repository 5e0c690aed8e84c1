/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_SQL_EXTRACT (sluice_tool_sql_extract_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolSqlExtract, sluice_tool_sql_extract, SLUICE, TOOL_SQL_EXTRACT, SluiceStep)

G_END_DECLS
