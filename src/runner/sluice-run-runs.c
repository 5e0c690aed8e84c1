/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-options.h"
#include "sluice-run-runs-print.h"
#include "sluice-run-serve.h"

/* `sluice-run runs COMMAND`: the client of `sluice-run daemon`, so that
 * nobody has to write curl. Tables for people, --json for programs.
 *
 * Exit status: 0 done; 1 the server refused (the error it gave is
 * printed: an unknown run, a transition SPEC 6 forbids, …); 2 usage;
 * 3 the server could not be reached or answered nonsense; 4 the token
 * was missing or wrong (401). */

#define EXIT_REFUSED     1
#define EXIT_UNREACHABLE 3
#define EXIT_UNAUTHORIZED 4
#define DEFAULT_SERVER "http://127.0.0.1:8095"

typedef struct
{
  char     *server;
  char     *token_file;
  char     *ca_file;
  gboolean  json;
  gboolean  follow;
  char     *state;
  char     *pipeline;
  char     *since;
  char     *until;
  int       limit;
  char    **defines;
  char     *input;
  char     *items;
  gboolean  inline_pipeline;
  gboolean  start;
  char    **args;
} RunsLine;

static void
runs_line_clear (RunsLine *rl)
{
  g_free (rl->server);
  g_free (rl->token_file);
  g_free (rl->ca_file);
  g_free (rl->state);
  g_free (rl->pipeline);
  g_free (rl->since);
  g_free (rl->until);
  g_strfreev (rl->defines);
  g_free (rl->input);
  g_free (rl->items);
  g_strfreev (rl->args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunsLine, runs_line_clear)

typedef struct
{
  SluiceRunClient *client;   /* borrowed */
  gboolean         json;
} Client;

static int
runs_usage_error (const char *message)
{
  fprintf (stderr, "sluice-run runs: %s\n", message);
  fprintf (stderr, _("Try “sluice-run runs --help” for more information.\n"));
  return SLUICE_EXIT_INVALID;
}

/* The exit status an error of the client means; it is printed. */
static int
exit_status_of (const GError *error)
{
  fprintf (stderr, "sluice-run runs: %s\n", error->message);
  if (error->domain != SLUICE_RUN_CLIENT_ERROR)
    return EXIT_UNREACHABLE;
  switch (error->code)
    {
    case SLUICE_RUN_CLIENT_ERROR_INVALID:
      return SLUICE_EXIT_INVALID;
    case SLUICE_RUN_CLIENT_ERROR_UNAUTHORIZED:
      return EXIT_UNAUTHORIZED;
    case SLUICE_RUN_CLIENT_ERROR_REFUSED:
      return EXIT_REFUSED;
    default:
      return EXIT_UNREACHABLE;
    }
}

/* Sends and reads the answer: the exit status it means; *@json the
 * parsed answer on 2xx. Errors are printed. */
static int
call (Client      *client,
      const char  *method,
      const char  *path,
      json_t      *body,
      json_t     **json)
{
  g_autoptr(GError) error = NULL;

  *json = sluice_run_client_call (client->client, method, path, body, NULL, &error);
  if (*json == NULL)
    return exit_status_of (error);
  return SLUICE_EXIT_COMPLETED;
}

typedef struct
{
  GMainLoop *loop;
  Client    *client;
  int        status;
  gboolean   ever_connected;
  guint      failures;       /* in a row */
} Following;

/* A server never reached is a mistake (a wrong URL): given up after a
 * few tries. One that was there is waited for until the run is over. */
#define FIRST_CONNECT_TRIES 3

static void
follow_event_cb (SluiceRunFollower *follower,
                 const char        *json,
                 guint64            seq,
                 Following         *following)
{
  sluice_runs_print_event (json, following->client->json);
}

static void
follow_connection_cb (SluiceRunFollower *follower,
                      gboolean           connected,
                      const char        *problem,
                      Following         *following)
{
  if (connected)
    {
      if (following->failures > 0)
        fprintf (stderr, "sluice-run runs: reconnected to %s; going on after event %" G_GUINT64_FORMAT "\n",
                 sluice_run_client_get_url (following->client->client),
                 sluice_run_follower_get_last_seq (follower));
      following->ever_connected = TRUE;
      following->failures = 0;
      return;
    }
  following->failures++;
  if (!following->ever_connected && following->failures >= FIRST_CONNECT_TRIES)
    {
      fprintf (stderr, "sluice-run runs: %s\n", problem);
      following->status = EXIT_UNREACHABLE;
      g_main_loop_quit (following->loop);
      return;
    }
  fprintf (stderr, "sluice-run runs: lost the event stream (%s); reconnecting in %.2g s\n",
           problem, sluice_run_follower_get_retry_delay (follower) / 1000.0);
  fflush (stderr);
}

static void
follow_ended_cb (SluiceRunFollower *follower,
                 const GError      *error,
                 Following         *following)
{
  following->status = error != NULL ? exit_status_of (error) : SLUICE_EXIT_COMPLETED;
  g_main_loop_quit (following->loop);
}

/* Follows the event stream; on a dropped connection (a restarted
 * daemon) it reconnects with Last-Event-ID, backing off up to 5 s and
 * saying so on standard error, so nothing is missed or shown twice.
 * Ends when the run is over (a stream closed otherwise is reconnected),
 * or when the server was never reached in FIRST_CONNECT_TRIES tries. */
static int
follow_events (Client     *client,
               const char *id)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(SluiceRunFollower) follower = NULL;
  Following following = { loop, client, SLUICE_EXIT_COMPLETED };

  g_main_context_push_thread_default (context);
  follower = sluice_run_follower_new (client->client, id);
  g_signal_connect (follower, "event", G_CALLBACK (follow_event_cb), &following);
  g_signal_connect (follower, "connection-changed", G_CALLBACK (follow_connection_cb), &following);
  g_signal_connect (follower, "ended", G_CALLBACK (follow_ended_cb), &following);
  sluice_run_follower_start (follower);
  g_main_loop_run (loop);
  sluice_run_follower_stop (follower);
  g_clear_object (&follower);
  g_main_context_pop_thread_default (context);
  return following.status;
}

