/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Runs the real sluice-run ($SLUICE_RUN) and keeps what it said. */
typedef struct
{
  char *out;
  char *err;
  int   status;
} RunnerResult;

void runner_result_clear (RunnerResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunnerResult, runner_result_clear)

/* @args: NULL-terminated, without the program; @input: standard input,
 * or NULL for none. */
void runner_run          (RunnerResult       *result,
                          const char * const *args,
                          const char         *input);
/* The same with the arguments listed, NULL-terminated, and no input. */
void runner_run_va       (RunnerResult       *result,
                          const char         *first_arg,
                          ...) G_GNUC_NULL_TERMINATED;
/* With the file at @stdin_path as standard input (a real file, which
 * the runner can stat and compare with its output). */
void runner_run_stdin_file (RunnerResult       *result,
                            const char         *stdin_path,
                            const char * const *args);
