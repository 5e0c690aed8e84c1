/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-serve.h"

/* `sluice-run schedule DIR --state-dir S`: the registry of DIR and the
 * scheduler in one foreground process; each scheduled run is a SluiceRun
 * in this process writing S/runs/ID/STAMP/{output.jsonl,events.jsonl,
 * report.json}. SIGINT or SIGTERM cancels the runs going and exits.
 *
 * For tests only, SLUICE_TEST_CLOCK (see sluice_run_make_clock()). */

typedef struct
{
  SluiceRegistry  *registry;   /* borrowed */
  SluiceScheduler *scheduler;  /* borrowed */
  char            *state_dir;
  GHashTable      *runs;       /* ScheduledRun set, owned */
  gboolean         quiet;
} Daemon;

typedef struct
{
  Daemon         *daemon;      /* borrowed */
  SluiceRun      *run;         /* owned */
  SluiceLaunch   *launch;      /* owned */
  SluiceLineSink *sink;        /* owned */
  FILE           *events;
  char           *dir;
} ScheduledRun;

static void say (Daemon     *daemon,
                 const char *format,
                 ...) G_GNUC_PRINTF (2, 3);

/* One line per thing that happens, with the time, on standard output. */
static void
say (Daemon     *daemon,
     const char *format,
     ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (daemon->quiet)
    return;
  va_start (args, format);
  line = sluice_stamped_line_valist (format, args);
  va_end (args);
  printf ("%s\n", line);
  fflush (stdout);
}

static void
scheduled_run_free (ScheduledRun *scheduled)
{
  if (scheduled->events != NULL)
    fclose (scheduled->events);
  g_clear_object (&scheduled->sink);
  g_clear_object (&scheduled->run);
  g_clear_object (&scheduled->launch);
  g_free (scheduled->dir);
  g_free (scheduled);
}

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          ScheduledRun   *scheduled)
{
  g_autofree char *json = sluice_event_to_json (event);

  fprintf (scheduled->events, "%s\n", json);
  if (event->type == SLUICE_EVENT_RUN_STATE)
    fflush (scheduled->events);
}

static gboolean
forget_run_cb (gpointer data)
{
  ScheduledRun *scheduled = data;

  g_hash_table_remove (scheduled->daemon->runs, scheduled);
  return G_SOURCE_REMOVE;
}

static void
state_cb (SluiceExecutor *executor,
          GParamSpec     *pspec,
          ScheduledRun   *scheduled)
{
  SluiceRunState state = sluice_executor_get_state (executor);
  g_autofree char *report = NULL;
  g_autoptr(GError) error = NULL;

  if (!sluice_run_state_is_final (state))
    return;

  report = g_build_filename (scheduled->dir, "report.json", NULL);
  if (!sluice_run_write_report (scheduled->run, report, &error))
    say (scheduled->daemon, "%s: cannot write the report: %s",
         sluice_launch_get_pipeline_id (scheduled->launch), error->message);
  fflush (scheduled->events);
  say (scheduled->daemon, "finished %s run %s: %s%s%s",
       sluice_launch_get_pipeline_id (scheduled->launch), sluice_launch_get_run_id (scheduled->launch),
       sluice_run_state_to_string (state),
       sluice_executor_get_error (executor) != NULL ? ": " : "",
       sluice_executor_get_error (executor) != NULL ? sluice_executor_get_error (executor) : "");
  sluice_launch_finish (scheduled->launch, state == SLUICE_RUN_COMPLETED);
  /* Not from inside the executor's own notification. */
  g_idle_add (forget_run_cb, scheduled);
}

static char *
run_id_for (SluiceLaunch *launch)
{
  g_autoptr(GDateTime) fire = g_date_time_new_from_unix_utc (sluice_launch_get_fire_time (launch));
  g_autofree char *stamp = g_date_time_format (fire, "%Y%m%dT%H%M%SZ");
  g_autofree char *escaped = g_uri_escape_string (sluice_launch_get_pipeline_id (launch), NULL, FALSE);

  return g_strdup_printf ("%s/%s", escaped, stamp);
}

