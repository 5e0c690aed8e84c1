/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* W1–W5 of issue 3: items/s, module-steps/s and peak RSS of each.
 * Run: meson compile -C BUILD sluice-bench && BUILD/tests/bench/sluice-bench
 * (add an item count to W1 with SLUICE_BENCH_W1=N, e.g. 10000000 for the
 * flat-memory check; SLUICE_BENCH_W1_ONLY=1 stops after W1, for perf). */

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sluice-core.h"

typedef struct
{
  GMainLoop *loop;
  guint64    outputs;
  gint64     last_id;
  gboolean   in_order;
} Bench;

static void
output_cb (const char *line, gsize length, gpointer user_data)
{
  Bench *bench = user_data;
  const char *p = strstr (line, "\"id\":");

  bench->outputs++;
  if (p != NULL)
    {
      gint64 id = g_ascii_strtoll (p + 5, NULL, 10);
      if (id < bench->last_id)
        bench->in_order = FALSE;
      bench->last_id = id;
    }
}

static void
state_cb (GObject *object, GParamSpec *pspec, Bench *bench)
{
  if (sluice_run_state_is_final (sluice_executor_get_state (SLUICE_EXECUTOR (object))))
    g_main_loop_quit (bench->loop);
}

static double
cpu_seconds (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static long
peak_rss_kb (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static char *
make_items (guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\": %u, \"value\": %u, \"tag\": \"%s\"}\n", i, i, i % 2 ? "b" : "a");
  return g_string_free (s, FALSE);
}

/* Generates input lazily so that a 10-million-item run needs no 400 MB
 * buffer: a pipe fed by a child process. */
static GInputStream *
item_stream (guint n, GSubprocess **child)
{
  g_autofree char *script = g_strdup_printf ("i=0; awk 'BEGIN { for (i = 0; i < %u; i++) printf \"{\\\"id\\\": %%d, \\\"value\\\": %%d, \\\"tag\\\": \\\"%%s\\\"}\\n\", i, i, (i %% 2 ? \"b\" : \"a\") }'", n);
  *child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, "/bin/sh", "-c", script, NULL);
  return g_object_ref (g_subprocess_get_stdout_pipe (*child));
}

static double
run (const char *name, const char *body, guint n_items, guint steps_per_item,
     gboolean check_order, gboolean streamed)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"bench\">%s</pipeline>", body);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (xml, strlen (xml), name, problems);
  g_autoptr(SluiceExecutor) executor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  Bench bench = { g_main_loop_new (NULL, FALSE), 0, -1, TRUE };
  double seconds, cpu;

  if (pipeline == NULL)
    {
      for (guint i = 0; i < problems->len; i++)
        g_printerr ("%s\n", sluice_problem_to_string (g_ptr_array_index (problems, i)));
      g_error ("%s does not load", name);
    }
  executor = sluice_executor_new (pipeline, NULL, &error);
  g_assert_no_error (error);
  if (streamed)
    stream = item_stream (n_items, &child);
  else
    {
      char *items = make_items (n_items);
      stream = g_memory_input_stream_new_from_data (items, strlen (items), g_free);
    }
  sluice_executor_set_input_stream (executor, stream);
  sluice_executor_set_output_func (executor, output_cb, &bench, NULL);
  g_signal_connect (executor, "notify::state", G_CALLBACK (state_cb), &bench);
  cpu = cpu_seconds ();
  sluice_executor_start (executor);
  g_main_loop_run (bench.loop);
  g_main_loop_unref (bench.loop);
  cpu = cpu_seconds () - cpu;

  seconds = sluice_executor_get_elapsed (executor) / (double) G_USEC_PER_SEC;
  /* CPU time too: on a loaded machine wall time says little. */
  printf ("%-4s %-10s %9.0f items/s %11.0f module-steps/s  %6.2f s (CPU %6.2f s: %11.0f steps/CPU-s)  peak RSS %5.1f MB  %s%s%s\n",
          name, sluice_run_state_to_string (sluice_executor_get_state (executor)),
          n_items / seconds, (double) n_items * steps_per_item / seconds, seconds,
          cpu, (double) n_items * steps_per_item / cpu,
          peak_rss_kb () / 1024.0,
          bench.outputs == n_items ? "" : "WRONG OUTPUT COUNT ",
          check_order ? (bench.in_order ? "in order" : "OUT OF ORDER") : "",
          sluice_executor_get_error (executor) ? sluice_executor_get_error (executor) : "");
  return seconds;
}

