/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-json.h"
#include "sluice-module.h"
#include "sluice-run-report.h"

typedef struct
{
  json_t         *modules;
  SluiceExecutor *executor;
} ReportData;

static gboolean
report_node_cb (SluiceNode *node,
                gpointer    user_data)
{
  ReportData *data = user_data;
  SluiceModuleStats stats;
  json_t *module;

  if (!SLUICE_IS_MODULE (node) ||
      !sluice_executor_get_module_stats (data->executor, sluice_node_get_id (node), &stats))
    return TRUE;

  module = json_pack ("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:f}",
                      "id", sluice_node_get_id (node),
                      "state", sluice_module_state_to_string (stats.state),
                      "items_in", (json_int_t) stats.items_in,
                      "items_out", (json_int_t) stats.items_out,
                      "dropped", (json_int_t) stats.dropped,
                      "failed", (json_int_t) stats.failed,
                      "superseded", (json_int_t) stats.superseded,
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

json_t *
sluice_run_report_build (SluiceExecutor *executor,
                         const char     *path)
{
  SluicePipeline *pipeline = sluice_executor_get_pipeline (executor);
  ReportData data = { json_array (), executor };
  json_t *report;

  sluice_pipeline_foreach_node (pipeline, report_node_cb, &data);
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
  return report;
}

static char *
html_escape (json_t     *object,
             const char *key)
{
  const char *text = json_string_value (json_object_get (object, key));

  return g_markup_escape_text (text != NULL ? text : "", -1);
}

static char *
report_to_html (json_t *report)
{
  GString *html = g_string_new (NULL);
  json_t *modules = json_object_get (report, "modules");
  g_autofree char *title = html_escape (report, "pipeline");
  g_autofree char *error = html_escape (report, "error");
  size_t i;
  json_t *m;

  g_string_append_printf (html,
                          "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Run of %s</title>"
                          "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
                          "td:first-child,th:first-child{text-align:left}</style></head><body>\n"
                          "<h1>Run of %s</h1>\n<p>State: <b>%s</b>. Items in: %" JSON_INTEGER_FORMAT
                          ", out: %" JSON_INTEGER_FORMAT ". Elapsed: %.1f ms.</p>\n",
                          title, title,
                          json_string_value (json_object_get (report, "state")),
                          json_integer_value (json_object_get (report, "items_in")),
                          json_integer_value (json_object_get (report, "items_out")),
                          json_real_value (json_object_get (report, "elapsed_ms")));
  if (*error)
    g_string_append_printf (html, "<p>Error: %s</p>\n", error);
  g_string_append (html, "<table><tr><th>module</th><th>state</th><th>in</th><th>out</th>"
                         "<th>dropped</th><th>failed</th><th>superseded</th><th>time (ms)</th></tr>\n");
  json_array_foreach (modules, i, m)
    {
      g_autofree char *id = html_escape (m, "id");

      g_string_append_printf (html, "<tr><td>%s</td><td>%s</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT
                              "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%"
                              JSON_INTEGER_FORMAT "</td><td>%.1f</td></tr>\n",
                              id, json_string_value (json_object_get (m, "state")),
                              json_integer_value (json_object_get (m, "items_in")),
                              json_integer_value (json_object_get (m, "items_out")),
                              json_integer_value (json_object_get (m, "dropped")),
                              json_integer_value (json_object_get (m, "failed")),
                              json_integer_value (json_object_get (m, "superseded")),
                              json_real_value (json_object_get (m, "time_ms")));
    }
  g_string_append (html, "</table>\n</body></html>\n");

  return g_string_free (html, FALSE);
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
    text = report_to_html (report);
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
