/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "sluice-gate-check.h"
#include "sluice-report-private.h"

/* The report as one self-contained HTML page: no script, no external
 * file; charts are inline SVG drawn here. The first screen answers the
 * questions a reader comes with (deploy or not, and why: which check
 * failed and by how much); the stage comparison, charts, warnings, gates
 * and modules follow. Colours come from CSS variables, switched by
 * prefers-color-scheme and reset for print. */

static const char style[] =
  ":root{--bg:#ffffff;--fg:#1e1e1e;--muted:#5e5c64;--card:#f6f5f4;--line:#deddda;"
  "--ok:#1b7f3b;--bad:#c01c28;--warn:#986a00;--accent:#1c71d8;--bar:#3584e4}\n"
  "@media (prefers-color-scheme:dark){:root{--bg:#1d1d20;--fg:#f6f5f4;--muted:#c0bfbc;--card:#2b2b30;"
  "--line:#45454b;--ok:#57e389;--bad:#ff7b63;--warn:#f8e45c;--accent:#99c1f1;--bar:#62a0ea}}\n"
  "@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--card:#fff;--line:#999;--ok:#0a5c25;--bad:#a00;"
  "--warn:#7a5200;--bar:#555}section{break-inside:avoid}body{max-width:none}}\n"
  "body{font-family:system-ui,Cantarell,'DejaVu Sans',sans-serif;background:var(--bg);color:var(--fg);"
  "max-width:1100px;margin:0 auto;padding:20px 28px;line-height:1.45}\n"
  "h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}\n"
  ".sub{color:var(--muted);margin:0 0 16px}\n"
  ".verdict{display:flex;gap:20px;align-items:center;padding:16px 20px;border-radius:12px;background:var(--card);"
  "border-left:12px solid var(--muted)}\n"
  ".verdict .badge{font-size:2em;font-weight:800;letter-spacing:.08em;text-transform:uppercase;min-width:5.5em}\n"
  ".verdict.reject{border-color:var(--bad)}.verdict.reject .badge{color:var(--bad)}\n"
  ".verdict.review{border-color:var(--warn)}.verdict.review .badge{color:var(--warn)}\n"
  ".verdict.deploy{border-color:var(--ok)}.verdict.deploy .badge{color:var(--ok)}\n"
  ".headline{font-size:1.15em;font-weight:600;margin:0 0 4px}.rule{color:var(--muted);margin:0}\n"
  "table{border-collapse:collapse;width:100%;margin:6px 0}td,th{padding:4px 8px;border-bottom:1px solid var(--line);"
  "text-align:right;vertical-align:top}td:first-child,th:first-child{text-align:left}th{font-weight:600}\n"
  ".pass{color:var(--ok)}.fail{color:var(--bad);font-weight:600}.near{color:var(--warn)}.muted{color:var(--muted)}\n"
  ".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:var(--card);border-radius:8px;padding:8px}\n"
  ".chart h3{font-size:1em;margin:0 0 4px}svg{display:block}svg text{fill:var(--fg);font-size:12px;font-family:inherit}\n"
  ".score{font-size:1.6em;font-weight:700}ul.warnings li{margin:2px 0}code{font-size:.95em}\n";

static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (html, escaped);
}

static const char *
str (json_t     *object,
     const char *key)
{
  const char *value = json_string_value (json_object_get (object, key));

  return value != NULL ? value : "";
}

static double
num (json_t     *object,
     const char *key)
{
  return json_number_value (json_object_get (object, key));
}

static const char *
op_symbol (json_t *check)
{
  SluiceGateOp op;

  if (!sluice_gate_op_from_string (str (check, "op"), &op))
    return "?";
  return sluice_gate_op_to_symbol (op);
}

/* "≥ 3", "in [0, 0.25]" */
static char *
bound_text (json_t *check)
{
  if (json_object_get (check, "threshold") != NULL)
    return g_strdup_printf ("%s %g", op_symbol (check), num (check, "threshold"));
  {
    g_autofree char *low = json_object_get (check, "min") ? g_strdup_printf ("%g", num (check, "min")) : g_strdup ("−∞");
    g_autofree char *high = json_object_get (check, "max") ? g_strdup_printf ("%g", num (check, "max")) : g_strdup ("∞");

    return g_strdup_printf ("in [%s, %s]", low, high);
  }
}

