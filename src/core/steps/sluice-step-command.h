/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* <command>: a shell command that reads the item as one JSON line on its
 * standard input and prints its output items as JSON lines. */
#define SLUICE_TYPE_STEP_COMMAND (sluice_step_command_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepCommand, sluice_step_command, SLUICE, STEP_COMMAND, SluiceStep)

G_END_DECLS
