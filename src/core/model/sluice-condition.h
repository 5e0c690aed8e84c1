/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_CONDITION (sluice_condition_get_type ())
G_DECLARE_FINAL_TYPE (SluiceCondition, sluice_condition, SLUICE, CONDITION, SluiceModule)

/* <condition>: <when> holds a Lua expression over `item`; true runs the
 * modules of <then>, false those of <else>. An empty branch passes the
 * item on unchanged (and is not written out). */
SluiceCondition *sluice_condition_new               (const char      *id,
                                                     const char      *expression);
const char      *sluice_condition_get_expression    (SluiceCondition *self);
void             sluice_condition_set_expression    (SluiceCondition *self,
                                                     const char      *expression);
guint            sluice_condition_get_expression_line (SluiceCondition *self);
void             sluice_condition_set_expression_line (SluiceCondition *self,
                                                       guint            line);
/* Lists of SluiceModule; mutate with sluice_node_list_*(). Borrowed. */
GListModel      *sluice_condition_get_then_modules  (SluiceCondition *self);
GListModel      *sluice_condition_get_else_modules  (SluiceCondition *self);

G_END_DECLS