static void
append_value (GString *html,
              json_t  *check)
{
  if (json_is_number (json_object_get (check, "value")))
    g_string_append_printf (html, "%g", num (check, "value"));
  else
    g_string_append (html, "<span class=\"muted\">—</span>");
}

static void
append_result (GString *html,
               json_t  *check)
{
  if (!json_object_get (check, "passed"))
    g_string_append (html, "<span class=\"muted\">not run</span>");
  else if (!json_is_true (json_object_get (check, "passed")))
    g_string_append (html, "<span class=\"fail\">✗ failed</span>");
  else if (json_is_true (json_object_get (check, "near")))
    g_string_append (html, "<span class=\"near\">✓ passed, near</span>");
  else
    g_string_append (html, "<span class=\"pass\">✓ passed</span>");
}

static void
append_header (GString *html,
               json_t  *report)
{
  json_t *timings = json_object_get (report, "timings");
  const char *name = str (report, "pipeline_name");

  g_string_append (html, "<header>\n<h1>Run report: ");
  append_escaped (html, *name ? name : str (report, "pipeline"));
  g_string_append (html, "</h1>\n<p class=\"sub\">");
  append_escaped (html, str (report, "pipeline"));
  g_string_append_printf (html, " · state <b>%s</b> · items in %" JSON_INTEGER_FORMAT ", out %" JSON_INTEGER_FORMAT,
                          str (report, "state"), json_integer_value (json_object_get (report, "items_in")),
                          json_integer_value (json_object_get (report, "items_out")));
  if (*str (timings, "started"))
    g_string_append_printf (html, " · started %s", str (timings, "started"));
  g_string_append_printf (html, " · elapsed %.1f ms</p>\n</header>\n", num (report, "elapsed_ms"));
}

static void
append_verdict (GString *html,
                json_t  *report)
{
  json_t *recommendation = json_object_get (report, "recommendation");
  json_t *outcome = json_object_get (report, "outcome");
  const char *verdict = str (recommendation, "verdict");

  g_string_append_printf (html, "<section class=\"verdict %s\" id=\"verdict\">\n<div class=\"badge\">", verdict);
  append_escaped (html, verdict);
  g_string_append (html, "</div>\n<div><p class=\"headline\">");
  append_escaped (html, str (outcome, "headline"));
  g_string_append (html, "</p>\n<p class=\"rule\">Recommendation rule: <b>");
  append_escaped (html, str (recommendation, "rule"));
  g_string_append_printf (html, "</b> (%s rules): ", str (recommendation, "rules"));
  append_escaped (html, str (recommendation, "reason"));
  g_string_append (html, "</p></div>\n</section>\n");
}

static void
append_failed_checks (GString *html,
                      json_t  *report)
{
  json_t *failed = json_object_get (json_object_get (report, "outcome"), "failed_checks");
  size_t i;
  json_t *check;

  if (json_array_size (failed) == 0)
    return;
  g_string_append (html, "<section id=\"failed-checks\">\n<h2>Failed checks</h2>\n<table>\n"
                         "<tr><th>Check</th><th>Stage</th><th>Gate</th><th>Value</th><th>Must be</th><th>Missed by</th></tr>\n");
  json_array_foreach (failed, i, check)
    {
      g_autofree char *bound = bound_text (check);

      g_string_append (html, "<tr><td class=\"fail\">");
      append_escaped (html, str (check, "name"));
      g_string_append (html, "</td><td>");
      append_escaped (html, str (check, "stage_name"));
      g_string_append (html, "</td><td>");
      append_escaped (html, str (check, "gate_name"));
      g_string_append (html, "</td><td>");
      append_value (html, check);
      g_string_append (html, "</td><td>");
      append_escaped (html, bound);
      g_string_append (html, "</td><td class=\"fail\">");
      if (json_is_number (json_object_get (check, "margin")))
        g_string_append_printf (html, "%g", fabs (num (check, "margin")));
      else
        append_escaped (html, str (check, "error"));
      g_string_append (html, "</td></tr>\n");
    }
  g_string_append (html, "</table>\n</section>\n");
}

