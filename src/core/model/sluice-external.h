/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_EXTERNAL (sluice_external_get_type ())
G_DECLARE_FINAL_TYPE (SluiceExternal, sluice_external, SLUICE, EXTERNAL, SluiceModule)

/* <external service="…">: posts the item to an endpoint of a declared
 * service and continues with what it answers (SPEC section 5). */
SluiceExternal *sluice_external_new         (const char     *id,
                                             const char     *service);
const char     *sluice_external_get_service (SluiceExternal *self);
void            sluice_external_set_service (SluiceExternal *self,
                                             const char     *service);

G_END_DECLS
