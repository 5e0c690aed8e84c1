/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sluice-core.h"
#include "sluice-run-options.h"

/* The run mode of sluice-run: loads the pipeline, feeds the executor the
 * input lines, writes output lines and events, turns SIGINT/SIGTERM into
 * a graceful cancel (exit 128+N), prints a progress line on a terminal.
 *
 * A bad input line (not JSON, not an object) fails the run with
 * "input line N: …": it is not an item, so no module's on-error can
 * apply to it. */

typedef struct
{
  SluiceExecutor *executor;
  GMainLoop      *loop;
  FILE           *output;
  FILE           *events;
  gboolean        output_error;
  int             signal;
  gboolean        progress;
  gboolean        progress_shown;
} RunContext;

static void
output_cb (const char *line,
           gsize       length,
           gpointer    user_data)
{
  RunContext *ctx = user_data;

  if (fwrite (line, 1, length, ctx->output) != length || putc ('\n', ctx->output) == EOF)
    {
      if (!ctx->output_error)
        {
          ctx->output_error = TRUE;
          fprintf (stderr, _("sluice-run: cannot write output: %s\n"), g_strerror (errno));
          sluice_executor_cancel (ctx->executor);
        }
    }
}

static void
event_cb (SluiceExecutor *executor,
          SluiceEvent    *event,
          RunContext     *ctx)
{
  g_autofree char *json = sluice_event_to_json (event);

  fputs (json, ctx->events);
  putc ('\n', ctx->events);
  if (event->type == SLUICE_EVENT_RUN_STATE)
    fflush (ctx->events);
}

static void
clear_progress (RunContext *ctx)
{
  if (ctx->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      ctx->progress_shown = FALSE;
    }
}

static gboolean
progress_cb (gpointer user_data)
{
  RunContext *ctx = user_data;
  gint64 elapsed = sluice_executor_get_elapsed (ctx->executor);
  guint64 out = sluice_executor_get_items_out (ctx->executor);
  const char *stage = sluice_executor_get_current_controller (ctx->executor);
  double rate = elapsed > 0 ? out * (double) G_USEC_PER_SEC / elapsed : 0;

  g_autofree char *in_text = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                              sluice_executor_get_items_in (ctx->executor));
  g_autofree char *out_text = g_strdup_printf ("%" G_GUINT64_FORMAT, out);

  /* Return to the start of the line and clear it, then the message. */
  fputs ("\r\033[K", stderr);
  if (sluice_executor_get_state (ctx->executor) == SLUICE_RUN_PAUSED)
    fputs (_("paused: "), stderr);
  fprintf (stderr, _("in %s, out %s, %.0f items/s, stage %s"),
           in_text, out_text, rate, stage ? stage : "-");
  ctx->progress_shown = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
state_cb (GObject    *object,
          GParamSpec *pspec,
          RunContext *ctx)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (ctx->executor)))
    g_main_loop_quit (ctx->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  RunContext *ctx = user_data;
  int sig = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (ctx->executor), "sluice-run-sig"));

  (void) sig;
  return G_SOURCE_CONTINUE;
}

