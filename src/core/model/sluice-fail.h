/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_FAIL (sluice_fail_get_type ())
G_DECLARE_FINAL_TYPE (SluiceFail, sluice_fail, SLUICE, FAIL, SluiceModule)

/* <fail>reason</fail>: fails the run with its text as the reason; used as
 * the else branch of a stage gate. */
SluiceFail *sluice_fail_new        (const char *id,
                                    const char *reason);
const char *sluice_fail_get_reason (SluiceFail *self);
void        sluice_fail_set_reason (SluiceFail *self,
                                    const char *reason);

G_END_DECLS