/* The stage comparison: counters per stage, and each metric per stage. */
static void
append_stages (GString *html,
               json_t  *report)
{
  json_t *stages = json_object_get (report, "stages");
  json_t *metrics = json_object_get (report, "metrics");
  size_t i, j;
  json_t *stage, *metric;

  g_string_append (html, "<section id=\"stages\">\n<h2>Stage comparison</h2>\n<table>\n"
                         "<tr><th>Stage</th><th>Mode</th><th>Items in</th><th>Out</th><th>Failed</th>"
                         "<th>Dropped</th><th>Retries</th><th>Duration (ms)</th></tr>\n");
  json_array_foreach (stages, i, stage)
    {
      gboolean reached = json_is_true (json_object_get (stage, "reached"));

      g_string_append_printf (html, "<tr%s><td>", reached ? "" : " class=\"muted\"");
      append_escaped (html, str (stage, "name"));
      g_string_append_printf (html, "</td><td>%s</td>", str (stage, "mode"));
      if (!reached)
        {
          g_string_append (html, "<td colspan=\"6\">never ran</td></tr>\n");
          continue;
        }
      g_string_append_printf (html, "<td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td>"
                              "<td%s>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td>"
                              "<td>%" JSON_INTEGER_FORMAT "</td><td>%.1f</td></tr>\n",
                              json_integer_value (json_object_get (stage, "items_in")),
                              json_integer_value (json_object_get (stage, "items_out")),
                              json_integer_value (json_object_get (stage, "items_failed")) > 0 ? " class=\"fail\"" : "",
                              json_integer_value (json_object_get (stage, "items_failed")),
                              json_integer_value (json_object_get (stage, "dropped")),
                              json_integer_value (json_object_get (stage, "retries")),
                              num (stage, "duration_ms"));
    }
  g_string_append (html, "</table>\n");

  if (json_array_size (metrics) == 0)
    {
      g_string_append (html, "</section>\n");
      return;
    }

  /* Metrics side by side: one row per metric, one column per stage. */
  g_string_append (html, "<h3>Gated metrics by stage</h3>\n<table>\n<tr><th>Metric</th>");
  json_array_foreach (stages, i, stage)
    {
      g_string_append (html, "<th>");
      append_escaped (html, str (stage, "name"));
      g_string_append (html, "</th>");
    }
  g_string_append (html, "</tr>\n");
  json_array_foreach (metrics, j, metric)
    {
      g_string_append (html, "<tr><td>");
      append_escaped (html, str (metric, "name"));
      g_string_append (html, "</td>");
      json_array_foreach (stages, i, stage)
        {
          json_t *entry = NULL;
          size_t k;
          json_t *candidate;

          json_array_foreach (json_object_get (metric, "stages"), k, candidate)
            if (g_strcmp0 (str (candidate, "stage"), str (stage, "id")) == 0)
              entry = candidate;
          if (entry == NULL)
            {
              g_string_append (html, "<td class=\"muted\">—</td>");
              continue;
            }
          {
            g_autofree char *bound = bound_text (entry);

            g_string_append_printf (html, "<td class=\"%s\">%g <span class=\"muted\">(",
                                    json_is_true (json_object_get (entry, "passed")) ? "pass" : "fail",
                                    num (entry, "value"));
            append_escaped (html, bound);
            g_string_append (html, ")</span></td>");
          }
        }
      g_string_append (html, "</tr>\n");
    }
  g_string_append (html, "</table>\n</section>\n");
}

