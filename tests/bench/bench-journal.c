/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

/* Durable runs (issue 12): what journaling costs, and how fast a killed
 * run is running again.
 *
 *   meson compile -C BUILD bench-journal
 *   SLUICE_RUN=BUILD/src/runner/sluice-run BUILD/tests/bench/bench-journal
 *
 * 1. W1 (200,000 items, 10 Lua modules, not-parallel; as in
 *    sluice-bench.c) through sluice-run -i FILE -o FILE, without and with
 *    --journal, best of 3 each: items/s and the ratio (target: journaling
 *    costs at most 20% of throughput).
 *    `w1-split`: the same modules over 3 controllers, so that the journal
 *    keeps every item at both boundaries and every output (the cost of
 *    resuming items where they were rather than from their input item).
 * 2. A journaled run of a one-module pipeline killed with SIGKILL after
 *    1,000,000 output items, then `sluice-run resume`: the time until the
 *    journal records it running again and until its first new output
 *    (target < 1 s). `resume-split`: three controllers of one module
 *    each (items kept at the boundaries). */

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-files.h"
#include "sluice-core.h"

static char *dir;

static char *
write_file (const char *name,
            const char *contents,
            gssize      length)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, length, &error))
    g_error ("%s", error->message);
  return path;
}

/* @modules Lua modules split over @controllers controllers (the journal
 * keeps items at each boundary between them). */
static char *
w1_pipeline_split (guint modules,
                   guint controllers)
{
  g_autoptr(GString) xml = g_string_new ("<?xml version=\"1.0\"?>\n<pipeline format=\"1\" id=\"bench\">");
  g_autofree char *name = g_strdup_printf ("w1-%u-%u.xml", modules, controllers);

  for (guint c = 0; c < controllers; c++)
    {
      g_string_append_printf (xml, "<controller id=\"c%u\" mode=\"not-parallel\"><phase id=\"p%u\">", c, c);
      for (guint i = c * modules / controllers; i < (c + 1) * modules / controllers; i++)
        g_string_append_printf (xml, "<execution id=\"m%u\"><lua>item.value = item.value + 1</lua></execution>", i);
      g_string_append (xml, "</phase></controller>");
    }
  g_string_append (xml, "</pipeline>\n");
  return write_file (name, xml->str, xml->len);
}

static char *
w1_items (const char *name,
          guint       n)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "{\"id\": %u, \"value\": %u, \"tag\": \"%s\"}\n", i, i, i % 2 ? "b" : "a");
  return write_file (name, s->str, s->len);
}

static double
children_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* One run of sluice-run with @argv; wall and CPU seconds. */
static void
run_once (const char * const *argv,
          double             *wall,
          double             *cpu)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  double cpu0 = children_cpu ();
  gint64 t0 = g_get_monotonic_time ();

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    g_error ("sluice-run failed: %s", error->message);
  *wall = (g_get_monotonic_time () - t0) / 1e6;
  *cpu = children_cpu () - cpu0;
}

static void
bench_w1 (const char *sluice_run,
          guint       controllers)
{
  const guint n = 200000;
  g_autofree char *pipeline = w1_pipeline_split (10, controllers);
  g_autofree char *input = w1_items ("w1.jsonl", n);
  g_autofree char *output = g_build_filename (dir, "w1-out.jsonl", NULL);
  g_autofree char *state = g_build_filename (dir, "runs", NULL);
  double best_wall[2] = { 1e9, 1e9 }, best_cpu[2] = { 1e9, 1e9 };

  for (guint round = 0; round < 3; round++)
    for (guint journaled = 0; journaled < 2; journaled++)
      {
        const char *plain[] = { sluice_run, "-q", pipeline, "-i", input, "-o", output, NULL };
        const char *durable[] = { sluice_run, "-q", "--journal", "--state-dir", state, pipeline,
                                  "-i", input, "-o", output, NULL };
        double wall, cpu;

        run_once (journaled ? durable : plain, &wall, &cpu);
        bench_remove_tree (state);
        best_wall[journaled] = MIN (best_wall[journaled], wall);
        best_cpu[journaled] = MIN (best_cpu[journaled], cpu);
      }

  printf ("W1 (%u items, 10 Lua modules, not-parallel, %u controller%s), sluice-run -i FILE -o FILE, best of 3:\n",
          n, controllers, controllers > 1 ? "s: items kept at each boundary" : "");
  printf ("  not journaled  %9.0f items/s  %.2f s wall  %.2f s CPU\n", n / best_wall[0], best_wall[0], best_cpu[0]);
  printf ("  --journal      %9.0f items/s  %.2f s wall  %.2f s CPU\n", n / best_wall[1], best_wall[1], best_cpu[1]);
  printf ("  journaled/plain throughput: %.2f (wall), %.2f (CPU); cost %.1f%% (wall), %.1f%% (CPU); target cost <= 20%%\n",
          best_wall[0] / best_wall[1], best_cpu[0] / best_cpu[1],
          100.0 * (1 - best_wall[0] / best_wall[1]), 100.0 * (1 - best_cpu[0] / best_cpu[1]));
}

