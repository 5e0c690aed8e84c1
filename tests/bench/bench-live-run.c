/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE 1  /* RUSAGE_THREAD */
#include "config.h"

#include <adwaita.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "bench-files.h"
#include "bench-live-pipeline.h"
#include "bench-median.h"
#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-trust-dialog.h"
#include "sluice-window.h"
#include "sluice-window-run.h"

/* The live-run benchmark of issue 5: a generated 5,000-module pipeline
 * runs 100,000 items in the designer, with the canvas overlay animating
 * and the run panel open. It prints the frame time (the canvas and the
 * run overlay snapshotted and rendered, sampled through the run) and the
 * run's wall time against `sluice-run` on the same file and input.
 * Targets: frames under 8 ms, the run at most 10% slower. sluice-run and
 * the designer run in turns, five rounds (SLUICE_BENCH_LIVE_ROUNDS=N),
 * and the figure is the median of the rounds' ratios.
 *
 *   xvfb-run -a meson test -C BUILD --benchmark bench-live-run -v
 *
 * The pipeline: 10 controllers (not-parallel and no-order in turn), each
 * a condition whose true branch holds 499 Lua modules; one item in 500
 * takes the branch of each controller, so that every module works and a
 * run takes seconds, not hours. */

static guint n_items = 100000;   /* SLUICE_BENCH_LIVE_ITEMS=N for a shorter run */
#define MAX_ROUNDS 15           /* SLUICE_BENCH_LIVE_ROUNDS=N pairs (5 unless told) */

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static char *
generate_items (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (s, "{\"id\": %u, \"name\": \"item %u\"}\n", i, i);
  return g_string_free (s, FALSE);
}

typedef struct
{
  SluiceWindow *window;
  GskRenderer  *renderer;
  GdkPaintable *canvas_paintable;
  double        max_ms;
  double        sum_ms;
  guint         frames;
  double        window_avg_ms;   /* the window's own frames */
  double        window_max_ms;
  guint         window_frames;
} Frames;

static double cpu_seconds (int who);

/* Every frame the window paints during a run, whatever asked for it (the
 * overlay, a label of the run panel, the log): under a software renderer
 * each one renders the whole window. */
static guint all_frames;

static void
count_frame_cb (GdkFrameClock *clock)
{
  all_frames++;
}

static double sampler_cpu_s;
static double sampler_renderer_s;  /* the renderer's threads' CPU for those renders */    /* the window thread's CPU in sample_frame_cb(): the bench's, not the designer's */

/* Nanoseconds on a processor of this process's threads named llvmpipe-N
 * (Mesa's software renderer, under Xvfb), from their schedstat. */
static gint64
renderer_ns (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;
  gint64 sum = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", name);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/schedstat", name);
      g_autofree char *comm = NULL;
      g_autofree char *stat = NULL;

      if (g_file_get_contents (comm_path, &comm, NULL, NULL) && g_str_has_prefix (comm, "llvmpipe") &&
          g_file_get_contents (stat_path, &stat, NULL, NULL))
        sum += g_ascii_strtoll (stat, NULL, 10);
    }
  return sum;
}

/* SLUICE_BENCH_LIVE_PIECES=1: once during the run, what rendering each
 * big piece of the window on its own costs (wall on this thread, CPU of
 * the renderer's threads), to find where a frame's time goes. */
static void
profile_pieces (GtkWidget   *widget,
                GskRenderer *renderer,
                int          depth)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);

  if (w < 60 || h < 40 || !gtk_widget_get_mapped (widget) || depth > 14)
    return;
  {
    g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    g_autoptr(GskRenderNode) node = NULL;
    gint64 start, ns0;

    gdk_paintable_snapshot (paintable, snapshot, w, h);
    node = gtk_snapshot_free_to_node (snapshot);
    if (node != NULL)
      {
        ns0 = renderer_ns ();
        start = g_get_monotonic_time ();
        for (int i = 0; i < 4; i++)
          g_object_unref (gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h)));
        g_print ("live run: piece %*s%s %s %dx%d: %.1f ms a render, renderer CPU %.1f ms\n", depth * 2, "",
                 G_OBJECT_TYPE_NAME (widget), gtk_widget_get_css_classes (widget)[0] ? gtk_widget_get_css_classes (widget)[0] : "",
                 w, h, ms_since (start) / 4, (renderer_ns () - ns0) / 4e6);
      }
  }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    profile_pieces (child, renderer, depth + 1);
}

