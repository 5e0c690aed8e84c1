/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Serving: a pipeline behind HTTP (`sluice-run serve`), announcing it to
 * a pipeline balancer, and the balancer (`sluice-run balance`). Depends
 * on run and net. */

#include "sluice-announcer.h"
#include "sluice-listen.h"
#include "sluice-pipeline-balancer.h"
#include "sluice-serve-stats.h"
#include "sluice-server.h"
#include "sluice-request-sink.h"
#include "sluice-request-source.h"
