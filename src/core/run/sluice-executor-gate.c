/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-executor-gates.h"
#include "sluice-executor-private.h"
#include "sluice-gate-rule.h"

/* The <gate> op: every check is evaluated on the item, in C, on the main
 * thread (a few comparisons cost less than a thread hop), and recorded.
 * All pass: the item goes on unchanged. Otherwise the op fails like any
 * module, with a reason that lists every failed check and by how much,
 * so that on-error (fail, drop, continue) applies as it does elsewhere. */

/* A reason is one line of a terminal and of the log: it names this many
 * failed checks, and counts the others. */
#define REASON_MAX_CHECKS 10

typedef struct
{
  guint64   evaluated;
  guint64   passed;
  guint64   failed;
  guint64   missing;     /* no number at the path */
  double    sum;
  double    min;
  double    max;
  double    worst_margin;
} CheckTally;

/* What the gate found on one item, check by check: kept in C, and
 * turned into JSON only for a listener or a report (an item costs a few
 * comparisons, not a few allocations per check). */
typedef struct
{
  SluiceGateOutcome *outcomes;   /* one per rule; errors owned */
  gboolean           set;
} Findings;

struct _SluiceGateRun
{
  GPtrArray *rules;          /* of SluiceGateRule*, owned */
  GArray    *tallies;        /* of CheckTally, one per rule */
  guint64    evaluated;
  guint64    passed;
  guint64    failed;
  Findings   last;           /* the last item */
  Findings   first_failure;  /* the first item stopped */
};

static void
findings_clear (Findings *findings,
                guint     n)
{
  for (guint i = 0; findings->outcomes != NULL && i < n; i++)
    sluice_gate_outcome_clear (&findings->outcomes[i]);
  findings->set = FALSE;
}

void
_sluice_gate_run_free (SluiceGateRun *run)
{
  if (run == NULL)
    return;
  findings_clear (&run->last, run->rules->len);
  findings_clear (&run->first_failure, run->rules->len);
  g_free (run->last.outcomes);
  g_free (run->first_failure.outcomes);
  g_ptr_array_unref (run->rules);
  g_array_unref (run->tallies);
  g_free (run);
}

gboolean
_sluice_executor_compile_gate (SluiceExecutor   *self,
                               SluiceGate       *gate,
                               SluiceModuleRun  *info,
                               GError          **error)
{
  SluiceGateRun *run = g_new0 (SluiceGateRun, 1);
  guint n = sluice_gate_get_n_checks (gate);

  run->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_gate_rule_free);
  run->tallies = g_array_sized_new (FALSE, TRUE, sizeof (CheckTally), n);
  info->gate = run;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local = NULL;
      SluiceGateRule *rule = sluice_gate_rule_new (sluice_gate_get_check (gate, i), self->params, &local);
      CheckTally tally = { 0, 0, 0, 0, 0, INFINITY, -INFINITY, INFINITY };

      if (rule == NULL)
        {
          g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_UNSUPPORTED,
                       "gate “%s”, %s", info->id, local->message);
          return FALSE;
        }
      g_ptr_array_add (run->rules, rule);
      g_array_append_val (run->tallies, tally);
    }
  run->last.outcomes = g_new0 (SluiceGateOutcome, MAX (n, 1));
  run->first_failure.outcomes = g_new0 (SluiceGateOutcome, MAX (n, 1));

  return TRUE;
}

/* JSON numbers cannot be NaN or infinite: those become null. */
static json_t *
json_number_or_null (double value)
{
  return isfinite (value) ? json_real (value) : json_null ();
}

static json_t *
rule_to_json (const SluiceGateRule *rule)
{
  json_t *object = json_pack ("{s:s, s:s, s:s}",
                              "name", rule->name,
                              "value_path", sluice_json_path_get_text (rule->value),
                              "op", sluice_gate_op_to_string (rule->op));

  if (rule->op == SLUICE_GATE_OP_BETWEEN)
    {
      if (!isnan (rule->min))
        json_object_set_new (object, "min", json_real (rule->min));
      if (!isnan (rule->max))
        json_object_set_new (object, "max", json_real (rule->max));
    }
  else
    json_object_set_new (object, "threshold", json_real (rule->threshold));
  if (rule->relative_to != NULL)
    {
      json_object_set_new (object, "relative_to",
                           json_string (sluice_json_path_get_text (rule->relative_to)));
      json_object_set_new (object, "relative",
                           json_string (rule->relative == SLUICE_GATE_RELATIVE_RISE ? "rise" : "drop"));
    }
  return object;
}

