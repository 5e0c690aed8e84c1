/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-daemon-check.h"
#include "sluice-run-serve.h"

/* `sluice-run daemon [DIR]`: one long-running process hosting the run API
 * (SluiceRunApi over a SluiceRunManager) and, with DIR, the folder's
 * pipelines and their schedules (SluiceRegistryRuns). It recovers the
 * runs of its state directory first — past runs are listed, runs that
 * were running or paused go on from their journals — then watches DIR
 * and serves until SIGTERM or SIGINT. Runs not over at that point stay
 * so in their records and go on with the next daemon.
 *
 * `--check` validates DIR and the options instead (sluice-run-daemon-check.c). */

#define DEFAULT_LISTEN "127.0.0.1:8095"

typedef struct
{
  char     *state_dir;
  char     *listen;
  char     *token_file;
  char     *max_body;
  char     *tls_cert;
  char     *tls_key;
  char    **roots;
  char    **rest;
  gboolean  quiet;
  gboolean  check;
} DaemonLine;

static void
daemon_line_clear (DaemonLine *dl)
{
  g_clear_pointer (&dl->state_dir, g_free);
  g_clear_pointer (&dl->listen, g_free);
  g_clear_pointer (&dl->token_file, g_free);
  g_clear_pointer (&dl->max_body, g_free);
  g_clear_pointer (&dl->tls_cert, g_free);
  g_clear_pointer (&dl->tls_key, g_free);
  g_clear_pointer (&dl->roots, g_strfreev);
  g_clear_pointer (&dl->rest, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DaemonLine, daemon_line_clear)

static int
daemon_usage_error (const char *message)
{
  fprintf (stderr, "sluice-run daemon: %s\n", message);
  fprintf (stderr, _("Try “sluice-run daemon --help” for more information.\n"));
  return SLUICE_EXIT_INVALID;
}

static int
daemon_fail (const char *what,
             GError     *error)
{
  fprintf (stderr, "sluice-run daemon: %s%s\n", what, error->message);
  return SLUICE_EXIT_INVALID;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static char *
default_state_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "sluice", "daemon", NULL);
}

