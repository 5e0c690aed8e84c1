/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Helpers shared by the executor tests: load a pipeline from a small XML
 * string, run it on input lines in a main loop, collect outputs and
 * events. */

#include <jansson.h>

#include "sluice-core.h"
#include "sluice-executor.h"

typedef struct
{
  SluiceExecutor *executor;
  GPtrArray      *outputs;   /* char*, one JSON line each */
  GPtrArray      *events;    /* char*, event JSON lines */
  GMainLoop      *loop;
  guint           timeout_id;
} TestRun;

SluicePipeline *test_load (const char *xml);
/* Wraps @body in <pipeline format="1" id="t"> … </pipeline>. */
SluicePipeline *test_load_body (const char *body);
/* Makes a run; @input NULL means the {} trigger. @defines: NULL or a
 * NULL-terminated list of "name=value". */
TestRun        *test_run_new (SluicePipeline      *pipeline,
                              const char          *input,
                              const char * const  *defines,
                              gboolean             with_events);
/* Starts and waits for a final state (fails the test after 60 s). */
SluiceRunState  test_run_wait (TestRun *run);
void            test_run_free (TestRun *run);
/* Runs @body (wrapped) on @input to the end. */
TestRun        *test_run_body (const char *body,
                               const char *input);
/* Builds n lines {"id": i, "value": i, "tag": "a"|"b"}. */
char           *test_items (guint n);
json_t         *test_output (TestRun *run, guint i);
gint64          test_output_int (TestRun *run, guint i, const char *key);
