/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The base layer: plain values every other layer uses. GLib only. */

#include "sluice-enums.h"
#include "sluice-duration.h"
#include "sluice-problem.h"
#include "sluice-params.h"
#include "sluice-run-state.h"
#include "sluice-json.h"
#include "sluice-memory-size.h"
#include "sluice-json-path.h"
#include "sluice-text.h"
#include "sluice-cron.h"
#include "sluice-time-zone.h"
#include "sluice-timescope.h"
