/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-parameter.h"
#include "sluice-params.h"
#include "sluice-tool-params.h"
#include "sluice-validator-private.h"

/* A tool parameter's value against its declared type (int, bool, choice,
 * duration…). A value with ${name}s is checked once they are known: the
 * run's -D values when validating for a run, else the parameters'
 * defaults; a reference with no value yet leaves it to the run. */

/* name → value: declared defaults, then -D values over them. */
static GHashTable *
known_values (SluiceCheck *check)
{
  GHashTable *values = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (check->pipeline));
  guint n = g_list_model_get_n_items (parameters);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);
      const char *name = sluice_parameter_get_name (parameter);
      const char *value = sluice_parameter_get_default_value (parameter);

      if (name != NULL && value != NULL)
        g_hash_table_insert (values, (gpointer) name, (gpointer) value);
    }
  if (check->defines != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, check->defines);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (values, key, value);
    }

  return values;
}

void
_sluice_check_tool_param_value (SluiceCheck               *check,
                                SluiceNode                *node,
                                const SluiceToolInfo      *tool,
                                const SluiceToolParamInfo *info,
                                const char                *value,
                                guint                      line)
{
  g_autofree char *substituted = NULL;
  g_autofree char *why = NULL;
  gboolean has_references = value != NULL && strstr (value, "${") != NULL;

  if (has_references)
    {
      g_autoptr(GHashTable) values = known_values (check);

      /* Unknown or malformed references are reported elsewhere. */
      substituted = sluice_params_substitute (value, values, FALSE, NULL);
      if (substituted == NULL)
        return;
      value = substituted;
    }

  why = sluice_tool_param_check_value (info, value);
  if (why == NULL)
    return;

  if (info->type == SLUICE_TOOL_PARAM_SECRET)
    return;
  _sluice_check_report (check, SLUICE_SEVERITY_ERROR, line, node,
                        has_references ? _("module `%s`: tool `%s`: %s (after ${…} substitution)")
                                       : _("module `%s`: tool `%s`: %s"),
                        sluice_node_get_id (node), tool->name, why);
}
