/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-session.h"

G_BEGIN_DECLS

/* A new test case named @name from what a finished run saw ("Add Test
 * From This Run"):
 *
 *  - @node NULL (or not a module): the whole pipeline, fed the run's
 *    input items and parameters, expecting its outputs (all of them when
 *    the run panel kept them all, else their count), or its failure;
 *  - a module: that module alone, fed the items its data preview kept
 *    going in and expecting those that came out, which needs a module
 *    that saw no more items than the preview keeps.
 *
 * Every module with side effects gets a stub, so that the case never
 * reaches the world: one fed a single item answers what the real step
 * answered (from the preview); the others record and pass items on.
 * NULL with @error saying why no case can be made. */
SluiceTestCase *sluice_test_from_run (SluiceRunSession *session,
                                      SluiceNode       *node,
                                      const char       *name,
                                      GError          **error);

G_END_DECLS
