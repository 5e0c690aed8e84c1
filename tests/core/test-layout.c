/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sluice-core.h"
#include "sluice-export.h"
#include "sluice-layout.h"

/* Two controllers; the first has two phases, one holding an execution, a
 * condition with one module in its true branch, and a combination. */
static SluicePipeline *
make_pipeline (void)
{
  SluicePipeline *pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceController) c1 = sluice_controller_new ("c1", SLUICE_MODE_NOT_PARALLEL);
  g_autoptr(SluiceController) c2 = sluice_controller_new ("c2", SLUICE_MODE_FIRST_WINS);
  g_autoptr(SluicePhase) p1 = sluice_phase_new ("p1");
  g_autoptr(SluicePhase) p2 = sluice_phase_new ("p2");
  g_autoptr(SluicePhase) p3 = sluice_phase_new ("p3");
  g_autoptr(SluiceExecution) e1 = sluice_execution_new ("e1");
  g_autoptr(SluiceExecution) e2 = sluice_execution_new ("e2");
  g_autoptr(SluiceExecution) e3 = sluice_execution_new ("e3");
  g_autoptr(SluiceExecution) e4 = sluice_execution_new ("e4");
  g_autoptr(SluiceCondition) cond = sluice_condition_new ("cond", "item.x > 1");
  g_autoptr(SluiceCombination) comb = sluice_combination_new ("comb");
  g_autoptr(SluiceFail) fail = sluice_fail_new ("f", "nope");

  sluice_node_set_id (SLUICE_NODE (pipeline), "test");
  sluice_execution_set_lua (e1, "item.a = 1");
  sluice_execution_set_command (e2, "cat");
  sluice_execution_set_lua (e3, "item.b = 2");
  sluice_execution_set_lua (e4, "item.c = 3");

  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (c1));
  sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (c2));
  sluice_node_list_append (SLUICE_NODE (c1), sluice_controller_get_phases (c1), SLUICE_NODE (p1));
  sluice_node_list_append (SLUICE_NODE (c1), sluice_controller_get_phases (c1), SLUICE_NODE (p2));
  sluice_node_list_append (SLUICE_NODE (c2), sluice_controller_get_phases (c2), SLUICE_NODE (p3));
  sluice_node_list_append (SLUICE_NODE (p1), sluice_phase_get_modules (p1), SLUICE_NODE (e1));
  sluice_node_list_append (SLUICE_NODE (p1), sluice_phase_get_modules (p1), SLUICE_NODE (cond));
  sluice_node_list_append (SLUICE_NODE (p1), sluice_phase_get_modules (p1), SLUICE_NODE (comb));
  sluice_node_list_append (SLUICE_NODE (cond), sluice_condition_get_else_modules (cond), SLUICE_NODE (fail));
  sluice_node_list_append (SLUICE_NODE (comb), sluice_combination_get_modules (comb), SLUICE_NODE (e3));
  sluice_node_list_append (SLUICE_NODE (comb), sluice_combination_get_modules (comb), SLUICE_NODE (e4));
  sluice_node_list_append (SLUICE_NODE (p2), sluice_phase_get_modules (p2), SLUICE_NODE (e2));

  return pipeline;
}

static const SluiceLayoutBox *
box_of (SluiceLayout   *layout,
        SluicePipeline *pipeline,
        const char     *id)
{
  guint i = sluice_layout_find_node (layout, sluice_pipeline_find_node (pipeline, id));

  g_assert_cmpuint (i, !=, SLUICE_BOX_NONE);
  return sluice_layout_get_box (layout, i);
}

static gboolean
inside (const SluiceLayoutBox *inner,
        const SluiceLayoutBox *outer)
{
  return inner->x >= outer->x && inner->y >= outer->y &&
         inner->x + inner->width <= outer->x + outer->width &&
         inner->y + inner->height <= outer->y + outer->height;
}

