/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Durable runs: run ids and directories, the journal and its store.
 * Depends on run. */

#include "sluice-running.h"
#include "sluice-run-id.h"
#include "sluice-journal-store.h"
#include "sluice-journal.h"
#include "sluice-run-history.h"
#include "sluice-run-compare.h"
