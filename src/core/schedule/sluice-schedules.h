/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Pipelines that run by themselves: the clock, the scheduler and the
 * registry of pipeline files. Depends on run. */

#include "sluice-wall-clock.h"
#include "sluice-launch.h"
#include "sluice-scheduler.h"
#include "sluice-registry-entry.h"
#include "sluice-registry.h"
#include "sluice-schedule-follow.h"