static int
print_events (Client     *client,
              const char *id)
{
  g_autofree char *path = g_strdup_printf ("/runs/%s/events", id);
  json_t *events;
  int status = call (client, "GET", path, NULL, &events);
  size_t i;
  json_t *event;

  if (status != 0)
    return status;
  json_array_foreach (events, i, event)
    {
      char *text = sluice_json_dumps (event, JSON_COMPACT);

      sluice_runs_print_event (text, client->json);
      free (text);
    }
  json_decref (events);
  return 0;
}

static char *
query_of (RunsLine *rl)
{
  GString *query = g_string_new ("/runs");
  const char *keys[] = { "state", "pipeline", "since", "until" };
  const char *values[] = { rl->state, rl->pipeline, rl->since, rl->until };
  char separator = '?';

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (values[i] != NULL)
      {
        g_autofree char *escaped = g_uri_escape_string (values[i], NULL, FALSE);

        g_string_append_printf (query, "%c%s=%s", separator, keys[i], escaped);
        separator = '&';
      }
  if (rl->limit > 0)
    g_string_append_printf (query, "%climit=%d", separator, rl->limit);
  return g_string_free (query, FALSE);
}

/* The body of POST /runs from the command line. */
static json_t *
create_body (RunsLine  *rl,
             GError   **error)
{
  json_t *body = json_object ();
  json_t *parameters = json_object ();

  if (rl->inline_pipeline)
    {
      g_autofree char *xml = NULL;

      if (!g_file_get_contents (rl->args[1], &xml, NULL, error))
        {
          json_decref (body);
          json_decref (parameters);
          return NULL;
        }
      json_object_set_new (body, "pipeline", json_pack ("{s:s}", "xml", xml));
    }
  else
    json_object_set_new (body, "pipeline", json_string (rl->args[1]));

  for (guint i = 0; rl->defines != NULL && rl->defines[i] != NULL; i++)
    {
      const char *eq = strchr (rl->defines[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == rl->defines[i])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-D expects NAME=VALUE, not “%s”", rl->defines[i]);
          json_decref (body);
          json_decref (parameters);
          return NULL;
        }
      name = g_strndup (rl->defines[i], eq - rl->defines[i]);
      json_object_set_new (parameters, name, json_string (eq + 1));
    }
  json_object_set_new (body, "parameters", parameters);

  if (rl->input != NULL)
    json_object_set_new (body, "input", json_pack ("{s:s}", "path", rl->input));
  else if (rl->items != NULL)
    {
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      json_t *items = json_array ();

      if (g_str_equal (rl->items, "-"))
        {
          g_autoptr(GString) all = g_string_new (NULL);
          char buffer[65536];
          size_t n;

          while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
            g_string_append_len (all, buffer, n);
          text = g_strdup (all->str);
        }
      else if (!g_file_get_contents (rl->items, &text, NULL, error))
        {
          json_decref (body);
          json_decref (items);
          return NULL;
        }
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          json_error_t jerror;
          json_t *item;

          if (*g_strstrip (lines[i]) == '\0')
            continue;
          item = json_loads (lines[i], JSON_REJECT_DUPLICATES, &jerror);
          if (!json_is_object (item))
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s line %u: %s", rl->items, i + 1,
                           item == NULL ? jerror.text : "an item must be a JSON object");
              json_decref (item);
              json_decref (items);
              json_decref (body);
              return NULL;
            }
          json_array_append_new (items, item);
        }
      json_object_set_new (body, "input", json_pack ("{s:o}", "items", items));
    }
  if (rl->start)
    json_object_set_new (body, "start", json_true ());
  return body;
}

