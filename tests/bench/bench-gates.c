/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* Gates against the conditions they replace (issue 13): the same three
 * thresholds as one <gate> (checks evaluated in C) and as three
 * <condition>s whose else branch is a <fail> (Lua expressions), on the
 * same items, in not-parallel and no-order controllers. Prints items per
 * second and the ratio. Not a test:
 *
 *   meson compile -C BUILD bench-gates && BUILD/tests/bench/bench-gates [ITEMS] */

#include <stdlib.h>
#include <string.h>

#include "sluice-core.h"

static const char *gate_body =
  "<gate id=\"g\">"
  "<check name=\"Sharpe\" value=\"item.h.sharpe\" op=\"&gt;=\" threshold=\"1.0\"/>"
  "<check name=\"Drawdown\" value=\"item.h.drawdown\" op=\"&lt;=\" threshold=\"0.25\"/>"
  "<check name=\"Degradation\" value=\"item.l.sharpe\" relative-to=\"item.h.sharpe\" op=\"&lt;=\" threshold=\"0.20\"/>"
  "</gate>";

static const char *condition_body =
  "<condition id=\"c1\"><when>item.h.sharpe >= 1.0</when><else><fail id=\"f1\">sharpe</fail></else></condition>"
  "<condition id=\"c2\"><when>item.h.drawdown &lt;= 0.25</when><else><fail id=\"f2\">drawdown</fail></else></condition>"
  "<condition id=\"c3\"><when>(item.h.sharpe - item.l.sharpe) / item.h.sharpe &lt;= 0.20</when>"
  "<else><fail id=\"f3\">degradation</fail></else></condition>";

static void
done_cb (GObject    *object,
         GParamSpec *pspec,
         gpointer    loop)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (SLUICE_EXECUTOR (object))))
    g_main_loop_quit (loop);
}

static void
count_cb (const char *line,
          gsize       length,
          gpointer    user_data)
{
  (*(guint64 *) user_data)++;
}

/* Items per second through @body in a controller of @mode. */
static double
measure (const char *mode,
         const char *body,
         const char *input,
         guint       n)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?><pipeline format=\"1\" id=\"b\">"
                                          "<controller id=\"c\" mode=\"%s\" workers=\"2\"><phase id=\"p\">%s</phase>"
                                          "</controller></pipeline>", mode, body);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), "bench.xml", problems);
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  guint64 outputs = 0;
  gint64 started;
  double seconds;

  g_assert (pipeline != NULL);
  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  stream = g_memory_input_stream_new_from_data (input, strlen (input), NULL);
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_set_output_func (executor, count_cb, &outputs, NULL);
  g_signal_connect (executor, "notify::state", G_CALLBACK (done_cb), loop);
  started = g_get_monotonic_time ();
  sluice_executor_start (executor);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - started) / 1e6;
  g_assert (sluice_executor_get_state (executor) == SLUICE_RUN_COMPLETED);
  g_assert (outputs == n);
  return n / seconds;
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 200000;
  const char *modes[] = { "not-parallel", "no-order" };
  GString *input = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (input, "{\"id\": %u, \"h\": {\"sharpe\": %.3f, \"drawdown\": 0.1}, \"l\": {\"sharpe\": %.3f}}\n",
                            i, 1.5 + (i % 100) / 1000.0, 1.4 + (i % 100) / 1000.0);

  g_print ("%u items, three thresholds each\n", n);
  g_print ("%-14s %16s %22s %8s\n", "mode", "<gate> items/s", "<condition>s items/s", "ratio");
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      double gate = measure (modes[m], gate_body, input->str, n);
      double conditions = measure (modes[m], condition_body, input->str, n);

      g_print ("%-14s %16.0f %22.0f %7.2fx\n", modes[m], gate, conditions, gate / conditions);
    }
  g_string_free (input, TRUE);
  return 0;
}
