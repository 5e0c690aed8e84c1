/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "sluice-core.h"
#include "sluice-run-runs-print.h"

/* How `sluice-run runs` shows what the daemon answers, for people. */

void
sluice_runs_print_json (json_t *json)
{
  char *text = sluice_json_dumps (json, JSON_INDENT (2) | JSON_SORT_KEYS);

  printf ("%s\n", text);
  free (text);
}

const char *
sluice_runs_text_of (json_t     *object,
         const char *key)
{
  const char *text = json_string_value (json_object_get (object, key));

  return text != NULL ? text : "-";
}

static char *
count_of (json_t     *object,
          const char *key)
{
  json_t *value = json_object_get (object, key);

  return json_is_integer (value) ? g_strdup_printf ("%" JSON_INTEGER_FORMAT, json_integer_value (value)) : g_strdup ("-");
}

void
sluice_runs_print_table (json_t *runs)
{
  size_t i;
  json_t *run;

  printf ("%-28s %-10s %-20s %-20s %8s %8s  %s\n", "ID", "STATE", "PIPELINE", "CREATED", "IN", "OUT", "STAGE");
  json_array_foreach (runs, i, run)
    {
      g_autofree char *in = count_of (run, "items_in");
      g_autofree char *out = count_of (run, "items_out");
      g_autofree char *created = g_strndup (sluice_runs_text_of (run, "created"), 19);

      printf ("%-28s %-10s %-20s %-20s %8s %8s  %s\n", sluice_runs_text_of (run, "id"), sluice_runs_text_of (run, "state"),
              sluice_runs_text_of (run, "pipeline_id"), created, in, out, sluice_runs_text_of (run, "current_stage"));
    }
}

void
sluice_runs_print_run (json_t *run)
{
  g_autofree char *in = count_of (run, "items_in");
  g_autofree char *out = count_of (run, "items_out");
  g_autofree char *events = count_of (run, "events");

  printf ("id:        %s\nstate:     %s\npipeline:  %s (%s)\n", sluice_runs_text_of (run, "id"), sluice_runs_text_of (run, "state"),
          sluice_runs_text_of (run, "pipeline_id"), sluice_runs_text_of (run, "pipeline"));
  printf ("created:   %s\nstarted:   %s\nfinished:  %s\n", sluice_runs_text_of (run, "created"), sluice_runs_text_of (run, "started"),
          sluice_runs_text_of (run, "finished"));
  printf ("stage:     %s\nitems in:  %s\nitems out: %s\nevents:    %s\n", sluice_runs_text_of (run, "current_stage"), in, out, events);
  if (json_object_get (run, "error") != NULL)
    printf ("error:     %s\n", sluice_runs_text_of (run, "error"));
}

void
sluice_runs_print_event (const char *json_text,
                  gboolean    as_json)
{
  json_t *event;
  const char *type;
  GString *line;

  if (as_json)
    {
      printf ("%s\n", json_text);
      fflush (stdout);
      return;
    }
  event = json_loads (json_text, 0, NULL);
  if (event == NULL)
    return;
  type = sluice_runs_text_of (event, "event");
  line = g_string_new (NULL);
  g_string_append_printf (line, "%s %5" JSON_INTEGER_FORMAT " %-17s", sluice_runs_text_of (event, "time"),
                          json_integer_value (json_object_get (event, "seq")), type);
  if (g_str_equal (type, "run-state"))
    g_string_append_printf (line, " %s", sluice_runs_text_of (event, "state"));
  else if (g_str_equal (type, "stage-transition"))
    g_string_append_printf (line, " %s → %s", sluice_runs_text_of (event, "from"), sluice_runs_text_of (event, "to"));
  else if (g_str_equal (type, "log"))
    g_string_append_printf (line, " %s", sluice_runs_text_of (event, "message"));
  else
    g_string_append_printf (line, " %s", sluice_runs_text_of (event, "module"));
  if (json_object_get (event, "item") != NULL)
    g_string_append_printf (line, " item %" JSON_INTEGER_FORMAT, json_integer_value (json_object_get (event, "item")));
  if (json_object_get (event, "duration_ms") != NULL)
    g_string_append_printf (line, " %.1f ms", json_number_value (json_object_get (event, "duration_ms")));
  if (json_object_get (event, "error") != NULL)
    g_string_append_printf (line, ": %s", sluice_runs_text_of (event, "error"));
  printf ("%s\n", line->str);
  fflush (stdout);
  g_string_free (line, TRUE);
  json_decref (event);
}
