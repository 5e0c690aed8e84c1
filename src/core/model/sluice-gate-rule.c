/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-gate-rule.h"
#include "sluice-params.h"

G_DEFINE_QUARK (sluice-gate-error-quark, sluice_gate_error)

gboolean
sluice_gate_parse_number (const char  *text,
                          double      *number,
                          GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  char *end = NULL;
  double value;

  if (*stripped == '\0')
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "is empty, not a number");
      return FALSE;
    }
  /* Only decimal numbers: strtod would also take "nan", "inf" and hex. */
  for (const char *p = stripped; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && strchr ("+-.eE", *p) == NULL)
      {
        g_set_error (error, SLUICE_GATE_ERROR, 0, "is not a number");
        return FALSE;
      }
  errno = 0;
  value = g_ascii_strtod (stripped, &end);
  if (end == stripped || *end != '\0')
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "is not a number");
      return FALSE;
    }
  if (errno == ERANGE && (isinf (value) || fabs (value) >= HUGE_VAL))
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "is beyond the range of a number");
      return FALSE;
    }
  if (!isfinite (value))
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "is not a finite number");
      return FALSE;
    }
  *number = value;
  return TRUE;
}

/* A number attribute: substituted, then parsed. NAN when absent. */
static gboolean
resolve_number (const SluiceGateCheck *check,
                const char            *attribute,
                const char            *text,
                GHashTable            *values,
                double                *number,
                GError               **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *substituted = NULL;
  g_autoptr(GHashTable) empty = NULL;

  *number = NAN;
  if (text == NULL)
    return TRUE;

  if (values == NULL)
    values = empty = g_hash_table_new (g_str_hash, g_str_equal);
  substituted = sluice_params_substitute (text, values, FALSE, &local);
  if (substituted == NULL)
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s”: %s “%s”: %s",
                   check->name, attribute, text, local->message);
      return FALSE;
    }
  if (!sluice_gate_parse_number (substituted, number, &local))
    {
      if (g_strcmp0 (substituted, text) != 0)
        g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s”: %s “%s” is “%s”, which %s",
                     check->name, attribute, text, substituted, local->message);
      else
        g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s”: %s “%s” %s",
                     check->name, attribute, text, local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
compile_path (const SluiceGateCheck  *check,
              const char             *attribute,
              const char             *text,
              SluiceJsonPath        **path,
              GError                **error)
{
  g_autoptr(GError) local = NULL;

  *path = sluice_json_path_parse (text, &local);
  if (*path == NULL)
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s”: %s: %s",
                   check->name, attribute, local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_bounds (const SluiceGateCheck *check,
              SluiceGateRule        *rule,
              GError               **error)
{
  if (rule->op == SLUICE_GATE_OP_BETWEEN)
    {
      if (check->threshold != NULL)
        g_set_error (error, SLUICE_GATE_ERROR, 0,
                     "check “%s”: op “between” takes min and max, not threshold", check->name);
      else if (check->min == NULL && check->max == NULL)
        g_set_error (error, SLUICE_GATE_ERROR, 0,
                     "check “%s”: op “between” needs min, max or both", check->name);
      else if (!isnan (rule->min) && !isnan (rule->max) && rule->min > rule->max)
        g_set_error (error, SLUICE_GATE_ERROR, 0,
                     "check “%s”: min %g is above max %g: nothing can pass", check->name,
                     rule->min, rule->max);
      else
        return TRUE;
      return FALSE;
    }

  if (check->threshold == NULL)
    g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s”: op “%s” needs a threshold",
                 check->name, check->op);
  else if (check->min != NULL || check->max != NULL)
    g_set_error (error, SLUICE_GATE_ERROR, 0,
                 "check “%s”: min and max go with op “between”, not “%s”", check->name, check->op);
  else
    return TRUE;
  return FALSE;
}

