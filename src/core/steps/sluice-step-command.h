/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* <command>: a shell command that reads the item as one JSON line on its
 * standard input and prints its output items as JSON lines. */
#define SLUICE_TYPE_STEP_COMMAND (sluice_step_command_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepCommand, sluice_step_command, SLUICE, STEP_COMMAND, SluiceStep)

/* Iterates @context (the caller's thread's) until every command started
 * on it has ended and been reaped, @timeout_ms at most. A run's thread
 * that ends calls it once its run ended: the commands its cancel killed
 * are reaped then, not left as zombies on a context nobody iterates. */
void sluice_step_command_wait_reaped (GMainContext *context,
                                      guint         timeout_ms);

G_END_DECLS
