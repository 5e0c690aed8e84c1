/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-layout.h"

#include "sluice-combination.h"
#include "sluice-condition.h"
#include "sluice-controller.h"
#include "sluice-gate.h"
#include "sluice-phase.h"

/* Spacing, in model units. */
#define MODULE_W        SLUICE_LAYOUT_MODULE_WIDTH
#define MODULE_H        SLUICE_LAYOUT_MODULE_HEIGHT
#define MODULE_GAP      28.0
#define LANE_PAD        10.0
#define LANE_GAP        44.0   /* between a condition's title and its lanes */
#define LANE_SPACING    24.0
#define LANE_EMPTY_W   120.0
#define LANE_EMPTY_H    36.0
#define MERGE_GAP       28.0
#define GROUP_HEADER    40.0
#define GROUP_PAD       12.0
#define PHASE_HEADER    40.0
#define PHASE_PAD       18.0
#define PHASE_GAP       48.0
#define PHASE_EMPTY_H   72.0
#define CTRL_HEADER     80.0
#define CTRL_PAD        20.0
#define CTRL_GAP        72.0

struct _SluiceLayout
{
  gatomicrefcount  ref_count;
  GArray          *boxes;   /* of SluiceLayoutBox */
  GArray          *edges;   /* of SluiceLayoutEdge */
  GHashTable      *by_node; /* borrowed node → box index + 1 */
  const SluiceViewState *view;  /* borrowed while computing only */
  double           bounds[4];
};

static inline SluiceLayoutBox *
box_at (SluiceLayout *self,
        guint         index)
{
  return &g_array_index (self->boxes, SluiceLayoutBox, index);
}

static guint
add_box (SluiceLayout  *self,
         SluiceBoxKind  kind,
         SluiceNode    *node,
         guint          parent,
         guint          index)
{
  SluiceLayoutBox box = { 0, };
  guint i = self->boxes->len;

  box.kind = kind;
  box.node = node;
  box.parent = parent;
  box.index = index;
  box.first_child = SLUICE_BOX_NONE;
  box.next_sibling = SLUICE_BOX_NONE;
  box.depth = parent == SLUICE_BOX_NONE ? 0 : box_at (self, parent)->depth + 1;
  g_array_append_val (self->boxes, box);

  /* Link it as the last child of its parent. */
  if (parent != SLUICE_BOX_NONE)
    {
      SluiceLayoutBox *p = box_at (self, parent);

      if (p->first_child == SLUICE_BOX_NONE)
        p->first_child = i;
      else
        {
          guint c = p->first_child;

          while (box_at (self, c)->next_sibling != SLUICE_BOX_NONE)
            c = box_at (self, c)->next_sibling;
          box_at (self, c)->next_sibling = i;
        }
    }

  if (kind != SLUICE_BOX_LANE)
    g_hash_table_insert (self->by_node, node, GUINT_TO_POINTER (i + 1));

  return i;
}

static void layout_module (SluiceLayout *self,
                           SluiceNode   *module,
                           guint         parent,
                           guint         index);

/* Lays out @list as a centred column inside @container, starting at
 * (@x0, @y0) relative to it; returns the column's size. */