static json_t *
outcome_to_json (const SluiceGateRule    *rule,
                 const SluiceGateOutcome *outcome)
{
  json_t *object = rule_to_json (rule);

  json_object_set_new (object, "passed", json_boolean (outcome->passed));
  if (!outcome->measured)
    {
      json_object_set_new (object, "value", json_null ());
      json_object_set_new (object, "error", json_string (outcome->error));
      return object;
    }
  json_object_set_new (object, "value", json_number_or_null (outcome->value));
  json_object_set_new (object, "margin", json_number_or_null (outcome->margin));
  if (rule->relative_to != NULL)
    {
      json_object_set_new (object, "raw", json_number_or_null (outcome->raw));
      json_object_set_new (object, "reference", json_number_or_null (outcome->reference));
    }
  return object;
}

static void
tally_add (CheckTally              *tally,
           const SluiceGateOutcome *outcome)
{
  tally->evaluated++;
  if (outcome->passed)
    tally->passed++;
  else
    tally->failed++;
  if (!outcome->measured)
    {
      tally->missing++;
      return;
    }
  tally->sum += outcome->value;
  tally->min = MIN (tally->min, outcome->value);
  tally->max = MAX (tally->max, outcome->value);
  if (!isnan (outcome->margin))
    tally->worst_margin = MIN (tally->worst_margin, outcome->margin);
}

static json_t *
findings_to_json (SluiceGateRun  *run,
                  const Findings *findings)
{
  json_t *checks = json_array ();

  for (guint i = 0; i < run->rules->len; i++)
    json_array_append_new (checks, outcome_to_json (g_ptr_array_index (run->rules, i), &findings->outcomes[i]));
  return checks;
}

/* Evaluates every check on @item into run->last; returns the reason
 * listing the failed checks, or NULL when all passed. */
static char *
evaluate (SluiceGateRun *run,
          json_t        *item)
{
  GString *failed = NULL;
  guint n_failed = 0;
  char *reason;

  findings_clear (&run->last, run->rules->len);
  for (guint i = 0; i < run->rules->len; i++)
    {
      const SluiceGateRule *rule = g_ptr_array_index (run->rules, i);
      SluiceGateOutcome *outcome = &run->last.outcomes[i];

      sluice_gate_rule_evaluate (rule, item, outcome);
      tally_add (&g_array_index (run->tallies, CheckTally, i), outcome);
      if (!outcome->passed && n_failed++ < REASON_MAX_CHECKS)
        {
          g_autofree char *text = sluice_gate_outcome_describe (rule, outcome);

          if (failed == NULL)
            failed = g_string_new (NULL);
          else
            g_string_append (failed, "; ");
          g_string_append (failed, text);
        }
    }
  run->last.set = TRUE;

  if (failed == NULL)
    return NULL;
  if (n_failed > REASON_MAX_CHECKS)
    g_string_append_printf (failed, "; and %u more (the gate-failed event and the report list them all)",
                            n_failed - REASON_MAX_CHECKS);
  reason = g_strdup_printf ("%u of %u checks failed: %s", n_failed, run->rules->len, failed->str);
  g_string_free (failed, TRUE);
  return reason;
}

/* Keeps the first item the gate stopped, for the report. */
static void
keep_first_failure (SluiceGateRun *run)
{
  if (run->first_failure.set)
    return;
  for (guint i = 0; i < run->rules->len; i++)
    {
      run->first_failure.outcomes[i] = run->last.outcomes[i];
      run->first_failure.outcomes[i].error = g_strdup (run->last.outcomes[i].error);
    }
  run->first_failure.set = TRUE;
}

