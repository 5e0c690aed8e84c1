/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-queue-source.h"
#include "sluice-run-mixed.h"

/* A run of a pipeline with controllers marked distribute="redis": the
 * controllers become a chain of stages, each marked controller a stage
 * of its own that goes through Redis (a SluiceRedisDistributor on the
 * stream PIPELINE/CONTROLLER), each run of unmarked controllers between
 * them one in-process SluiceRun. A stage's outputs are the next one's
 * input (a SluiceQueueSource); the last one's go to the output. An
 * in-process stage is paused while the stage after it has a long queue,
 * so a fast producer does not pile the input up in memory. */

#define QUEUE_HIGH 50000
#define QUEUE_LOW  10000
#define OUTPUT_BUFFER (64 * 1024)

typedef struct _Stage Stage;

typedef struct
{
  GMainLoop  *loop;
  GPtrArray  *stages;       /* Stage*, owned */
  int         output_fd;
  GString    *out;          /* in-process last stage: output not yet written */
  char       *error;        /* the first failure */
  guint       watch_id;
  int         signal;
} Mixed;

struct _Stage
{
  Mixed                  *mixed;
  guint                   first;         /* its controllers: [first, last] */
  guint                   last;
  SluiceRun              *run;           /* in-process */
  SluiceRedisDistributor *distributor;   /* through Redis */
  char                   *stream_id;
  SluiceQueueSource      *queue;         /* its input, from the stage before; NULL for the first */
  Stage                  *next;
  gboolean                paused;
  gboolean                over;
};

static void
stage_free (Stage *stage)
{
  if (stage->run != NULL)
    g_signal_handlers_disconnect_by_data (sluice_run_get_executor (stage->run), stage);
  if (stage->distributor != NULL)
    g_signal_handlers_disconnect_by_data (stage->distributor, stage);
  g_clear_object (&stage->run);
  g_clear_object (&stage->distributor);
  g_clear_object (&stage->queue);
  g_free (stage->stream_id);
  g_free (stage);
}

static gboolean
write_out (Mixed *mixed)
{
  gsize written = 0;

  while (written < mixed->out->len)
    {
      ssize_t n = write (mixed->output_fd, mixed->out->str + written, mixed->out->len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (mixed->error == NULL)
            mixed->error = g_strdup_printf (_("cannot write the output: %s"), g_strerror (errno));
          g_string_truncate (mixed->out, 0);
          return FALSE;
        }
      written += n;
    }
  g_string_truncate (mixed->out, 0);
  return TRUE;
}

static void
fail (Mixed      *mixed,
      const char *error)
{
  if (mixed->error == NULL)
    mixed->error = g_strdup (error);
  for (guint i = 0; i < mixed->stages->len; i++)
    {
      Stage *stage = g_ptr_array_index (mixed->stages, i);

      stage->over = TRUE;
      if (stage->run != NULL && !sluice_run_state_is_final (sluice_run_get_state (stage->run)))
        sluice_run_cancel (stage->run);
      if (stage->distributor != NULL)
        sluice_redis_distributor_cancel (stage->distributor);
    }
  g_main_loop_quit (mixed->loop);
}

/* A stage is through: the next one's input ends, or the run is over. */
static void
stage_over (Stage *stage)
{
  stage->over = TRUE;
  if (stage->next != NULL)
    sluice_queue_source_close (stage->next->queue);
  else
    {
      write_out (stage->mixed);
      g_main_loop_quit (stage->mixed->loop);
    }
}

/* JSON lines to the next stage's input. */
static void
pass_lines (Stage      *stage,
            const char *lines,
            gsize       length)
{
  const char *end = lines + length;

  while (lines < end)
    {
      const char *newline = memchr (lines, '\n', end - lines);
      const char *stop = newline != NULL ? newline : end;
      g_autoptr(GError) error = NULL;
      json_t *item = sluice_json_parse_item (lines, stop - lines, &error);

      if (item == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("controllers %u–%u gave an output that is no item: %s"),
                                                      stage->first + 1, stage->last + 1, error->message);
          fail (stage->mixed, message);
          return;
        }
      sluice_queue_source_push (stage->next->queue, item, NULL);
      lines = stop + 1;
    }
}

