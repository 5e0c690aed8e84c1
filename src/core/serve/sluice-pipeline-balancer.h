/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* `sluice-run balance`: the look-aside balancer for pipelines. Serve
 * instances announce themselves (POST /announce with their status, every
 * second or so); clients ask which instance to call and then call it
 * themselves, so the balancer is never in the data path.
 *
 *   POST /announce            {"url", "pipeline", "in_flight", "queue_depth",
 *                             "capacity", "draining", …} → 200
 *   GET  /pick?pipeline=ID    {"url", "pipeline", "load"}: the live instance
 *                             with the least load per capacity (404 when no
 *                             instance serves ID, 503 when all drain)
 *   GET  /instances[?pipeline=ID]   {"instances": [{"url", "pipeline",
 *                             "healthy", "in_flight", "queue_depth",
 *                             "capacity", "age_ms", …}]}
 *   GET  /status              the balancer's own health
 *
 * An instance not heard from for `expire` is forgotten. */

#define SLUICE_TYPE_PIPELINE_BALANCER (sluice_pipeline_balancer_get_type ())
G_DECLARE_FINAL_TYPE (SluicePipelineBalancer, sluice_pipeline_balancer, SLUICE, PIPELINE_BALANCER, GObject)

SluicePipelineBalancer *sluice_pipeline_balancer_new     (gint64                   expire_us);
gboolean                sluice_pipeline_balancer_listen  (SluicePipelineBalancer  *self,
                                                          const char              *address,
                                                          GError                 **error);
const char             *sluice_pipeline_balancer_get_url (SluicePipelineBalancer  *self);

G_END_DECLS
