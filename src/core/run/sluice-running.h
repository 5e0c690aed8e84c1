/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Running: the executor, item sources and sinks, events and the run
 * object. Depends on format, check and steps. */

#include "sluice-check.h"
#include "sluice-format.h"
#include "sluice-check-file.h"
#include "sluice-event.h"
#include "sluice-item-source.h"
#include "sluice-item-sink.h"
#include "sluice-line-source.h"
#include "sluice-line-sink.h"
#include "sluice-func-sink.h"
#include "sluice-executor.h"
#include "sluice-executor-gates.h"
#include "sluice-event-tally.h"
#include "sluice-run.h"
#include "sluice-run-report.h"
#include "sluice-run-replay.h"
#include "sluice-clock.h"
#include "sluice-array-source.h"
#include "sluice-test-runner.h"
