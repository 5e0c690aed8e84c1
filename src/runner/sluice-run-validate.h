/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdio.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SLUICE_PROBLEM_FORMAT_TEXT,
  SLUICE_PROBLEM_FORMAT_JSON,
} SluiceProblemFormat;

/* Writes @problems (SluiceProblem) to @stream: one "FILE:LINE: severity:
 * message" line each, or one JSON array of {file, line, severity, node,
 * message} objects. */
void sluice_run_print_problems (FILE                *stream,
                                GPtrArray           *problems,
                                SluiceProblemFormat  format);

/* sluice-run --validate FILE…: loads and validates every file ("-" is
 * standard input, named "<stdin>" in problems), prints all problems to
 * standard output and returns the exit status (0 when no file has an
 * error, 2 otherwise). */
int  sluice_run_validate       (const char * const  *files,
                                SluiceProblemFormat  format);

G_END_DECLS
