/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The core library: model, file format, validation, execution. GLib only;
 * shared by the designer, the runner and the tests. */

#include "sluice-enums.h"
#include "sluice-duration.h"
#include "sluice-node.h"
#include "sluice-parameter.h"
#include "sluice-service.h"
#include "sluice-pipeline.h"
#include "sluice-controller.h"
#include "sluice-phase.h"
#include "sluice-module.h"
#include "sluice-execution.h"
#include "sluice-condition.h"
#include "sluice-combination.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-problem.h"
#include "sluice-params.h"
#include "sluice-tool.h"
#include "sluice-loader.h"
#include "sluice-saver.h"
#include "sluice-validator.h"
#include "sluice-run-state.h"
#include "sluice-event.h"
#include "sluice-executor.h"
