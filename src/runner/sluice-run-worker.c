/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-worker.h"

/* `sluice-run worker`: one SluiceRedisWorker per pipeline file, on one
 * main loop, until SIGINT or SIGTERM (then what was read is finished and
 * written, and it exits 128+N) or a fatal Redis error (exit 1). And
 * `sluice-run dlq` to list and replay the dead-letter stream. */

static int worker_usage_error (const char *command,
                               const char *format,
                               ...) G_GNUC_PRINTF (2, 3);

static int
worker_usage_error (const char *command,
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

typedef struct
{
  GMainLoop *loop;
  GPtrArray *workers;   /* SluiceRedisWorker*, borrowed */
  guint      running;
  int        signal;
  char      *error;     /* the first fatal error */
} WorkerContext;

/* What one worker of one pipeline tells the balancer at each beat. */
typedef struct
{
  SluiceRedisWorker *worker;     /* borrowed */
  WorkerContext     *ctx;
  char              *pipeline;
  char              *consumer;
} Announced;

static void
announced_free (Announced *a)
{
  g_free (a->pipeline);
  g_free (a->consumer);
  g_free (a);
}

static json_t *
worker_status_cb (gpointer user_data)
{
  Announced *a = user_data;

  return json_pack ("{s:s, s:s, s:s, s:I, s:I, s:b, s:i, s:i}",
                    "kind", "worker",
                    "pipeline", a->pipeline,
                    "consumer", a->consumer,
                    "done", (json_int_t) sluice_redis_worker_get_done (a->worker),
                    "dead", (json_int_t) sluice_redis_worker_get_dead (a->worker),
                    "draining", a->ctx->signal != 0,
                    "in_flight", 0,
                    "capacity", 1);
}

static void
stopped_cb (SluiceRedisWorker *worker,
            const char        *error,
            WorkerContext     *ctx)
{
  if (error != NULL)
    {
      if (ctx->error == NULL)
        ctx->error = g_strdup (error);
      /* One pipeline cannot go on: stop the others too. */
      for (guint i = 0; i < ctx->workers->len; i++)
        sluice_redis_worker_stop (g_ptr_array_index (ctx->workers, i));
    }
  if (--ctx->running == 0)
    g_main_loop_quit (ctx->loop);
}

static void
worker_signal (WorkerContext *ctx,
               int            sig)
{
  if (ctx->signal != 0)
    _exit (128 + sig);
  ctx->signal = sig;
  for (guint i = 0; i < ctx->workers->len; i++)
    sluice_redis_worker_stop (g_ptr_array_index (ctx->workers, i));
}

static gboolean
worker_sigint_cb (gpointer user_data)
{
  worker_signal (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
worker_sigterm_cb (gpointer user_data)
{
  worker_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_defines (char       **defines,
               GHashTable  *table)
{
  for (guint i = 0; defines != NULL && defines[i] != NULL; i++)
    {
      const char *eq = strchr (defines[i], '=');

      if (eq == NULL || eq == defines[i])
        return FALSE;
      g_hash_table_insert (table, g_strndup (defines[i], eq - defines[i]), g_strdup (eq + 1));
    }
  return TRUE;
}

/* A run of each controller of @run's file marked distribute="redis",
 * alone, with its stream id. FALSE (said) when one cannot be made. */
static gboolean
add_controller_runs (const char *file,
                     SluiceRun  *run,
                     GHashTable *defines,
                     GPtrArray  *runs,
                     GPtrArray  *stream_ids)
{
  GListModel *controllers = sluice_pipeline_get_controllers (sluice_run_get_pipeline (run));

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, k);
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(SluicePipeline) alone = NULL;
      g_autoptr(GError) error = NULL;
      SluiceRun *part;

      if (sluice_controller_get_distribute (controller) == NULL)
        continue;
      /* Loaded again: the run owns its pipeline. It loaded once. */
      alone = sluice_load_file (file, problems);
      if (alone == NULL)
        {
          fprintf (stderr, "sluice-run worker: %s: cannot load it again\n", file);
          return FALSE;
        }
      sluice_redis_pipeline_keep_controllers (alone, k, k + 1);
      part = sluice_run_new (alone, file, defines, &error);
      if (part == NULL)
        {
          fprintf (stderr, "sluice-run worker: %s: %s\n", file, error->message);
          return FALSE;
        }
      g_ptr_array_add (runs, part);
      g_ptr_array_add (stream_ids, sluice_redis_controller_stream_id (sluice_run_get_pipeline (run), controller));
    }
  return TRUE;
}

/* Loads and validates each file; NULL (problems printed) when one
 * cannot run. A file with controllers marked distribute="redis" gives
 * a run per such controller; @stream_ids gets the stream id of each run
 * (NULL: the pipeline's id). */
static GPtrArray *
load_runs (char       **files,
           GHashTable  *defines,
           gboolean     quiet,
           GPtrArray   *stream_ids)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
      SluiceRun *run = sluice_run_new_for_file (files[i], defines, problems);
      const char *id;

      for (guint j = 0; j < problems->len; j++)
        {
          g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, j));

          if (run == NULL || !quiet)
            fprintf (stderr, "%s\n", text);
        }
      if (run == NULL)
        return NULL;
      id = sluice_node_get_id (SLUICE_NODE (sluice_run_get_pipeline (run)));
      if (!g_hash_table_add (ids, g_strdup (id)))
        {
          fprintf (stderr, _("sluice-run worker: %s: a pipeline with id “%s” is given twice\n"), files[i], id);
          g_object_unref (run);
          return NULL;
        }
      if (sluice_redis_pipeline_has_distributed (sluice_run_get_pipeline (run)))
        {
          gboolean made = add_controller_runs (files[i], run, defines, runs, stream_ids);

          g_object_unref (run);
          if (!made)
            return NULL;
          continue;
        }
      g_ptr_array_add (runs, run);
      g_ptr_array_add (stream_ids, NULL);
    }
  return g_steal_pointer (&runs);
}