static void
test_layout_nesting (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autoptr(SluiceLayout) layout = sluice_layout_compute (pipeline, NULL);
  const SluiceLayoutBox *c1 = box_of (layout, pipeline, "c1");
  const SluiceLayoutBox *c2 = box_of (layout, pipeline, "c2");
  const SluiceLayoutBox *p1 = box_of (layout, pipeline, "p1");
  const SluiceLayoutBox *p2 = box_of (layout, pipeline, "p2");
  const SluiceLayoutBox *e1 = box_of (layout, pipeline, "e1");
  const SluiceLayoutBox *cond = box_of (layout, pipeline, "cond");
  const SluiceLayoutBox *comb = box_of (layout, pipeline, "comb");
  const SluiceLayoutBox *e3 = box_of (layout, pipeline, "e3");
  const SluiceLayoutBox *fail = box_of (layout, pipeline, "f");

  /* 2 controllers, 3 phases, 7 modules and 2 lanes. */
  g_assert_cmpuint (sluice_layout_get_n_boxes (layout), ==, 14);
  g_assert_true (inside (p1, c1));
  g_assert_true (inside (p2, c1));
  g_assert_true (inside (e1, p1));
  g_assert_true (inside (cond, p1));
  g_assert_true (inside (fail, cond));
  g_assert_true (inside (e3, comb));
  /* Controllers go right, phases and modules go down. */
  g_assert_cmpfloat (c2->x, >, c1->x + c1->width);
  g_assert_cmpfloat (p2->y, >, p1->y + p1->height);
  g_assert_cmpfloat (cond->y, >, e1->y + e1->height);
  g_assert_cmpfloat (comb->y, >, cond->y + cond->height);
  /* The else lane is on the right half of its condition. */
  g_assert_cmpfloat (fail->x + fail->width / 2, >, cond->x + cond->width / 2);
  /* Phases of a controller share a width. */
  g_assert_cmpfloat (p1->width, ==, p2->width);
  g_assert_cmpuint (e1->parent, ==, sluice_layout_find_node (layout, sluice_pipeline_find_node (pipeline, "p1")));

  /* Edges: e1→cond, cond→comb, e3→e4, true+false and two merges, p1→p2,
   * c1→c2. */
  g_assert_cmpuint (sluice_layout_get_n_edges (layout), ==, 9);
}

static void
test_layout_hit_test (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autoptr(SluiceLayout) layout = sluice_layout_compute (pipeline, NULL);
  const SluiceLayoutBox *e1 = box_of (layout, pipeline, "e1");
  const SluiceLayoutBox *cond = box_of (layout, pipeline, "cond");
  const SluiceLayoutBox *fail = box_of (layout, pipeline, "f");
  const SluiceLayoutBox *p1 = box_of (layout, pipeline, "p1");
  const SluiceLayoutBox *c1 = box_of (layout, pipeline, "c1");
  guint hit;

  hit = sluice_layout_hit_test (layout, e1->x + 5, e1->y + 5);
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, hit)->node), ==, "e1");
  hit = sluice_layout_hit_test (layout, fail->x + 1, fail->y + 1);
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, hit)->node), ==, "f");
  /* Empty space in a lane hits the condition, not the lane. */
  hit = sluice_layout_hit_test (layout, cond->x + 2, cond->y + cond->height - 2);
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, hit)->node), ==, "cond");
  /* Phase title and controller title. */
  hit = sluice_layout_hit_test (layout, p1->x + 4, p1->y + 4);
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, hit)->node), ==, "p1");
  hit = sluice_layout_hit_test (layout, c1->x + 4, c1->y + 4);
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, hit)->node), ==, "c1");
  /* Outside everything and on the edges. */
  g_assert_cmpuint (sluice_layout_hit_test (layout, -10, -10), ==, SLUICE_BOX_NONE);
  g_assert_cmpuint (sluice_layout_hit_test (layout, c1->x + c1->width, c1->y), ==, SLUICE_BOX_NONE);
}

static void
test_layout_rubber_band (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autoptr(SluiceLayout) layout = sluice_layout_compute (pipeline, NULL);
  const SluiceLayoutBox *e1 = box_of (layout, pipeline, "e1");
  const SluiceLayoutBox *cond = box_of (layout, pipeline, "cond");
  g_autoptr(GArray) none = NULL;
  g_autoptr(GArray) some = NULL;

  none = sluice_layout_boxes_in_rect (layout, e1->x + 1, e1->y, e1->width, e1->height);
  g_assert_cmpuint (none->len, ==, 0);
  /* Dragging up-left works like down-right: e1, cond and its fail. */
  some = sluice_layout_boxes_in_rect (layout, cond->x + cond->width + 1, cond->y + cond->height + 1,
                                      -(cond->x + cond->width + 1 - MIN (e1->x, cond->x) + 1),
                                      -(cond->y + cond->height + 1 - e1->y + 1));
  g_assert_cmpuint (some->len, ==, 3);
}

