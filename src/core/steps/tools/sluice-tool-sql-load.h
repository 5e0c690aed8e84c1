/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_SQL_LOAD (sluice_tool_sql_load_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolSqlLoad, sluice_tool_sql_load, SLUICE, TOOL_SQL_LOAD, SluiceStep)

G_END_DECLS
