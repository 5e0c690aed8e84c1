/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-gate-check.h"
#include "sluice-json-path.h"

G_BEGIN_DECLS

/* A check ready to run: its ${name} references replaced by the run's
 * values, its numbers parsed and its paths compiled. The validator
 * compiles every check the same way, so that what it accepts runs. */
typedef struct
{
  char               *name;
  SluiceGateOp        op;
  double              threshold;      /* comparisons */
  double              min;            /* between; NAN = no bound */
  double              max;
  SluiceGateRelative  relative;
  SluiceJsonPath     *value;
  SluiceJsonPath     *relative_to;    /* NULL unless relative */
} SluiceGateRule;

/* What a check found on one item. */
typedef struct
{
  gboolean  passed;
  gboolean  measured;    /* FALSE: the item had no number there (see @error) */
  double    value;       /* the measured quantity: the number, or its relative change */
  double    raw;         /* relative checks: the number itself */
  double    reference;   /* relative checks: the number it is compared with */
  double    margin;      /* sluice_gate_op_evaluate() */
  char     *error;       /* why nothing could be measured, owned */
} SluiceGateOutcome;

#define SLUICE_GATE_ERROR (sluice_gate_error_quark ())
GQuark          sluice_gate_error_quark    (void);

/* A finite number in C syntax ("0.2", "-1e-3"); FALSE for "", "abc",
 * "1e400", "nan", "inf" and trailing text, with a message that follows
 * the text ("is not a number"). */
gboolean        sluice_gate_parse_number   (const char            *text,
                                            double                *number,
                                            GError               **error);
/* @values maps parameter names to values (may be NULL when the texts
 * reference none). Errors name the check and the attribute. */
SluiceGateRule *sluice_gate_rule_new       (const SluiceGateCheck *check,
                                            GHashTable            *values,
                                            GError               **error);
void            sluice_gate_rule_free      (SluiceGateRule        *rule);
void            sluice_gate_rule_evaluate  (const SluiceGateRule  *rule,
                                            json_t                *item,
                                            SluiceGateOutcome     *outcome);
void            sluice_gate_outcome_clear  (SluiceGateOutcome     *outcome);
/* "Sharpe 0.92 ≥ 1 missed by 0.08" and the like, for failure reasons. */
char           *sluice_gate_outcome_describe (const SluiceGateRule    *rule,
                                              const SluiceGateOutcome *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceGateRule, sluice_gate_rule_free)

G_END_DECLS
