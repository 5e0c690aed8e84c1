/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-gate-rule.h"
#include "sluice-recommendation.h"
#include "sluice-report-private.h"

/* The recommendation and the outcome: what the first screen of a report
 * says. The rules are the pipeline's <recommendation>, or the defaults
 * (sluice_recommendation_new_default()); the first rule that holds gives
 * the verdict, and the report quotes it. */

double
_sluice_report_near (SluiceExecutor *executor)
{
  SluiceRecommendation *recommendation = sluice_recommendation_get_for (sluice_executor_get_pipeline (executor));
  double near;

  if (recommendation != NULL && sluice_recommendation_get_near (recommendation) != NULL &&
      sluice_gate_parse_number (sluice_recommendation_get_near (recommendation), &near, NULL) && near >= 0)
    return near;
  return SLUICE_RECOMMENDATION_DEFAULT_NEAR;
}

static const char *
op_symbol (json_t *check)
{
  SluiceGateOp op;

  if (!sluice_gate_op_from_string (json_string_value (json_object_get (check, "op")), &op))
    return "?";
  return sluice_gate_op_to_symbol (op);
}

/* "“Sharpe” 1.8069 must be ≥ 3: missed by 1.1931" */
static char *
describe_check (json_t *check)
{
  const char *name = json_string_value (json_object_get (check, "name"));
  json_t *value = json_object_get (check, "value");
  json_t *threshold = json_object_get (check, "threshold");
  g_autofree char *bound = NULL;

  if (!json_is_number (value))
    return g_strdup_printf ("“%s”: %s", name, json_string_value (json_object_get (check, "error")));
  if (threshold != NULL)
    bound = g_strdup_printf ("%s %g", op_symbol (check), json_number_value (threshold));
  else
    {
      json_t *min = json_object_get (check, "min");
      json_t *max = json_object_get (check, "max");
      g_autofree char *low = min != NULL ? g_strdup_printf ("%g", json_number_value (min)) : g_strdup ("−∞");
      g_autofree char *high = max != NULL ? g_strdup_printf ("%g", json_number_value (max)) : g_strdup ("∞");

      bound = g_strdup_printf ("in [%s, %s]", low, high);
    }
  return g_strdup_printf ("“%s” %g must be %s: %s by %g", name, json_number_value (value), bound,
                          json_is_true (json_object_get (check, "passed")) ? "passed" : "missed",
                          fabs (json_number_value (json_object_get (check, "margin"))));
}

/* Every check a gate stopped an item with, where the report shows it. */
static json_t *
failed_checks (json_t *stages)
{
  json_t *failed = json_array ();
  size_t i, j, k;
  json_t *stage, *gate, *check;

  json_array_foreach (stages, i, stage)
    json_array_foreach (json_object_get (stage, "gates"), j, gate)
      {
        if (json_integer_value (json_object_get (gate, "failed")) == 0)
          continue;
        json_array_foreach (json_object_get (gate, "checks"), k, check)
          {
            json_t *entry;

            if (json_is_true (json_object_get (check, "passed")))
              continue;
            entry = json_deep_copy (check);
            json_object_set (entry, "stage", json_object_get (stage, "id"));
            json_object_set (entry, "stage_name", json_object_get (stage, "name"));
            json_object_set (entry, "gate", json_object_get (gate, "id"));
            json_object_set (entry, "gate_name", json_object_get (gate, "name"));
            {
              g_autofree char *text = describe_check (check);
              json_object_set_new (entry, "text", json_string (text));
            }
            json_array_append_new (failed, entry);
          }
      }
  return failed;
}

static gboolean
any_gate_failed (json_t *stages)
{
  size_t i, j;
  json_t *stage, *gate;

  json_array_foreach (stages, i, stage)
    json_array_foreach (json_object_get (stage, "gates"), j, gate)
      if (json_integer_value (json_object_get (gate, "failed")) > 0)
        return TRUE;
  return FALSE;
}

static json_t *
first_warning (json_t     *warnings,
               const char *kind)
{
  size_t i;
  json_t *warning;

  json_array_foreach (warnings, i, warning)
    if (kind == NULL || g_strcmp0 (json_string_value (json_object_get (warning, "kind")), kind) == 0)
      return warning;
  return NULL;
}

