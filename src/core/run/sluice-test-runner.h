/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"
#include "sluice-test-case.h"

G_BEGIN_DECLS

/* Wall-clock limit of a case that sets no timeout. The case's delays,
 * back-offs and time-outs run on a fake clock and do not count. */
#define SLUICE_TEST_DEFAULT_TIMEOUT_MS 60000

/* The outcome of one test case. */
typedef struct
{
  char     *name;
  guint     line;           /* of the <case> */
  gboolean  passed;
  char     *message;        /* why it failed, several lines with the diff; NULL when it passed */
  char     *module;         /* the module the failure is about (one that failed, an expected one), or NULL */
  gint64    duration_us;    /* wall time */
  gint64    skipped_us;     /* time the fake clock skipped */
  guint64   outputs;
} SluiceTestResult;

void              sluice_test_result_free (SluiceTestResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceTestResult, sluice_test_result_free)

/* Runs @test of @pipeline (loaded from @path, which may be NULL: input
 * and expected files are then relative to the current directory and
 * commands run there) and checks its expectations. Synchronous: it runs
 * the executor on a main context of its own, pushed as the thread
 * default for the time of the run, so it may be called from a worker
 * thread or from a test. Every step with side effects is replaced: by the
 * case's stub, by nothing when the stub says real="true", otherwise by
 * one that fails the item and says so. Delays and time-outs run on a
 * fake clock. The pipeline is expected to validate. */
SluiceTestResult *sluice_test_run_case    (SluicePipeline *pipeline,
                                           const char     *path,
                                           SluiceTestCase *test);

typedef enum
{
  SLUICE_TEST_RUN_DEFAULT       = 0,
  /* real="true" stubs do not run the real step either: for files the
   * user has not trusted (the designer), such a step fails its items
   * and says why. */
  SLUICE_TEST_RUN_NO_REAL_STEPS = 1 << 0,
} SluiceTestRunFlags;

SluiceTestResult *sluice_test_run_case_full (SluicePipeline     *pipeline,
                                             const char         *path,
                                             SluiceTestCase     *test,
                                             SluiceTestRunFlags  flags);

G_END_DECLS