SluiceGateRule *
sluice_gate_rule_new (const SluiceGateCheck  *check,
                      GHashTable             *values,
                      GError                **error)
{
  g_autoptr(SluiceGateRule) rule = g_new0 (SluiceGateRule, 1);

  g_return_val_if_fail (check != NULL, NULL);

  rule->name = g_strdup (check->name != NULL ? check->name : "");
  if (check->value == NULL || *check->value == '\0')
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0, "check “%s” names no value", rule->name);
      return NULL;
    }
  if (!sluice_gate_op_from_string (check->op, &rule->op))
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0,
                   "check “%s”: unknown op “%s” (use >=, >, <=, <, ==, != or between)",
                   rule->name, check->op != NULL ? check->op : "");
      return NULL;
    }
  if (!resolve_number (check, "threshold", check->threshold, values, &rule->threshold, error) ||
      !resolve_number (check, "min", check->min, values, &rule->min, error) ||
      !resolve_number (check, "max", check->max, values, &rule->max, error) ||
      !check_bounds (check, rule, error) ||
      !compile_path (check, "value", check->value, &rule->value, error))
    return NULL;

  if (check->relative_to != NULL)
    {
      if (!sluice_gate_relative_from_string (check->relative, &rule->relative))
        {
          g_set_error (error, SLUICE_GATE_ERROR, 0,
                       "check “%s”: relative “%s” is neither drop nor rise", rule->name, check->relative);
          return NULL;
        }
      if (!compile_path (check, "relative-to", check->relative_to, &rule->relative_to, error))
        return NULL;
    }
  else if (check->relative != NULL)
    {
      g_set_error (error, SLUICE_GATE_ERROR, 0,
                   "check “%s”: relative=\"%s\" needs relative-to, the value it is measured from",
                   rule->name, check->relative);
      return NULL;
    }

  return g_steal_pointer (&rule);
}

void
sluice_gate_rule_free (SluiceGateRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->name);
  sluice_json_path_free (rule->value);
  sluice_json_path_free (rule->relative_to);
  g_free (rule);
}

void
sluice_gate_outcome_clear (SluiceGateOutcome *outcome)
{
  g_clear_pointer (&outcome->error, g_free);
}

void
sluice_gate_rule_evaluate (const SluiceGateRule *rule,
                           json_t               *item,
                           SluiceGateOutcome    *outcome)
{
  g_autoptr(GError) error = NULL;
  double number = 0;

  memset (outcome, 0, sizeof *outcome);
  outcome->raw = outcome->reference = outcome->value = outcome->margin = NAN;

  if (!sluice_json_path_get_number (rule->value, item, &number, &error))
    {
      outcome->error = g_strdup (error->message);
      return;
    }
  outcome->raw = outcome->value = number;

  if (rule->relative_to != NULL)
    {
      double reference = 0;

      if (!sluice_json_path_get_number (rule->relative_to, item, &reference, &error))
        {
          outcome->error = g_strdup (error->message);
          return;
        }
      outcome->reference = reference;
      if (!sluice_gate_relative_change (rule->relative, number, reference, &outcome->value))
        {
          outcome->error = g_strdup_printf ("%s is 0: there is no relative change from it",
                                            sluice_json_path_get_text (rule->relative_to));
          outcome->value = NAN;
          return;
        }
    }

  outcome->measured = TRUE;
  outcome->passed = sluice_gate_op_evaluate (rule->op, outcome->value, rule->threshold,
                                             rule->min, rule->max, &outcome->margin);
}

static char *
format_bound (const SluiceGateRule *rule)
{
  g_autofree char *low = NULL;
  g_autofree char *high = NULL;

  if (rule->op != SLUICE_GATE_OP_BETWEEN)
    return g_strdup_printf ("%s %g", sluice_gate_op_to_symbol (rule->op), rule->threshold);

  low = isnan (rule->min) ? g_strdup ("−∞") : g_strdup_printf ("%g", rule->min);
  high = isnan (rule->max) ? g_strdup ("∞") : g_strdup_printf ("%g", rule->max);
  return g_strdup_printf ("in [%s, %s]", low, high);
}

char *
sluice_gate_outcome_describe (const SluiceGateRule    *rule,
                              const SluiceGateOutcome *outcome)
{
  g_autofree char *bound = NULL;
  g_autofree char *measured = NULL;

  if (!outcome->measured)
    return g_strdup_printf ("“%s”: %s", rule->name, outcome->error);

  bound = format_bound (rule);
  if (rule->relative_to != NULL)
    measured = g_strdup_printf ("%s %g (%g from %g)",
                                rule->relative == SLUICE_GATE_RELATIVE_RISE ? "rise" : "drop",
                                outcome->value, outcome->raw, outcome->reference);
  else
    measured = g_strdup_printf ("%g", outcome->value);

  return g_strdup_printf ("“%s”: %s, must be %s: %s by %g", rule->name, measured, bound,
                          outcome->passed ? "passed" : "missed", fabs (outcome->margin));
}
