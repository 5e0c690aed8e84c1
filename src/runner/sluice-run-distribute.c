/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-mixed.h"
#include "sluice-run-same-file.h"
#include "sluice-run-worker.h"

/* `sluice-run --distribute redis://… PIPELINE.xml -i IN -o OUT`: the
 * pipeline is loaded and validated as for a run here, then its input
 * items go to the pipeline's Redis stream and the outputs come back from
 * the workers (SluiceRedisDistributor). Exit statuses as for a run: 0
 * when every item has its outputs, 1 when Redis failed or an item was
 * dead-lettered (the others' outputs are all written), 128+N on a
 * signal. With controllers marked distribute="redis", only theirs go
 * to Redis (sluice-run-mixed.c). */

typedef struct
{
  GMainLoop              *loop;
  SluiceRedisDistributor *distributor;
  gpointer                mixed;   /* a mixed run's handle while it runs */
  const char             *pipeline_id;
  int                     signal;
} DistributeContext;

static void
finished_cb (SluiceRedisDistributor *distributor,
             DistributeContext      *ctx)
{
  g_main_loop_quit (ctx->loop);
}

static void
on_signal (DistributeContext *ctx,
           int                sig)
{
  if (ctx->signal != 0)
    _exit (128 + sig);
  ctx->signal = sig;
  if (ctx->mixed != NULL)
    sluice_run_mixed_cancel (ctx->mixed, sig);
  else if (ctx->distributor != NULL)
    sluice_redis_distributor_cancel (ctx->distributor);
}

static gboolean
sigint_cb (gpointer user_data)
{
  on_signal (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
sigterm_cb (gpointer user_data)
{
  on_signal (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

static SluiceItemSource *
open_input (const char  *path,
            GError     **error)
{
  g_autoptr(GInputStream) stream = NULL;

  if (path == NULL)
    return NULL;
  if (g_str_equal (path, "-"))
    stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      stream = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (stream == NULL)
        return NULL;
    }
  return SLUICE_ITEM_SOURCE (sluice_line_source_new (stream));
}

static int
finish_status (const SluiceRunOptions *options,
               DistributeContext      *ctx)
{
  SluiceRedisDistributor *distributor = ctx->distributor;
  const char *error = sluice_redis_distributor_get_error (distributor);
  guint64 failed = sluice_redis_distributor_get_failed (distributor);

  if (ctx->signal != 0)
    return 128 + ctx->signal;
  if (sluice_redis_distributor_get_reader_gone (distributor))
    return 128 + SIGPIPE;
  if (error != NULL)
    {
      fprintf (stderr, _("sluice-run: %s: run failed: %s\n"), options->pipeline_path, error);
      return SLUICE_EXIT_FAILED;
    }
  if (failed > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, failed);
      g_autofree char *dead = sluice_redis_dead_key (ctx->pipeline_id);

      fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                    "sluice-run: %s: run failed: %s item failed and is in %s (sluice-run dlq list): %s\n",
                                    "sluice-run: %s: run failed: %s items failed and are in %s (sluice-run dlq list); the first: %s\n",
                                    failed),
               options->pipeline_path, count, dead, sluice_redis_distributor_get_first_failure (distributor));
      return SLUICE_EXIT_FAILED;
    }
  return SLUICE_EXIT_COMPLETED;
}

int
sluice_run_distribute (const SluiceRunOptions *options,
                       const char             *url_text)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluiceRedisUrl) url = NULL;
  g_autoptr(SluiceRun) run = NULL;
  g_autoptr(SluiceItemSource) input = NULL;
  g_autoptr(SluiceRedisDistributor) distributor = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  SluiceRedisDistributorOptions distributor_options = { .window = 40000, .reconnect_ms = 30000 };
  DistributeContext ctx = { 0 };
  guint sigint_id, sigterm_id;
  int fd, status;

  if ((url = sluice_redis_url_parse (url_text, &error)) == NULL)
    {
      fprintf (stderr, "sluice-run: --distribute: %s\n", error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (options->events_path != NULL || options->report_path != NULL)
    {
      fprintf (stderr, _("sluice-run: --events and --report are not available with --distribute (the work is done by the workers)\n"));
      return SLUICE_EXIT_INVALID;
    }
  if (sluice_run_same_file (options->input_path, options->output_path))
    {
      fprintf (stderr, _("sluice-run: %s is both the input and the output: it would be emptied before it is read\n"),
               options->input_path);
      return SLUICE_EXIT_INVALID;
    }

  /* Validated here as for a run in-process: an invalid pipeline never
   * reaches the workers. */
  run = sluice_run_new_for_file (options->pipeline_path, options->defines, problems);
  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));

      if (run == NULL || !options->quiet)
        fprintf (stderr, "%s\n", text);
    }
  if (run == NULL)
    return SLUICE_EXIT_INVALID;

  if (options->input_path != NULL && (input = open_input (options->input_path, &error)) == NULL)
    {
      fprintf (stderr, _("sluice-run: cannot read %s: %s\n"), options->input_path, error->message);
      return SLUICE_EXIT_INVALID;
    }
  fd = options->output_path == NULL || g_str_equal (options->output_path, "-")
       ? dup (STDOUT_FILENO)
       : open (options->output_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0)
    {
      fprintf (stderr, _("sluice-run: cannot write %s: %s\n"),
               options->output_path ? options->output_path : "-", g_strerror (errno));
      return SLUICE_EXIT_INVALID;
    }
  /* A closed standard output is a write error here, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  if (sluice_redis_pipeline_has_distributed (sluice_run_get_pipeline (run)))
    {
      sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &ctx);
      sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &ctx);
      status = sluice_run_mixed (options, url, run, input, fd, &ctx.mixed);
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      if (close (fd) != 0 && status == SLUICE_EXIT_COMPLETED)
        {
          fprintf (stderr, _("sluice-run: cannot write %s: %s\n"),
                   options->output_path ? options->output_path : "-", g_strerror (errno));
          status = SLUICE_EXIT_FAILED;
        }
      return status;
    }

  distributor = sluice_redis_distributor_new (sluice_run_get_pipeline (run), url, input, fd,
                                              &distributor_options);
  loop = g_main_loop_new (NULL, FALSE);
  ctx.loop = loop;
  ctx.distributor = distributor;
  ctx.pipeline_id = sluice_node_get_id (SLUICE_NODE (sluice_run_get_pipeline (run)));
  g_signal_connect (distributor, "finished", G_CALLBACK (finished_cb), &ctx);
  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &ctx);
  sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &ctx);

  sluice_redis_distributor_start (distributor);
  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  status = finish_status (options, &ctx);
  if (close (fd) != 0 && status == SLUICE_EXIT_COMPLETED)
    {
      fprintf (stderr, _("sluice-run: cannot write %s: %s\n"),
               options->output_path ? options->output_path : "-", g_strerror (errno));
      status = SLUICE_EXIT_FAILED;
    }
  g_signal_handlers_disconnect_by_data (distributor, &ctx);
  return status;
}
