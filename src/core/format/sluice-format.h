/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The file format: loading (hostile XML refused), the schema, canonical saving. Depends on model. */

#include "sluice-model.h"
#include "sluice-loader.h"
#include "sluice-saver.h"
#include "sluice-templates.h"
#include "sluice-test-lines.h"
