/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The model: a pipeline as a tree of GObjects with properties and one changed signal. Depends on base. */

#include "sluice-base.h"
#include "sluice-comments.h"
#include "sluice-node.h"
#include "sluice-parameter.h"
#include "sluice-service.h"
#include "sluice-schedule.h"
#include "sluice-pipeline.h"
#include "sluice-controller.h"
#include "sluice-phase.h"
#include "sluice-module.h"
#include "sluice-execution.h"
#include "sluice-condition.h"
#include "sluice-combination.h"
#include "sluice-external.h"
#include "sluice-fail.h"
#include "sluice-test-case.h"
#include "sluice-gate.h"
#include "sluice-gate-rule.h"
#include "sluice-recommendation.h"
