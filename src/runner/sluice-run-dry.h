/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>

#include "sluice-run.h"

G_BEGIN_DECLS

/* --dry-run: replaces every step with side effects of @run (commands,
 * externals, tools that declare side effects) by a recorder that passes
 * the item on unchanged and prints to @stream, one line a call, what the
 * step would have done: "dry-run: module “ID” would run: /bin/sh -c
 * '…' with item {…}" (parameters substituted and quoted), or "would POST
 * the item as JSON to service “S” (URL…)". Lua is never a side effect. */
gboolean sluice_run_dry_prepare (SluiceRun  *run,
                                 FILE       *stream,
                                 GError    **error);

G_END_DECLS