static void
on_signal (RunContext *ctx,
           int         sig)
{
  if (ctx->signal != 0)
    {
      /* A second signal: stop waiting for anything. */
      _exit (128 + sig);
    }
  ctx->signal = sig;
  /* From now on the default action applies: a second Ctrl+C ends the
   * process at once, even if the main loop is busy. */
  signal (sig, SIG_DFL);
  sluice_executor_cancel (ctx->executor);
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

typedef struct
{
  json_t         *modules;
  SluiceExecutor *executor;
} ReportData;

static gboolean
report_node_cb (SluiceNode *node,
                gpointer    user_data)
{
  ReportData *data = user_data;
  SluiceModuleStats stats;
  json_t *module;

  if (!SLUICE_IS_MODULE (node) ||
      !sluice_executor_get_module_stats (data->executor, sluice_node_get_id (node), &stats))
    return TRUE;

  module = json_pack ("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:f}",
                      "id", sluice_node_get_id (node),
                      "state", sluice_module_state_to_string (stats.state),
                      "items_in", (json_int_t) stats.items_in,
                      "items_out", (json_int_t) stats.items_out,
                      "dropped", (json_int_t) stats.dropped,
                      "failed", (json_int_t) stats.failed,
                      "superseded", (json_int_t) stats.superseded,
                      "time_ms", stats.time_us / 1000.0);
  json_array_append_new (data->modules, module);
  return TRUE;
}

static json_t *
build_report (SluiceExecutor *executor,
              const char     *path)
{
  ReportData data = { json_array (), executor };
  json_t *report;

  sluice_pipeline_foreach_node (sluice_executor_get_pipeline (executor), report_node_cb, &data);
  report = json_pack ("{s:s, s:s, s:I, s:I, s:f, s:o}",
                      "pipeline", path,
                      "state", sluice_run_state_to_string (sluice_executor_get_state (executor)),
                      "items_in", (json_int_t) sluice_executor_get_items_in (executor),
                      "items_out", (json_int_t) sluice_executor_get_items_out (executor),
                      "elapsed_ms", sluice_executor_get_elapsed (executor) / 1000.0,
                      "modules", data.modules);
  if (sluice_executor_get_error (executor) != NULL)
    json_object_set_new (report, "error", json_string (sluice_executor_get_error (executor)));
  if (sluice_executor_get_failed_module (executor) != NULL)
    json_object_set_new (report, "failed_module", json_string (sluice_executor_get_failed_module (executor)));
  if (sluice_executor_get_stderr_tail (executor) != NULL)
    json_object_set_new (report, "stderr", json_string (sluice_executor_get_stderr_tail (executor)));
  return report;
}

static gboolean
write_report (SluiceExecutor *executor,
              const char     *pipeline_path,
              const char     *report_path)
{
  json_t *report = build_report (executor, pipeline_path);
  g_autoptr(GError) write_error = NULL;
  gboolean ok;

  if (g_str_has_suffix (report_path, ".html"))
    {
      GString *html = g_string_new (NULL);
      json_t *modules = json_object_get (report, "modules");
      g_autofree char *title = g_markup_escape_text (pipeline_path, -1);
      g_autofree char *error = g_markup_escape_text (json_string_value (json_object_get (report, "error")) ?: "", -1);
      size_t i;
      json_t *m;

      g_string_append_printf (html,
                              "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Run of %s</title>"
                              "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}"
                              "td:first-child,th:first-child{text-align:left}</style></head><body>\n"
                              "<h1>Run of %s</h1>\n<p>State: <b>%s</b>. Items in: %" JSON_INTEGER_FORMAT
                              ", out: %" JSON_INTEGER_FORMAT ". Elapsed: %.1f ms.</p>\n",
                              title, title,
                              json_string_value (json_object_get (report, "state")),
                              json_integer_value (json_object_get (report, "items_in")),
                              json_integer_value (json_object_get (report, "items_out")),
                              json_real_value (json_object_get (report, "elapsed_ms")));
      if (*error)
        g_string_append_printf (html, "<p>Error: %s</p>\n", error);
      g_string_append (html, "<table><tr><th>module</th><th>state</th><th>in</th><th>out</th>"
                             "<th>dropped</th><th>failed</th><th>superseded</th><th>time (ms)</th></tr>\n");
      json_array_foreach (modules, i, m)
        {
          g_autofree char *id = g_markup_escape_text (json_string_value (json_object_get (m, "id")), -1);
          g_string_append_printf (html, "<tr><td>%s</td><td>%s</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT
                                  "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%" JSON_INTEGER_FORMAT "</td><td>%"
                                  JSON_INTEGER_FORMAT "</td><td>%.1f</td></tr>\n",
                                  id, json_string_value (json_object_get (m, "state")),
                                  json_integer_value (json_object_get (m, "items_in")),
                                  json_integer_value (json_object_get (m, "items_out")),
                                  json_integer_value (json_object_get (m, "dropped")),
                                  json_integer_value (json_object_get (m, "failed")),
                                  json_integer_value (json_object_get (m, "superseded")),
                                  json_real_value (json_object_get (m, "time_ms")));
        }
      g_string_append (html, "</table>\n</body></html>\n");
      ok = g_file_set_contents (report_path, html->str, html->len, &write_error);
      g_string_free (html, TRUE);
    }
  else
    ok = json_dump_file (report, report_path, JSON_INDENT (2)) == 0;

  json_decref (report);
  if (!ok)
    fprintf (stderr, _("sluice-run: cannot write the report %s: %s\n"), report_path,
             write_error != NULL ? write_error->message : g_strerror (errno));
  return ok;
}

static GInputStream *
open_input (const char  *path,
            GError     **error)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL)
    return NULL;
  if (g_str_equal (path, "-"))
    return g_unix_input_stream_new (STDIN_FILENO, FALSE);

  file = g_file_new_for_commandline_arg (path);
  return G_INPUT_STREAM (g_file_read (file, NULL, error));
}

