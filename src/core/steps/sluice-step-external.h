/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-service-client.h"
#include "sluice-step.h"

G_BEGIN_DECLS

/* <external service="…">: POSTs each item to an endpoint of the service,
 * chosen by the look-aside balancer, and goes on with what it answers. */
#define SLUICE_TYPE_STEP_EXTERNAL (sluice_step_external_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepExternal, sluice_step_external, SLUICE, STEP_EXTERNAL, SluiceStep)

/* The client it calls its service with, once prepared (borrowed), for
 * showing the endpoints' health and load; NULL before. */
SluiceServiceClient *sluice_step_external_get_client (SluiceStepExternal *self);
/* Calls of this module (this run, not the process) that @url answered
 * and failed. */
void                 sluice_step_external_get_counts (SluiceStepExternal *self,
                                                      const char         *url,
                                                      guint64            *served,
                                                      guint64            *failed);

G_END_DECLS
