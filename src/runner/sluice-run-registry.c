/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-serve.h"

/* `sluice-run registry DIR list|show ID|validate`: a folder of pipeline
 * files as SluiceRegistry sees it. Broken files are reported with file
 * and line (on standard error for list and show) and never hide the
 * others. */

typedef struct
{
  char    *state_dir;
  char    *now;
  int      next;
  gint64   now_unix;
} RegistryOptions;

static void
print_problems (GPtrArray *problems,
                FILE      *out)
{
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
      fprintf (out, "%s\n", text);
    }
}

static const char *
status_of (SluiceRegistryEntry *entry)
{
  if (!sluice_registry_entry_is_valid (entry))
    return "broken";
  return sluice_registry_entry_get_problems (entry)->len > 0 ? "warnings" : "ok";
}

static char *
describe_schedule (SluiceSchedule *schedule)
{
  GString *text;

  if (schedule == NULL)
    return g_strdup ("-");
  text = g_string_new (sluice_schedule_get_cron (schedule));
  g_string_append_printf (text, " (%s", sluice_schedule_get_timezone (schedule) != NULL
                                        ? sluice_schedule_get_timezone (schedule) : "UTC");
  if (sluice_schedule_get_timescope (schedule) != SLUICE_TIMESCOPE_NONE)
    g_string_append_printf (text, ", %s", sluice_timescope_to_string (sluice_schedule_get_timescope (schedule)));
  g_string_append_c (text, ')');
  return g_string_free (text, FALSE);
}

static SluiceSchedule *
schedule_of (SluiceRegistryEntry *entry)
{
  SluicePipeline *pipeline = sluice_registry_entry_get_pipeline (entry);

  return pipeline != NULL && sluice_registry_entry_is_valid (entry)
         ? sluice_pipeline_get_schedule (pipeline) : NULL;
}

static int
registry_list (SluiceRegistry        *registry,
               const RegistryOptions *options)
{
  g_autoptr(GPtrArray) entries = sluice_registry_list (registry);

  printf ("%-30s %-8s %-40s %s\n", "ID", "STATUS", "SCHEDULE", "NEXT");
  for (guint i = 0; i < entries->len; i++)
    {
      SluiceRegistryEntry *entry = g_ptr_array_index (entries, i);
      SluiceSchedule *schedule = schedule_of (entry);
      g_autofree char *described = describe_schedule (schedule);
      g_autofree char *next_text = NULL;
      gint64 next;

      if (schedule != NULL && sluice_schedule_next (schedule, options->now_unix, &next))
        next_text = sluice_schedule_format_time (schedule, next);
      printf ("%-30s %-8s %-40s %s\n", sluice_registry_entry_get_id (entry), status_of (entry),
              described, next_text != NULL ? next_text : "-");
      if (!sluice_registry_entry_is_valid (entry))
        print_problems (sluice_registry_entry_get_problems (entry), stderr);
    }
  print_problems (sluice_registry_get_problems (registry), stderr);
  return SLUICE_EXIT_COMPLETED;
}

static int
registry_validate (SluiceRegistry *registry)
{
  g_autoptr(GPtrArray) entries = sluice_registry_list (registry);
  guint broken = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      SluiceRegistryEntry *entry = g_ptr_array_index (entries, i);

      print_problems (sluice_registry_entry_get_problems (entry), stdout);
      broken += !sluice_registry_entry_is_valid (entry);
    }
  print_problems (sluice_registry_get_problems (registry), stdout);
  fprintf (stderr, _("%u pipelines, %u broken\n"), entries->len, broken);
  return broken > 0 || sluice_registry_get_problems (registry)->len > 0
         ? SLUICE_EXIT_INVALID : SLUICE_EXIT_COMPLETED;
}

static void
print_next_times (SluiceSchedule        *schedule,
                  const RegistryOptions *options)
{
  gint64 t = options->now_unix;

  for (int i = 0; i < options->next; i++)
    {
      g_autoptr(GHashTable) params = NULL;
      g_autofree char *when = NULL;
      gint64 next;

      if (!sluice_schedule_next (schedule, t, &next))
        {
          printf (i == 0 ? _("next:      never (no fire time within nine years)\n") : "");
          return;
        }
      when = sluice_schedule_format_time (schedule, next);
      params = sluice_schedule_window_params (schedule, next);
      printf ("%s %s  window %s … %s\n", i == 0 ? "next:     " : "          ", when,
              (const char *) g_hash_table_lookup (params, "window_start"),
              (const char *) g_hash_table_lookup (params, "window_end"));
      t = next;
    }
}

