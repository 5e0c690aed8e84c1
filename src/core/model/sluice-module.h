/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-enums.h"
#include "sluice-node.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_MODULE (sluice_module_get_type ())
G_DECLARE_DERIVABLE_TYPE (SluiceModule, sluice_module, SLUICE, MODULE, SluiceNode)

/* The attributes every module kind accepts (SPEC section 2): timeout,
 * retries, backoff and on-error. Subclasses: SluiceExecution,
 * SluiceCondition, SluiceCombination, SluiceExternal, SluiceFail. */
struct _SluiceModuleClass
{
  SluiceNodeClass parent_class;
};

/* Default backoff factor: retry n (from 0) waits 100 ms × factor^n. */
#define SLUICE_DEFAULT_BACKOFF 2.0
#define SLUICE_RETRY_BASE_DELAY_MS 100

/* 0 means no time-out. */
gint64        sluice_module_get_timeout_ms (SluiceModule  *self);
void          sluice_module_set_timeout_ms (SluiceModule  *self,
                                            gint64         timeout_ms);
guint         sluice_module_get_retries    (SluiceModule  *self);
void          sluice_module_set_retries    (SluiceModule  *self,
                                            guint          retries);
double        sluice_module_get_backoff    (SluiceModule  *self);
void          sluice_module_set_backoff    (SluiceModule  *self,
                                            double         backoff);
SluiceOnError sluice_module_get_on_error   (SluiceModule  *self);
void          sluice_module_set_on_error   (SluiceModule  *self,
                                            SluiceOnError  on_error);

G_END_DECLS
