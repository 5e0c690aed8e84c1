/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs the default main context until no worker's write is in flight
 * any more, so that the steps those writes kept alive are finalized (a
 * replace-mode file's temporary file removed). A process calls it after
 * its last run, before it exits: a failed run's write may still be
 * going when the run ends. Waits 10 s at most: a write to a server
 * that stalls does not keep the process from exiting. */
void sluice_tool_batch_wait_for_writes (void);

typedef struct _SluiceStepContext SluiceStepContext;

/* The run of @context stopped (completed, failed or cancelled), on its
 * thread, before it says so: its batches start no further write, and
 * the write a worker is doing ends first (10 s at most), so that no
 * write of the run lands after its end. The answers are then on the
 * run's main context: its next iterations let go of the steps.
 *
 * A write still going after 10 s is cancelled (a request to a server
 * gives up) and waited for a little longer; one that does not end then
 * either is left to end on its own, and sluice_tool_batch_wait_for_writes()
 * does not wait for it again. Returns NULL when every write ended in
 * time, else what the run says of the others (also logged to the run):
 * one sentence a write, naming its module and where it went. */
char *sluice_tool_writes_stop (SluiceStepContext *context);

G_END_DECLS
