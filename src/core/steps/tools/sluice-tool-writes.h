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

G_END_DECLS
