/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"
#include "sluice-controller.h"

G_BEGIN_DECLS

/* Controllers marked distribute="redis": a run sends only their items
 * to Redis and runs the others in-process; workers run only them. Each
 * has its own stream, named by PIPELINE-ID/CONTROLLER-ID (the "stream
 * id" in sluice-redis-keys.h, and what `sluice-run dlq` takes). */

gboolean sluice_redis_pipeline_has_distributed   (SluicePipeline   *pipeline);
char    *sluice_redis_controller_stream_id       (SluicePipeline   *pipeline,
                                                  SluiceController *controller);
/* Leaves only the controllers at positions [@from, @to) in @pipeline. */
void     sluice_redis_pipeline_keep_controllers  (SluicePipeline   *pipeline,
                                                  guint             from,
                                                  guint             to);

G_END_DECLS
