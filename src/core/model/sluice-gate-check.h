/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One named threshold of a <gate>:
 *
 *   <check name="Sharpe" value="item.historical.sharpe" op="&gt;=" threshold="${hist_min_sharpe}"/>
 *   <check name="Drawdown" value="item.dd" op="between" min="0" max="0.25"/>
 *   <check name="Degradation" value="item.live_replay.sharpe"
 *          relative-to="item.historical.sharpe" op="&lt;=" threshold="0.20"/>
 *
 * The texts are kept as written (a threshold may name ${parameters}, an
 * op may be misspelt): the validator judges them and the executor
 * compiles them, so that a file with a mistake still loads, shows and
 * saves unchanged. */
typedef struct
{
  char  *name;          /* what the report and the events call it */
  char  *value;         /* a path into the item (sluice-json-path.h) */
  char  *op;            /* >=, >, <=, <, ==, != or between */
  char  *threshold;     /* comparison ops: a number or ${name} */
  char  *min;           /* between: lower bound, inclusive (may be NULL) */
  char  *max;           /* between: upper bound, inclusive (may be NULL) */
  char  *relative_to;   /* a path: compare the relative change from it instead */
  char  *relative;      /* with relative-to: "drop" (default) or "rise" */
  guint  line;          /* in the file, 0 when unknown */
} SluiceGateCheck;

typedef enum
{
  SLUICE_GATE_OP_GE,
  SLUICE_GATE_OP_GT,
  SLUICE_GATE_OP_LE,
  SLUICE_GATE_OP_LT,
  SLUICE_GATE_OP_EQ,
  SLUICE_GATE_OP_NE,
  SLUICE_GATE_OP_BETWEEN,
} SluiceGateOp;

/* With relative-to R, the measured quantity is the relative change of
 * the value V from R: drop = (R − V) / |R|, rise = (V − R) / |R|. */
typedef enum
{
  SLUICE_GATE_RELATIVE_NONE,
  SLUICE_GATE_RELATIVE_DROP,
  SLUICE_GATE_RELATIVE_RISE,
} SluiceGateRelative;

#define SLUICE_TYPE_GATE_CHECK (sluice_gate_check_get_type ())
GType            sluice_gate_check_get_type   (void);

SluiceGateCheck *sluice_gate_check_new        (const char            *name,
                                               const char            *value,
                                               const char            *op,
                                               const char            *threshold);
SluiceGateCheck *sluice_gate_check_copy       (const SluiceGateCheck *check);
void             sluice_gate_check_free       (SluiceGateCheck       *check);
gboolean         sluice_gate_check_equal      (const SluiceGateCheck *a,
                                               const SluiceGateCheck *b);

gboolean         sluice_gate_op_from_string   (const char            *text,
                                               SluiceGateOp          *op);
const char      *sluice_gate_op_to_string     (SluiceGateOp           op);
/* "≥", "≤", "∈ [min, max]"…: how people read the op. */
const char      *sluice_gate_op_to_symbol     (SluiceGateOp           op);
gboolean         sluice_gate_relative_from_string (const char         *text,
                                                   SluiceGateRelative *relative);

/* Applies @op. @threshold serves the comparisons, @min and @max (either
 * may be NAN: no bound) serve between. @margin is how far @value is on
 * the passing side: positive or zero when it passes, negative by how much
 * it missed (for == and != it is −|value − threshold| and |value −
 * threshold|; for between the distance to the nearer bound). */
gboolean         sluice_gate_op_evaluate      (SluiceGateOp           op,
                                               double                 value,
                                               double                 threshold,
                                               double                 min,
                                               double                 max,
                                               double                *margin);
/* The measured quantity of a relative check; FALSE when @reference is 0
 * (no relative change from nothing). */
gboolean         sluice_gate_relative_change  (SluiceGateRelative     relative,
                                               double                 value,
                                               double                 reference,
                                               double                *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceGateCheck, sluice_gate_check_free)

G_END_DECLS