static int
run_command (Client   *client,
             RunsLine *rl)
{
  const char *command = rl->args[0];
  const char *id = rl->args[1];
  guint n_args = g_strv_length (rl->args);
  SluiceRunAction action;
  json_t *answer = NULL;
  int status;

  if (g_str_equal (command, "list"))
    {
      g_autofree char *path = query_of (rl);

      if (n_args != 1)
        return runs_usage_error (_("list takes no run id"));
      if ((status = call (client, "GET", path, NULL, &answer)) != 0)
        return status;
      if (client->json)
        sluice_runs_print_json (answer);
      else
        sluice_runs_print_table (json_object_get (answer, "runs"));
      json_decref (answer);
      return 0;
    }
  if (g_str_equal (command, "create"))
    {
      g_autoptr(GError) error = NULL;
      json_t *body;

      if (n_args != 2)
        return runs_usage_error (_("create takes one pipeline (a path on the server, or a local file with --inline)"));
      if (rl->input != NULL && rl->items != NULL)
        return runs_usage_error (_("--input and --items cannot be used together"));
      if ((body = create_body (rl, &error)) == NULL)
        return runs_usage_error (error->message);
      status = call (client, "POST", "/runs", body, &answer);
      json_decref (body);
      if (status != 0)
        return status;
      if (client->json)
        sluice_runs_print_json (answer);
      else
        printf ("%s\n", sluice_runs_text_of (answer, "id"));
      json_decref (answer);
      return 0;
    }

  if (n_args != 2)
    return runs_usage_error (_("this command takes one run id"));
  if (g_str_equal (command, "show") || g_str_equal (command, "report") ||
      sluice_run_action_from_string (command, &action))
    {
      gboolean is_action = !g_str_equal (command, "show") && !g_str_equal (command, "report");
      g_autofree char *path = g_str_equal (command, "show") ? g_strdup_printf ("/runs/%s", id)
                                                            : g_strdup_printf ("/runs/%s/%s", id, command);

      if ((status = call (client, is_action ? "POST" : "GET", path, NULL, &answer)) != 0)
        return status;
      if (client->json || g_str_equal (command, "report"))
        sluice_runs_print_json (answer);
      else if (is_action)
        printf ("%s %s%s\n", id, sluice_runs_text_of (answer, "state"),
                json_is_false (json_object_get (answer, "changed")) ? " (unchanged)" : "");
      else
        sluice_runs_print_run (answer);
      json_decref (answer);
      return 0;
    }
  if (g_str_equal (command, "logs"))
    return rl->follow ? follow_events (client, id) : print_events (client, id);
  if (g_str_equal (command, "output"))
    {
      g_autofree char *path = g_strdup_printf ("/runs/%s/output", id);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = sluice_run_client_get_bytes (client->client, path, NULL, &error);

      if (bytes == NULL)
        return exit_status_of (error);
      fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
      return 0;
    }
  {
    g_autofree char *text = g_strdup_printf (_("unknown command “%s”"), command);

    return runs_usage_error (text);
  }
}