static void
test_layout_drop_target (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autoptr(SluiceLayout) layout = sluice_layout_compute (pipeline, NULL);
  const SluiceLayoutBox *e1 = box_of (layout, pipeline, "e1");
  const SluiceLayoutBox *p2 = box_of (layout, pipeline, "p2");
  const SluiceLayoutBox *c1 = box_of (layout, pipeline, "c1");
  const SluiceLayoutBox *comb = box_of (layout, pipeline, "comb");
  SluiceNode *comb_node = sluice_pipeline_find_node (pipeline, "comb");
  guint container, position;

  /* Above e1's middle: position 0 of p1; below it: position 1. */
  g_assert_true (sluice_layout_drop_target (layout, SLUICE_TYPE_EXECUTION, NULL,
                                            e1->x + 10, e1->y + 2, &container, &position));
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, container)->node), ==, "p1");
  g_assert_cmpuint (position, ==, 0);
  g_assert_true (sluice_layout_drop_target (layout, SLUICE_TYPE_EXECUTION, NULL,
                                            e1->x + 10, e1->y + e1->height - 2, &container, &position));
  g_assert_cmpuint (position, ==, 1);

  /* Into the combination, unless it is what is being dragged. */
  g_assert_true (sluice_layout_drop_target (layout, SLUICE_TYPE_EXECUTION, NULL,
                                            comb->x + 5, comb->y + comb->height - 3, &container, &position));
  g_assert_true (sluice_layout_get_box (layout, container)->node == comb_node);
  g_assert_cmpuint (position, ==, 2);
  g_assert_true (sluice_layout_drop_target (layout, SLUICE_TYPE_COMBINATION, comb_node,
                                            comb->x + 5, comb->y + comb->height - 3, &container, &position));
  g_assert_cmpstr (sluice_node_get_id (sluice_layout_get_box (layout, container)->node), ==, "p1");

  /* Phases drop into controllers, by height. */
  g_assert_true (sluice_layout_drop_target (layout, SLUICE_TYPE_PHASE, NULL,
                                            p2->x + 5, p2->y + p2->height - 2, &container, &position));
  g_assert_true (sluice_layout_get_box (layout, container) == c1);
  g_assert_cmpuint (position, ==, 2);
  g_assert_false (sluice_layout_drop_target (layout, SLUICE_TYPE_PHASE, NULL, -50, -50, &container, &position));
  g_assert_false (sluice_layout_drop_target (layout, SLUICE_TYPE_CONTROLLER, NULL,
                                             c1->x + 2, c1->y + 2, &container, &position));
}

static void
test_layout_view_positions (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autoptr(SluiceViewState) view = sluice_view_state_new ();
  g_autoptr(SluiceLayout) layout = NULL;
  const SluiceLayoutBox *c2, *p3;

  sluice_view_state_set_position (view, "c2", 900, 40);
  g_hash_table_add (view->collapsed, g_strdup ("comb"));
  layout = sluice_layout_compute (pipeline, view);
  c2 = box_of (layout, pipeline, "c2");
  p3 = box_of (layout, pipeline, "p3");
  g_assert_cmpfloat (c2->x, ==, 900);
  g_assert_cmpfloat (c2->y, ==, 40);
  g_assert_true (inside (p3, c2));
  /* A collapsed combination hides its modules. */
  g_assert_true (box_of (layout, pipeline, "comb")->collapsed);
  g_assert_cmpuint (sluice_layout_find_node (layout, sluice_pipeline_find_node (pipeline, "e3")), ==, SLUICE_BOX_NONE);
}

static void
test_view_state_round_trip (void)
{
  g_autoptr(SluiceViewState) view = sluice_view_state_new ();
  g_autoptr(SluiceViewState) parsed = NULL;
  g_autoptr(SluiceViewState) bad = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml2 = NULL;
  double x, y;

  view->zoom = 1.5;
  view->x = -20;
  view->y = 3.25;
  sluice_view_state_set_position (view, "a&b", 12.5, 1234);
  g_hash_table_add (view->collapsed, g_strdup ("g"));
  xml = sluice_view_state_to_xml (view);
  g_assert_nonnull (strstr (xml, "a&amp;b"));
  parsed = sluice_view_state_parse (xml);
  g_assert_true (sluice_view_state_equal (view, parsed));
  g_assert_true (sluice_view_state_get_position (parsed, "a&b", &x, &y));
  g_assert_cmpfloat (x, ==, 12.5);
  g_assert_cmpfloat (y, ==, 1234);
  xml2 = sluice_view_state_to_xml (parsed);
  g_assert_cmpstr (xml, ==, xml2);

  /* Garbage gives the defaults, never a crash. */
  bad = sluice_view_state_parse ("<view zoom=\"abc\"><pos id=\"x\" x=\"1\"/><oops");
  g_assert_cmpfloat (bad->zoom, ==, 1.0);
  g_assert_cmpuint (g_hash_table_size (bad->positions), ==, 0);
}