/* Horizontal bars: each stage's duration. */
static void
append_duration_chart (GString *html,
                       json_t  *stages)
{
  const double width = 520, label = 150, row = 26;
  double max = 0;
  size_t i;
  json_t *stage;
  double height = 10 + row * json_array_size (stages);

  json_array_foreach (stages, i, stage)
    max = MAX (max, num (stage, "duration_ms"));
  if (max <= 0)
    max = 1;

  g_string_append_printf (html, "<div class=\"chart\"><h3>Stage durations</h3>\n"
                                "<svg role=\"img\" aria-label=\"Stage durations\" width=\"%.0f\" height=\"%.0f\" "
                                "viewBox=\"0 0 %.0f %.0f\">\n", width, height, width, height);
  json_array_foreach (stages, i, stage)
    {
      double y = 6 + row * i;
      double w = (width - label - 80) * num (stage, "duration_ms") / max;
      g_autofree char *name = g_markup_escape_text (str (stage, "name"), -1);

      g_string_append_printf (html, "<text x=\"0\" y=\"%.0f\">%s</text>", y + 14, name);
      if (!json_is_true (json_object_get (stage, "reached")))
        {
          g_string_append_printf (html, "<text x=\"%.0f\" y=\"%.0f\" style=\"fill:var(--muted)\">never ran</text>\n",
                                  label, y + 14);
          continue;
        }
      g_string_append_printf (html, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"18\" rx=\"3\" style=\"fill:var(--bar)\"/>"
                              "<text x=\"%.1f\" y=\"%.0f\">%.1f ms</text>\n",
                              label, y, MAX (w, 1.0), label + MAX (w, 1.0) + 6, y + 14, num (stage, "duration_ms"));
    }
  g_string_append (html, "</svg></div>\n");
}

/* One metric: a bar per stage for its value, a dashed mark for the
 * threshold (or both bounds), green when it passed and red when not. */
static void
append_metric_chart (GString *html,
                     json_t  *metric)
{
  json_t *entries = json_object_get (metric, "stages");
  const double width = 340, height = 190, top = 16, bottom = 150, left = 46;
  double low = 0, high = 0, slot;
  size_t i;
  json_t *entry;
  g_autofree char *name = g_markup_escape_text (str (metric, "name"), -1);

  json_array_foreach (entries, i, entry)
    {
      const char *keys[] = { "value", "threshold", "min", "max" };

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        if (json_is_number (json_object_get (entry, keys[k])))
          {
            low = MIN (low, num (entry, keys[k]));
            high = MAX (high, num (entry, keys[k]));
          }
    }
  if (high - low <= 0)
    high = low + 1;
  high += (high - low) * 0.1;
  slot = (width - left - 10) / MAX (json_array_size (entries), 1);

#define Y(v) (bottom - (bottom - top) * ((v) - low) / (high - low))
  g_string_append_printf (html, "<div class=\"chart\"><h3>%s</h3>\n<svg role=\"img\" aria-label=\"%s per stage\" "
                                "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
                          name, name, width, height, width, height);
  g_string_append_printf (html, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" style=\"stroke:var(--line)\"/>"
                                "<text x=\"0\" y=\"%.1f\">%.3g</text><text x=\"0\" y=\"%.1f\">%.3g</text>\n",
                          left, Y (0), width, Y (0), Y (high) + 4, high, Y (low) + 4, low);
  json_array_foreach (entries, i, entry)
    {
      double x = left + slot * i + slot * 0.2;
      double w = slot * 0.6;
      double value = num (entry, "value");
      double y0 = Y (MAX (MIN (0, high), low)), y1 = Y (value);
      gboolean passed = json_is_true (json_object_get (entry, "passed"));
      g_autofree char *stage = g_markup_escape_text (str (entry, "stage_name"), -1);
      g_autofree char *short_name = g_utf8_substring (str (entry, "stage_name"), 0,
                                                      MIN (g_utf8_strlen (str (entry, "stage_name"), -1), 18));
      g_autofree char *short_label = g_markup_escape_text (short_name, -1);
      const char *bounds[] = { "threshold", "min", "max" };

      g_string_append_printf (html, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"2\" "
                                    "style=\"fill:var(--%s)\"><title>%s: %g</title></rect>"
                                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                              x, MIN (y0, y1), w, MAX (fabs (y1 - y0), 1.0), passed ? "ok" : "bad",
                              stage, value, x + w / 2, MIN (y0, y1) - 3, value);
      for (guint k = 0; k < G_N_ELEMENTS (bounds); k++)
        if (json_is_number (json_object_get (entry, bounds[k])))
          g_string_append_printf (html, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                        "style=\"stroke:var(--fg);stroke-width:2;stroke-dasharray:4 3\">"
                                        "<title>%s %g</title></line>\n",
                                  x - 6, Y (num (entry, bounds[k])), x + w + 6, Y (num (entry, bounds[k])),
                                  bounds[k], num (entry, bounds[k]));
      g_string_append_printf (html, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
                              x + w / 2, bottom + 18.0, short_label);
    }
#undef Y
  g_string_append_printf (html, "<text x=\"%.0f\" y=\"%.0f\" style=\"fill:var(--muted)\">bars: value · dashed: threshold</text>\n",
                          left, height - 4);
  g_string_append (html, "</svg></div>\n");
}