int
sluice_run_runs (int    argc,
                 char **argv)
{
  g_auto(RunsLine) rl = { 0 };
  const GOptionEntry entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &rl.server,
      N_("The daemon's URL (default $SLUICE_SERVER, else " DEFAULT_SERVER ")"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &rl.token_file,
      N_("Send the bearer token read from FILE"), N_("FILE") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &rl.ca_file,
      N_("Trust the certificate authorities in this PEM FILE for an https server (e.g. its self-signed certificate)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &rl.json,
      N_("Print what the server answers as JSON (events as JSON lines)"), NULL },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &rl.follow,
      N_("logs: follow the events live until the run is over"), NULL },
    { "state", 0, 0, G_OPTION_ARG_STRING, &rl.state,
      N_("list: only runs in STATE"), N_("STATE") },
    { "pipeline", 0, 0, G_OPTION_ARG_STRING, &rl.pipeline,
      N_("list: only runs of the pipeline with this id or path"), N_("ID") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &rl.since,
      N_("list: only runs created at or after TIME (ISO 8601 or epoch seconds)"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &rl.until,
      N_("list: only runs created before TIME"), N_("TIME") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &rl.limit,
      N_("list: the N most recent runs only"), N_("N") },
    { "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &rl.defines,
      N_("create: set a pipeline parameter (may be repeated)"), N_("NAME=VALUE") },
    { "input", 'i', 0, G_OPTION_ARG_STRING, &rl.input,
      N_("create: read input items from FILE on the server (JSON lines)"), N_("FILE") },
    { "items", 0, 0, G_OPTION_ARG_FILENAME, &rl.items,
      N_("create: send the input items of this local JSON lines FILE (- for standard input)"), N_("FILE") },
    { "inline", 0, 0, G_OPTION_ARG_NONE, &rl.inline_pipeline,
      N_("create: send the local pipeline file itself rather than its path"), NULL },
    { "start", 0, 0, G_OPTION_ARG_NONE, &rl.start,
      N_("create: start the run at once"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rl.args, NULL, N_("COMMAND [ID|PIPELINE]") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("COMMAND [ID] — list and steer the runs of sluice-run daemon"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceRunClient) run_client = NULL;
  g_autofree char *token = NULL;
  const char *server;
  Client client = { 0 };

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Commands:\n"
      "  list                          the runs, oldest first (--state, --pipeline, --since, --until, --limit)\n"
      "  show ID                       one run: state, stage, counters\n"
      "  create PIPELINE               a pending run (-D, --input, --items, --inline, --start); prints its id\n"
      "  start|pause|resume|cancel ID  steer a run (SPEC 6; a repeated pause or cancel changes nothing)\n"
      "  logs [-f] ID                  its events; -f follows them until the run is over\n"
      "  output ID                     its output items (JSON lines)\n"
      "  report ID                     its run report (JSON)\n"
      "\n"
      "Exit status: 0 done, 1 refused by the server (its error is printed), 2 usage,\n"
      "3 server unreachable, 4 token missing or wrong.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return runs_usage_error (error->message);
  if (rl.args == NULL || rl.args[0] == NULL)
    return runs_usage_error (_("no command given (list, show, create, start, pause, resume, cancel, logs, output, report)"));
  if (rl.token_file != NULL && (token = sluice_run_read_token (rl.token_file, &error)) == NULL)
    {
      fprintf (stderr, "sluice-run runs: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }

  server = rl.server != NULL ? rl.server : g_getenv ("SLUICE_SERVER") != NULL ? g_getenv ("SLUICE_SERVER") : DEFAULT_SERVER;
  if ((run_client = sluice_run_client_new (server, token, &error)) == NULL)
    return runs_usage_error (_("--server expects an http:// or https:// URL"));
  if (rl.ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (rl.ca_file, &error);

      if (database == NULL)
        {
          fprintf (stderr, "sluice-run runs: %s: %s\n", rl.ca_file, error->message);
          return SLUICE_EXIT_INVALID;
        }
      sluice_run_client_set_tls_database (run_client, database);
    }
  client.client = run_client;
  client.json = rl.json;
  return run_command (&client, &rl);
}
