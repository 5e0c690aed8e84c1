/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Distributed runs on Redis Streams: the connection (hiredis on the
 * main loop), the worker and the producing side. Depends on run. */

#include "sluice-running.h"
#include "sluice-redis-url.h"
#include "sluice-redis-client.h"
#include "sluice-redis-keys.h"
#include "sluice-redis-worker.h"
#include "sluice-redis-distributor.h"
#include "sluice-redis-dead-letters.h"
#include "sluice-redis-split.h"
