/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-enums.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_PROBLEM (sluice_problem_get_type ())
G_DECLARE_FINAL_TYPE (SluiceProblem, sluice_problem, SLUICE, PROBLEM, GObject)

/* One finding of the loader or validator (SPEC section 4). Immutable. */
SluiceProblem  *sluice_problem_new          (SluiceSeverity  severity,
                                             const char     *file,
                                             guint           line,
                                             const char     *node_id,
                                             const char     *message);
SluiceProblem  *sluice_problem_new_printf   (SluiceSeverity  severity,
                                             const char     *file,
                                             guint           line,
                                             const char     *node_id,
                                             const char     *format,
                                             ...) G_GNUC_PRINTF (5, 6);
SluiceProblem  *sluice_problem_new_valist   (SluiceSeverity  severity,
                                             const char     *file,
                                             guint           line,
                                             const char     *node_id,
                                             const char     *format,
                                             va_list         args) G_GNUC_PRINTF (5, 0);
SluiceSeverity  sluice_problem_get_severity (SluiceProblem  *self);
/* May be NULL for a model that was never loaded from a file. */
const char     *sluice_problem_get_file     (SluiceProblem  *self);
/* 0 when the problem has no line. */
guint           sluice_problem_get_line     (SluiceProblem  *self);
/* May be NULL when the problem concerns no node. */
const char     *sluice_problem_get_node_id  (SluiceProblem  *self);
const char     *sluice_problem_get_message  (SluiceProblem  *self);
/* "FILE:LINE: error|warning: message" as SPEC section 4 prints it. */
char           *sluice_problem_to_string    (SluiceProblem  *self);

/* TRUE when @problems holds at least one error. */
gboolean        sluice_problems_have_errors (GPtrArray      *problems);
/* Sorts problems by file, line, then severity (errors first); stable. */
void            sluice_problems_sort        (GPtrArray      *problems);

G_END_DECLS
