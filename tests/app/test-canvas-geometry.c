/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-canvas-geometry.h"
#include "sluice-core.h"
#include "sluice-layout.h"

static void
test_round_trip (void)
{
  SluiceViewport vp = { 2.0, 100, -50 };
  double mx, my, wx, wy;

  sluice_viewport_to_model (&vp, 40, 60, &mx, &my);
  g_assert_cmpfloat_with_epsilon (mx, 120, 1e-9);
  g_assert_cmpfloat_with_epsilon (my, -20, 1e-9);
  sluice_viewport_to_widget (&vp, mx, my, &wx, &wy);
  g_assert_cmpfloat_with_epsilon (wx, 40, 1e-9);
  g_assert_cmpfloat_with_epsilon (wy, 60, 1e-9);
}

static void
test_zoom_at_pointer (void)
{
  SluiceViewport vp = { 1.0, 0, 0 };
  double before_x, before_y, after_x, after_y;

  /* The model point under the pointer stays under it. */
  sluice_viewport_to_model (&vp, 300, 200, &before_x, &before_y);
  sluice_viewport_zoom_at (&vp, 1.5, 300, 200);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 1.5, 1e-9);
  sluice_viewport_to_model (&vp, 300, 200, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (before_x, after_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (before_y, after_y, 1e-9);

  /* Clamped at both ends, still around the pointer. */
  sluice_viewport_zoom_at (&vp, 1000, 10, 10);
  g_assert_cmpfloat (vp.zoom, ==, SLUICE_ZOOM_MAX);
  sluice_viewport_zoom_at (&vp, 1e-6, 10, 10);
  g_assert_cmpfloat (vp.zoom, ==, SLUICE_ZOOM_MIN);
}

static void
test_pan (void)
{
  SluiceViewport vp = { 0.5, 10, 10 };

  /* Dragging the scene right by 50 px shows what was 100 units left. */
  sluice_viewport_pan (&vp, 50, -25);
  g_assert_cmpfloat_with_epsilon (vp.x, -90, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.y, 60, 1e-9);
}

static void
test_fit (void)
{
  SluiceViewport vp = { 1.0, 0, 0 };
  double x, y, w, h;

  /* A small scene is centred at zoom 1, never magnified. */
  sluice_viewport_fit (&vp, 0, 0, 100, 50, 800, 600, 20);
  g_assert_cmpfloat (vp.zoom, ==, 1.0);
  sluice_viewport_visible (&vp, 800, 600, &x, &y, &w, &h);
  g_assert_cmpfloat_with_epsilon (x + w / 2, 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (y + h / 2, 25, 1e-9);

  /* A large one is scaled down to fit inside the margins. */
  sluice_viewport_fit (&vp, 1000, 0, 4000, 1000, 800, 600, 20);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 760.0 / 4000, 1e-9);
  sluice_viewport_visible (&vp, 800, 600, &x, &y, &w, &h);
  g_assert_cmpfloat (x, <=, 1000);
  g_assert_cmpfloat (x + w, >=, 5000);

  /* An empty one does not divide by zero. */
  sluice_viewport_fit (&vp, 0, 0, 0, 0, 800, 600, 20);
  g_assert_cmpfloat (vp.zoom, ==, 1.0);
}

static void
test_reveal (void)
{
  SluiceViewport vp = { 1.0, 0, 0 };

  /* Already visible: nothing moves. */
  sluice_viewport_reveal (&vp, 100, 100, 50, 50, 800, 600, 10);
  g_assert_cmpfloat (vp.x, ==, 0);
  g_assert_cmpfloat (vp.y, ==, 0);
  /* Off to the right and below: the least pan that shows it. */
  sluice_viewport_reveal (&vp, 1000, 900, 50, 50, 800, 600, 10);
  g_assert_cmpfloat_with_epsilon (vp.x, 1000 + 50 + 10 - 800, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.y, 900 + 50 + 10 - 600, 1e-9);
  /* Off to the left. */
  sluice_viewport_reveal (&vp, -500, 400, 50, 50, 800, 600, 10);
  g_assert_cmpfloat_with_epsilon (vp.x, -510, 1e-9);
}

static void
test_intersects (void)
{
  g_assert_true (sluice_rect_intersects (0, 0, 10, 10, 5, 5, 10, 10));
  g_assert_false (sluice_rect_intersects (0, 0, 10, 10, 10, 0, 10, 10));
  g_assert_false (sluice_rect_intersects (0, 0, 10, 10, 0, -20, 10, 10));
  g_assert_true (sluice_rect_intersects (0, 0, 100, 100, 40, 40, 1, 1));
}

/* Clicks go from widget coordinates through the viewport to the layout's
 * hit test. */
static void
test_hit_through_viewport (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceController) controller = sluice_controller_new ("c", SLUICE_MODE_NO_ORDER);
  g_autoptr(SluicePhase) phase = sluice_phase_new ("p");
  g_autoptr(SluiceExecution) module = sluice_execution_new ("m");
  g_autoptr(SluiceLayout) layout = NULL;
  const SluiceLayoutBox *box;
  SluiceViewport vp = { 0.5, -100, -100 };
  double wx, wy, mx, my;
  guint hit;

  sluice_execution_set_lua (module, "item.x = 1");
  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (controller));
  sluice_node_list_append (SLUICE_NODE (controller), sluice_controller_get_phases (controller), SLUICE_NODE (phase));
  sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (module));
  layout = sluice_layout_compute (pipeline, NULL);
  box = sluice_layout_get_box (layout, sluice_layout_find_node (layout, SLUICE_NODE (module)));

  /* The middle of the module on screen hits the module. */
  sluice_viewport_to_widget (&vp, box->x + box->width / 2, box->y + box->height / 2, &wx, &wy);
  sluice_viewport_to_model (&vp, wx, wy, &mx, &my);
  hit = sluice_layout_hit_test (layout, mx, my);
  g_assert_cmpuint (hit, !=, SLUICE_BOX_NONE);
  g_assert_true (sluice_layout_get_box (layout, hit)->node == SLUICE_NODE (module));

  /* After zooming around that point, it still does. */
  sluice_viewport_zoom_at (&vp, 3, wx, wy);
  sluice_viewport_to_model (&vp, wx, wy, &mx, &my);
  g_assert_true (sluice_layout_get_box (layout, sluice_layout_hit_test (layout, mx, my))->node == SLUICE_NODE (module));

  /* Just above the module, in the phase. */
  sluice_viewport_to_model (&vp, wx, wy - (box->height / 2 + 4) * vp.zoom, &mx, &my);
  g_assert_true (sluice_layout_get_box (layout, sluice_layout_hit_test (layout, mx, my))->node == SLUICE_NODE (phase));
}

