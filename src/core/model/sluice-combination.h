/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-module.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_COMBINATION (sluice_combination_get_type ())
G_DECLARE_FINAL_TYPE (SluiceCombination, sluice_combination, SLUICE, COMBINATION, SluiceModule)

/* <combination>: a named sequence of modules run in order as one unit; its
 * timeout, retries and on-error apply to the whole group. */
SluiceCombination *sluice_combination_new         (const char        *id);
/* List of SluiceModule; mutate with sluice_node_list_*(). Borrowed. */
GListModel        *sluice_combination_get_modules (SluiceCombination *self);

G_END_DECLS