/* One frame of what the canvas area shows: the canvas and the run
 * overlay snapshotted, then rendered to pixels. */
static gboolean
sample_frame_cb (gpointer data)
{
  Frames *f = data;
  GtkWidget *canvas = GTK_WIDGET (sluice_window_get_canvas (f->window));
  GtkWidget *overlay = GTK_WIDGET (sluice_window_get_run_overlay (f->window));
  int w = gtk_widget_get_width (canvas), h = gtk_widget_get_height (canvas);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu0 = cpu_seconds (RUSAGE_THREAD);
  double ms;

  if (f->frames == 3 && g_getenv ("SLUICE_BENCH_LIVE_PIECES") != NULL)
    profile_pieces (GTK_WIDGET (f->window), f->renderer, 0);
  /* The canvas as a frame of the window has it (its last snapshot, which
   * GTK keeps until the canvas changes), the overlay drawn anew. */
  if (f->canvas_paintable == NULL)
    f->canvas_paintable = gtk_widget_paintable_new (canvas);
  gdk_paintable_snapshot (f->canvas_paintable, snapshot, w, h);
  GTK_WIDGET_GET_CLASS (overlay)->snapshot (overlay, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    {
      gint64 ns0 = renderer_ns ();
      g_autofree guchar *pixels = g_malloc ((gsize) w * h * 4);

      texture = gsk_renderer_render_texture (f->renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
      /* Read back: the render is over (and counted) when this returns. */
      gdk_texture_download (texture, pixels, (gsize) w * 4);
      sampler_renderer_s += (renderer_ns () - ns0) / 1e9;
    }
  ms = ms_since (start);
  f->max_ms = MAX (f->max_ms, ms);
  f->sum_ms += ms;
  f->frames++;
  sampler_cpu_s += cpu_seconds (RUSAGE_THREAD) - cpu0;
  return G_SOURCE_CONTINUE;
}

/* CPU time (user + system) of this process, or of its waited-for
 * children, in seconds: on a shared machine the wall time says more
 * about the others than about us. */
static double
cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* CPU time of each of this process's threads, in clock ticks, by
 * thread id, with their names: which threads the designer's CPU went
 * to (the run's, the window's, the renderer's: llvmpipe-N under Xvfb). */
typedef struct
{
  GHashTable *ticks;   /* tid → ticks */
  GHashTable *names;   /* tid → comm */
} ThreadTimes;

static void
thread_times_read (ThreadTimes *t)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *name;

  t->ticks = g_hash_table_new (NULL, NULL);
  t->names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/stat", name);
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", name);
      g_autofree char *stat = NULL;
      g_autofree char *comm = NULL;
      const char *after;
      g_auto(GStrv) fields = NULL;
      gpointer tid = GINT_TO_POINTER (atoi (name));

      if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
          !g_file_get_contents (comm_path, &comm, NULL, NULL) ||
          (after = strrchr (stat, ')')) == NULL)
        continue;
      /* After "pid (comm) ": state is field 0, utime 11, stime 12. */
      fields = g_strsplit (after + 2, " ", 14);
      if (g_strv_length (fields) < 13)
        continue;
      g_hash_table_insert (t->ticks, tid,
                           GSIZE_TO_POINTER ((gsize) (g_ascii_strtoull (fields[11], NULL, 10) +
                                                      g_ascii_strtoull (fields[12], NULL, 10))));
      g_hash_table_insert (t->names, tid, g_strchomp (g_steal_pointer (&comm)));
    }
}

/* Prints the CPU seconds each kind of thread (by name, digits dropped:
 * llvmpipe-0 and -1 together) used since @before. */
static void
thread_times_print (ThreadTimes *before,
                    const char  *what)
{
  ThreadTimes after;
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer tid, ticks;
  GString *line = g_string_new (NULL);

  thread_times_read (&after);
  g_hash_table_iter_init (&iter, after.ticks);
  while (g_hash_table_iter_next (&iter, &tid, &ticks))
    {
      gsize used = GPOINTER_TO_SIZE (ticks) - GPOINTER_TO_SIZE (g_hash_table_lookup (before->ticks, tid));
      g_autofree char *kind = g_strdup (g_hash_table_lookup (after.names, tid));

      if (tid == GINT_TO_POINTER (getpid ()))
        {
          g_free (kind);
          kind = g_strdup ("window");
        }
      g_strchomp (g_strdelimit (kind, "0123456789", ' '));
      if (g_str_has_suffix (kind, "-"))
        kind[strlen (kind) - 1] = '\0';
      used += GPOINTER_TO_SIZE (g_hash_table_lookup (by_name, kind));
      g_hash_table_replace (by_name, g_steal_pointer (&kind), GSIZE_TO_POINTER (used));
    }
  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, &tid, &ticks))
    if (GPOINTER_TO_SIZE (ticks) >= 5)
      g_string_append_printf (line, "; %s %.2f s", (char *) tid, GPOINTER_TO_SIZE (ticks) / (double) sysconf (_SC_CLK_TCK));
  g_print ("live run: %s, CPU by thread (threads that ended are not counted)%s\n", what, line->str);
  g_string_free (line, TRUE);
  g_hash_table_unref (after.ticks);
  g_hash_table_unref (after.names);
  g_hash_table_unref (before->ticks);
  g_hash_table_unref (before->names);
}

