/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-plugins.h"
#include "sluice-run-serve.h"
#include "sluice-run-validate.h"

/* `sluice-run serve`: validates the pipeline as a run would, then serves
 * it (SluiceServer) until SIGTERM or SIGINT, which drain: no new
 * requests, the ones in flight are answered, then exit 0. */

typedef struct
{
  char     *listen;
  int       workers;
  int       queue;
  int       batch;
  char     *max_body;
  char     *token_file;
  char     *announce;
  char     *public_url;
  char     *tls_cert;
  char     *tls_key;
  int       announce_ms;
  char    **defines;
  gboolean  quiet;
  char    **files;
} ServeLine;

static void
serve_line_clear (ServeLine *sl)
{
  g_clear_pointer (&sl->listen, g_free);
  g_clear_pointer (&sl->max_body, g_free);
  g_clear_pointer (&sl->token_file, g_free);
  g_clear_pointer (&sl->announce, g_free);
  g_clear_pointer (&sl->public_url, g_free);
  g_clear_pointer (&sl->tls_cert, g_free);
  g_clear_pointer (&sl->tls_key, g_free);
  g_clear_pointer (&sl->defines, g_strfreev);
  g_clear_pointer (&sl->files, g_strfreev);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServeLine, serve_line_clear)

static int
serve_usage_error (const char *command,
                   const char *format,
                   ...) G_GNUC_PRINTF (2, 3);

static int
serve_usage_error (const char *command,
                   const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "sluice-run %s: %s\n", command, message);
  fprintf (stderr, _("Try “sluice-run %s --help” for more information.\n"), command);
  return SLUICE_EXIT_INVALID;
}

gboolean
sluice_run_parse_size (const char *text,
            gsize      *size)
{
  char *end = NULL;
  guint64 value;
  guint64 unit = 1;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoull (text, &end, 10);
  if (g_ascii_strcasecmp (end, "k") == 0 || g_ascii_strcasecmp (end, "kib") == 0)
    unit = 1024;
  else if (g_ascii_strcasecmp (end, "m") == 0 || g_ascii_strcasecmp (end, "mib") == 0)
    unit = 1024 * 1024;
  else if (*end != '\0')
    return FALSE;
  if (value == 0 || value > G_MAXSIZE / unit)
    return FALSE;
  *size = value * unit;
  return TRUE;
}

