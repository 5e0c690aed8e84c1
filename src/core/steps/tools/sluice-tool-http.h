/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_TOOL_HTTP (sluice_tool_http_get_type ())
G_DECLARE_FINAL_TYPE (SluiceToolHttp, sluice_tool_http, SLUICE, TOOL_HTTP, SluiceStep)

G_END_DECLS