static void
local_output_cb (const char *line,
                 gsize       length,
                 gpointer    user_data)
{
  Stage *stage = user_data;
  Mixed *mixed = stage->mixed;

  if (stage->over)
    return;
  if (stage->next != NULL)
    {
      pass_lines (stage, line, length);
      return;
    }
  g_string_append_len (mixed->out, line, length);
  g_string_append_c (mixed->out, '\n');
  if (mixed->out->len >= OUTPUT_BUFFER && !write_out (mixed))
    fail (mixed, mixed->error);
}

static void
remote_output_cb (const char *lines,
                  gsize       length,
                  gpointer    user_data)
{
  Stage *stage = user_data;

  if (!stage->over)
    pass_lines (stage, lines, length);
}

static void
local_state_cb (SluiceExecutor *executor,
                GParamSpec     *pspec,
                Stage          *stage)
{
  SluiceRunState state = sluice_executor_get_state (executor);

  if (!sluice_run_state_is_final (state) || stage->over)
    return;
  if (state != SLUICE_RUN_COMPLETED)
    {
      const char *error = sluice_executor_get_error (executor);
      g_autofree char *message = g_strdup_printf (_("controllers %u–%u (in-process): %s"), stage->first + 1,
                                                  stage->last + 1, error != NULL ? error : _("cancelled"));
      fail (stage->mixed, message);
      return;
    }
  stage_over (stage);
}

static void
remote_finished_cb (SluiceRedisDistributor *distributor,
                    Stage                  *stage)
{
  const char *error = sluice_redis_distributor_get_error (distributor);
  guint64 failed = sluice_redis_distributor_get_failed (distributor);

  if (stage->over)
    return;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", stage->stream_id, error);
      fail (stage->mixed, message);
      return;
    }
  if (failed > 0)
    {
      g_autofree char *dead = sluice_redis_dead_key (stage->stream_id);
      g_autofree char *message = g_strdup_printf (_("%" PRIu64 " item(s) failed and are in %s (sluice-run dlq list %s); the first: %s"),
                                                  failed, dead, stage->stream_id,
                                                  sluice_redis_distributor_get_first_failure (distributor));

      /* The others went on: their outputs are all written. */
      if (stage->mixed->error == NULL)
        stage->mixed->error = g_steal_pointer (&message);
    }
  stage_over (stage);
}

