/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"

G_BEGIN_DECLS

/* Gives the test cases of @pipeline the lines they will have in the file
 * once it is saved: a case edited in the designer (or added from a run)
 * has no line of its own, yet its problems must name one. The pipeline
 * is saved to memory and loaded again, and each case takes the lines of
 * its twin, silently (lines are no edit). Cases whose twin differs in
 * shape keep theirs. Does nothing for a pipeline without cases. */
void sluice_test_lines_update (SluicePipeline *pipeline);

G_END_DECLS