static double last_cpu_s;       /* of the last run_runner() or run_designer() */
static double last_main_cpu_s;  /* of the designer's main thread alone */

/* The first line of /proc/loadavg, with its newline. */
static const char *
load_average (void)
{
  static char text[128];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "unknown\n";
  g_strlcpy (text, contents, sizeof text);
  return text;
}   /* of the last run_runner() or run_designer() */

/* The designer's resident memory, in MB: a window's runs one after the
 * other must not grow it (when the last run's memory was freed while
 * the next run's thread allocated, it grew 10 to 15 MB a run and each
 * run ran slower than the one before). */
static double
resident_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmRSS:")) == NULL)
    return 0;
  return g_ascii_strtod (line + strlen ("\nVmRSS:"), NULL) / 1024;
}

static double
run_runner (const char *pipeline,
            const char *input)
{
  double cpu0 = cpu_seconds (RUSAGE_CHILDREN);
  double wall;

  const char *sluice_run = g_getenv ("SLUICE_RUN");
  const char *argv[] = { sluice_run, "--quiet", "-i", input, "-o", "/dev/null", pipeline, NULL };
  gint64 start = g_get_monotonic_time ();
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    g_error ("bench-live-run: %s failed", sluice_run);
  wall = ms_since (start) / 1000.0;
  last_cpu_s = cpu_seconds (RUSAGE_CHILDREN) - cpu0;
  return wall;
}

static gboolean
run_final (gpointer data)
{
  SluiceRunSession *session = sluice_window_get_run_session (data);
  return session != NULL && sluice_run_state_is_final (sluice_run_session_get_state (session));
}

