/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-json.h"
#include "sluice-module.h"
#include "sluice-report-private.h"
#include "sluice-run-report.h"

typedef struct
{
  json_t         *modules;
  SluiceExecutor *executor;
  GHashTable     *indexes;   /* module id → index + 1: one lookup per module, not a scan of them all */
} ReportData;

static gboolean
report_node_cb (SluiceNode *node,
                gpointer    user_data)
{
  ReportData *data = user_data;
  SluiceModuleStats stats;
  json_t *module;

  guint index;

  if (!SLUICE_IS_MODULE (node) || sluice_node_get_id (node) == NULL ||
      (index = GPOINTER_TO_UINT (g_hash_table_lookup (data->indexes, sluice_node_get_id (node)))) == 0)
    return TRUE;
  sluice_executor_get_module_stats_at (data->executor, index - 1, &stats);

  module = json_pack ("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
                      "id", sluice_node_get_id (node),
                      "kind", sluice_node_get_element_name (node),
                      "state", sluice_module_state_to_string (stats.state),
                      "items_in", (json_int_t) stats.items_in,
                      "items_out", (json_int_t) stats.items_out,
                      "dropped", (json_int_t) stats.dropped,
                      "failed", (json_int_t) stats.failed,
                      "superseded", (json_int_t) stats.superseded,
                      "retries", (json_int_t) stats.retries,
                      "time_ms", stats.time_us / 1000.0);
  json_array_append_new (data->modules, module);
  return TRUE;
}

static void
set_optional (json_t     *report,
              const char *key,
              const char *value)
{
  if (value != NULL)
    json_object_set_new (report, key, json_string (value));
}

static char *
iso_time (gint64 real_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (real_us / G_USEC_PER_SEC);
  g_autofree char *base = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : g_strdup ("");

  return g_strdup_printf ("%s.%03dZ", base, (int) ((real_us % G_USEC_PER_SEC) / 1000));
}

/* When the run started and ended, on the wall clock. */
static json_t *
timings (SluiceExecutor *executor)
{
  gint64 elapsed = sluice_executor_get_elapsed (executor);
  gint64 started = sluice_executor_get_start_time (executor);
  json_t *object = json_pack ("{s:f}", "elapsed_ms", elapsed / 1000.0);

  if (started != 0)
    {
      g_autofree char *start = iso_time (started);

      json_object_set_new (object, "started", json_string (start));
      if (sluice_run_state_is_final (sluice_executor_get_state (executor)))
        {
          g_autofree char *end = iso_time (started + elapsed);
          json_object_set_new (object, "ended", json_string (end));
        }
    }
  return object;
}

json_t *
sluice_run_report_build (SluiceExecutor *executor,
                         const char     *path)
{
  SluicePipeline *pipeline = sluice_executor_get_pipeline (executor);
  ReportData data = { json_array (), executor, g_hash_table_new (g_str_hash, g_str_equal) };
  json_t *report;

  /* The first module of an id, as sluice_executor_get_module_stats() finds it. */
  for (guint i = sluice_executor_get_n_modules (executor); i-- > 0;)
    g_hash_table_insert (data.indexes, (gpointer) sluice_executor_get_module_id (executor, i), GUINT_TO_POINTER (i + 1));
  sluice_pipeline_foreach_node (pipeline, report_node_cb, &data);
  g_hash_table_unref (data.indexes);
  report = json_pack ("{s:s, s:s, s:I, s:I, s:f, s:o}",
                      "pipeline", path != NULL ? path : sluice_node_get_id (SLUICE_NODE (pipeline)),
                      "state", sluice_run_state_to_string (sluice_executor_get_state (executor)),
                      "items_in", (json_int_t) sluice_executor_get_items_in (executor),
                      "items_out", (json_int_t) sluice_executor_get_items_out (executor),
                      "elapsed_ms", sluice_executor_get_elapsed (executor) / 1000.0,
                      "modules", data.modules);
  if (sluice_executor_get_items_rejected (executor) > 0)
    json_object_set_new (report, "items_rejected",
                         json_integer ((json_int_t) sluice_executor_get_items_rejected (executor)));
  set_optional (report, "error", sluice_executor_get_error (executor));
  set_optional (report, "failed_module", sluice_executor_get_failed_module (executor));
  set_optional (report, "stderr", sluice_executor_get_stderr_tail (executor));
  set_optional (report, "pipeline_id", sluice_node_get_id (SLUICE_NODE (pipeline)));
  set_optional (report, "pipeline_name", sluice_node_get_name (SLUICE_NODE (pipeline)));
  json_object_set_new (report, "timings", timings (executor));

  /* What a person reads: stages side by side, warnings, the verdict. */
  _sluice_report_add_stages (report, executor, _sluice_report_near (executor));
  _sluice_report_add_verdict (report, executor);
  return report;
}

gboolean
sluice_run_report_write (json_t      *report,
                         const char  *report_path,
                         GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (report_path != NULL, FALSE);

  if (g_str_has_suffix (report_path, ".html"))
    text = _sluice_report_to_html (report);
  else
    {
      char *json = sluice_json_dumps (report, JSON_INDENT (2));

      text = g_strconcat (json, "\n", NULL);
      free (json);
    }

  if (!g_file_set_contents (report_path, text, -1, &local))
    {
      g_set_error (error, local->domain, local->code,
                   "cannot write the report %s: %s", report_path, local->message);
      return FALSE;
    }
  return TRUE;
}
