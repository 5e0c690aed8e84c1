/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-registry.h"
#include "sluice-scheduler.h"

G_BEGIN_DECLS

/* Receives one line saying what happened ("added ID: next run at …"). */
typedef void (*SluiceScheduleSayFunc) (const char *line,
                                       gpointer    user_data);

/* Keeps @scheduler's pipelines in step with @registry's files: a new or
 * changed file with a <schedule> is (re)scheduled, a broken one or one
 * without a schedule is taken off (its problems are said), a removed one
 * is taken off. Runs already going keep the entry they started with.
 *
 * Both `sluice-run schedule` and `sluice-run daemon` follow their folder
 * this way. The connection lives as long as @registry; @scheduler is
 * kept alive by it. */
void sluice_schedule_follow_registry (SluiceScheduler       *scheduler,
                                      SluiceRegistry        *registry,
                                      SluiceScheduleSayFunc  say,
                                      gpointer               user_data);

G_END_DECLS
