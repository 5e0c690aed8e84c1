/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The core library: model, file format, validation, execution, layout.
 * GLib only; shared by the designer, the runner and the tests. Each
 * layer has its own umbrella header (see meson.build for their order). */

#include "sluice-base.h"
#include "sluice-model.h"
#include "sluice-format.h"
#include "sluice-lua.h"
#include "sluice-steps.h"
#include "sluice-check.h"
#include "sluice-running.h"
#include "sluice-distribute.h"
#include "sluice-journaling.h"
#include "sluice-net.h"
#include "sluice-serve.h"
#include "sluice-schedules.h"
#include "sluice-view.h"
