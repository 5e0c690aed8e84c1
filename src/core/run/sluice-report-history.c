/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-report-private.h"

/* The report's "history" section in HTML: how many of the pipeline's
 * past runs reached and passed each stage, and went through or were
 * stopped by each gate, as tables with inline bars (the page's colours,
 * so that it reads in dark mode and printed). */

static void
append_text (GString    *html,
             const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (html, escaped);
}

/* A rate as a bar beside its percentage, on one line (the page's charts
 * are blocks; this one sits in a table cell). */
static void
append_rate (GString *html,
             json_t  *rate,
             gboolean reached)
{
  double value;

  if (!json_is_number (rate) || !reached)
    {
      g_string_append (html, "<span class=\"muted\">not reached</span>");
      return;
    }
  value = CLAMP (json_number_value (rate), 0.0, 1.0);
  g_string_append_printf (html, "<span class=\"rate\" style=\"white-space:nowrap\"><svg width=\"100\" height=\"10\" role=\"img\""
                          " aria-label=\"%.0f%%\" style=\"display:inline-block;vertical-align:middle\">"
                          "<rect width=\"100\" height=\"10\" style=\"fill:var(--line)\"/>"
                          "<rect width=\"%.0f\" height=\"10\" style=\"fill:var(--bar)\"/></svg>"
                          "<span style=\"display:inline-block;min-width:3.2em\">%.0f%%</span></span>",
                          100 * value, 100 * value, 100 * value);
}

static void
append_stages (GString *html,
               json_t  *history)
{
  size_t i;
  json_t *stage;

  g_string_append (html, "<h3>Stages over these runs</h3>\n<table>\n<tr><th>Stage</th><th>Reached</th><th>Passed</th><th>Rate</th></tr>\n");
  json_array_foreach (json_object_get (history, "stages"), i, stage)
    {
      json_int_t reached = json_integer_value (json_object_get (stage, "reached"));

      g_string_append (html, "<tr><td>");
      append_text (html, json_string_value (json_object_get (stage, "stage_name")));
      g_string_append_printf (html, "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td><td>",
                              reached, json_integer_value (json_object_get (stage, "passed")));
      append_rate (html, json_object_get (stage, "rate"), reached > 0);
      g_string_append (html, "</td></tr>\n");
    }
  g_string_append (html, "</table>\n");
}

static void
append_gates (GString *html,
              json_t  *history)
{
  json_t *gates = json_object_get (history, "gates");
  size_t i;
  json_t *gate;

  if (json_array_size (gates) == 0)
    return;
  g_string_append (html, "<h3>Gates over these runs</h3>\n<table>\n<tr><th>Gate</th><th>Runs it saw</th><th>Let through</th><th>Stopped</th>"
                   "<th>Rate</th></tr>\n");
  json_array_foreach (gates, i, gate)
    {
      json_int_t runs = json_integer_value (json_object_get (gate, "runs"));
      json_t *name = json_object_get (gate, "gate_name");

      g_string_append (html, "<tr><td>");
      append_text (html, json_string_value (name != NULL ? name : json_object_get (gate, "gate")));
      g_string_append_printf (html, "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td>"
                              "<td>%" JSON_INTEGER_FORMAT "</td><td>", runs,
                              json_integer_value (json_object_get (gate, "passed")),
                              json_integer_value (json_object_get (gate, "failed")));
      append_rate (html, json_object_get (gate, "rate"), runs > 0);
      g_string_append (html, "</td></tr>\n");
    }
  g_string_append (html, "</table>\n");
}

void
_sluice_report_append_history (GString *html,
                               json_t  *report)
{
  json_t *history = json_object_get (report, "history");
  json_int_t runs = json_integer_value (json_object_get (history, "runs"));
  json_int_t unreadable = json_integer_value (json_object_get (history, "unreadable"));

  if (!json_is_object (history))
    return;
  g_string_append (html, "<section id=\"history\">\n<h2>Progression over the run history</h2>\n");
  g_string_append_printf (html, "<p class=\"muted\">%" JSON_INTEGER_FORMAT " journaled run%s of this pipeline"
                          " (this one included)%s. A stage is passed when an item left it and the run did not fail in it;"
                          " a gate let a run through when it stopped none of its items.</p>\n",
                          runs, runs == 1 ? "" : "s",
                          unreadable > 0 ? "; some journals could not be read and are not counted" : "");
  append_stages (html, history);
  append_gates (html, history);
  g_string_append (html, "</section>\n");
}