static int
registry_show (SluiceRegistry        *registry,
               const char            *id,
               const RegistryOptions *options)
{
  SluiceRegistryEntry *entry = sluice_registry_lookup (registry, id);
  SluicePipeline *pipeline;
  SluiceSchedule *schedule;
  g_auto(GStrv) versions = NULL;

  if (entry == NULL)
    {
      fprintf (stderr, _("sluice-run registry: no pipeline “%s” in %s\n"), id,
               sluice_registry_get_folder (registry));
      return SLUICE_EXIT_INVALID;
    }

  pipeline = sluice_registry_entry_get_pipeline (entry);
  printf ("id:        %s\n", sluice_registry_entry_get_id (entry));
  printf ("file:      %s\n", sluice_registry_entry_get_path (entry));
  printf ("hash:      %s\n", sluice_registry_entry_get_hash (entry) != NULL
                             ? sluice_registry_entry_get_hash (entry) : "-");
  printf ("status:    %s\n", status_of (entry));
  if (pipeline != NULL)
    printf ("pipeline:  %s%s%s\n",
            sluice_node_get_id (SLUICE_NODE (pipeline)) != NULL ? sluice_node_get_id (SLUICE_NODE (pipeline)) : "-",
            sluice_node_get_name (SLUICE_NODE (pipeline)) != NULL ? " — " : "",
            sluice_node_get_name (SLUICE_NODE (pipeline)) != NULL ? sluice_node_get_name (SLUICE_NODE (pipeline)) : "");

  schedule = pipeline != NULL ? sluice_pipeline_get_schedule (pipeline) : NULL;
  if (schedule == NULL)
    printf ("schedule:  none (runs only when started)\n");
  else
    {
      SluiceTimescope timescope = sluice_schedule_get_timescope (schedule);

      printf ("schedule:  cron \"%s\", timezone %s, timescope %s, catch-up %s, overlap %s\n",
              sluice_schedule_get_cron (schedule),
              sluice_schedule_get_timezone (schedule) != NULL ? sluice_schedule_get_timezone (schedule) : "UTC",
              timescope != SLUICE_TIMESCOPE_NONE ? sluice_timescope_to_string (timescope) : "none",
              sluice_catch_up_to_string (sluice_schedule_get_catch_up (schedule)),
              sluice_overlap_to_string (sluice_schedule_get_overlap (schedule)));
      if (sluice_registry_entry_is_valid (entry))
        print_next_times (schedule, options);
    }

  versions = sluice_registry_get_versions (registry, id);
  for (guint i = 0; versions != NULL && versions[i] != NULL; i++)
    printf ("%s %s\n", i == 0 ? "versions: " : "          ", versions[i]);

  print_problems (sluice_registry_entry_get_problems (entry), stderr);
  return sluice_registry_entry_is_valid (entry) ? SLUICE_EXIT_COMPLETED : SLUICE_EXIT_INVALID;
}

int
sluice_run_registry (int    argc,
                     char **argv)
{
  RegistryOptions options = { NULL, NULL, 5, 0 };
  g_auto(GStrv) rest = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.state_dir,
      N_("Keep each version of each file in DIR/versions (and list them with show)"), N_("DIR") },
    { "next", 'n', 0, G_OPTION_ARG_INT, &options.next,
      N_("How many next fire times show prints (default 5)"), N_("N") },
    { "now", 0, 0, G_OPTION_ARG_STRING, &options.now,
      N_("Compute fire times from this ISO 8601 time instead of now"), N_("TIME") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("DIR list|show ID|validate — a folder of pipelines"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceRegistry) registry = NULL;
  const char *command;
  int status;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Every *.xml file in DIR and its subfolders is a pipeline; its id is its\n"
      "path without .xml. list prints each with its schedule and next fire\n"
      "time; show prints one with its hash and next fire times; validate\n"
      "prints every problem (exit 2 when a file is broken).\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sluice-run registry: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  command = rest != NULL && rest[0] != NULL ? rest[1] : NULL;
  if (command == NULL ||
      !(g_str_equal (command, "list") || g_str_equal (command, "validate") || g_str_equal (command, "show")) ||
      (g_str_equal (command, "show") ? (rest[2] == NULL || rest[3] != NULL) : rest[2] != NULL))
    {
      fprintf (stderr, _("sluice-run registry: usage: sluice-run registry DIR list|show ID|validate\n"));
      status = SLUICE_EXIT_INVALID;
      goto out;
    }
  if (options.next < 0 || options.next > 1000)
    {
      fprintf (stderr, _("sluice-run registry: --next expects 0 to 1000\n"));
      status = SLUICE_EXIT_INVALID;
      goto out;
    }

  options.now_unix = g_get_real_time () / G_USEC_PER_SEC;
  if (options.now != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (options.now, NULL);

      if (now == NULL)
        {
          fprintf (stderr, _("sluice-run registry: --now expects an ISO 8601 time with an offset, not “%s”\n"),
                   options.now);
          status = SLUICE_EXIT_INVALID;
          goto out;
        }
      options.now_unix = g_date_time_to_unix (now);
    }

  registry = sluice_registry_new (rest[0], options.state_dir);
  if (!sluice_registry_scan (registry, &error))
    {
      fprintf (stderr, "sluice-run registry: %s\n", error->message);
      status = SLUICE_EXIT_INVALID;
      goto out;
    }

  if (g_str_equal (command, "list"))
    status = registry_list (registry, &options);
  else if (g_str_equal (command, "validate"))
    status = registry_validate (registry);
  else
    status = registry_show (registry, rest[2], &options);

out:
  g_free (options.state_dir);
  g_free (options.now);
  return status;
}
