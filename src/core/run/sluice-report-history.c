/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-report-private.h"

/* The report's "history" section in HTML: how many of the pipeline's
 * past runs reached and passed each stage, as a table with inline bars
 * (the page's colours, so that it reads in dark mode and printed). */

static void
append_text (GString    *html,
             const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (html, escaped);
}

void
_sluice_report_append_history (GString *html,
                               json_t  *report)
{
  json_t *history = json_object_get (report, "history");
  json_int_t runs = json_integer_value (json_object_get (history, "runs"));
  json_int_t unreadable = json_integer_value (json_object_get (history, "unreadable"));
  size_t i;
  json_t *stage;

  if (!json_is_object (history))
    return;
  g_string_append (html, "<section id=\"history\">\n<h2>Progression over the run history</h2>\n");
  g_string_append_printf (html, "<p class=\"muted\">%" JSON_INTEGER_FORMAT " journaled run%s of this pipeline"
                          " (this one included)%s. A stage is passed when an item left it and the run did not fail in it.</p>\n",
                          runs, runs == 1 ? "" : "s",
                          unreadable > 0 ? "; some journals could not be read and are not counted" : "");
  g_string_append (html, "<table>\n<tr><th>Stage</th><th>Reached</th><th>Passed</th><th>Rate</th></tr>\n");
  json_array_foreach (json_object_get (history, "stages"), i, stage)
    {
      json_t *rate = json_object_get (stage, "rate");

      g_string_append (html, "<tr><td>");
      append_text (html, json_string_value (json_object_get (stage, "stage_name")));
      g_string_append_printf (html, "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td><td>",
                              json_integer_value (json_object_get (stage, "reached")),
                              json_integer_value (json_object_get (stage, "passed")));
      if (json_is_number (rate))
        g_string_append_printf (html, "<svg width=\"100\" height=\"10\" role=\"img\" aria-label=\"%.0f%%\">"
                                "<rect width=\"100\" height=\"10\" fill=\"currentColor\" opacity=\"0.15\"/>"
                                "<rect width=\"%.0f\" height=\"10\" fill=\"currentColor\"/></svg> %.0f%%",
                                100 * json_number_value (rate), 100 * json_number_value (rate),
                                100 * json_number_value (rate));
      else
        g_string_append (html, "<span class=\"muted\">not reached</span>");
      g_string_append (html, "</td></tr>\n");
    }
  g_string_append (html, "</table>\n</section>\n");
}
