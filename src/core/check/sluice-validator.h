/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"
#include "sluice-problem.h"

G_BEGIN_DECLS

/* Runs the semantic checks of SPEC section 4 on a model (the loader has
 * already done the structural ones): duplicate and missing ids, unknown
 * tools, Lua that does not compile (at the right line of the file),
 * ${name} references to undeclared parameters, externals naming undeclared
 * services, empty controllers and phases. Appends SluiceProblems naming
 * @file (may be NULL) to @problems. Cheap enough to run as the user types
 * (no Lua is run, only compiled). Thread-safe for distinct pipelines. */
void     sluice_validate      (SluicePipeline *pipeline,
                               const char     *file,
                               GPtrArray      *problems);

/* The same for a run with @defines (name → value, from -D; may be NULL):
 * a parameter without a default is then an error unless defined, and a
 * define naming no parameter is an error (a typo must not silently run
 * with the default). */
void     sluice_validate_for_run (SluicePipeline *pipeline,
                                  const char     *file,
                                  GHashTable     *defines,
                                  GPtrArray      *problems);

G_END_DECLS
