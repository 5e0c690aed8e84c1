/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-gate-rule.h"
#include "sluice-params.h"
#include "sluice-validator-private.h"

/* A <gate>'s checks: each one is compiled exactly as a run compiles it
 * (sluice_gate_rule_new), with the values the run would have, so that
 * "abc", "1e400", an unknown op or a missing threshold are found here,
 * with the check's line, rather than when the first item arrives. */

typedef struct
{
  SluiceCheck           *check;
  SluiceNode            *node;
  const SluiceGateCheck *gate_check;
  GHashTable            *values;     /* name → value; borrowed */
  gboolean               broken;     /* a reference that cannot be resolved */
} ReferenceScan;

static guint
check_line (SluiceNode            *node,
            const SluiceGateCheck *gate_check)
{
  return gate_check->line != 0 ? gate_check->line : sluice_node_get_line (node);
}

static void
reference_cb (const char *name,
              gsize       offset,
              gpointer    user_data)
{
  ReferenceScan *scan = user_data;

  if (g_hash_table_contains (scan->values, name))
    return;

  if (sluice_pipeline_find_parameter (scan->check->pipeline, name) == NULL)
    {
      _sluice_check_report (scan->check, SLUICE_SEVERITY_ERROR,
                            check_line (scan->node, scan->gate_check), scan->node,
                            _("gate `%s`, check “%s” refers to undeclared parameter `${%s}`"),
                            sluice_node_get_id (scan->node), scan->gate_check->name, name);
      scan->broken = TRUE;
    }
  /* A declared parameter without a value: the parameters check says a
   * run needs -D; stand in a number so that the rest is still checked. */
  else
    g_hash_table_insert (scan->values, g_strdup (name), g_strdup ("0"));
}

static void
scan_references (ReferenceScan *scan,
                 const char    *text)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return;
  if (!sluice_params_scan (text, reference_cb, scan, &error))
    {
      _sluice_check_report (scan->check, SLUICE_SEVERITY_ERROR,
                            check_line (scan->node, scan->gate_check), scan->node,
                            _("gate `%s`, check “%s”: %s"),
                            sluice_node_get_id (scan->node), scan->gate_check->name, error->message);
      scan->broken = TRUE;
    }
}

/* The values a run would substitute: -D values, else defaults. */
static GHashTable *
run_values (SluiceCheck *check)
{
  GListModel *list = G_LIST_MODEL (sluice_pipeline_get_parameters (check->pipeline));
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(SluiceParameter) param = g_list_model_get_item (list, i);
      const char *name = sluice_parameter_get_name (param);
      const char *value = check->defines != NULL ? g_hash_table_lookup (check->defines, name) : NULL;

      if (value == NULL)
        value = sluice_parameter_get_default_value (param);
      if (name != NULL && value != NULL)
        g_hash_table_insert (values, g_strdup (name), g_strdup (value));
    }
  return values;
}

void
_sluice_check_gate (SluiceCheck *check,
                    SluiceGate  *gate)
{
  SluiceNode *node = SLUICE_NODE (gate);
  SluiceModule *module = SLUICE_MODULE (gate);
  guint n = sluice_gate_get_n_checks (gate);
  g_autoptr(GHashTable) values = run_values (check);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  if (n == 0)
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
                          _("gate `%s` has no checks: it passes every item"),
                          sluice_node_get_id (node));
  if (sluice_module_get_retries (module) > 0)
    _sluice_check_report (check, SLUICE_SEVERITY_WARNING, sluice_node_get_line (node), node,
                          _("gate `%s`: retries have no effect, a gate gives the same answer every time"),
                          sluice_node_get_id (node));

  for (guint i = 0; i < n; i++)
    {
      const SluiceGateCheck *gate_check = sluice_gate_get_check (gate, i);
      ReferenceScan scan = { check, node, gate_check, values, FALSE };
      g_autoptr(SluiceGateRule) rule = NULL;
      g_autoptr(GError) error = NULL;

      if (gate_check->name != NULL && !g_hash_table_add (names, gate_check->name))
        _sluice_check_report (check, SLUICE_SEVERITY_WARNING, check_line (node, gate_check), node,
                              _("gate `%s` has two checks named “%s”: the report cannot tell them apart"),
                              sluice_node_get_id (node), gate_check->name);

      scan_references (&scan, gate_check->threshold);
      scan_references (&scan, gate_check->min);
      scan_references (&scan, gate_check->max);
      if (scan.broken)
        continue;

      rule = sluice_gate_rule_new (gate_check, values, &error);
      if (rule == NULL)
        _sluice_check_report (check, SLUICE_SEVERITY_ERROR, check_line (node, gate_check), node,
                              _("gate `%s`, %s"), sluice_node_get_id (node), error->message);
    }
}