char *
sluice_run_read_token (const char  *path,
            GError     **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  g_strstrip (contents);
  if (*contents == '\0' || strchr (contents, '\n') != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s must hold one token on one line", path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static char *
file_hash (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

typedef struct
{
  GMainLoop       *loop;
  SluiceServer    *server;
  SluiceAnnouncer *announcer;
  int              signal;
} ServeContext;

static void
drained_cb (SluiceServer *server,
            ServeContext *ctx)
{
  g_main_loop_quit (ctx->loop);
}

static void
on_signal (ServeContext *ctx,
           int           sig)
{
  if (ctx->signal != 0)
    _exit (128 + sig);   /* a second signal: no more waiting */
  ctx->signal = sig;
  fprintf (stderr, _("sluice-run serve: draining: answering the %u requests in flight and %u queued, taking no new ones\n"),
           sluice_server_get_in_flight (ctx->server), sluice_server_get_queued (ctx->server));
  sluice_server_drain (ctx->server);
  if (ctx->announcer != NULL)
    sluice_announcer_stop (ctx->announcer);
}

static gboolean
sigterm_cb (gpointer user_data)
{
  on_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigint_cb (gpointer user_data)
{
  on_signal (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

gboolean
sluice_run_is_loopback (const char *listen)
{
  return g_str_has_prefix (listen, "127.") || g_str_has_prefix (listen, "localhost:") ||
         g_str_has_prefix (listen, "[::1]:");
}

int
sluice_run_serve (int    argc,
                  char **argv)
{
  g_auto(ServeLine) sl = { .listen = NULL, .workers = 0, .queue = -1, .batch = -1, .announce_ms = 1000 };
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &sl.listen,
      N_("Listen on ADDR:PORT (default 127.0.0.1:8080; port 0 picks a free one)"), N_("ADDR:PORT") },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &sl.workers,
      N_("Requests in the run at once (default 64; the pipeline's modes and workers bound the real parallelism)"), N_("N") },
    { "queue", 0, 0, G_OPTION_ARG_INT, &sl.queue,
      N_("Requests that wait beyond those; more get 503 (default 1024)"), N_("N") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &sl.batch,
      N_("Take up to N items in one request, as a JSON array answered with an array of arrays (default 64; 0 turns batches off)"), N_("N") },
    { "max-body", 0, 0, G_OPTION_ARG_STRING, &sl.max_body,
      N_("Largest request body, e.g. 1M or 64K (default 16M); larger ones get 413"), N_("SIZE") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &sl.token_file,
      N_("Require “Authorization: Bearer TOKEN” for items, TOKEN read from FILE"), N_("FILE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &sl.tls_cert,
      N_("Serve https with the PEM certificate (chain) in FILE"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &sl.tls_key,
      N_("The PEM private key of --tls-cert (default: the same file)"), N_("FILE") },
    { "announce", 0, 0, G_OPTION_ARG_STRING, &sl.announce,
      N_("Announce this instance to the balancer at URL (sluice-run balance) every second"), N_("URL") },
    { "announce-interval", 0, 0, G_OPTION_ARG_INT, &sl.announce_ms,
      N_("Milliseconds between announcements (default 1000)"), N_("MS") },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &sl.public_url,
      N_("The URL callers reach this instance at, when announced (default: the listening one)"), N_("URL") },
    { "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &sl.defines,
      N_("Set a pipeline parameter (may be repeated)"), N_("NAME=VALUE") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &sl.quiet,
      N_("Print no warnings"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &sl.files, NULL, N_("PIPELINE.xml") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PIPELINE.xml — serve a pipeline over HTTP"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceServer) server = NULL;
  g_autoptr(SluiceAnnouncer) announcer = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *directory = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  SluiceServerConfig config = { 0 };
  ServeContext ctx = { 0 };
  gsize max_body = 16 * 1024 * 1024;
  guint sigterm_id, sigint_id;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("POST / (or /items) one item, a JSON object: 200 with the JSON array of its outputs;\n"
      "A JSON array of items (up to --batch) gets one element per item: its outputs or {\"error\", \"module\"}.\n"
      "400 not a JSON object, 401 no token, 413 too large, 422 a module failed it\n"
      "({\"error\", \"module\"}), 503 with Retry-After when full or draining.\n"
      "GET /status: health and load. SIGTERM or SIGINT drain, then exit 0.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return serve_usage_error ("serve", "%s", error->message);

  if (sl.files == NULL || sl.files[0] == NULL)
    return serve_usage_error ("serve", _("no pipeline file given"));
  if (sl.files[1] != NULL)
    return serve_usage_error ("serve", _("one pipeline file at a time"));
  if (sl.workers < 0 || sl.workers > 100000)
    return serve_usage_error ("serve", _("--workers must be between 1 and 100000"));
  if (sl.queue < -1 || sl.queue > 1000000)
    return serve_usage_error ("serve", _("--queue must be between 0 and 1000000"));
  if (sl.batch < -1 || sl.batch > 100000)
    return serve_usage_error ("serve", _("--batch must be between 0 and 100000"));
  if (sl.max_body != NULL && !sluice_run_parse_size (sl.max_body, &max_body))
    return serve_usage_error ("serve", _("--max-body expects a size like 1M, 64K or 100000, not “%s”"), sl.max_body);
  if (sl.announce_ms < 50)
    return serve_usage_error ("serve", _("--announce-interval must be at least 50 ms"));
  for (guint i = 0; sl.defines != NULL && sl.defines[i] != NULL; i++)
    {
      const char *eq = strchr (sl.defines[i], '=');

      if (eq == NULL || eq == sl.defines[i])
        return serve_usage_error ("serve", _("-D expects NAME=VALUE, not “%s”"), sl.defines[i]);
      g_hash_table_insert (defines, g_strndup (sl.defines[i], eq - sl.defines[i]), g_strdup (eq + 1));
    }
  if (sl.token_file != NULL && (token = sluice_run_read_token (sl.token_file, &error)) == NULL)
    {
      fprintf (stderr, "sluice-run serve: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  if (sl.tls_key != NULL && sl.tls_cert == NULL)
    return serve_usage_error ("serve", _("--tls-key needs --tls-cert"));
  if (sl.tls_cert != NULL)
    {
      if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
        {
          fprintf (stderr, _("sluice-run serve: this system has no TLS support (install glib-networking)\n"));
          return SLUICE_EXIT_INVALID;
        }
      tls = g_tls_certificate_new_from_files (sl.tls_cert, sl.tls_key != NULL ? sl.tls_key : sl.tls_cert, &error);
      if (tls == NULL)
        {
          fprintf (stderr, "sluice-run serve: %s: %s\n", sl.tls_cert, error->message);
          return SLUICE_EXIT_INVALID;
        }
    }

  /* An invalid pipeline is never served; its plug-in tools count. */
  sluice_run_load_plugins ((const char * const *) sl.files, sl.quiet);
  pipeline = sluice_load_file (sl.files[0], problems);
  if (pipeline != NULL)
    sluice_validate_for_run (pipeline, sl.files[0], defines, problems);
  sluice_problems_sort (problems);
  if (pipeline == NULL || sluice_problems_have_errors (problems) || !sl.quiet)
    sluice_run_print_problems (stderr, problems, SLUICE_PROBLEM_FORMAT_TEXT);
  if (pipeline == NULL || sluice_problems_have_errors (problems))
    return SLUICE_EXIT_INVALID;

  directory = g_path_get_dirname (sl.files[0]);
  hash = file_hash (sl.files[0]);
  config.pipeline = pipeline;
  config.path = sl.files[0];
  config.defines = defines;
  config.base_directory = directory;
  config.file_hash = hash;
  config.capacity = sl.workers > 0 ? (guint) sl.workers : 64;
  config.queue = sl.queue >= 0 ? (guint) sl.queue : 1024;
  config.batch = sl.batch >= 0 ? (guint) sl.batch : 64;
  config.max_body = max_body;
  config.token = token;
  config.tls = tls;
  server = sluice_server_new (&config, &error);
  if (server == NULL)
    {
      fprintf (stderr, "sluice-run serve: %s: %s\n", sl.files[0], error->message);
      return SLUICE_EXIT_INVALID;
    }

  if (sl.listen == NULL)
    sl.listen = g_strdup ("127.0.0.1:8080");
  if (!sluice_server_listen (server, sl.listen, &error))
    {
      fprintf (stderr, _("sluice-run serve: cannot listen on %s: %s\n"), sl.listen, error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (!sluice_run_is_loopback (sl.listen) && token == NULL && !sl.quiet)
    fprintf (stderr, _("sluice-run serve: warning: listening on %s without --token-file: anyone who reaches it can run items\n"),
             sl.listen);

  loop = g_main_loop_new (NULL, FALSE);
  ctx.loop = loop;
  ctx.server = server;
  g_signal_connect (server, "drained", G_CALLBACK (drained_cb), &ctx);
  sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &ctx);
  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &ctx);

  if (sl.announce != NULL)
    {
      announcer = sluice_announcer_new (server, sl.announce,
                                        sl.public_url != NULL ? sl.public_url : sluice_server_get_url (server),
                                        sl.announce_ms);
      ctx.announcer = announcer;
      sluice_announcer_start (announcer);
    }

  /* The first line on standard output says where: with port 0, that is
   * how a script learns the port. */
  printf ("listening on %s\n", sluice_server_get_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  fprintf (stderr, _("sluice-run serve: drained, exiting\n"));
  return SLUICE_EXIT_COMPLETED;
}
