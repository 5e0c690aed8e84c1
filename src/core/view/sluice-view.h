/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The canvas layout and the graphviz export. Depends on model. */

#include "sluice-model.h"
#include "sluice-view-state.h"
#include "sluice-layout.h"
#include "sluice-export.h"
