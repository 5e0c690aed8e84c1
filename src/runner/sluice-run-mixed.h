/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-core.h"
#include "sluice-run-options.h"

G_BEGIN_DECLS

/* `sluice-run --distribute URL PIPELINE.xml` when controllers are marked
 * distribute="redis": only theirs go through Redis, the others run here
 * (sluice-run-mixed.c). @run is the validated whole; @input NULL for the
 * trigger item. Runs to the end; returns the exit status. *@handle is
 * set while it runs, for sluice_run_mixed_cancel() from a signal. */
int  sluice_run_mixed        (const SluiceRunOptions *options,
                              const SluiceRedisUrl   *url,
                              SluiceRun              *run,
                              SluiceItemSource       *input,
                              int                     output_fd,
                              gpointer               *handle);
void sluice_run_mixed_cancel (gpointer                handle,
                              int                     sig);

G_END_DECLS