static void
emit_gate_event (SluiceExecutor  *self,
                 SluiceToken     *token,
                 SluiceModuleRun *info,
                 const char      *reason)
{
  SluiceJob *job = token->job;
  SluiceEvent *event;

  if (!self->listening)
    return;

  event = _sluice_executor_event_new (self, reason == NULL ? SLUICE_EVENT_GATE_PASSED : SLUICE_EVENT_GATE_FAILED,
                                      _sluice_executor_ctl_id_of_mod (self, info), info->id, job->seq);
  event->input = job->origin != NULL ? job->origin->number : 0;
  event->child = token->child;
  event->parent = token->parent;
  event->checks = findings_to_json (info->gate, &info->gate->last);
  event->error = g_strdup (reason);
  _sluice_executor_emit (self, event);
}

void
_sluice_executor_run_gate (SluiceExecutor  *self,
                           SluiceToken     *token,
                           SluiceModuleRun *info)
{
  SluiceGateRun *run = info->gate;
  SluiceOp *op = program_op (token->job->prog, token->pc);
  gint64 started = g_get_monotonic_time ();
  g_autofree char *reason = NULL;
  gint64 duration;

  if (token->attempt == 0)
    info->stats->items_in++;
  _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_STARTED, op->mod, token->job,
                                token->child, token->parent, 0, 0);

  reason = evaluate (run, token->item);
  run->evaluated++;
  duration = g_get_monotonic_time () - started;
  info->stats->time_us += duration;
  emit_gate_event (self, token, info, reason);

  if (reason != NULL)
    {
      run->failed++;
      keep_first_failure (run);
      token->error = g_steal_pointer (&reason);
      _sluice_token_failed (self, token);
      return;
    }

  run->passed++;
  info->stats->items_out++;
  _sluice_executor_emit_module (self, SLUICE_EVENT_MODULE_FINISHED, op->mod, token->job,
                                token->child, token->parent, duration, 1);
  if (G_UNLIKELY (info->preview != NULL))
    sluice_preview_record_items (info->preview, TRUE, &token->item, 1);
  token->pc = op->next;
  token->attempt = 0;
  g_queue_push_tail (&self->ready, token);
}

static json_t *
tally_to_json (const SluiceGateRule    *rule,
               const CheckTally        *tally,
               const SluiceGateOutcome *shown)
{
  json_t *object = shown != NULL ? outcome_to_json (rule, shown) : rule_to_json (rule);
  guint64 measured = tally->evaluated - tally->missing;

  json_object_set_new (object, "evaluated", json_integer ((json_int_t) tally->evaluated));
  json_object_set_new (object, "passed_count", json_integer ((json_int_t) tally->passed));
  json_object_set_new (object, "failed_count", json_integer ((json_int_t) tally->failed));
  json_object_set_new (object, "missing", json_integer ((json_int_t) tally->missing));
  if (measured > 0)
    {
      json_object_set_new (object, "mean", json_number_or_null (tally->sum / measured));
      json_object_set_new (object, "lowest", json_number_or_null (tally->min));
      json_object_set_new (object, "highest", json_number_or_null (tally->max));
      json_object_set_new (object, "worst_margin", json_number_or_null (tally->worst_margin));
    }
  return object;
}

json_t *
sluice_executor_dup_gate_results (SluiceExecutor *self,
                                  const char     *module_id)
{
  g_return_val_if_fail (SLUICE_IS_EXECUTOR (self), NULL);

  for (guint i = 0; i < self->mods->len; i++)
    {
      SluiceModuleRun *info = g_ptr_array_index (self->mods, i);
      SluiceGateRun *run = info->gate;
      const Findings *shown;
      json_t *checks;

      if (run == NULL || g_strcmp0 (info->id, module_id) != 0)
        continue;

      shown = run->first_failure.set ? &run->first_failure : run->last.set ? &run->last : NULL;
      checks = json_array ();
      for (guint c = 0; c < run->rules->len; c++)
        json_array_append_new (checks,
                               tally_to_json (g_ptr_array_index (run->rules, c),
                                              &g_array_index (run->tallies, CheckTally, c),
                                              shown != NULL ? &shown->outcomes[c] : NULL));
      return json_pack ("{s:I, s:I, s:I, s:o}",
                        "evaluated", (json_int_t) run->evaluated,
                        "passed", (json_int_t) run->passed,
                        "failed", (json_int_t) run->failed,
                        "checks", checks);
    }
  return NULL;
}