int
sluice_run_daemon (int    argc,
                   char **argv)
{
  g_auto(DaemonLine) dl = { 0 };
  const GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &dl.state_dir,
      N_("Keep runs in DIR (default ~/.local/share/sluice/daemon)"), N_("DIR") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &dl.listen,
      N_("Listen on ADDR:PORT (default " DEFAULT_LISTEN "; port 0 picks a free one)"), N_("ADDR:PORT") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &dl.token_file,
      N_("Require “Authorization: Bearer TOKEN” on every request, TOKEN read from FILE"), N_("FILE") },
    { "root", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &dl.roots,
      N_("Pipelines and input files named by requests must lie under DIR (may be repeated; default: the working directory)"), N_("DIR") },
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &dl.max_body,
      N_("Largest request body, e.g. 1M or 64K (default 16M); larger ones get 413"), N_("SIZE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &dl.tls_cert,
      N_("Serve https with the PEM certificate (chain) in FILE"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &dl.tls_key,
      N_("The PEM private key of --tls-cert (default: the same file)"), N_("FILE") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &dl.quiet,
      N_("Print no warnings"), NULL },
    { "check", 0, 0, G_OPTION_ARG_NONE, &dl.check,
      N_("Check DIR and the options (state directory, address, token, TLS, roots), print each problem and exit: 0 when all is well, 2 otherwise"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dl.rest, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[DIR] — host the run API, and the pipelines of DIR with their schedules"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceRunManager) manager = NULL;
  g_autoptr(SluiceRegistryRuns) pipelines = NULL;
  g_autoptr(SluiceWallClock) clock = NULL;
  g_autoptr(SluiceRunApi) api = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autofree char *token = NULL;
  g_autofree char *cwd = NULL;
  g_auto(GStrv) roots = NULL;
  SluiceRunApiConfig config = { 0 };
  gsize max_body = 16 * 1024 * 1024;
  guint sigterm_id, sigint_id, restarted;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Endpoints (see data/sluice-run-api.json): POST /runs, GET /runs, GET /runs/ID,\n"
      "POST /runs/ID/start|pause|resume|cancel, GET /runs/ID/events (JSON or\n"
      "text/event-stream), GET /runs/ID/output, GET /runs/ID/report, GET /metrics;\n"
      "with DIR: GET /pipelines, GET|PUT|DELETE /pipelines/ID, GET /pipelines/ID/versions,\n"
      "POST /pipelines/ID/runs. DIR is watched: new, changed and removed pipeline files\n"
      "are picked up without a restart, and their <schedule>s fire journaled runs.\n"
      "Runs that were running when the daemon stopped (even by kill -9) go on from\n"
      "their journals: no input item lost, no output line written twice.\n"
      "SIGTERM or SIGINT stop the daemon; exit status 0, or 2 for bad options.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return daemon_usage_error (error->message);
  if (dl.rest != NULL && g_strv_length (dl.rest) > 1)
    return daemon_usage_error (_("give at most one folder of pipelines (DIR)"));
  if (dl.check)
    {
      SluiceDaemonCheck check = {
        .folder = dl.rest != NULL ? dl.rest[0] : NULL, .state_dir = dl.state_dir, .listen = dl.listen,
        .token_file = dl.token_file, .max_body = dl.max_body, .tls_cert = dl.tls_cert,
        .tls_key = dl.tls_key, .roots = (const char * const *) dl.roots, .quiet = dl.quiet,
      };

      if (check.state_dir == NULL)
        check.state_dir = dl.state_dir = default_state_dir ();
      if (check.listen == NULL)
        check.listen = DEFAULT_LISTEN;
      return sluice_run_daemon_check (&check);
    }
  if (dl.max_body != NULL && !sluice_run_parse_size (dl.max_body, &max_body))
    return daemon_usage_error (_("--max-body expects a size like 1M, 64K or 100000"));
  if (dl.token_file != NULL && (token = sluice_run_read_token (dl.token_file, &error)) == NULL)
    return daemon_fail ("", error);
  if (dl.tls_key != NULL && dl.tls_cert == NULL)
    return daemon_usage_error (_("--tls-key needs --tls-cert"));
  if (dl.tls_cert != NULL)
    {
      tls = g_tls_certificate_new_from_files (dl.tls_cert, dl.tls_key != NULL ? dl.tls_key : dl.tls_cert, &error);
      if (tls == NULL)
        return daemon_fail (dl.tls_cert, error);
    }

  if (dl.state_dir == NULL)
    dl.state_dir = default_state_dir ();
  cwd = g_get_current_dir ();
  roots = dl.roots != NULL ? g_strdupv (dl.roots) : g_strdupv ((char *[]) { cwd, NULL });
  manager = sluice_run_manager_new (dl.state_dir, (const char * const *) roots, &error);
  if (manager == NULL)
    return daemon_fail ("", error);
  if (dl.rest != NULL && dl.rest[0] != NULL)
    {
      if (!g_file_test (dl.rest[0], G_FILE_TEST_IS_DIR))
        return daemon_usage_error (_("DIR must be a folder of pipeline files"));
      if ((clock = sluice_run_make_clock (&error)) == NULL)
        return daemon_fail ("", error);
      /* Before the runs are recovered: resumed scheduled runs count as
       * their pipelines' runs going. */
      pipelines = sluice_registry_runs_new (manager, dl.rest[0], clock, dl.quiet);
    }
  restarted = sluice_run_manager_recover (manager);
  if (restarted > 0 && !dl.quiet)
    fprintf (stderr, _("sluice-run daemon: resumed %u runs from their journals (they were not over when the daemon stopped)\n"),
             restarted);
  if (pipelines != NULL && !sluice_registry_runs_start (pipelines, &error))
    return daemon_fail ("", error);

  config.manager = manager;
  config.pipelines = pipelines;
  config.token = token;
  config.max_body = max_body;
  config.tls = tls;
  api = sluice_run_api_new (&config);
  if (dl.listen == NULL)
    dl.listen = g_strdup (DEFAULT_LISTEN);
  if (!sluice_run_api_listen (api, dl.listen, &error))
    {
      fprintf (stderr, _("sluice-run daemon: cannot listen on %s: %s\n"), dl.listen, error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (!sluice_run_is_loopback (dl.listen) && token == NULL && !dl.quiet)
    fprintf (stderr, _("sluice-run daemon: warning: listening on %s without --token-file: anyone who reaches it can run pipelines\n"),
             dl.listen);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);

  /* The first line on standard output says where: with port 0, that is
   * how a script learns the port. */
  printf ("listening on %s\n", sluice_run_api_get_url (api));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  g_clear_object (&api);
  /* No new scheduled runs while the runs going are let go. */
  g_clear_object (&pipelines);
  sluice_run_manager_shutdown (manager);
  if (!dl.quiet)
    fprintf (stderr, _("sluice-run daemon: stopped; runs not over go on with the next daemon\n"));
  return SLUICE_EXIT_COMPLETED;
}
