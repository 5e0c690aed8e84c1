/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-history.h"

G_BEGIN_DECLS

/* Two runs of a pipeline side by side: per stage (@controllers, in
 * pipeline order) whether each reached it and its items in and out; per
 * gate each check's value, threshold, pass and margin as each run
 * recorded them (from its gate events; null for a run that did not
 * record them); and whether the pipeline file changed between them (the
 * hashes, and a short diff of the saved copies when they differ).
 * {"a", "b", "pipeline": {"changed", "a", "b", "diff"},
 *  "stages": [{"stage", "a": {…}|null, "b": …}],
 *  "gates": [{"gate", "checks": [{"name", "a": {…}|null, "b": …}]}]} */
json_t *sluice_run_history_compare (const SluicePastRun *a,
                                    const SluicePastRun *b,
                                    const char * const  *controllers);

/* A line diff of @old_text and @new_text: "-" removed, "+" added, " "
 * context (one line around each change), "…" between hunks; at most
 * @max_lines lines (the rest is counted in a last line). Empty when the
 * texts are equal. */
char   *sluice_text_diff           (const char          *old_text,
                                    const char          *new_text,
                                    guint                max_lines);

G_END_DECLS