static char *
lua_modules (const char *prefix, guint n, const char *code)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "<execution id=\"%s%u\"><lua>%s</lua></execution>", prefix, i, code);
  return g_string_free (s, FALSE);
}

static double
time_xargs (guint n)
{
  g_autofree char *script = g_strdup_printf (
    "seq 0 %u | awk '{ printf \"{\\\"id\\\": %%d, \\\"value\\\": %%d, \\\"tag\\\": \\\"a\\\"}\\n\", $1, $1 }' | "
    "tr '\\n' '\\0' | xargs -0 -P2 -n1 sh -c 'printf \"%%s\\n\" \"$0\" | tr a-z A-Z' > /dev/null", n - 1);
  gint64 t0 = g_get_monotonic_time ();
  int status = system (script);

  if (status != 0)
    g_printerr ("xargs failed\n");
  return (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
}

int
main (int argc, char *argv[])
{
  const char *env_n = g_getenv ("SLUICE_BENCH_W1");
  guint w1_n = env_n ? (guint) g_ascii_strtoull (env_n, NULL, 10) : 200000;
  g_autofree char *ten = lua_modules ("m", 10, "item.value = item.value + 1");
  g_autofree char *five_a = lua_modules ("a", 5, "item.value = item.value + 1");
  g_autofree char *five_b = lua_modules ("b", 5, "item.value = item.value + 2");
  g_autofree char *w1 = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">%s</phase></controller>", ten);
  g_autofree char *w2 = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">"
                                         "<condition id=\"cond\"><when>item.tag == 'a'</when><then>%s</then><else>%s</else></condition>"
                                         "</phase></controller>", five_a, five_b);
  const char *w3 = "<controller id=\"c\" mode=\"order-by-sequence\" workers=\"256\"><phase id=\"p\">"
                   "<execution id=\"d\"><use tool=\"delay\"><param name=\"min\">0ms</param><param name=\"max\">2ms</param></use></execution>"
                   "</phase></controller>";
  const char *w4 = "<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">"
                   "<execution id=\"tr\"><command>tr a-z A-Z</command></execution>"
                   "</phase></controller>";
  const char *cpu = "<execution id=\"cpu\"><lua>local x = 0 for i = 1, 100000 do x = x + i % 7 end item.x = x</lua></execution>";
  g_autofree char *w5_par = g_strdup_printf ("<controller id=\"c\" mode=\"no-order\" workers=\"2\"><phase id=\"p\">%s</phase></controller>", cpu);
  g_autofree char *w5_seq = g_strdup_printf ("<controller id=\"c\" mode=\"not-parallel\"><phase id=\"p\">%s</phase></controller>", cpu);
  double t_seq, t_par, t_w4, t_xargs;

  setvbuf (stdout, NULL, _IOLBF, 0);
  run ("W1", w1, w1_n, 10, TRUE, w1_n > 1000000);
  if (g_getenv ("SLUICE_BENCH_W1_ONLY") != NULL)
    return 0;
  run ("W2", w2, 200000, 6, TRUE, FALSE);
  run ("W3", w3, 20000, 1, TRUE, FALSE);
  t_w4 = run ("W4", w4, 2000, 1, FALSE, FALSE);
  t_xargs = time_xargs (2000);
  printf ("W4   xargs -P2 on the same 2000 commands: %.2f s (sluice %.2f s: %.2fx)\n",
          t_xargs, t_w4, t_xargs / t_w4);
  t_seq = run ("W5s", w5_seq, 400, 1, TRUE, FALSE);
  t_par = run ("W5p", w5_par, 400, 1, FALSE, FALSE);
  printf ("W5   speed-up of no-order with 2 workers over not-parallel: %.2f\n", t_seq / t_par);

  return 0;
}