/* The launch function: a SluiceRun of the entry as it is now. */
static gboolean
launch_cb (SluiceLaunch  *launch,
           gpointer       user_data,
           GError       **error)
{
  Daemon *daemon = user_data;
  const char *id = sluice_launch_get_pipeline_id (launch);
  SluiceRegistryEntry *entry = sluice_registry_lookup (daemon->registry, id);
  g_autofree char *run_id = NULL;
  g_autofree char *output = NULL;
  g_autofree char *events = NULL;
  ScheduledRun *scheduled;
  int fd;

  if (entry == NULL || !sluice_registry_entry_is_valid (entry))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the pipeline file is gone or broken");
      return FALSE;
    }

  scheduled = g_new0 (ScheduledRun, 1);
  scheduled->daemon = daemon;
  scheduled->launch = g_object_ref (launch);
  run_id = run_id_for (launch);
  scheduled->dir = g_build_filename (daemon->state_dir, "runs", run_id, NULL);
  /* A fire time run again (catch-up after a crash) gets its own folder. */
  for (guint n = 2; g_file_test (scheduled->dir, G_FILE_TEST_EXISTS); n++)
    {
      g_free (scheduled->dir);
      scheduled->dir = g_strdup_printf ("%s/runs/%s.%u", daemon->state_dir, run_id, n);
    }
  if (g_mkdir_with_parents (scheduled->dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create %s: %s",
                   scheduled->dir, g_strerror (errno));
      scheduled_run_free (scheduled);
      return FALSE;
    }
  sluice_launch_set_run_id (launch, scheduled->dir + strlen (daemon->state_dir) + strlen ("/runs/"));

  scheduled->run = sluice_run_new (sluice_registry_entry_get_pipeline (entry),
                                   sluice_registry_entry_get_path (entry),
                                   sluice_launch_get_params (launch), error);
  output = g_build_filename (scheduled->dir, "output.jsonl", NULL);
  events = g_build_filename (scheduled->dir, "events.jsonl", NULL);
  if (scheduled->run == NULL ||
      (fd = g_open (output, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
      (scheduled->events = fopen (events, "w")) == NULL)
    {
      if (scheduled->run != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s",
                     scheduled->dir, g_strerror (errno));
      scheduled_run_free (scheduled);
      return FALSE;
    }

  scheduled->sink = sluice_line_sink_new (fd, TRUE);
  sluice_executor_set_sink (sluice_run_get_executor (scheduled->run), SLUICE_ITEM_SINK (scheduled->sink));
  g_signal_connect (sluice_run_get_executor (scheduled->run), "event", G_CALLBACK (event_cb), scheduled);
  g_signal_connect (sluice_run_get_executor (scheduled->run), "notify::state", G_CALLBACK (state_cb), scheduled);
  g_hash_table_add (daemon->runs, scheduled);

  say (daemon, "started %s run %s (%s, window %s … %s)", id, sluice_launch_get_run_id (launch),
       sluice_launch_reason_to_string (sluice_launch_get_reason (launch)),
       (const char *) g_hash_table_lookup (sluice_launch_get_params (launch), "window_start"),
       (const char *) g_hash_table_lookup (sluice_launch_get_params (launch), "window_end"));
  sluice_run_start (scheduled->run);
  return TRUE;
}

static void
skipped_cb (SluiceScheduler *scheduler,
            const char      *id,
            gint64           fire_time,
            const char      *reason,
            Daemon          *daemon)
{
  g_autoptr(GDateTime) fire = g_date_time_new_from_unix_utc (fire_time);
  g_autofree char *when = g_date_time_format_iso8601 (fire);

  say (daemon, "skipped %s at %s: %s", id, when, reason);
}

static void
say_line_cb (const char *line,
             gpointer    user_data)
{
  say (user_data, "%s", line);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
sluice_run_schedule (int    argc,
                     char **argv)
{
  g_autofree char *state_dir = NULL;
  gboolean quiet = FALSE;
  g_auto(GStrv) rest = NULL;
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("Where the scheduler state, file versions and runs are kept (required)"), N_("DIR") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("DIR — run the scheduled pipelines of a folder"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceWallClock) clock = NULL;
  g_autoptr(SluiceRegistry) registry = NULL;
  g_autoptr(SluiceScheduler) scheduler = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *state_file = NULL;
  Daemon daemon = { 0 };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Each pipeline file with a <schedule> runs at its fire times; the folder\n"
      "is watched, so new, changed and removed files are picked up. Runs write\n"
      "STATE-DIR/runs/ID/TIME/{output.jsonl,events.jsonl,report.json}.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sluice-run schedule: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL)
    {
      fprintf (stderr, _("sluice-run schedule: usage: sluice-run schedule DIR --state-dir STATE-DIR\n"));
      return SLUICE_EXIT_INVALID;
    }
  if (state_dir == NULL)
    {
      fprintf (stderr, _("sluice-run schedule: --state-dir is required (the scheduler remembers what ran there)\n"));
      return SLUICE_EXIT_INVALID;
    }
  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      fprintf (stderr, _("sluice-run schedule: cannot create %s: %s\n"), state_dir, g_strerror (errno));
      return SLUICE_EXIT_INVALID;
    }

  clock = sluice_run_make_clock (&error);
  if (clock == NULL)
    {
      fprintf (stderr, "sluice-run schedule: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  daemon.state_dir = g_canonicalize_filename (state_dir, NULL);
  daemon.quiet = quiet;
  daemon.runs = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) scheduled_run_free, NULL);

  state_file = g_build_filename (daemon.state_dir, "scheduler.json", NULL);
  scheduler = sluice_scheduler_new (clock, state_file, &error);
  if (error != NULL)
    {
      fprintf (stderr, "sluice-run schedule: %s\n", error->message);
      g_clear_error (&error);
    }
  sluice_scheduler_set_launch_func (scheduler, launch_cb, &daemon, NULL);
  g_signal_connect (scheduler, "skipped", G_CALLBACK (skipped_cb), &daemon);
  daemon.scheduler = scheduler;

  registry = sluice_registry_new (rest[0], daemon.state_dir);
  daemon.registry = registry;
  sluice_schedule_follow_registry (scheduler, registry, say_line_cb, &daemon);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);

  if (!sluice_registry_watch (registry, &error))
    {
      fprintf (stderr, "sluice-run schedule: %s\n", error->message);
      g_hash_table_unref (daemon.runs);
      g_free (daemon.state_dir);
      return SLUICE_EXIT_INVALID;
    }
  for (guint i = 0; i < sluice_registry_get_problems (registry)->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (sluice_registry_get_problems (registry), i));
      say (&daemon, "%s", text);
    }

  say (&daemon, "watching %s", sluice_registry_get_folder (registry));
  g_main_loop_run (loop);

  /* Stopping: runs going are cancelled; their fire times stay handled. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, daemon.runs);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      sluice_run_cancel (((ScheduledRun *) key)->run);
  }
  say (&daemon, "stopped");
  sluice_scheduler_set_launch_func (scheduler, NULL, NULL, NULL);
  g_hash_table_unref (daemon.runs);
  g_free (daemon.state_dir);
  (void) list;
  return SLUICE_EXIT_COMPLETED;
}