static void
append_charts (GString *html,
               json_t  *report)
{
  size_t i;
  json_t *metric;

  g_string_append (html, "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
  append_duration_chart (html, json_object_get (report, "stages"));
  json_array_foreach (json_object_get (report, "metrics"), i, metric)
    append_metric_chart (html, metric);
  g_string_append (html, "</div>\n</section>\n");
}

static void
append_consistency (GString *html,
                    json_t  *report)
{
  json_t *consistency = json_object_get (report, "consistency");
  json_t *score = json_object_get (consistency, "score");
  size_t i;
  json_t *pair;

  g_string_append (html, "<section id=\"consistency\">\n<h2>Consistency across stages</h2>\n<p>");
  if (json_is_number (score))
    g_string_append_printf (html, "<span class=\"score\">%.2f</span> ", json_number_value (score));
  else
    g_string_append (html, "<span class=\"muted\">No metric is checked in more than one stage.</span> ");
  g_string_append (html, "<span class=\"muted\">Score = ");
  append_escaped (html, str (consistency, "formula"));
  g_string_append (html, ".</span></p>\n");
  if (json_array_size (json_object_get (consistency, "pairs")) > 0)
    {
      g_string_append (html, "<table>\n<tr><th>Metric</th><th>From</th><th>To</th><th>Change</th><th>Degradation</th></tr>\n");
      json_array_foreach (json_object_get (consistency, "pairs"), i, pair)
        {
          g_string_append (html, "<tr><td>");
          append_escaped (html, str (pair, "metric"));
          g_string_append (html, "</td><td>");
          append_escaped (html, str (pair, "from"));
          g_string_append (html, "</td><td>");
          append_escaped (html, str (pair, "to"));
          g_string_append_printf (html, "</td><td>%+.1f%%</td><td>%.1f%%</td></tr>\n",
                                  100 * num (pair, "change"), 100 * num (pair, "degradation"));
        }
      g_string_append (html, "</table>\n");
    }
  g_string_append (html, "</section>\n");
}

static void
append_warnings (GString *html,
                 json_t  *report)
{
  json_t *warnings = json_object_get (report, "warnings");
  size_t i;
  json_t *warning;

  g_string_append (html, "<section id=\"warnings\">\n<h2>Warnings</h2>\n");
  if (json_array_size (warnings) == 0)
    {
      g_string_append (html, "<p class=\"muted\">None.</p>\n</section>\n");
      return;
    }
  g_string_append (html, "<ul class=\"warnings\">\n");
  json_array_foreach (warnings, i, warning)
    {
      g_string_append_printf (html, "<li><span class=\"near\">⚠ %s</span> ", str (warning, "kind"));
      append_escaped (html, str (warning, "message"));
      g_string_append (html, "</li>\n");
    }
  g_string_append (html, "</ul>\n</section>\n");
}

static void
append_gates (GString *html,
              json_t  *report)
{
  size_t i, j, k;
  json_t *stage, *gate, *check;
  gboolean any = FALSE;

  json_array_foreach (json_object_get (report, "stages"), i, stage)
    json_array_foreach (json_object_get (stage, "gates"), j, gate)
      {
        if (!any)
          g_string_append (html, "<section id=\"gates\">\n<h2>Gates</h2>\n");
        any = TRUE;
        g_string_append (html, "<h3>");
        append_escaped (html, str (gate, "name"));
        g_string_append (html, " <span class=\"muted\">(");
        append_escaped (html, str (stage, "name"));
        g_string_append_printf (html, "; %" JSON_INTEGER_FORMAT " evaluated, %" JSON_INTEGER_FORMAT
                                " passed, %" JSON_INTEGER_FORMAT " stopped)</span></h3>\n",
                                json_integer_value (json_object_get (gate, "evaluated")),
                                json_integer_value (json_object_get (gate, "passed")),
                                json_integer_value (json_object_get (gate, "failed")));
        g_string_append (html, "<table>\n<tr><th>Check</th><th>Value</th><th>Must be</th><th>Margin</th>"
                               "<th>Result</th><th>Items passed / failed</th></tr>\n");
        json_array_foreach (json_object_get (gate, "checks"), k, check)
          {
            g_autofree char *bound = bound_text (check);

            g_string_append (html, "<tr><td>");
            append_escaped (html, str (check, "name"));
            g_string_append (html, " <span class=\"muted\"><code>");
            append_escaped (html, str (check, "value_path"));
            if (json_object_get (check, "relative_to") != NULL)
              {
                g_string_append_printf (html, "</code> %s from <code>", str (check, "relative"));
                append_escaped (html, str (check, "relative_to"));
              }
            g_string_append (html, "</code></span></td><td>");
            append_value (html, check);
            g_string_append (html, "</td><td>");
            append_escaped (html, bound);
            g_string_append (html, "</td><td>");
            if (json_is_number (json_object_get (check, "margin")))
              g_string_append_printf (html, "%+g", num (check, "margin"));
            g_string_append (html, "</td><td>");
            append_result (html, check);
            g_string_append_printf (html, "</td><td>%" JSON_INTEGER_FORMAT " / %" JSON_INTEGER_FORMAT "</td></tr>\n",
                                    json_integer_value (json_object_get (check, "passed_count")),
                                    json_integer_value (json_object_get (check, "failed_count")));
          }
        g_string_append (html, "</table>\n");
      }
  if (any)
    g_string_append (html, "</section>\n");
}

static void
append_modules (GString *html,
                json_t  *report)
{
  size_t i;
  json_t *m;

  g_string_append (html, "<section id=\"modules\">\n<h2>Modules</h2>\n");
  if (*str (report, "error"))
    {
      g_string_append (html, "<p>Error: ");
      append_escaped (html, str (report, "error"));
      g_string_append (html, "</p>\n");
    }
  g_string_append (html, "<table><tr><th>module</th><th>kind</th><th>state</th><th>in</th><th>out</th>"
                         "<th>dropped</th><th>failed</th><th>superseded</th><th>time (ms)</th></tr>\n");
  json_array_foreach (json_object_get (report, "modules"), i, m)
    {
      g_string_append (html, "<tr><td>");
      append_escaped (html, str (m, "id"));
      g_string_append_printf (html, "</td><td>%s</td><td>%s</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT
                              "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%"
                              JSON_INTEGER_FORMAT "</td><td>%.1f</td></tr>\n",
                              str (m, "kind"), str (m, "state"),
                              json_integer_value (json_object_get (m, "items_in")),
                              json_integer_value (json_object_get (m, "items_out")),
                              json_integer_value (json_object_get (m, "dropped")),
                              json_integer_value (json_object_get (m, "failed")),
                              json_integer_value (json_object_get (m, "superseded")),
                              num (m, "time_ms"));
    }
  g_string_append (html, "</table>\n</section>\n");
}

char *
_sluice_report_to_html (json_t *report)
{
  GString *html = g_string_new (NULL);
  const char *name = str (report, "pipeline_name");

  g_string_append (html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<meta name=\"color-scheme\" content=\"light dark\">\n<title>Run report: ");
  append_escaped (html, *name ? name : str (report, "pipeline"));
  g_string_append_printf (html, "</title>\n<style>\n%s</style>\n</head><body>\n", style);
  append_header (html, report);
  append_verdict (html, report);
  append_failed_checks (html, report);
  append_stages (html, report);
  append_charts (html, report);
  append_consistency (html, report);
  _sluice_report_append_history (html, report);
  append_warnings (html, report);
  append_gates (html, report);
  append_modules (html, report);
  g_string_append (html, "</body></html>\n");

  return g_string_free (html, FALSE);
}
