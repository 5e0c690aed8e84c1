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
