/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The live-run benchmarks' pipeline (bench-live-run in the designer,
 * bench-live-executor without a window; the same one, so that their
 * figures compare): 10 controllers (not-parallel and no-order in turn),
 * each a condition whose true branch holds 499 Lua modules; one item in
 * 500 takes the branch of each controller, so that every module works
 * and a run takes seconds, not hours. */

#define N_CONTROLLERS 10
#define N_BRANCH      499

/* The pipeline's XML (owned). */
char *bench_live_pipeline_generate (void);

G_END_DECLS
