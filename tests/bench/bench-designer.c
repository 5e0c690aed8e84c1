/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-window.h"
#include "test-app-generate.h"

/* Designer benchmarks: for generated pipelines of 1,000 and 10,000
 * modules, the time to load, lay out and show the first frame, and the
 * time to produce a frame while zooming and panning. Needs a display
 * (run under xvfb-run -a). Targets: first frame < 0.3 s and < 2 s; a
 * frame < 8 ms at 10,000 modules. */

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       data)
{
  painted = TRUE;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* One frame of the canvas as GTK makes it: the widget's snapshot
 * function, then the renderer turning its nodes into pixels. (A
 * GtkWidgetPaintable would only replay the last frame's node.) */
static void
render_frame (GtkWidget   *canvas,
              GskRenderer *renderer,
              double      *snapshot_ms,
              double      *render_ms)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (canvas), h = gtk_widget_get_height (canvas);
  gint64 start = g_get_monotonic_time ();

  GTK_WIDGET_GET_CLASS (canvas)->snapshot (canvas, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    g_error ("bench-designer: the canvas (%d×%d) drew nothing", w, h);
  *snapshot_ms = ms_since (start);
  start = g_get_monotonic_time ();
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  *render_ms = ms_since (start);
}

static void
bench (SluiceApplication *app,
       guint              n_modules,
       const char        *dir)
{
  g_autofree char *xml = sluice_test_generate_pipeline (n_modules);
  g_autofree char *path = g_strdup_printf ("%s/generated-%u.xml", dir, n_modules);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = NULL;
  g_autoptr(SluiceLayout) layout = NULL;
  SluiceWindow *window;
  GtkWidget *canvas;
  GskRenderer *renderer;
  SluiceViewport vp;
  double load_ms, layout_ms, first_ms, snap_sum = 0, render_sum = 0, snap_max = 0, frame_max = 0;
  guint frames = 0;
  gint64 start;

  g_file_set_contents (path, xml, -1, NULL);

  start = g_get_monotonic_time ();
  pipeline = sluice_load_file (path, problems);
  load_ms = ms_since (start);
  g_assert (pipeline != NULL);

  start = g_get_monotonic_time ();
  layout = sluice_layout_compute (pipeline, NULL);
  layout_ms = ms_since (start);

  /* Open to first frame, as a user sees it: load, validate, lay out,
   * build the visible part of the scene and paint it. */
  start = g_get_monotonic_time ();
  window = sluice_window_new (app);
  sluice_window_load (window, file);
  painted = FALSE;
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  first_ms = ms_since (start);

  canvas = GTK_WIDGET (sluice_window_get_canvas (window));
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  /* Zoom in and out around the middle, then pan, at the zoom levels where
   * text is drawn and where it is not. */
  for (guint pass = 0; pass < 2; pass++)
    {
      vp = *sluice_canvas_get_viewport (SLUICE_CANVAS (canvas));
      vp.zoom = pass == 0 ? 0.8 : 0.2;
      sluice_canvas_set_viewport (SLUICE_CANVAS (canvas), &vp);
      for (guint i = 0; i < 60; i++)
        {
          double snap_ms, render_ms;

          if (i < 30)
            sluice_canvas_zoom (SLUICE_CANVAS (canvas), i % 2 ? 1.0 / 1.08 : 1.08);
          else
            {
              vp = *sluice_canvas_get_viewport (SLUICE_CANVAS (canvas));
              vp.x += 37 / vp.zoom;
              vp.y += 53 / vp.zoom;
              sluice_canvas_set_viewport (SLUICE_CANVAS (canvas), &vp);
            }
          render_frame (canvas, renderer, &snap_ms, &render_ms);
          /* The first frame at a level of detail builds its scene. */
          if (i == 0)
            continue;
          snap_sum += snap_ms;
          render_sum += render_ms;
          snap_max = MAX (snap_max, snap_ms);
          frame_max = MAX (frame_max, snap_ms + render_ms);
          frames++;
        }
    }

  g_print ("designer %5u modules: load %.1f ms, layout %.1f ms, open to first frame %.1f ms\n",
           n_modules, load_ms, layout_ms, first_ms);
  g_print ("designer %5u modules: zoom/pan frame: snapshot %.2f ms avg (%.2f max), "
           "snapshot+render %.2f ms avg (%.2f max), %u frames\n",
           n_modules, snap_sum / frames, snap_max, (snap_sum + render_sum) / frames, frame_max, frames);

  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
}

/* The first window of a process pays for GTK's own start (theme, fonts,
 * GL context): measured apart, so that the pipeline figures are the
 * pipeline's. */
static void
warm_up (SluiceApplication *app)
{
  gint64 start = g_get_monotonic_time ();
  SluiceWindow *window = sluice_window_new (app);

  painted = FALSE;
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_print ("designer: first (empty) window of the process painted in %.1f ms\n", ms_since (start));
  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SluiceApplication) app = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-bench-designer-XXXXXX", NULL);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("SLUICE_NO_DRAFT_CHECK", "1", TRUE);
  if (!gtk_init_check ())
    {
      g_printerr ("bench-designer: no display (run it under xvfb-run -a)\n");
      return 77;
    }
  adw_init ();
  /* Viewport changes land at once (no animation), so they can be checked. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  app = sluice_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);

  warm_up (app);
  bench (app, 1000, dir);
  bench (app, 10000, dir);
  g_rmdir (dir);
  return 0;
}