/* Whether @rule holds for @report; @reason says why it does. */
static gboolean
rule_holds (const SluiceRecommendationRule  *rule,
            json_t                          *report,
            json_t                          *failed,
            char                           **reason)
{
  const char *state = json_string_value (json_object_get (report, "state"));
  json_t *warnings = json_object_get (report, "warnings");
  json_t *score = json_object_get (json_object_get (report, "consistency"), "score");
  const char *when = rule->when != NULL ? rule->when : "";

  if (g_str_equal (when, "always"))
    {
      *reason = g_strdup ("this rule always applies");
      return TRUE;
    }
  if (g_str_equal (when, "failed"))
    {
      if (g_strcmp0 (state, "completed") == 0)
        return FALSE;
      if (json_array_size (failed) > 0)
        *reason = g_strdup_printf ("the run %s: %s", state,
                                   json_string_value (json_object_get (json_array_get (failed, 0), "text")));
      else
        *reason = g_strdup_printf ("the run %s%s%s", state,
                                   json_object_get (report, "error") != NULL ? ": " : "",
                                   json_object_get (report, "error") != NULL
                                     ? json_string_value (json_object_get (report, "error")) : "");
      return TRUE;
    }
  if (g_str_equal (when, "completed"))
    {
      if (g_strcmp0 (state, "completed") != 0)
        return FALSE;
      *reason = g_strdup ("the run completed and no rule before this one applied");
      return TRUE;
    }
  if (g_str_equal (when, "gate-failed"))
    {
      if (!any_gate_failed (json_object_get (report, "stages")))
        return FALSE;
      *reason = json_array_size (failed) > 0
        ? g_strdup_printf ("a gate stopped an item: %s",
                           json_string_value (json_object_get (json_array_get (failed, 0), "text")))
        : g_strdup ("a gate stopped an item");
      return TRUE;
    }
  if (g_str_equal (when, "near-threshold") || g_str_equal (when, "warnings"))
    {
      json_t *warning = first_warning (warnings, g_str_equal (when, "warnings") ? NULL : "near-threshold");

      if (warning == NULL)
        return FALSE;
      *reason = g_strdup (json_string_value (json_object_get (warning, "message")));
      return TRUE;
    }
  if (g_str_equal (when, "consistency-below"))
    {
      double limit;

      if (!json_is_number (score) || rule->value == NULL ||
          !sluice_gate_parse_number (rule->value, &limit, NULL) || json_number_value (score) >= limit)
        return FALSE;
      *reason = g_strdup_printf ("the consistency score %.2f is below %g", json_number_value (score), limit);
      return TRUE;
    }
  return FALSE;
}

static char *
rule_text (const SluiceRecommendationRule *rule)
{
  if (rule->value != NULL)
    return g_strdup_printf ("%s when %s %s", rule->verdict, rule->when, rule->value);
  return g_strdup_printf ("%s when %s", rule->verdict, rule->when);
}

static json_t *
recommend (SluiceExecutor *executor,
           json_t         *report,
           json_t         *failed)
{
  SluiceRecommendation *own = sluice_recommendation_get_for (sluice_executor_get_pipeline (executor));
  g_autoptr(SluiceRecommendation) fallback = own == NULL ? sluice_recommendation_new_default () : NULL;
  SluiceRecommendation *rules = own != NULL ? own : fallback;

  for (guint i = 0; i < sluice_recommendation_get_n_rules (rules); i++)
    {
      const SluiceRecommendationRule *rule = sluice_recommendation_get_rule (rules, i);
      g_autofree char *reason = NULL;
      g_autofree char *text = NULL;

      if (!rule_holds (rule, report, failed, &reason))
        continue;
      text = rule_text (rule);
      return json_pack ("{s:s, s:s, s:s, s:s}",
                        "verdict", rule->verdict,
                        "rule", text,
                        "reason", reason,
                        "rules", own != NULL ? "pipeline" : "default");
    }

  return json_pack ("{s:s, s:s, s:s, s:s}",
                    "verdict", "review",
                    "rule", "no rule applied",
                    "reason", "none of the recommendation rules applied to this run",
                    "rules", own != NULL ? "pipeline" : "default");
}

static char *
headline (json_t *report,
          json_t *failed)
{
  const char *state = json_string_value (json_object_get (report, "state"));
  json_t *first = json_array_get (failed, 0);

  if (g_strcmp0 (state, "completed") == 0)
    {
      if (first != NULL)
        return g_strdup_printf ("Completed; gate “%s” in stage “%s” stopped items: %s",
                                json_string_value (json_object_get (first, "gate_name")),
                                json_string_value (json_object_get (first, "stage_name")),
                                json_string_value (json_object_get (first, "text")));
      return g_strdup_printf ("Completed: %" JSON_INTEGER_FORMAT " item%s in, %" JSON_INTEGER_FORMAT " out",
                              json_integer_value (json_object_get (report, "items_in")),
                              json_integer_value (json_object_get (report, "items_in")) == 1 ? "" : "s",
                              json_integer_value (json_object_get (report, "items_out")));
    }
  if (first != NULL)
    return g_strdup_printf ("Failed at stage “%s”, gate “%s”: %s%s",
                            json_string_value (json_object_get (first, "stage_name")),
                            json_string_value (json_object_get (first, "gate_name")),
                            json_string_value (json_object_get (first, "text")),
                            json_array_size (failed) > 1 ? " (and more below)" : "");
  if (json_object_get (report, "error") != NULL)
    return g_strdup_printf ("%s: %s", g_strcmp0 (state, "failed") == 0 ? "Failed" : "Stopped",
                            json_string_value (json_object_get (report, "error")));
  return g_strdup_printf ("Run %s", state);
}

void
_sluice_report_add_verdict (json_t         *report,
                            SluiceExecutor *executor)
{
  json_t *failed = failed_checks (json_object_get (report, "stages"));
  g_autofree char *line = headline (report, failed);
  json_t *stages = json_object_get (report, "stages");
  const char *reached = NULL;
  size_t i;
  json_t *stage;

  json_array_foreach (stages, i, stage)
    if (json_is_true (json_object_get (stage, "reached")))
      reached = json_string_value (json_object_get (stage, "id"));

  json_object_set_new (report, "recommendation", recommend (executor, report, failed));
  json_object_set_new (report, "outcome", json_pack ("{s:O, s:s, s:o}",
                                                     "state", json_object_get (report, "state"),
                                                     "headline", line,
                                                     "failed_checks", failed));
  if (reached != NULL)
    json_object_set_new (json_object_get (report, "outcome"), "reached_stage", json_string (reached));
}
