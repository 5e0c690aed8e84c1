/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The client side of HTTP: endpoints with their health and load, the
 * balancing policies, reading answers, and the service client that calls
 * external modules. Depends on base and libsoup. */

#include "sluice-endpoint.h"
#include "sluice-endpoint-set.h"
#include "sluice-http-fetch.h"
#include "sluice-net-answer.h"
#include "sluice-service-client.h"
