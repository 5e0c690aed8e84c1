/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-controller.h"
#include "sluice-gate.h"
#include "sluice-lua-check.h"
#include "sluice-pipeline.h"
#include "sluice-problem.h"
#include "sluice-tool.h"

G_BEGIN_DECLS

/* What the validator's files share (sluice-validator.c: nodes, modules
 * and Lua; sluice-validator-declarations.c: parameters and services). */

typedef struct
{
  SluicePipeline *pipeline;  /* borrowed */
  const char     *file;      /* borrowed, may be NULL */
  GPtrArray      *problems;  /* borrowed */
  GHashTable     *defines;   /* borrowed, NULL when not validating for a run */
  GHashTable     *ids;       /* id → first SluiceNode with it; borrowed nodes */
  SluiceLuaCheck *lua;       /* owned */
  SluiceNode     *step_node; /* borrowed: the module a step is checking */
  gboolean        uses_table_names; /* a ${table:…} was seen */
} SluiceCheck;

/* Adds a problem at @line about @node (may be NULL). */
void _sluice_check_report (SluiceCheck    *check,
                           SluiceSeverity  severity,
                           guint           line,
                           SluiceNode     *node,
                           const char     *format,
                           ...) G_GNUC_PRINTF (5, 6);

static inline gboolean
_sluice_check_str_empty (const char *str)
{
  return str == NULL || str[0] == '\0';
}

/* sluice-validator-declarations.c */
void _sluice_check_parameters (SluiceCheck *check);
void _sluice_check_services   (SluiceCheck *check);
/* sluice-validator-distribute.c: distribute="redis" on a controller. */
void _sluice_check_distribute (SluiceCheck      *check,
                               SluiceController *controller);
/* sluice-validator-tests.c: the <tests> cases. */
void _sluice_check_tests      (SluiceCheck *check);

/* sluice-validator-gate.c */
void _sluice_check_gate       (SluiceCheck *check,
                               SluiceGate  *gate);
/* sluice-validator-recommendation.c */
void _sluice_check_recommendation (SluiceCheck *check);
/* Whether @name can be written as ${name}. */
gboolean _sluice_check_is_reference_name (const char *name);

/* sluice-validator-tool-params.c: @value of tool parameter @info, by
 * its declared type. */
void _sluice_check_tool_param_value (SluiceCheck               *check,
                                     SluiceNode                *node,
                                     const SluiceToolInfo      *tool,
                                     const SluiceToolParamInfo *info,
                                     const char                *value,
                                     guint                      line);
/* sluice-validator-schedule.c: the <schedule>, checked after the
 * modules (whose references it hears of). */
void     _sluice_check_schedule           (SluiceCheck  *check);
/* TRUE when @name is one of the parameters a schedule sets (with
 * @problem set when this pipeline cannot set it). */
gboolean _sluice_check_schedule_reference (SluiceCheck  *check,
                                           const char   *name,
                                           char        **problem);

G_END_DECLS
