/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* What the <gate> modules of a run found, for reports and viewers:
 *
 *   { "evaluated": 3, "passed": 2, "failed": 1,
 *     "checks": [ { "name": "Sharpe", "value_path": "item.historical.sharpe",
 *                   "op": ">=", "threshold": 1.0, "value": 0.92, "margin": -0.08,
 *                   "passed": false, "evaluated": 3, "passed_count": 2,
 *                   "failed_count": 1, "missing": 0, "mean": 1.3, "lowest": 0.92,
 *                   "highest": 1.6, "worst_margin": -0.08 }, … ] }
 *
 * Each check's "value", "margin" and "passed" are those of the first item
 * the gate stopped when it stopped one, else of the last item it saw (a
 * gate that never ran has no "value"). NULL when @module_id is not a gate
 * of the run. Main thread only. */
json_t *sluice_executor_dup_gate_results (SluiceExecutor *self,
                                          const char     *module_id);

G_END_DECLS