static double
run_designer (SluiceWindow *window,
              const char   *input,
              Frames       *frames,
              double        zoom)
{
  g_autoptr(SluiceRunChoice) choice = sluice_run_choice_new ();
  SluiceViewport vp = *sluice_canvas_get_viewport (sluice_window_get_canvas (window));
  guint sampler;
  gint64 start;
  double cpu0 = cpu_seconds (RUSAGE_SELF);
  double main0 = cpu_seconds (RUSAGE_THREAD);
  double wall;
  ThreadTimes threads0;
  guint scene_draws0 = sluice_canvas_get_n_scene_draws (sluice_window_get_canvas (window));

  sampler_cpu_s = 0;
  sampler_renderer_s = 0;
  all_frames = 0;
  vp.zoom = zoom;
  sluice_canvas_set_viewport (sluice_window_get_canvas (window), &vp);
  choice->input = SLUICE_RUN_INPUT_FILE;
  choice->input_path = g_strdup (input);
  thread_times_read (&threads0);
  start = g_get_monotonic_time ();
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint", G_CALLBACK (count_frame_cb), NULL);
  sluice_window_run_with_choice (window, choice);
  /* Render the canvas area once a second on top of what the window
   * draws (the measure bench-designer uses). */
  sampler = g_timeout_add (1000, sample_frame_cb, frames);
  sluice_canvas_run_overlay_take_frame_stats (sluice_window_get_run_overlay (window),
                                              &frames->window_avg_ms, &frames->window_max_ms,
                                              &frames->window_frames);
  while (!run_final (window))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sampler);
  g_clear_object (&frames->canvas_paintable);
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)), count_frame_cb, NULL);
  sluice_canvas_run_overlay_take_frame_stats (sluice_window_get_run_overlay (window),
                                              &frames->window_avg_ms, &frames->window_max_ms,
                                              &frames->window_frames);
  if (sluice_run_session_get_state (sluice_window_get_run_session (window)) != SLUICE_RUN_COMPLETED)
    g_error ("bench-live-run: the run did not complete: %s",
             sluice_run_session_get_error (sluice_window_get_run_session (window)));
  if (sluice_run_session_get_n_outputs (sluice_window_get_run_session (window)) != n_items)
    g_error ("bench-live-run: %" G_GUINT64_FORMAT " outputs", sluice_run_session_get_n_outputs (sluice_window_get_run_session (window)));
  g_print ("live run: (of which the executor ran %.2f s, its thread's CPU %.2f s)\n",
           sluice_executor_get_elapsed (sluice_run_session_get_executor (sluice_window_get_run_session (window))) / 1e6,
           sluice_run_session_get_run_cpu_time (sluice_window_get_run_session (window)) / 1e6);
  wall = ms_since (start) / 1000.0;
  {
    g_autofree char *what = g_strdup_printf ("at %.0f%% zoom", zoom * 100);
    thread_times_print (&threads0, what);
    g_print ("live run: at %.0f%% zoom this benchmark's own renders of the canvas took %.2f s of the renderer's threads\n",
             zoom * 100, sampler_renderer_s);
    g_print ("live run: at %.0f%% zoom the window painted %u frames in all (%.1f a second); the canvas drew its scene %u times\n",
             zoom * 100, all_frames, all_frames / (ms_since (start) / 1000.0),
             sluice_canvas_get_n_scene_draws (sluice_window_get_canvas (window)) - scene_draws0);
  }
  last_cpu_s = cpu_seconds (RUSAGE_SELF) - cpu0;
  last_main_cpu_s = cpu_seconds (RUSAGE_THREAD) - main0;
  return wall;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-bench-live-XXXXXX", NULL);
  g_autofree char *pipeline = g_build_filename (dir, "live.xml", NULL);
  g_autofree char *input = g_build_filename (dir, "items.jsonl", NULL);
  g_autofree char *xml = bench_live_pipeline_generate ();
  g_autofree char *items = NULL;
  g_autofree char *data_home = g_build_filename (dir, "data", NULL);
  g_autoptr(GFile) file = NULL;
  g_autofree char *hash = NULL;
  SluiceApplication *app;
  SluiceWindow *window;
  Frames frames = { 0 };
  guint n_rounds = 5;
  double runner_walls[MAX_ROUNDS], runner_cpus[MAX_ROUNDS];
  double wall_ratios[MAX_ROUNDS], cpu_ratios[MAX_ROUNDS], run_thread_ratios[MAX_ROUNDS];
  double designer_fit_s, runner_cpu;
  double designer_cpu = 0, designer_main_cpu = 0, designer_run_cpu = 0;
  gint64 start;

  if (g_getenv ("SLUICE_BENCH_LIVE_ITEMS") != NULL)
    n_items = MAX (1, atoi (g_getenv ("SLUICE_BENCH_LIVE_ITEMS")));
  if (g_getenv ("SLUICE_BENCH_LIVE_ROUNDS") != NULL)
    n_rounds = CLAMP (atoi (g_getenv ("SLUICE_BENCH_LIVE_ROUNDS")), 1, MAX_ROUNDS);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("SLUICE_NO_DRAFT_CHECK", "1", TRUE);
  if (g_getenv ("SLUICE_RUN") == NULL)
    g_error ("bench-live-run: set SLUICE_RUN to the sluice-run program");
  if (!gtk_init_check ())
    {
      g_print ("bench-live-run: no display, skipped\n");
      return 0;
    }
  adw_init ();
  g_file_set_contents (pipeline, xml, -1, NULL);
  items = generate_items ();
  g_file_set_contents (input, items, -1, NULL);

  app = sluice_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  start = g_get_monotonic_time ();
  window = sluice_window_new (app);
  file = g_file_new_for_path (pipeline);
  if (!sluice_window_load (window, file))
    g_error ("bench-live-run: cannot load %s", pipeline);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_print ("live run: %u modules, %u items; window open in %.0f ms\n",
           N_CONTROLLERS * (N_BRANCH + 1), n_items, ms_since (start));
  hash = sluice_trust_hash (sluice_document_get_pipeline (sluice_window_get_document (window)));
  sluice_trust_remember (hash, NULL);
  frames.window = window;
  frames.renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  /* Rounds of sluice-run and the designer in turns (sluice-run first in
   * the first round, the designer first in the next): this host's speed
   * drifts by up to a third from one run to the next, so each round's
   * pair is compared and the figure is the median of the rounds, not one
   * run of the designer against the faster of two of sluice-run (which
   * favoured sluice-run by the spread alone). */
  for (guint r = 0; r < n_rounds; r++)
    {
      double runner_s, designer_s;

      if (r % 2 == 0)
        {
          runner_s = run_runner (pipeline, input);
          runner_cpus[r] = last_cpu_s;
        }
      memset (&frames, 0, sizeof frames);
      frames.window = window;
      frames.renderer = gtk_native_get_renderer (GTK_NATIVE (window));
      designer_s = run_designer (window, input, &frames, 1.0);
      designer_cpu = last_cpu_s;
      designer_main_cpu = last_main_cpu_s;
      designer_run_cpu = sluice_run_session_get_run_cpu_time (sluice_window_get_run_session (window)) / 1e6;
      if (r % 2 == 1)
        {
          runner_s = run_runner (pipeline, input);
          runner_cpus[r] = last_cpu_s;
        }
      runner_walls[r] = runner_s;
      wall_ratios[r] = runner_s / designer_s;
      cpu_ratios[r] = runner_cpus[r] / designer_cpu;
      run_thread_ratios[r] = runner_cpus[r] / designer_run_cpu;
      g_print ("live run: round %u: sluice-run %.2f s, designer at 100%% zoom %.2f s: %.2fx by wall; "
               "CPU (user + system) %.2f s against the designer's whole process %.2f s (%.2fx), its run's thread "
               "%.2f s (%.2fx), its window's thread %.2f s; resident %.0f MB; load %s",
               r + 1, runner_s, designer_s, wall_ratios[r], runner_cpus[r], designer_cpu, cpu_ratios[r],
               designer_run_cpu, run_thread_ratios[r], designer_main_cpu, resident_mb (), load_average ());
    }
  runner_cpu = bench_median (runner_cpus, n_rounds);
  g_print ("live run: by wall time the designer at 100%% zoom runs at %.2fx the runner's speed "
           "(median of %u rounds' ratios)\n", bench_median (wall_ratios, n_rounds), n_rounds);
  g_print ("live run: by CPU time the designer's whole process (drawing included) runs at %.2fx the runner's speed, "
           "its run's own thread at %.2fx (medians)\n",
           bench_median (cpu_ratios, n_rounds), bench_median (run_thread_ratios, n_rounds));
  g_print ("live run: of the window thread's time in the last round, this benchmark's own renders of the canvas "
           "(once a second) took %.2f s; without them %.2f s: %.2fx the runner's speed\n",
           sampler_cpu_s, designer_main_cpu - sampler_cpu_s, runner_cpu / (designer_main_cpu - sampler_cpu_s));
  g_print ("live run: at 100%% zoom (last round), the window's frames (layout to painted): %.2f ms avg, %.2f ms max, %u frames\n",
           frames.window_avg_ms, frames.window_max_ms, frames.window_frames);
  g_print ("live run: at 100%% zoom, canvas + run overlay snapshot + render: %.2f ms avg, %.2f ms max, %u samples\n",
           frames.sum_ms / MAX (frames.frames, 1), frames.max_ms, frames.frames);
  g_print ("live run: the overlay's own snapshot took %.2f ms at most\n",
           sluice_canvas_run_overlay_take_max_frame_ms (sluice_window_get_run_overlay (window)));

  memset (&frames, 0, sizeof frames);
  frames.window = window;
  frames.renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  designer_fit_s = run_designer (window, input, &frames, 0.1);
  g_print ("live run: designer zoomed out to 10%%: CPU %.2f s, %.2fx the runner's speed; its window's thread %.2f s, %.2fx\n",
           last_cpu_s, runner_cpu / last_cpu_s, last_main_cpu_s, runner_cpu / last_main_cpu_s);
  g_print ("live run: designer zoomed out to 10%% %.2f s (%+.1f%% against sluice-run's median); window frames %.2f ms avg, %.2f ms max, %u frames;"
           " canvas + overlay %.2f ms avg, %.2f ms max\n",
           designer_fit_s, 100.0 * (designer_fit_s / bench_median (runner_walls, n_rounds) - 1),
           frames.window_avg_ms, frames.window_max_ms, frames.window_frames,
           frames.sum_ms / MAX (frames.frames, 1), frames.max_ms);
  g_print ("live run: the log kept %u events\n",
           sluice_run_log_get_n_events (sluice_run_session_get_log (sluice_window_get_run_session (window))));

  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (app);
  bench_remove_tree (dir);
  return 0;
}
