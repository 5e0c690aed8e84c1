/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-gate-check.h"

G_DEFINE_BOXED_TYPE (SluiceGateCheck, sluice_gate_check, sluice_gate_check_copy, sluice_gate_check_free)

static const struct
{
  const char *text;
  const char *symbol;
} op_names[] = {
  [SLUICE_GATE_OP_GE] = { ">=", "≥" },
  [SLUICE_GATE_OP_GT] = { ">", ">" },
  [SLUICE_GATE_OP_LE] = { "<=", "≤" },
  [SLUICE_GATE_OP_LT] = { "<", "<" },
  [SLUICE_GATE_OP_EQ] = { "==", "=" },
  [SLUICE_GATE_OP_NE] = { "!=", "≠" },
  [SLUICE_GATE_OP_BETWEEN] = { "between", "∈" },
};

SluiceGateCheck *
sluice_gate_check_new (const char *name,
                       const char *value,
                       const char *op,
                       const char *threshold)
{
  SluiceGateCheck *check = g_new0 (SluiceGateCheck, 1);

  check->name = g_strdup (name);
  check->value = g_strdup (value);
  check->op = g_strdup (op);
  check->threshold = g_strdup (threshold);
  return check;
}

SluiceGateCheck *
sluice_gate_check_copy (const SluiceGateCheck *check)
{
  SluiceGateCheck *copy;

  g_return_val_if_fail (check != NULL, NULL);

  copy = sluice_gate_check_new (check->name, check->value, check->op, check->threshold);
  copy->min = g_strdup (check->min);
  copy->max = g_strdup (check->max);
  copy->relative_to = g_strdup (check->relative_to);
  copy->relative = g_strdup (check->relative);
  copy->line = check->line;
  return copy;
}

void
sluice_gate_check_free (SluiceGateCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->name);
  g_free (check->value);
  g_free (check->op);
  g_free (check->threshold);
  g_free (check->min);
  g_free (check->max);
  g_free (check->relative_to);
  g_free (check->relative);
  g_free (check);
}

/* Equal in what the file says (the line is where, not what). */
gboolean
sluice_gate_check_equal (const SluiceGateCheck *a,
                         const SluiceGateCheck *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->value, b->value) == 0 &&
         g_strcmp0 (a->op, b->op) == 0 &&
         g_strcmp0 (a->threshold, b->threshold) == 0 &&
         g_strcmp0 (a->min, b->min) == 0 &&
         g_strcmp0 (a->max, b->max) == 0 &&
         g_strcmp0 (a->relative_to, b->relative_to) == 0 &&
         g_strcmp0 (a->relative, b->relative) == 0;
}

gboolean
sluice_gate_op_from_string (const char   *text,
                            SluiceGateOp *op)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (g_str_equal (text, op_names[i].text))
      {
        *op = (SluiceGateOp) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sluice_gate_op_to_string (SluiceGateOp op)
{
  g_return_val_if_fail (op <= SLUICE_GATE_OP_BETWEEN, NULL);
  return op_names[op].text;
}

const char *
sluice_gate_op_to_symbol (SluiceGateOp op)
{
  g_return_val_if_fail (op <= SLUICE_GATE_OP_BETWEEN, NULL);
  return op_names[op].symbol;
}

gboolean
sluice_gate_relative_from_string (const char         *text,
                                  SluiceGateRelative *relative)
{
  if (text == NULL || g_str_equal (text, "drop"))
    *relative = SLUICE_GATE_RELATIVE_DROP;
  else if (g_str_equal (text, "rise"))
    *relative = SLUICE_GATE_RELATIVE_RISE;
  else
    return FALSE;
  return TRUE;
}

gboolean
sluice_gate_op_evaluate (SluiceGateOp  op,
                         double        value,
                         double        threshold,
                         double        min,
                         double        max,
                         double       *margin)
{
  double m;
  gboolean pass;

  switch (op)
    {
    case SLUICE_GATE_OP_GE:
      m = value - threshold;
      pass = value >= threshold;
      break;
    case SLUICE_GATE_OP_GT:
      m = value - threshold;
      pass = value > threshold;
      break;
    case SLUICE_GATE_OP_LE:
      m = threshold - value;
      pass = value <= threshold;
      break;
    case SLUICE_GATE_OP_LT:
      m = threshold - value;
      pass = value < threshold;
      break;
    case SLUICE_GATE_OP_EQ:
      m = -fabs (value - threshold);
      pass = value == threshold;
      break;
    case SLUICE_GATE_OP_NE:
      m = fabs (value - threshold);
      pass = value != threshold;
      break;
    case SLUICE_GATE_OP_BETWEEN:
    default:
      {
        double above = isnan (min) ? INFINITY : value - min;
        double below = isnan (max) ? INFINITY : max - value;

        m = MIN (above, below);
        pass = (isnan (min) || value >= min) && (isnan (max) || value <= max);
        if (isinf (m))
          m = 0;   /* no bound at all: nothing to be near */
      }
      break;
    }

  /* A NaN anywhere never passes (every comparison with it is false). */
  if (isnan (m))
    pass = FALSE;
  if (margin != NULL)
    *margin = m;
  return pass;
}

gboolean
sluice_gate_relative_change (SluiceGateRelative  relative,
                             double              value,
                             double              reference,
                             double             *change)
{
  if (reference == 0 || !isfinite (reference))
    return FALSE;
  if (relative == SLUICE_GATE_RELATIVE_RISE)
    *change = (value - reference) / fabs (reference);
  else
    *change = (reference - value) / fabs (reference);
  return TRUE;
}
