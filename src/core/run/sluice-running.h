/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Running: the executor, item sources and sinks, events and the run object. Depends on format and check. */

#include "sluice-check.h"
#include "sluice-format.h"
#include "sluice-check-file.h"
#include "sluice-event.h"
#include "sluice-executor.h"