static void
test_export_dot (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autofree char *dot = sluice_export_dot (pipeline);

  g_assert_nonnull (strstr (dot, "digraph \"test\""));
  g_assert_nonnull (strstr (dot, "subgraph cluster_c0 {"));
  g_assert_nonnull (strstr (dot, "subgraph cluster_c0_p1 {"));
  g_assert_nonnull (strstr (dot, "subgraph cluster_c1_p0 {"));
  g_assert_nonnull (strstr (dot, "shape=diamond"));
  g_assert_nonnull (strstr (dot, "[label=\"false\"]"));
}

static void
test_export_render (void)
{
  g_autoptr(SluicePipeline) pipeline = make_pipeline ();
  g_autofree char *dot = sluice_export_dot (pipeline);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.svg", NULL);
  g_autofree char *wrong = g_build_filename (dir, "out.doc", NULL);
  const char *data;
  gsize size;

  svg = sluice_export_render (dot, "svg", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (svg, &size);
  g_assert_nonnull (g_strstr_len (data, size, "<svg"));

  png = sluice_export_render (dot, "png", &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (png, &size);
  g_assert_cmpuint (size, >, 8);
  g_assert_cmpint (memcmp (data, "\x89PNG", 4), ==, 0);

  /* Graphviz's own complaints come back as an error, not on stderr. */
  bad = sluice_export_render ("digraph { a -> ; }", "svg", &error);
  g_assert_null (bad);
  g_assert_error (error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_GRAPHVIZ);
  g_clear_error (&error);

  g_assert_true (sluice_export_file (pipeline, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (sluice_export_file (pipeline, wrong, &error));
  g_assert_error (error, SLUICE_EXPORT_ERROR, SLUICE_EXPORT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "out.doc"));

  g_unlink (path);
  g_rmdir (dir);
}

/* 5,000 modules in 100 phases must lay out well under a second. */
static void
test_layout_large (void)
{
  g_autoptr(SluicePipeline) pipeline = sluice_pipeline_new ();
  g_autoptr(SluiceLayout) layout = NULL;
  gint64 start;
  guint n = 0;

  for (guint c = 0; c < 20; c++)
    {
      g_autofree char *cid = g_strdup_printf ("c%u", c);
      g_autoptr(SluiceController) ctrl = sluice_controller_new (cid, SLUICE_MODE_NO_ORDER);

      sluice_node_list_append (SLUICE_NODE (pipeline), sluice_pipeline_get_controllers (pipeline), SLUICE_NODE (ctrl));
      for (guint p = 0; p < 5; p++)
        {
          g_autofree char *pid = g_strdup_printf ("c%u-p%u", c, p);
          g_autoptr(SluicePhase) phase = sluice_phase_new (pid);

          sluice_node_list_append (SLUICE_NODE (ctrl), sluice_controller_get_phases (ctrl), SLUICE_NODE (phase));
          for (guint m = 0; m < 50; m++, n++)
            {
              g_autofree char *mid = g_strdup_printf ("m%u", n);
              g_autoptr(SluiceExecution) e = sluice_execution_new (mid);

              sluice_node_list_append (SLUICE_NODE (phase), sluice_phase_get_modules (phase), SLUICE_NODE (e));
            }
        }
    }

  start = g_get_monotonic_time ();
  layout = sluice_layout_compute (pipeline, NULL);
  g_test_message ("layout of %u modules: %.1f ms", n, (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (sluice_layout_get_n_boxes (layout), ==, 20 + 100 + 5000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sluice/layout/nesting", test_layout_nesting);
  g_test_add_func ("/sluice/layout/hit-test", test_layout_hit_test);
  g_test_add_func ("/sluice/layout/rubber-band", test_layout_rubber_band);
  g_test_add_func ("/sluice/layout/drop-target", test_layout_drop_target);
  g_test_add_func ("/sluice/layout/view-positions", test_layout_view_positions);
  g_test_add_func ("/sluice/layout/large", test_layout_large);
  g_test_add_func ("/sluice/layout/view-state", test_view_state_round_trip);
  g_test_add_func ("/sluice/export/dot", test_export_dot);
  g_test_add_func ("/sluice/export/render", test_export_render);

  return g_test_run ();
}
