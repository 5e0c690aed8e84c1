/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-command.h"
#include "sluice-core.h"

G_BEGIN_DECLS

/* Makes test case @test say what @edited says (sluice_test_case_assign())
 * as one undoable step: its input items, expectations, stubs and
 * assertions as edited in the inspector. @edited is copied. Consecutive
 * commands on one case with the same non-NULL @merge_key merge, so that
 * typing items is one step; NULL never merges. */
SluiceCommand *sluice_test_case_command_new (SluiceTestCase *test,
                                             SluiceTestCase *edited,
                                             const char     *merge_key);

G_END_DECLS
