/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-step.h"
#include "sluice-stub-recorder.h"
#include "sluice-test-case.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_STEP_STUB (sluice_step_stub_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStepStub, sluice_step_stub, SLUICE, STEP_STUB, SluiceStep)

/* A step that stands in for one with side effects, in tests and dry
 * runs. Every item it gets goes to @recorder with what the real step
 * would have done (the command line with its parameters, the request).
 * Then, as @stub (a <stub> of a test case) says: an injected fault (a
 * command's exit status, an HTTP status, a time-out on the run's clock),
 * the outputs of the first <answer> whose match the item has (none
 * matching fails the item, naming it), or, without answers, the item
 * passed on unchanged. @stub NULL: record and pass on (a dry run).
 * @stub is copied. */
SluiceStep *sluice_step_stub_new          (SluiceStubRecorder   *recorder,
                                           const SluiceTestStub *stub);
/* A stand-in that fails every item with @reason: a step with side
 * effects a test neither stubbed nor allowed to run. */
SluiceStep *sluice_step_stub_new_refusing (const char           *reason);

/* What the real step of @module would do, for dry runs and records:
 * "run: COMMAND" with parameters substituted and shell-quoted, "POST to
 * URL…", "tool NAME (p=v, …)". */
char       *sluice_step_stub_describe     (SluiceModule         *module,
                                           GHashTable           *params);

G_END_DECLS