int
sluice_run_execute (const SluiceRunOptions *options)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *directory = NULL;
  RunContext ctx = { 0 };
  guint sigint_id, sigterm_id, progress_id = 0;
  SluiceRunState state;
  int status;

  pipeline = sluice_load_file (options->pipeline_path, problems);
  if (pipeline == NULL)
    {
      for (guint i = 0; i < problems->len; i++)
        {
          g_autofree char *text = sluice_problem_to_string (g_ptr_array_index (problems, i));
          fprintf (stderr, "%s\n", text);
        }
      return SLUICE_EXIT_INVALID;
    }

  executor = sluice_executor_new (pipeline, options->defines, &error);
  if (executor == NULL)
    {
      fprintf (stderr, "%s: %s\n", options->pipeline_path, error->message);
      return SLUICE_EXIT_INVALID;
    }

  directory = g_path_get_dirname (options->pipeline_path);
  sluice_executor_set_base_directory (executor, directory);

  input = open_input (options->input_path, &error);
  if (options->input_path != NULL && input == NULL)
    {
      fprintf (stderr, _("sluice-run: cannot read %s: %s\n"), options->input_path, error->message);
      return SLUICE_EXIT_INVALID;
    }
  if (input != NULL)
    sluice_executor_set_input_stream (executor, input);

  ctx.executor = executor;
  ctx.loop = loop = g_main_loop_new (NULL, FALSE);
  if (options->output_path == NULL || g_str_equal (options->output_path, "-"))
    ctx.output = stdout;
  else if ((ctx.output = fopen (options->output_path, "w")) == NULL)
    {
      fprintf (stderr, _("sluice-run: cannot write %s: %s\n"), options->output_path, g_strerror (errno));
      return SLUICE_EXIT_INVALID;
    }

  if (options->events_path != NULL)
    {
      if (g_str_equal (options->events_path, "-"))
        ctx.events = stderr;
      else if ((ctx.events = fopen (options->events_path, "w")) == NULL)
        {
          fprintf (stderr, _("sluice-run: cannot write %s: %s\n"), options->events_path, g_strerror (errno));
          if (ctx.output != stdout)
            fclose (ctx.output);
          return SLUICE_EXIT_INVALID;
        }
      g_signal_connect (executor, "event", G_CALLBACK (event_cb), &ctx);
    }

  sluice_executor_set_output_func (executor, output_cb, &ctx, NULL);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), &ctx);

  sigint_id = g_unix_signal_add (SIGINT, sigint_cb, &ctx);
  sigterm_id = g_unix_signal_add (SIGTERM, sigterm_cb, &ctx);
  (void) signal_cb;

  ctx.progress = !options->quiet && (options->progress || isatty (STDERR_FILENO)) &&
                 g_strcmp0 (options->events_path, "-") != 0;
  if (ctx.progress)
    progress_id = g_timeout_add_full (G_PRIORITY_LOW, 250, progress_cb, &ctx, NULL);

  sluice_executor_start (executor);
  if (!sluice_run_state_is_final (sluice_executor_get_state (executor)))
    g_main_loop_run (loop);

  if (progress_id != 0)
    g_source_remove (progress_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  clear_progress (&ctx);

  fflush (ctx.output);
  if (ctx.output != stdout)
    fclose (ctx.output);

  state = sluice_executor_get_state (executor);
  if (options->report_path != NULL)
    write_report (executor, options->pipeline_path, options->report_path);

  if (state == SLUICE_RUN_FAILED)
    {
      const char *tail = sluice_executor_get_stderr_tail (executor);

      fprintf (stderr, _("sluice-run: %s: run failed: %s\n"),
               options->pipeline_path, sluice_executor_get_error (executor));
      if (tail != NULL)
        fprintf (stderr, _("sluice-run: standard error of the command (last part):\n%s%s"),
                 tail, g_str_has_suffix (tail, "\n") ? "" : "\n");
      status = SLUICE_EXIT_FAILED;
    }
  else if (state == SLUICE_RUN_CANCELLED)
    status = ctx.signal != 0 ? 128 + ctx.signal : SLUICE_EXIT_FAILED;
  else
    status = ctx.output_error ? SLUICE_EXIT_FAILED : SLUICE_EXIT_COMPLETED;

  if (ctx.events != NULL)
    {
      fflush (ctx.events);
      if (ctx.events != stderr)
        fclose (ctx.events);
    }
  g_signal_handlers_disconnect_by_data (executor, &ctx);

  return status;
}
