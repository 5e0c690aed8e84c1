/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Serving: a pipeline behind HTTP (`sluice-run serve`), announcing it to
 * a pipeline balancer, and the balancer (`sluice-run balance`). Depends
 * on run and net. The run API of `sluice-run daemon`: runs created,
 * steered and watched over HTTP. */

#include "sluice-announcer.h"
#include "sluice-listen.h"
#include "sluice-http-guard.h"
#include "sluice-pipeline-balancer.h"
#include "sluice-pipelines-api.h"
#include "sluice-registry-runs.h"
#include "sluice-run-api.h"
#include "sluice-run-client.h"
#include "sluice-run-follower.h"
#include "sluice-run-manager.h"
#include "sluice-serve-stats.h"
#include "sluice-server.h"
#include "sluice-server-runs.h"
#include "sluice-request-sink.h"
#include "sluice-request-source.h"
