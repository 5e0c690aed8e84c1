/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-gate-rule.h"
#include "sluice-recommendation.h"
#include "sluice-validator-private.h"

/* <recommendation>: known conditions, and numbers where numbers go. A
 * mistake here would give a wrong verdict silently, so each is an error. */

static void
check_rule (SluiceCheck                    *check,
            const SluiceRecommendationRule *rule)
{
  gboolean needs_value = FALSE;
  double value;
  g_autoptr(GError) error = NULL;

  if (!sluice_recommendation_condition_is_known (rule->when, &needs_value))
    {
      _sluice_check_report (check, SLUICE_SEVERITY_ERROR, rule->line, NULL,
                            _("recommendation rule: unknown condition `%s` (use failed, completed, gate-failed, "
                              "near-threshold, warnings, consistency-below or always)"),
                            rule->when != NULL ? rule->when : "");
      return;
    }
  if (!needs_value)
    {
      if (rule->value != NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, rule->line, NULL,
                              _("recommendation rule `%s` takes no value: value=\"%s\" is ignored"),
                              rule->when, rule->value);
      return;
    }
  if (rule->value == NULL)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, rule->line, NULL,
                          _("recommendation rule `%s` needs a value (a score from 0 to 1)"), rule->when);
  else if (!sluice_gate_parse_number (rule->value, &value, &error))
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, rule->line, NULL,
                          _("recommendation rule `%s`: value “%s” %s"), rule->when, rule->value, error->message);
  else if (value < 0 || value > 1)
    _sluice_check_report (check, SLUICE_SEVERITY_ERROR, rule->line, NULL,
                          _("recommendation rule `%s`: value %s is not a score from 0 to 1"), rule->when, rule->value);
}

void
_sluice_check_recommendation (SluiceCheck *check)
{
  SluiceRecommendation *recommendation = sluice_recommendation_get_for (check->pipeline);
  const char *near;
  double value;

  if (recommendation == NULL)
    return;

  near = sluice_recommendation_get_near (recommendation);
  if (near != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!sluice_gate_parse_number (near, &value, &error))
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_recommendation_get_line (recommendation), NULL,
                              _("recommendation: near “%s” %s"), near, error->message);
      else if (value < 0)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, sluice_recommendation_get_line (recommendation), NULL,
                              _("recommendation: near must not be negative, not %s"), near);
    }
  if (sluice_recommendation_get_n_rules (recommendation) == 0)
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_recommendation_get_line (recommendation), NULL,
                          _("recommendation has no rules: every run is recommended for review"));

  for (guint i = 0; i < sluice_recommendation_get_n_rules (recommendation); i++)
    check_rule (check, sluice_recommendation_get_rule (recommendation, i));
}