static guint64
count_lines (int     fd,
             guint64 count)
{
  char buffer[65536];
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    for (ssize_t i = 0; i < n; i++)
      count += buffer[i] == '\n';
  return count;
}

static gboolean
resumed_yet (const char *journal)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean resumed = FALSE;

  if (sqlite3_open_v2 (journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM states WHERE reason = 'resumed'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    resumed = sqlite3_column_int (stmt, 0) > 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return resumed;
}

static void
bench_resume (const char *sluice_run,
              guint       controllers)
{
  const guint n = 1200000;
  const guint64 kill_after = 1000000;
  g_autofree char *pipeline = w1_pipeline_split (controllers, controllers);
  g_autofree char *input = w1_items ("resume.jsonl", n);
  g_autofree char *output = g_build_filename (dir, "resume-out.jsonl", NULL);
  g_autofree char *state = g_build_filename (dir, "runs", NULL);
  g_autofree char *journal = g_build_filename (state, "bench", "journal.sqlite", NULL);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GSubprocess) resume = NULL;
  g_autoptr(GError) error = NULL;
  guint64 lines = 0;
  gint64 t0, t_running = 0, t_output = 0;
  int fd;
  struct stat st;
  off_t at_start = -1;

  run = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, sluice_run, "-q", "--journal", "--state-dir", state,
                          "--run-id", "bench", pipeline, "-i", input, "-o", output, NULL);
  if (run == NULL)
    g_error ("%s", error->message);
  while ((fd = open (output, O_RDONLY)) < 0)
    g_usleep (1000);
  while (lines < kill_after && g_subprocess_get_identifier (run) != NULL)
    {
      lines = count_lines (fd, lines);
      g_usleep (2000);
    }
  close (fd);
  g_subprocess_send_signal (run, SIGKILL);
  g_subprocess_wait (run, NULL, NULL);
  if (lines < kill_after)
    g_error ("the run ended before %" G_GUINT64_FORMAT " items", kill_after);

  t0 = g_get_monotonic_time ();
  resume = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, sluice_run, "resume", "bench",
                             "--state-dir", state, "-q", NULL);
  if (resume == NULL)
    g_error ("%s", error->message);
  while (t_running == 0 || t_output == 0)
    {
      if (t_running == 0 && resumed_yet (journal))
        {
          t_running = g_get_monotonic_time ();
          if (stat (output, &st) == 0)
            at_start = st.st_size;
        }
      if (t_running != 0 && t_output == 0 && stat (output, &st) == 0 && st.st_size > at_start)
        t_output = g_get_monotonic_time ();
      if (g_subprocess_get_identifier (resume) == NULL)
        break;
      g_usleep (500);
    }
  if (!g_subprocess_wait_check (resume, NULL, &error))
    g_error ("resume failed: %s", error->message);

  printf ("Resume of a journaled run killed after %" G_GUINT64_FORMAT " output items (of %u; %u Lua module%s):\n",
          lines, n, controllers, controllers > 1 ? "s, one per controller" : "");
  printf ("  running again (journal says so) after %.0f ms; first new output after %.0f ms; target < 1000 ms\n",
          (t_running - t0) / 1e3, t_output != 0 ? (t_output - t0) / 1e3 : -1.0);
  printf ("  whole resume to completion: %.2f s\n", (g_get_monotonic_time () - t0) / 1e6);
  bench_remove_tree (state);
}

int
main (int   argc,
      char *argv[])
{
  const char *sluice_run = g_getenv ("SLUICE_RUN");
  g_autoptr(GError) error = NULL;

  if (sluice_run == NULL)
    g_error ("set SLUICE_RUN to the sluice-run program (BUILD/src/runner/sluice-run)");
  dir = g_dir_make_tmp ("sluice-bench-journal-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc < 2 || g_str_equal (argv[1], "w1"))
    bench_w1 (sluice_run, 1);
  if (argc < 2 || g_str_equal (argv[1], "w1-split"))
    bench_w1 (sluice_run, 3);
  if (argc < 2 || g_str_equal (argv[1], "resume"))
    bench_resume (sluice_run, 1);
  if (argc < 2 || g_str_equal (argv[1], "resume-split"))
    bench_resume (sluice_run, 3);

  bench_remove_tree (dir);
  return 0;
}