/* The worker of one pipeline (or distributed controller), announced as
 * redis://HOST:PORT#CONSUMER/ID: one instance per stream it reads, named
 * without the Redis password. */
static SluiceAnnouncer *
announce_worker (WorkerContext     *ctx,
                 SluiceRedisWorker *worker,
                 const char        *id,
                 SluiceRedisUrl    *url,
                 const char        *consumer,
                 const char        *balancer,
                 int                interval_ms,
                 GPtrArray         *announced)
{
  Announced *a = g_new0 (Announced, 1);
  g_autofree char *escaped_consumer = g_uri_escape_string (consumer, NULL, FALSE);
  g_autofree char *escaped_id = g_uri_escape_string (id, NULL, FALSE);
  gboolean ipv6 = strchr (url->host, ':') != NULL;
  g_autofree char *name = g_strdup_printf ("redis://%s%s%s:%u#%s/%s", ipv6 ? "[" : "", url->host, ipv6 ? "]" : "",
                                           (guint) url->port, escaped_consumer, escaped_id);
  SluiceAnnouncer *announcer;

  a->worker = worker;
  a->ctx = ctx;
  a->pipeline = g_strdup (id);
  a->consumer = g_strdup (consumer);
  g_ptr_array_add (announced, a);
  announcer = sluice_announcer_new_for_status (worker_status_cb, a, balancer, name, interval_ms);
  sluice_announcer_start (announcer);
  return announcer;
}

