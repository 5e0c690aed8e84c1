/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1   /* euidaccess */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-daemon-check.h"
#include "sluice-run-options.h"
#include "sluice-run-serve.h"

/* `sluice-run daemon --check [DIR]`: what would stop the daemon, or make
 * a pipeline of DIR unable to run, found before it starts (the systemd
 * unit runs it as ExecStartPre), each named with what to fix. */

typedef struct
{
  guint    problems;
  gboolean quiet;
} Findings;

static void report (Findings   *findings,
                    const char *format,
                    ...) G_GNUC_PRINTF (2, 3);

static void
report (Findings   *findings,
        const char *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "sluice-run daemon --check: %s\n", message);
  findings->problems++;
}

/* The state directory: there, or creatable, and writable. Nothing is
 * created: the nearest existing folder up the path must be writable. */
static void
check_state_dir (Findings   *findings,
                 const char *state_dir)
{
  g_autofree char *path = g_canonicalize_filename (state_dir, NULL);

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (path);

      g_free (path);
      path = parent;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    report (findings, _("--state-dir %s: %s is not a folder"), state_dir, path);
  else if (euidaccess (path, W_OK | X_OK) != 0)
    report (findings, _("--state-dir %s: %s is not writable: %s"), state_dir, path, g_strerror (errno));
}

/* Listening: tried for real on the address (and let go at once), so that
 * a port in use or an address that is not ours shows now. */
static void
check_listen (Findings   *findings,
              const char *listen)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  if (!sluice_listen (server, listen, FALSE, &error))
    report (findings, _("--listen %s: %s"), listen, error->message);
  soup_server_disconnect (server);
}

static void
check_options (Findings                *findings,
               const SluiceDaemonCheck *check)
{
  g_autoptr(GError) error = NULL;
  gsize size;

  check_state_dir (findings, check->state_dir);
  check_listen (findings, check->listen);
  if (check->max_body != NULL && !sluice_run_parse_size (check->max_body, &size))
    report (findings, _("--max-body %s: expected a size like 1M, 64K or 100000"), check->max_body);
  if (check->token_file != NULL)
    {
      g_autofree char *token = sluice_run_read_token (check->token_file, &error);

      if (token == NULL)
        report (findings, _("--token-file %s: %s"), check->token_file, error->message);
      g_clear_error (&error);
    }
  else if (!sluice_run_is_loopback (check->listen) && !check->quiet)
    fprintf (stderr, _("sluice-run daemon --check: warning: --listen %s without --token-file: anyone who reaches it can run pipelines\n"),
             check->listen);
  if (check->tls_key != NULL && check->tls_cert == NULL)
    report (findings, _("--tls-key needs --tls-cert"));
  if (check->tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) tls =
        g_tls_certificate_new_from_files (check->tls_cert, check->tls_key != NULL ? check->tls_key : check->tls_cert, &error);

      if (tls == NULL)
        report (findings, _("--tls-cert %s: %s"), check->tls_cert, error->message);
      g_clear_error (&error);
    }
  for (guint i = 0; check->roots != NULL && check->roots[i] != NULL; i++)
    if (!g_file_test (check->roots[i], G_FILE_TEST_IS_DIR))
      report (findings, _("--root %s: not a folder"), check->roots[i]);
}

static void
report_problems (Findings  *findings,
                 GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    {
      SluiceProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *text = sluice_problem_to_string (problem);

      if (sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR)
        report (findings, "%s", text);
      else if (!findings->quiet)
        fprintf (stderr, "sluice-run daemon --check: warning: %s\n", text);
    }
}

/* Every pipeline file as the daemon would load it; scheduled ones also
 * need a next fire time. */
static void
check_folder (Findings   *findings,
              const char *folder,
              guint      *n_pipelines,
              guint      *n_scheduled)
{
  /* No state folder: the check keeps no versions. */
  g_autoptr(SluiceRegistry) registry = sluice_registry_new (folder, NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!sluice_registry_scan (registry, &error))
    {
      report (findings, "%s", error->message);
      return;
    }
  report_problems (findings, sluice_registry_get_problems (registry));
  entries = sluice_registry_list (registry);
  *n_pipelines = entries->len;
  for (guint i = 0; i < entries->len; i++)
    {
      SluiceRegistryEntry *entry = g_ptr_array_index (entries, i);
      SluicePipeline *pipeline = sluice_registry_entry_get_pipeline (entry);
      SluiceSchedule *schedule = pipeline != NULL ? sluice_pipeline_get_schedule (pipeline) : NULL;
      gint64 next;

      report_problems (findings, sluice_registry_entry_get_problems (entry));
      if (!sluice_registry_entry_is_valid (entry) || schedule == NULL)
        continue;
      (*n_scheduled)++;
      if (!sluice_schedule_next (schedule, now, &next))
        report (findings, _("%s: its schedule “%s” never fires again"),
                sluice_registry_entry_get_path (entry), sluice_schedule_get_cron (schedule));
    }
}

int
sluice_run_daemon_check (const SluiceDaemonCheck *check)
{
  Findings findings = { 0, check->quiet };
  guint n_pipelines = 0, n_scheduled = 0;

  check_options (&findings, check);
  if (check->folder != NULL)
    {
      if (!g_file_test (check->folder, G_FILE_TEST_IS_DIR))
        report (&findings, _("%s: not a folder of pipeline files"), check->folder);
      else
        check_folder (&findings, check->folder, &n_pipelines, &n_scheduled);
    }
  if (findings.problems > 0)
    {
      fprintf (stderr, ngettext ("sluice-run daemon --check: %u problem\n",
                                 "sluice-run daemon --check: %u problems\n", findings.problems),
               findings.problems);
      return SLUICE_EXIT_INVALID;
    }
  printf (_("ok: %u pipelines (%u scheduled)%s%s, state in %s, listening on %s\n"), n_pipelines, n_scheduled,
          check->folder != NULL ? " in " : "", check->folder != NULL ? check->folder : "",
          check->state_dir, check->listen);
  return SLUICE_EXIT_COMPLETED;
}
