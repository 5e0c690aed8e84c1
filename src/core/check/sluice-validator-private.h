/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-gate.h"
#include "sluice-lua-check.h"
#include "sluice-pipeline.h"
#include "sluice-problem.h"

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
/* sluice-validator-gate.c */
void _sluice_check_gate       (SluiceCheck *check,
                               SluiceGate  *gate);
/* sluice-validator-recommendation.c */
void _sluice_check_recommendation (SluiceCheck *check);
/* Whether @name can be written as ${name}. */
gboolean _sluice_check_is_reference_name (const char *name);

G_END_DECLS
