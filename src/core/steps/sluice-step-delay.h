/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"

G_BEGIN_DECLS

/* <use tool="delay">: pauses each item without blocking others. */
#define SLUICE_TYPE_STEP_DELAY (sluice_step_delay_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepDelay, sluice_step_delay, SLUICE, STEP_DELAY, SluiceStep)

G_END_DECLS
