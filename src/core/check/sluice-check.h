/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The validator (SPEC section 4). Depends on model, lua and steps. */

#include "sluice-model.h"
#include "sluice-steps.h"
#include "sluice-trust.h"
#include "sluice-validator.h"