/* Zoomed far out, a run's stage words never cover the canvas's name of
 * the stage, across boxes and along narrow columns of every width, and
 * both stay inside their box. (Along a column of 48 to 66 pixels the
 * words covered the name, which was centred on the column.) */
static void
test_overview_words_beside_name (void)
{
  const double line_heights[] = { 17, 24 };
  const double name_lengths[] = { 20, 90, 300 };

  for (guint l = 0; l < G_N_ELEMENTS (line_heights); l++)
    for (double w = 12; w < 240; w += 1)
      for (double h = 30; h < 2000; h *= 2.5)
        for (guint n = 0; n < G_N_ELEMENTS (name_lengths); n++)
          {
            double th = line_heights[l], x = 100, y = 50;
            gboolean vertical = sluice_overview_is_vertical (w, h);
            /* As the drawings cut their texts to the box. */
            double tw = MIN (name_lengths[n], MIN ((vertical ? h : w) - 12, 480));
            SluiceOverviewRect name, words;

            if (!sluice_overview_name_rect (x, y, w, h, tw, th, &name))
              continue;
            /* Inside the box, unless the name is wider than the column. */
            if (!vertical || w >= th + 8)
              {
                g_assert_cmpfloat (name.x, >=, x);
                g_assert_cmpfloat (name.x + name.width, <=, x + w);
              }
            g_assert_cmpfloat (name.y, >=, y);
            if (!sluice_overview_words_rect (x, y, w, h, MIN (tw, (vertical ? h - 8 : w - 16)), th, th, &words))
              continue;
            g_assert_cmpfloat (words.x, >=, x);
            g_assert_cmpfloat (words.x + words.width, <=, x + w);
            if (sluice_rect_intersects (name.x, name.y, name.width, name.height,
                                        words.x, words.y, words.width, words.height))
              g_error ("words over the name in a box of %.0f x %.0f, text %.0f high", w, h, th);
          }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/canvas/round-trip", test_round_trip);
  g_test_add_func ("/sluice/canvas/zoom-at-pointer", test_zoom_at_pointer);
  g_test_add_func ("/sluice/canvas/pan", test_pan);
  g_test_add_func ("/sluice/canvas/fit", test_fit);
  g_test_add_func ("/sluice/canvas/reveal", test_reveal);
  g_test_add_func ("/sluice/canvas/intersects", test_intersects);
  g_test_add_func ("/sluice/canvas/hit-through-viewport", test_hit_through_viewport);
  g_test_add_func ("/sluice/canvas/overview-words-beside-name", test_overview_words_beside_name);

  return g_test_run ();
}
