/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-options.h"

G_BEGIN_DECLS

/* `sluice-run worker --redis URL PIPELINE.xml…` and `sluice-run dlq
 * list|replay --redis URL PIPELINE-ID`: @argv starts with the
 * subcommand's name. Return the exit status. */
int sluice_run_worker     (int    argc,
                           char **argv);
int sluice_run_dlq        (int    argc,
                           char **argv);
/* `sluice-run --distribute redis://… PIPELINE.xml`: the run's items go
 * to Redis workers instead of running here. */
int sluice_run_distribute (const SluiceRunOptions *options,
                           const char             *url);

G_END_DECLS
