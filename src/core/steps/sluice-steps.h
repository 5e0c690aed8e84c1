/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Steps: what a module does to an item, one implementation per file, and
 * the registry that finds a module's step. Depends on model and lua. */

#include "sluice-model.h"
#include "sluice-lua.h"
#include "sluice-tool.h"
#include "sluice-step.h"
#include "sluice-step-registry.h"
#include "sluice-plugins.h"
#include "sluice-step-stub.h"
#include "sluice-stub-recorder.h"