static void
layout_column (SluiceLayout *self,
               GListModel   *list,
               guint         container,
               double        x0,
               double        y0,
               double       *out_width,
               double       *out_height)
{
  guint n = g_list_model_get_n_items (list);
  guint first = self->boxes->len;
  double width = 0, y = y0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceNode) child = g_list_model_get_item (list, i);

      layout_module (self, child, container, i);
    }

  /* Children are direct: walk the sibling chain from the first one. */
  for (guint c = n ? first : SLUICE_BOX_NONE; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
    width = MAX (width, box_at (self, c)->width);

  for (guint c = n ? first : SLUICE_BOX_NONE; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
    {
      SluiceLayoutBox *b = box_at (self, c);

      b->x = x0 + (width - b->width) / 2;
      b->y = y;
      y += b->height + MODULE_GAP;
    }

  *out_width = width;
  *out_height = n ? y - MODULE_GAP - y0 : 0;
}

static void
layout_lane (SluiceLayout    *self,
             SluiceCondition *condition,
             guint            parent,
             gboolean         is_else)
{
  GListModel *list = is_else ? sluice_condition_get_else_modules (condition)
                             : sluice_condition_get_then_modules (condition);
  guint lane = add_box (self, SLUICE_BOX_LANE, SLUICE_NODE (condition), parent, is_else);
  double w, h;

  box_at (self, lane)->is_else = is_else;
  box_at (self, lane)->list = list;
  box_at (self, lane)->owner = SLUICE_NODE (condition);
  layout_column (self, list, lane, LANE_PAD, LANE_PAD, &w, &h);
  box_at (self, lane)->width = MAX (w + 2 * LANE_PAD, LANE_EMPTY_W);
  box_at (self, lane)->height = MAX (h + 2 * LANE_PAD, LANE_EMPTY_H);
  /* Centre a narrow column in a lane widened to its minimum. */
  if (w + 2 * LANE_PAD < LANE_EMPTY_W)
    for (guint c = box_at (self, lane)->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
      box_at (self, c)->x += (LANE_EMPTY_W - w - 2 * LANE_PAD) / 2;
}

static void
layout_condition (SluiceLayout    *self,
                  SluiceCondition *condition,
                  guint            box)
{
  guint then_lane, else_lane;
  SluiceLayoutBox *t, *e, *b;
  double lanes_w, width;

  then_lane = self->boxes->len;
  layout_lane (self, condition, box, FALSE);
  else_lane = self->boxes->len;
  layout_lane (self, condition, box, TRUE);

  t = box_at (self, then_lane);
  e = box_at (self, else_lane);
  lanes_w = t->width + LANE_SPACING + e->width;
  width = MAX (MODULE_W, lanes_w);
  t->x = (width - lanes_w) / 2;
  t->y = MODULE_H + LANE_GAP;
  e->x = t->x + t->width + LANE_SPACING;
  e->y = t->y;

  b = box_at (self, box);
  b->header = MODULE_H;
  b->width = width;
  b->height = MODULE_H + LANE_GAP + MAX (t->height, e->height) + MERGE_GAP;
}

static void
layout_module (SluiceLayout *self,
               SluiceNode   *module,
               guint         parent,
               guint         index)
{
  guint box = add_box (self, SLUICE_BOX_MODULE, module, parent, index);
  const char *id = sluice_node_get_id (module);

  box_at (self, box)->width = MODULE_W;
  box_at (self, box)->height = MODULE_H;
  box_at (self, box)->header = MODULE_H;

  if (SLUICE_IS_GATE (module))
    {
      /* One line per check (and one saying how many more): the card is
       * all header, so it stays one card. */
      guint n = sluice_gate_get_n_checks (SLUICE_GATE (module));
      guint lines = MIN (n, SLUICE_LAYOUT_MAX_CHECK_LINES + 1);

      box_at (self, box)->height = MODULE_H + lines * SLUICE_LAYOUT_CHECK_LINE;
      box_at (self, box)->header = box_at (self, box)->height;
    }
  else if (SLUICE_IS_CONDITION (module))
    layout_condition (self, SLUICE_CONDITION (module), box);
  else if (SLUICE_IS_COMBINATION (module))
    {
      GListModel *list = sluice_combination_get_modules (SLUICE_COMBINATION (module));
      double w, h;

      box_at (self, box)->list = list;
      box_at (self, box)->owner = module;
      if (id != NULL && self->view != NULL &&
          g_hash_table_contains (self->view->collapsed, id))
        {
          box_at (self, box)->collapsed = TRUE;
          return;
        }

      layout_column (self, list, box, GROUP_PAD, GROUP_HEADER, &w, &h);
      box_at (self, box)->header = GROUP_HEADER;
      box_at (self, box)->width = MAX (MODULE_W, w + 2 * GROUP_PAD);
      box_at (self, box)->height = GROUP_HEADER + MAX (h, LANE_EMPTY_H) + GROUP_PAD;
      if (w + 2 * GROUP_PAD < MODULE_W)
        for (guint c = box_at (self, box)->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
          box_at (self, c)->x += (MODULE_W - w - 2 * GROUP_PAD) / 2;
    }
}

static guint
layout_phase (SluiceLayout *self,
              SluicePhase  *phase,
              guint         parent,
              guint         index)
{
  GListModel *list = sluice_phase_get_modules (phase);
  guint box = add_box (self, SLUICE_BOX_PHASE, SLUICE_NODE (phase), parent, index);
  double w, h;

  box_at (self, box)->list = list;
  box_at (self, box)->owner = SLUICE_NODE (phase);
  box_at (self, box)->header = PHASE_HEADER;
  layout_column (self, list, box, PHASE_PAD, PHASE_HEADER + PHASE_PAD / 2, &w, &h);
  w = MAX (w, MODULE_W);
  box_at (self, box)->width = w + 2 * PHASE_PAD;
  box_at (self, box)->height = MAX (PHASE_HEADER + PHASE_PAD / 2 + h + PHASE_PAD, PHASE_EMPTY_H + PHASE_HEADER);

  return box;
}

static void
layout_controller (SluiceLayout     *self,
                   SluiceController *controller,
                   guint             index,
                   double            default_x,
                   double            default_y)
{
  GListModel *phases = sluice_controller_get_phases (controller);
  guint box = add_box (self, SLUICE_BOX_CONTROLLER, SLUICE_NODE (controller), SLUICE_BOX_NONE, index);
  guint n = g_list_model_get_n_items (phases);
  double y = CTRL_HEADER, width = 0;
  double px, py;

  box_at (self, box)->list = phases;
  box_at (self, box)->owner = SLUICE_NODE (controller);
  box_at (self, box)->header = CTRL_HEADER;

  /* Phases stack downwards inside their controller: every item passes
   * phase 0, then phase 1, ... */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluicePhase) phase = g_list_model_get_item (phases, i);
      guint p = layout_phase (self, phase, box, i);

      box_at (self, p)->x = CTRL_PAD;
      box_at (self, p)->y = y;
      y += box_at (self, p)->height + PHASE_GAP;
      width = MAX (width, box_at (self, p)->width);
    }

  /* Phases of one controller share a width: the frame reads as a column,
   * and the arrows between phases stay straight. */
  for (guint c = box_at (self, box)->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
    {
      double extra = width - box_at (self, c)->width;

      box_at (self, c)->width = width;
      for (guint m = box_at (self, c)->first_child; m != SLUICE_BOX_NONE; m = box_at (self, m)->next_sibling)
        box_at (self, m)->x += extra / 2;
    }

  box_at (self, box)->width = MAX (width, MODULE_W + 2 * PHASE_PAD) + 2 * CTRL_PAD;
  box_at (self, box)->height = n ? y - PHASE_GAP + CTRL_PAD : CTRL_HEADER + PHASE_EMPTY_H + CTRL_PAD;

  if (self->view != NULL &&
      sluice_view_state_get_position (self->view, sluice_node_get_id (SLUICE_NODE (controller)), &px, &py))
    {
      box_at (self, box)->x = px;
      box_at (self, box)->y = py;
    }
  else
    {
      box_at (self, box)->x = default_x;
      box_at (self, box)->y = default_y;
    }
}

static void
add_edge (SluiceLayout   *self,
          SluiceEdgeKind  kind,
          gboolean        arrow,
          guint           n_points,
          const double   *xy)
{
  SluiceLayoutEdge edge = { 0, };

  g_assert (n_points >= 2 && n_points <= SLUICE_EDGE_MAX_POINTS);
  edge.kind = kind;
  edge.arrow = arrow;
  edge.n_points = n_points;
  for (guint i = 0; i < n_points; i++)
    {
      edge.x[i] = xy[2 * i];
      edge.y[i] = xy[2 * i + 1];
    }
  g_array_append_val (self->edges, edge);
}

/* Arrows between consecutive children of a column container. */
static void
add_column_edges (SluiceLayout *self,
                  guint         container)
{
  guint prev = SLUICE_BOX_NONE;

  for (guint c = box_at (self, container)->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
    {
      if (prev != SLUICE_BOX_NONE)
        {
          SluiceLayoutBox *a = box_at (self, prev), *b = box_at (self, c);
          double xy[4] = { a->x + a->width / 2, a->y + a->height,
                           b->x + b->width / 2, b->y };

          add_edge (self, SLUICE_EDGE_FLOW, TRUE, 2, xy);
        }
      prev = c;
    }
}

static void
add_condition_edges (SluiceLayout *self,
                     guint         box)
{
  SluiceLayoutBox *c = box_at (self, box);
  double cx = c->x + c->width / 2;
  double top = c->y + c->header, bottom = c->y + c->height;

  for (guint l = c->first_child; l != SLUICE_BOX_NONE; l = box_at (self, l)->next_sibling)
    {
      SluiceLayoutBox *lane = box_at (self, l);
      double lx = lane->x + lane->width / 2;
      double split = top + LANE_GAP / 2;
      double join = bottom - MERGE_GAP / 2;
      double in[8] = { cx, top, cx, split, lx, split, lx, lane->y };
      double out[8] = { lx, lane->y + lane->height, lx, join, cx, join, cx, bottom };

      add_edge (self, lane->is_else ? SLUICE_EDGE_FALSE : SLUICE_EDGE_TRUE, TRUE, 4, in);
      add_edge (self, SLUICE_EDGE_MERGE, FALSE, 4, out);
    }
}

static void
add_edges (SluiceLayout *self)
{
  guint prev_ctrl = SLUICE_BOX_NONE;

  for (guint i = 0; i < self->boxes->len; i++)
    {
      SluiceLayoutBox *b = box_at (self, i);

      switch (b->kind)
        {
        case SLUICE_BOX_CONTROLLER:
          {
            guint prev = SLUICE_BOX_NONE;

            for (guint c = b->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
              {
                if (prev != SLUICE_BOX_NONE)
                  {
                    SluiceLayoutBox *p = box_at (self, prev), *q = box_at (self, c);
                    double xy[4] = { p->x + p->width / 2, p->y + p->height,
                                     q->x + q->width / 2, q->y };

                    add_edge (self, SLUICE_EDGE_PHASE, TRUE, 2, xy);
                  }
                prev = c;
              }

            /* From the previous controller's title to this one's. */
            if (prev_ctrl != SLUICE_BOX_NONE)
              {
                SluiceLayoutBox *a = box_at (self, prev_ctrl);
                double ax = a->x + a->width, ay = a->y + a->header / 2;
                double bx = b->x, by = b->y + b->header / 2;
                double mid = (ax + bx) / 2;
                double xy[8] = { ax, ay, mid, ay, mid, by, bx, by };

                if (ABS (ay - by) < 0.5)
                  {
                    double line[4] = { ax, ay, bx, by };
                    add_edge (self, SLUICE_EDGE_STAGE, TRUE, 2, line);
                  }
                else
                  add_edge (self, SLUICE_EDGE_STAGE, TRUE, 4, xy);
              }
            prev_ctrl = i;
          }
          break;

        case SLUICE_BOX_PHASE:
        case SLUICE_BOX_LANE:
          add_column_edges (self, i);
          break;

        case SLUICE_BOX_MODULE:
          if (SLUICE_IS_CONDITION (b->node))
            add_condition_edges (self, i);
          else if (b->list != NULL && !b->collapsed)
            add_column_edges (self, i);
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

SluiceLayout *
sluice_layout_compute (SluicePipeline        *pipeline,
                       const SluiceViewState *view)
{
  SluiceLayout *self;
  GListModel *controllers;
  double x = 0, min_x = 0, min_y = 0, max_x = 0, max_y = 0;
  guint n;

  g_return_val_if_fail (SLUICE_IS_PIPELINE (pipeline), NULL);

  self = g_new0 (SluiceLayout, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->boxes = g_array_new (FALSE, FALSE, sizeof (SluiceLayoutBox));
  self->edges = g_array_new (FALSE, FALSE, sizeof (SluiceLayoutEdge));
  self->by_node = g_hash_table_new (NULL, NULL);
  self->view = view;

  controllers = sluice_pipeline_get_controllers (pipeline);
  n = g_list_model_get_n_items (controllers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceController) controller = g_list_model_get_item (controllers, i);
      guint box = self->boxes->len;

      /* Controllers go left to right, in chain order. */
      layout_controller (self, controller, i, x, 0);
      x = box_at (self, box)->x + box_at (self, box)->width + CTRL_GAP;
    }
  self->view = NULL;

  /* Children were placed relative to their parents; parents come first. */
  for (guint i = 0; i < self->boxes->len; i++)
    {
      SluiceLayoutBox *b = box_at (self, i);

      if (b->parent != SLUICE_BOX_NONE)
        {
          b->x += box_at (self, b->parent)->x;
          b->y += box_at (self, b->parent)->y;
        }
      if (i == 0)
        {
          min_x = b->x;
          min_y = b->y;
          max_x = b->x + b->width;
          max_y = b->y + b->height;
        }
      min_x = MIN (min_x, b->x);
      min_y = MIN (min_y, b->y);
      max_x = MAX (max_x, b->x + b->width);
      max_y = MAX (max_y, b->y + b->height);
    }
  self->bounds[0] = min_x;
  self->bounds[1] = min_y;
  self->bounds[2] = max_x - min_x;
  self->bounds[3] = max_y - min_y;

  add_edges (self);

  return self;
}

SluiceLayout *
sluice_layout_ref (SluiceLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
sluice_layout_unref (SluiceLayout *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->boxes);
  g_array_unref (self->edges);
  g_hash_table_unref (self->by_node);
  g_free (self);
}

guint
sluice_layout_get_n_boxes (SluiceLayout *self)
{
  return self->boxes->len;
}

const SluiceLayoutBox *
sluice_layout_get_box (SluiceLayout *self,
                       guint         index)
{
  g_return_val_if_fail (index < self->boxes->len, NULL);
  return box_at (self, index);
}

guint
sluice_layout_get_n_edges (SluiceLayout *self)
{
  return self->edges->len;
}

const SluiceLayoutEdge *
sluice_layout_get_edge (SluiceLayout *self,
                        guint         index)
{
  g_return_val_if_fail (index < self->edges->len, NULL);
  return &g_array_index (self->edges, SluiceLayoutEdge, index);
}

guint
sluice_layout_find_node (SluiceLayout *self,
                         SluiceNode   *node)
{
  gpointer v = g_hash_table_lookup (self->by_node, node);

  return v ? GPOINTER_TO_UINT (v) - 1 : SLUICE_BOX_NONE;
}

void
sluice_layout_get_bounds (SluiceLayout *self,
                          double       *x,
                          double       *y,
                          double       *width,
                          double       *height)
{
  if (x) *x = self->bounds[0];
  if (y) *y = self->bounds[1];
  if (width) *width = self->bounds[2];
  if (height) *height = self->bounds[3];
}

static inline gboolean
box_contains (const SluiceLayoutBox *b,
              double                 x,
              double                 y)
{
  return x >= b->x && y >= b->y && x < b->x + b->width && y < b->y + b->height;
}

guint
sluice_layout_hit_test (SluiceLayout *self,
                        double        x,
                        double        y)
{
  for (guint i = self->boxes->len; i > 0; i--)
    {
      const SluiceLayoutBox *b = box_at (self, i - 1);

      if (b->kind != SLUICE_BOX_LANE && box_contains (b, x, y))
        return i - 1;
    }
  return SLUICE_BOX_NONE;
}

GArray *
sluice_layout_boxes_in_rect (SluiceLayout *self,
                             double        x,
                             double        y,
                             double        width,
                             double        height)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (guint));

  if (width < 0)
    {
      x += width;
      width = -width;
    }
  if (height < 0)
    {
      y += height;
      height = -height;
    }

  for (guint i = 0; i < self->boxes->len; i++)
    {
      const SluiceLayoutBox *b = box_at (self, i);

      if (b->kind != SLUICE_BOX_LANE &&
          b->x >= x && b->y >= y &&
          b->x + b->width <= x + width && b->y + b->height <= y + height)
        g_array_append_val (result, i);
    }
  return result;
}

static gboolean
box_is_inside (SluiceLayout *self,
               guint         box,
               guint         ancestor)
{
  for (guint b = box; b != SLUICE_BOX_NONE; b = box_at (self, b)->parent)
    if (b == ancestor)
      return TRUE;
  return FALSE;
}

gboolean
sluice_layout_drop_target (SluiceLayout *self,
                           GType         child_type,
                           SluiceNode   *dragged,
                           double        x,
                           double        y,
                           guint        *container,
                           guint        *position)
{
  gboolean want_phase = g_type_is_a (child_type, SLUICE_TYPE_PHASE);
  guint dragged_box = dragged ? sluice_layout_find_node (self, dragged) : SLUICE_BOX_NONE;

  if (!want_phase && !g_type_is_a (child_type, SLUICE_TYPE_MODULE))
    return FALSE;

  for (guint i = self->boxes->len; i > 0; i--)
    {
      const SluiceLayoutBox *b = box_at (self, i - 1);
      gboolean fits;
      guint pos = 0;

      if (b->list == NULL || b->collapsed || !box_contains (b, x, y))
        continue;
      fits = want_phase ? b->kind == SLUICE_BOX_CONTROLLER : b->kind != SLUICE_BOX_CONTROLLER;
      if (!fits)
        continue;
      if (dragged_box != SLUICE_BOX_NONE && box_is_inside (self, i - 1, dragged_box))
        continue;

      /* Count the children before the point along the flow direction. */
      for (guint c = b->first_child; c != SLUICE_BOX_NONE; c = box_at (self, c)->next_sibling)
        {
          const SluiceLayoutBox *cb = box_at (self, c);
          gboolean before = cb->y + cb->height / 2 < y;

          if (before)
            pos++;
        }

      *container = i - 1;
      *position = pos;
      return TRUE;
    }
  return FALSE;
}