/* Pauses an in-process stage whose next stage has a long queue. */
static gboolean
watch_queues_cb (gpointer user_data)
{
  Mixed *mixed = user_data;

  for (guint i = 0; i + 1 < mixed->stages->len; i++)
    {
      Stage *stage = g_ptr_array_index (mixed->stages, i);
      guint waiting = sluice_queue_source_length (stage->next->queue);

      if (stage->run == NULL || stage->over)
        continue;
      if (!stage->paused && waiting > QUEUE_HIGH)
        {
          stage->paused = TRUE;
          sluice_run_pause (stage->run);
        }
      else if (stage->paused && waiting < QUEUE_LOW)
        {
          stage->paused = FALSE;
          sluice_run_resume (stage->run);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* @run's file again, with only controllers [first, last]. */
static SluicePipeline *
load_part (SluiceRun  *run,
           guint       first,
           guint       last,
           GError    **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  SluicePipeline *part = sluice_load_file (sluice_run_get_path (run), problems);

  if (part == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: cannot load it again"), sluice_run_get_path (run));
      return NULL;
    }
  sluice_redis_pipeline_keep_controllers (part, first, last + 1);
  return part;
}

static Stage *
add_stage (Mixed                   *mixed,
           SluiceRun               *run,
           guint                    first,
           guint                    last,
           gboolean                 remote,
           const SluiceRunOptions  *options,
           const SluiceRedisUrl    *url,
           SluiceItemSource        *input,
           GError                 **error)
{
  g_autoptr(SluicePipeline) part = load_part (run, first, last, error);
  Stage *stage, *previous = mixed->stages->len > 0 ? g_ptr_array_index (mixed->stages, mixed->stages->len - 1) : NULL;

  if (part == NULL)
    return NULL;
  stage = g_new0 (Stage, 1);
  stage->mixed = mixed;
  stage->first = first;
  stage->last = last;
  g_ptr_array_add (mixed->stages, stage);
  if (previous != NULL)
    {
      stage->queue = sluice_queue_source_new ();
      previous->next = stage;
      input = SLUICE_ITEM_SOURCE (stage->queue);
    }

  if (remote)
    {
      GListModel *controllers = sluice_pipeline_get_controllers (sluice_run_get_pipeline (run));
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, first);
      SluiceRedisDistributorOptions distributor_options = { .window = 40000, .reconnect_ms = 30000 };

      stage->stream_id = sluice_redis_controller_stream_id (sluice_run_get_pipeline (run), controller);
      distributor_options.stream_id = stage->stream_id;
      stage->distributor = sluice_redis_distributor_new (part, url, input, mixed->output_fd, &distributor_options);
      g_signal_connect (stage->distributor, "finished", G_CALLBACK (remote_finished_cb), stage);
      return stage;
    }

  stage->run = sluice_run_new (part, sluice_run_get_path (run), options->defines, error);
  if (stage->run == NULL)
    return NULL;
  if (input != NULL)
    sluice_executor_set_source (sluice_run_get_executor (stage->run), input);
  sluice_executor_set_output_func (sluice_run_get_executor (stage->run), local_output_cb, stage, NULL);
  g_signal_connect (sluice_run_get_executor (stage->run), "notify::state", G_CALLBACK (local_state_cb), stage);
  return stage;
}

/* Stages for runs of unmarked controllers and for each marked one. */
static gboolean
build_stages (Mixed                  *mixed,
              SluiceRun              *run,
              const SluiceRunOptions *options,
              const SluiceRedisUrl   *url,
              SluiceItemSource       *input,
              GError                **error)
{
  GListModel *controllers = sluice_pipeline_get_controllers (sluice_run_get_pipeline (run));
  guint n = g_list_model_get_n_items (controllers);
  guint start = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);

      if (sluice_controller_get_distribute (controller) == NULL)
        continue;
      if (i > start && add_stage (mixed, run, start, i - 1, FALSE, options, url, input, error) == NULL)
        return FALSE;
      if (add_stage (mixed, run, i, i, TRUE, options, url, input, error) == NULL)
        return FALSE;
      start = i + 1;
    }
  if (start < n && add_stage (mixed, run, start, n - 1, FALSE, options, url, input, error) == NULL)
    return FALSE;

  /* A distributor writes to the output only when it is the last. */
  for (guint i = 0; i + 1 < mixed->stages->len; i++)
    {
      Stage *stage = g_ptr_array_index (mixed->stages, i);

      if (stage->distributor != NULL)
        sluice_redis_distributor_set_output_func (stage->distributor, remote_output_cb, stage);
    }
  return TRUE;
}

void
sluice_run_mixed_cancel (gpointer handle,
                         int      sig)
{
  Mixed *mixed = handle;

  mixed->signal = sig;
  fail (mixed, "cancelled");
}

int
sluice_run_mixed (const SluiceRunOptions *options,
                  const SluiceRedisUrl   *url,
                  SluiceRun              *run,
                  SluiceItemSource       *input,
                  int                     output_fd,
                  gpointer               *handle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Mixed mixed = { 0 };
  int status;

  mixed.loop = loop;
  mixed.stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  mixed.output_fd = output_fd;
  mixed.out = g_string_new (NULL);
  *handle = &mixed;

  if (!build_stages (&mixed, run, options, url, input, &error))
    {
      fprintf (stderr, "sluice-run: %s\n", error->message);
      status = SLUICE_EXIT_INVALID;
    }
  else
    {
      for (guint i = 0; i < mixed.stages->len; i++)
        {
          Stage *stage = g_ptr_array_index (mixed.stages, i);

          if (stage->run != NULL)
            sluice_run_start (stage->run);
          else
            sluice_redis_distributor_start (stage->distributor);
        }
      mixed.watch_id = g_timeout_add (20, watch_queues_cb, &mixed);
      g_main_loop_run (loop);
      g_clear_handle_id (&mixed.watch_id, g_source_remove);
      write_out (&mixed);

      if (mixed.signal != 0)
        status = 128 + mixed.signal;
      else if (mixed.error != NULL)
        {
          fprintf (stderr, _("sluice-run: %s: run failed: %s\n"), options->pipeline_path, mixed.error);
          status = SLUICE_EXIT_FAILED;
        }
      else
        status = SLUICE_EXIT_COMPLETED;
    }

  *handle = NULL;
  g_ptr_array_unref (mixed.stages);
  g_string_free (mixed.out, TRUE);
  g_free (mixed.error);
  return status;
}