int
sluice_run_worker (int    argc,
                   char **argv)
{
  g_autofree char *redis = NULL, *group = NULL, *consumer = NULL, *visibility = NULL, *announce = NULL;
  g_auto(GStrv) files = NULL, defines_args = NULL;
  int batch = 512, max_deliveries = 5, announce_ms = 1000;
  gboolean quiet = FALSE, lua_threads = FALSE;
  const GOptionEntry entries[] = {
    { "redis", 0, 0, G_OPTION_ARG_STRING, &redis,
      N_("The Redis server: redis://[:PASSWORD@]HOST[:PORT][/DB]"), N_("URL") },
    { "group", 0, 0, G_OPTION_ARG_STRING, &group,
      N_("The consumer group (default: sluice-workers)"), N_("NAME") },
    { "consumer", 0, 0, G_OPTION_ARG_STRING, &consumer,
      N_("This worker's name in the group (default: HOST-PID)"), N_("NAME") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch,
      N_("Items read at a time, about (default: 512)"), N_("N") },
    { "lua-threads", 0, 0, G_OPTION_ARG_NONE, &lua_threads,
      N_("Run Lua modules on a thread pool as in-process runs do (default: on the worker's own thread; run one worker per core)"), NULL },
    { "max-deliveries", 0, 0, G_OPTION_ARG_INT, &max_deliveries,
      N_("Deliveries of an item before it goes to the dead-letter stream (default: 5)"), N_("N") },
    { "visibility-timeout", 0, 0, G_OPTION_ARG_STRING, &visibility,
      N_("How long an item may stay unacknowledged before another worker takes it (default: 30s)"), N_("DURATION") },
    { "announce", 0, 0, G_OPTION_ARG_STRING, &announce,
      N_("Report this worker's status to a pipeline balancer (sluice-run balance) at URL"), N_("URL") },
    { "announce-interval", 0, 0, G_OPTION_ARG_INT, &announce_ms,
      N_("Milliseconds between announcements (default 1000)"), N_("MS") },
    { "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &defines_args,
      N_("Set a pipeline parameter (may be repeated)"), N_("NAME=VALUE") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print no warnings of the pipelines"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("PIPELINE.xml…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PIPELINE.xml… — process items of distributed runs from Redis"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(SluiceRedisUrl) url = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) stream_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) workers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) announcers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) announced = g_ptr_array_new_with_free_func ((GDestroyNotify) announced_free);
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *default_consumer = NULL;
  WorkerContext ctx = { 0 };
  SluiceRedisWorkerOptions options = { 0 };
  gint64 visibility_ms = 30000;
  guint sigint_id, sigterm_id;
  int status;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Reads the items of each pipeline from the stream sluice:{ID}:items in a consumer\n"
      "group, runs them and writes their outputs to their run's results stream, then\n"
      "acknowledges them (at least once). SIGTERM or SIGINT: finish what was read, exit.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return worker_usage_error ("worker", "%s", error->message);
  if (redis == NULL)
    return worker_usage_error ("worker", _("--redis URL is required"));
  if (files == NULL || files[0] == NULL)
    return worker_usage_error ("worker", _("no pipeline file given"));
  if (batch < 1 || batch > 100000)
    return worker_usage_error ("worker", _("--batch must be between 1 and 100000"));
  if (max_deliveries < 1 || max_deliveries > 1000)
    return worker_usage_error ("worker", _("--max-deliveries must be between 1 and 1000"));
  if (announce != NULL && !g_str_has_prefix (announce, "http://") && !g_str_has_prefix (announce, "https://"))
    return worker_usage_error ("worker", _("--announce expects the balancer's http:// or https:// URL, not “%s”"), announce);
  if (announce_ms < 50 || announce_ms > 3600000)
    return worker_usage_error ("worker", _("--announce-interval must be between 50 and 3600000"));
  if (visibility != NULL && (!sluice_duration_parse (visibility, &visibility_ms) || visibility_ms < 10))
    return worker_usage_error ("worker", _("--visibility-timeout expects a duration of at least 10ms, like 30s, not “%s”"), visibility);
  if (!parse_defines (defines_args, defines))
    return worker_usage_error ("worker", _("-D expects NAME=VALUE"));
  if ((url = sluice_redis_url_parse (redis, &error)) == NULL)
    return worker_usage_error ("worker", "%s", error->message);

  runs = load_runs (files, defines, quiet, stream_ids);
  if (runs == NULL)
    return SLUICE_EXIT_INVALID;

  if (consumer == NULL)
    default_consumer = g_strdup_printf ("%s-%d", g_get_host_name (), (int) getpid ());
  options.group = group;
  options.consumer = consumer != NULL ? consumer : default_consumer;
  options.batch = (guint) batch;
  options.max_deliveries = (guint) max_deliveries;
  options.visibility_ms = (guint) visibility_ms;
  options.lua_inline = !lua_threads;

  loop = g_main_loop_new (NULL, FALSE);
  ctx.loop = loop;
  ctx.workers = workers;
  for (guint i = 0; i < runs->len; i++)
    {
      SluiceRedisWorker *worker;

      options.stream_id = g_ptr_array_index (stream_ids, i);
      worker = sluice_redis_worker_new (g_ptr_array_index (runs, i), url, &options);

      g_signal_connect (worker, "stopped", G_CALLBACK (stopped_cb), &ctx);
      g_ptr_array_add (workers, worker);
    }
  ctx.running = workers->len;
  for (guint i = 0; i < workers->len; i++)
    {
      SluiceRun *run = g_ptr_array_index (runs, i);
      const char *id = g_ptr_array_index (stream_ids, i) != NULL ? g_ptr_array_index (stream_ids, i)
                       : sluice_node_get_id (SLUICE_NODE (sluice_run_get_pipeline (run)));
      g_autofree char *key = sluice_redis_items_key (id);

      fprintf (stderr, _("sluice-run worker: %s: taking items from %s at %s as %s\n"),
               id, key, url->display, options.consumer);
      sluice_redis_worker_start (g_ptr_array_index (workers, i));
      if (announce != NULL)
        g_ptr_array_add (announcers, announce_worker (&ctx, g_ptr_array_index (workers, i), id,
                                                      url, options.consumer, announce, announce_ms, announced));
    }

  sigint_id = g_unix_signal_add (SIGINT, worker_sigint_cb, &ctx);
  sigterm_id = g_unix_signal_add (SIGTERM, worker_sigterm_cb, &ctx);
  if (ctx.running > 0)
    g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  for (guint i = 0; i < announcers->len; i++)
    sluice_announcer_stop (g_ptr_array_index (announcers, i));

  if (ctx.error != NULL)
    {
      fprintf (stderr, "sluice-run worker: %s\n", ctx.error);
      status = SLUICE_EXIT_FAILED;
    }
  else
    status = ctx.signal != 0 ? 128 + ctx.signal : SLUICE_EXIT_COMPLETED;
  for (guint i = 0; i < workers->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (workers, i), &ctx);
  g_free (ctx.error);
  return status;
}

int
sluice_run_dlq (int    argc,
                char **argv)
{
  g_autofree char *redis = NULL;
  g_auto(GStrv) rest = NULL;
  const GOptionEntry entries[] = {
    { "redis", 0, 0, G_OPTION_ARG_STRING, &redis,
      N_("The Redis server: redis://[:PASSWORD@]HOST[:PORT][/DB]"), N_("URL") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, N_("list|replay PIPELINE-ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("list|replay PIPELINE-ID — the dead-letter stream of a distributed pipeline"));
  g_autoptr(GError) error = NULL;
  g_autoptr(SluiceRedisUrl) url = NULL;
  guint count = 0;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("list: one JSON line per dead letter (entry, run, seq, error, deliveries, item).\n"
      "replay: put every dead letter back on sluice:{ID}:items for the workers.\n"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return worker_usage_error ("dlq", "%s", error->message);
  if (rest == NULL || g_strv_length (rest) != 2 ||
      (!g_str_equal (rest[0], "list") && !g_str_equal (rest[0], "replay")))
    return worker_usage_error ("dlq", _("expected list or replay and a pipeline id"));
  if (redis == NULL)
    return worker_usage_error ("dlq", _("--redis URL is required"));
  if ((url = sluice_redis_url_parse (redis, &error)) == NULL)
    return worker_usage_error ("dlq", "%s", error->message);

  if (g_str_equal (rest[0], "list"))
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (!sluice_redis_dead_letters_list (url, rest[1], out, &count, &error))
        {
          fprintf (stderr, "sluice-run dlq: %s\n", error->message);
          return SLUICE_EXIT_FAILED;
        }
      if (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0)
        {
          fprintf (stderr, "sluice-run dlq: cannot write the list\n");
          return SLUICE_EXIT_FAILED;
        }
      return SLUICE_EXIT_COMPLETED;
    }

  if (!sluice_redis_dead_letters_replay (url, rest[1], &count, &error))
    {
      fprintf (stderr, _("sluice-run dlq: %s (after %u replayed)\n"), error->message, count);
      return SLUICE_EXIT_FAILED;
    }
  fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, "sluice-run dlq: %u item put back on the work stream\n",
                                "sluice-run dlq: %u items put back on the work stream\n", count), count);
  return SLUICE_EXIT_COMPLETED;
}
