/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-edits.h"

/* Pixels the pointer must travel before a press becomes a drag. */
#define DRAG_THRESHOLD 4.0

typedef enum
{
  DRAG_NONE,
  DRAG_PENDING,      /* pressed on something, not moved far enough yet */
  DRAG_PAN,
  DRAG_RUBBER,
  DRAG_NODE,         /* reordering a module or a phase */
  DRAG_CONTROLLER,   /* placing a controller frame */
} DragMode;

struct _SluiceCanvas
{
  GtkWidget           parent_instance;

  SluiceDocument     *document;     /* owned */
  SluiceLayout       *layout;       /* owned; NULL when the model changed */
  SluiceViewport      vp;
  gboolean            placed;       /* the viewport was set (fit or stored) */
  SluiceCanvasColors  colors;

  GPtrArray          *selection;    /* owned refs, in selection order */
  SluiceNode         *focus;        /* borrowed from selection */
  guint               hover;        /* box index */
  guint               overview_labels; /* drawn by the last snapshot, for tests */
  GPtrArray          *highlights;   /* owned refs: find's matches */
  GHashTable         *marks;        /* borrowed node → severity + 1 */

  /* The static scene: one render node per controller, built on demand in
   * model coordinates for the level of detail in use. */
  GPtrArray          *tiles;        /* owned SluiceCanvasTiles; NULL when stale */
  gboolean            tiles_with_text;

  DragMode            drag_mode;
  guint               drag_button;
  double              drag_x, drag_y;     /* start, widget coordinates */
  double              drag_dx, drag_dy;   /* offset so far */
  SluiceNode         *drag_node;          /* borrowed */
  guint               drag_box;
  gboolean            drop_ok;
  guint               drop_container;
  guint               drop_position;
  char               *drop_kind;          /* palette kind being dragged in */
  double              drop_mx, drop_my;
  gboolean            space_down;
  double              pointer_x, pointer_y;
  double              pinch_start_zoom;
  guint               prune_source;
  gboolean            show_grid;

  /* A viewport animation, while one runs (zoom buttons, fit, reveal). */
  guint               tick_id;
  gint64              anim_start;
  SluiceViewport      anim_from;
  SluiceViewport      anim_to;
};

#define ANIMATION_USEC 220000

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_SHOW_GRID,
  N_PROPS
};

enum {
  SELECTION_CHANGED,
  VIEWPORT_CHANGED,
  NODE_DROPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceCanvas, sluice_canvas, GTK_TYPE_WIDGET)

/* Scene cache ----------------------------------------------------------------- */

static void
clear_tile_nodes (SluiceCanvas *self)
{
  for (guint i = 0; self->tiles != NULL && i < self->tiles->len; i++)
    g_clear_pointer (&((SluiceCanvasTile *) self->tiles->pdata[i])->node, gsk_render_node_unref);
}

static void
invalidate_layout (SluiceCanvas *self)
{
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  g_clear_pointer (&self->layout, sluice_layout_unref);
  self->hover = SLUICE_BOX_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
node_in_pipeline (SluiceCanvas *self,
                  SluiceNode   *node)
{
  return sluice_node_is_inside (node, SLUICE_NODE (sluice_document_get_pipeline (self->document)));
}

static void
prune_selection (SluiceCanvas *self)
{
  gboolean changed = FALSE;

  for (guint i = self->selection->len; i > 0; i--)
    if (!node_in_pipeline (self, self->selection->pdata[i - 1]))
      {
        if (self->selection->pdata[i - 1] == self->focus)
          self->focus = NULL;
        g_ptr_array_remove_index (self->selection, i - 1);
        changed = TRUE;
      }
  if (changed)
    {
      if (self->focus == NULL && self->selection->len > 0)
        self->focus = self->selection->pdata[self->selection->len - 1];
      g_signal_emit (self, signals[SELECTION_CHANGED], 0);
    }
}

SluiceLayout *
sluice_canvas_get_layout (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);

  if (self->layout == NULL && self->document != NULL)
    {
      self->layout = sluice_layout_compute (sluice_document_get_pipeline (self->document),
                                            sluice_document_get_view_state (self->document));
      self->tiles = sluice_canvas_split_tiles (self->layout);
      prune_selection (self);
    }
  return self->layout;
}

static void
update_marks (SluiceCanvas *self)
{
  GListModel *problems = sluice_document_get_problems (self->document);

  g_hash_table_remove_all (self->marks);
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) problem = g_list_model_get_item (problems, i);
      SluiceNode *node = sluice_document_find_problem_node (self->document, problem);
      gpointer old;

      if (node == NULL)
        continue;
      old = g_hash_table_lookup (self->marks, node);
      /* Errors win over warnings. */
      if (old == NULL || sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR)
        g_hash_table_insert (self->marks, node, GINT_TO_POINTER (sluice_problem_get_severity (problem) + 1));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
style_changed_cb (SluiceCanvas *self)
{
  sluice_canvas_colors_init (&self->colors, adw_style_manager_get_dark (adw_style_manager_get_default ()));
  clear_tile_nodes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Viewport -------------------------------------------------------------------- */

static void
viewport_changed (SluiceCanvas *self)
{
  if (self->document != NULL)
    sluice_document_set_viewport (self->document, self->vp.zoom, self->vp.x, self->vp.y);
  g_signal_emit (self, signals[VIEWPORT_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const SluiceViewport *
sluice_canvas_get_viewport (SluiceCanvas *self)
{
  return &self->vp;
}

static void
stop_animation (SluiceCanvas *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* Where the view is going: the end of a running animation, so that
 * pressing Ctrl+plus twice zooms twice. */
static SluiceViewport
viewport_goal (SluiceCanvas *self)
{
  return self->tick_id != 0 ? self->anim_to : self->vp;
}

static gboolean
animation_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       data)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);
  double t = (gdk_frame_clock_get_frame_time (clock) - self->anim_start) / (double) ANIMATION_USEC;
  double w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  double e, cx0, cy0, cx1, cy1;

  if (t >= 1.0)
    {
      self->vp = self->anim_to;
      self->tick_id = 0;
      viewport_changed (self);
      return G_SOURCE_REMOVE;
    }
  /* Ease out; zoom geometrically, the centre of the view linearly. */
  e = 1.0 - pow (1.0 - MAX (t, 0.0), 3);
  cx0 = self->anim_from.x + w / 2 / self->anim_from.zoom;
  cy0 = self->anim_from.y + h / 2 / self->anim_from.zoom;
  cx1 = self->anim_to.x + w / 2 / self->anim_to.zoom;
  cy1 = self->anim_to.y + h / 2 / self->anim_to.zoom;
  self->vp.zoom = self->anim_from.zoom * pow (self->anim_to.zoom / self->anim_from.zoom, e);
  self->vp.x = cx0 + (cx1 - cx0) * e - w / 2 / self->vp.zoom;
  self->vp.y = cy0 + (cy1 - cy0) * e - h / 2 / self->vp.zoom;
  viewport_changed (self);
  return G_SOURCE_CONTINUE;
}

/* Moves the view to @target, animated when animations are on and the
 * canvas is on screen; the tick callback exists only while it moves. */
static void
animate_to (SluiceCanvas         *self,
            const SluiceViewport *target)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean animations = FALSE;

  g_object_get (gtk_widget_get_settings (widget), "gtk-enable-animations", &animations, NULL);
  if (!animations || clock == NULL || !gtk_widget_get_mapped (widget))
    {
      stop_animation (self);
      self->vp = *target;
      viewport_changed (self);
      return;
    }
  self->anim_from = self->vp;
  self->anim_to = *target;
  self->anim_start = gdk_frame_clock_get_frame_time (clock);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, animation_tick_cb, NULL, NULL);
}

void
sluice_canvas_set_viewport (SluiceCanvas         *self,
                            const SluiceViewport *viewport)
{
  stop_animation (self);
  self->vp = *viewport;
  self->vp.zoom = CLAMP (self->vp.zoom, SLUICE_ZOOM_MIN, SLUICE_ZOOM_MAX);
  self->placed = TRUE;
  viewport_changed (self);
}

void
sluice_canvas_zoom (SluiceCanvas *self,
                    double        factor)
{
  SluiceViewport target = viewport_goal (self);
  double wx = self->pointer_x, wy = self->pointer_y;

  /* From the keyboard, zoom around the middle. */
  if (wx < 0 || wy < 0)
    {
      wx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      wy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  sluice_viewport_zoom_at (&target, factor, wx, wy);
  animate_to (self, &target);
}

void
sluice_canvas_zoom_reset (SluiceCanvas *self)
{
  SluiceViewport target = viewport_goal (self);

  sluice_viewport_zoom_at (&target, 1.0 / target.zoom,
                           gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
  animate_to (self, &target);
}

static void
fit (SluiceCanvas *self,
     gboolean      animate)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  SluiceViewport target = self->vp;
  double x, y, w, h;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  if (layout == NULL)
    return;
  if (width <= 1 || height <= 1)
    {
      /* Not allocated yet: fit on the first allocation. */
      self->placed = FALSE;
      return;
    }
  sluice_layout_get_bounds (layout, &x, &y, &w, &h);
  sluice_viewport_fit (&target, x, y, w, h, width, height, 32);
  self->placed = TRUE;
  if (animate)
    animate_to (self, &target);
  else
    {
      self->vp = target;
      viewport_changed (self);
    }
}

void
sluice_canvas_zoom_to_fit (SluiceCanvas *self)
{
  fit (self, TRUE);
}

/* A newly opened pipeline is shown whole when that leaves it readable,
 * else from its beginning at a readable size. */
static void
place_initially (SluiceCanvas *self)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  double x, y, w, h;

  stop_animation (self);
  fit (self, FALSE);
  if (!self->placed || layout == NULL || self->vp.zoom >= 0.75)
    return;
  sluice_layout_get_bounds (layout, &x, &y, &w, &h);
  self->vp.zoom = 0.75;
  self->vp.x = x - 24 / self->vp.zoom;
  self->vp.y = y - 24 / self->vp.zoom;
  viewport_changed (self);
}

void
sluice_canvas_reveal (SluiceCanvas *self,
                      SluiceNode   *node)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  const SluiceLayoutBox *b;
  SluiceViewport target;
  guint i;

  if (layout == NULL || (i = sluice_layout_find_node (layout, node)) == SLUICE_BOX_NONE)
    return;
  b = sluice_layout_get_box (layout, i);
  target = viewport_goal (self);
  /* Make it readable, then bring it in. */
  if (target.zoom < SLUICE_CANVAS_TEXT_MIN_ZOOM)
    target.zoom = 0.8;
  sluice_viewport_reveal (&target, b->x, b->y, MIN (b->width, 600), MIN (b->height, 400),
                          gtk_widget_get_width (GTK_WIDGET (self)),
                          gtk_widget_get_height (GTK_WIDGET (self)), 48);
  animate_to (self, &target);
}

/* Selection -------------------------------------------------------------------- */

GPtrArray *
sluice_canvas_get_selection (SluiceCanvas *self)
{
  /* Deleted nodes leave the selection as soon as anyone looks. */
  if (self->document != NULL)
    prune_selection (self);
  return self->selection;
}

int
sluice_canvas_get_mark (SluiceCanvas *self,
                        SluiceNode   *node)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->marks, node)) - 1;
}

SluiceNode *
sluice_canvas_get_focus_node (SluiceCanvas *self)
{
  if (self->document != NULL)
    prune_selection (self);
  return self->focus;
}

static void
selection_changed (SluiceCanvas *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

void
sluice_canvas_select (SluiceCanvas *self,
                      SluiceNode   *node,
                      gboolean      extend)
{
  guint index;

  if (!extend)
    g_ptr_array_set_size (self->selection, 0);
  if (node != NULL)
    {
      if (g_ptr_array_find (self->selection, node, &index))
        {
          if (extend)
            {
              g_ptr_array_remove_index (self->selection, index);
              node = self->selection->len ? self->selection->pdata[self->selection->len - 1] : NULL;
            }
        }
      else
        g_ptr_array_add (self->selection, g_object_ref (node));
    }
  self->focus = node;
  selection_changed (self);
}

void
sluice_canvas_select_nodes (SluiceCanvas *self,
                            GPtrArray    *nodes)
{
  g_ptr_array_set_size (self->selection, 0);
  for (guint i = 0; i < nodes->len; i++)
    g_ptr_array_add (self->selection, g_object_ref (nodes->pdata[i]));
  self->focus = nodes->len ? nodes->pdata[nodes->len - 1] : NULL;
  selection_changed (self);
}

static gboolean
select_all_cb (SluiceNode *node,
               gpointer    user_data)
{
  SluiceCanvas *self = user_data;

  if (SLUICE_IS_MODULE (node))
    g_ptr_array_add (self->selection, g_object_ref (node));
  return TRUE;
}

void
sluice_canvas_select_all (SluiceCanvas *self)
{
  g_ptr_array_set_size (self->selection, 0);
  sluice_pipeline_foreach_node (sluice_document_get_pipeline (self->document), select_all_cb, self);
  self->focus = self->selection->len ? self->selection->pdata[self->selection->len - 1] : NULL;
  selection_changed (self);
}

void
sluice_canvas_unselect_all (SluiceCanvas *self)
{
  sluice_canvas_select (self, NULL, FALSE);
}

void
sluice_canvas_select_neighbour (SluiceCanvas *self,
                                int           step,
                                gboolean      by_controller)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  SluiceNode *focus = sluice_canvas_get_focus_node (self);
  guint n, i;

  if (layout == NULL || (n = sluice_layout_get_n_boxes (layout)) == 0)
    return;
  i = focus ? sluice_layout_find_node (layout, focus) : SLUICE_BOX_NONE;
  if (i == SLUICE_BOX_NONE)
    i = step > 0 ? n - 1 : 0;   /* so that the first step lands on an end */

  /* Document order, skipping lanes (or all but controllers). */
  for (guint k = 0; k < n; k++)
    {
      const SluiceLayoutBox *b;

      i = (i + n + step) % n;
      b = sluice_layout_get_box (layout, i);
      if (b->kind == SLUICE_BOX_LANE || (by_controller && b->kind != SLUICE_BOX_CONTROLLER))
        continue;
      sluice_canvas_select (self, b->node, FALSE);
      sluice_canvas_reveal (self, b->node);
      return;
    }
}

void
sluice_canvas_toggle_collapsed (SluiceCanvas *self,
                                SluiceNode   *node)
{
  g_autoptr(SluiceViewState) state = NULL;
  const char *id = sluice_node_get_id (node);

  if (!SLUICE_IS_COMBINATION (node) || id == NULL)
    return;
  state = sluice_view_state_copy (sluice_document_get_view_state (self->document));
  if (!g_hash_table_remove (state->collapsed, id))
    g_hash_table_add (state->collapsed, g_strdup (id));
  sluice_document_push_view_state (self->document, state, _("Collapse"));
}

/* Document ----------------------------------------------------------------------- */

static gboolean
prune_idle_cb (gpointer data)
{
  SluiceCanvas *self = data;

  self->prune_source = 0;
  prune_selection (self);
  return G_SOURCE_REMOVE;
}

static void
pipeline_changed_cb (SluiceCanvas *self)
{
  if (sluice_document_is_storing_view (self->document))
    return;
  invalidate_layout (self);
  /* Not at once: a move takes a node out and puts it back. */
  if (self->prune_source == 0)
    self->prune_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, prune_idle_cb, self, NULL);
}

static void
problems_changed_cb (SluiceCanvas *self)
{
  update_marks (self);
}

static void
document_pipeline_swapped (SluiceCanvas *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);

  g_signal_handlers_disconnect_by_func (pipeline, pipeline_changed_cb, self);
  g_signal_connect_object (pipeline, "changed", G_CALLBACK (pipeline_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
view_changed_cb (SluiceCanvas *self)
{
  /* A new pipeline may have been loaded into the document. */
  document_pipeline_swapped (self);
  invalidate_layout (self);
  prune_selection (self);
}

SluiceDocument *
sluice_canvas_get_document (SluiceCanvas *self)
{
  return self->document;
}

void
sluice_canvas_set_document (SluiceCanvas   *self,
                            SluiceDocument *document)
{
  const SluiceViewState *view;

  g_return_if_fail (SLUICE_IS_CANVAS (self));

  if (self->document == document)
    return;
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
    }
  g_set_object (&self->document, document);
  g_ptr_array_set_size (self->selection, 0);
  g_ptr_array_set_size (self->highlights, 0);
  self->focus = NULL;
  invalidate_layout (self);

  if (document != NULL)
    {
      g_signal_connect_object (document, "view-changed", G_CALLBACK (view_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_problems (document), "items-changed",
                               G_CALLBACK (problems_changed_cb), self, G_CONNECT_SWAPPED);
      document_pipeline_swapped (self);
      update_marks (self);

      view = sluice_document_get_view_state (document);
      self->placed = FALSE;
      if (sluice_document_has_stored_view (document))
        {
          self->vp.zoom = view->zoom;
          self->vp.x = view->x;
          self->vp.y = view->y;
          self->placed = TRUE;
        }
      /* Whoever shows the zoom (the window's label) learns the stored
       * one now, not at the next change. */
      g_signal_emit (self, signals[VIEWPORT_CHANGED], 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
  selection_changed (self);
}

/* Drawing ---------------------------------------------------------------------- */

static void
snapshot_drop_indicator (SluiceCanvas *self,
                         GtkSnapshot  *snapshot,
                         SluiceLayout *layout)
{
  const SluiceLayoutBox *c = sluice_layout_get_box (layout, self->drop_container);
  /* Phases in a controller have wider gaps than modules in a phase. */
  gboolean horizontal = c->kind == SLUICE_BOX_CONTROLLER;
  GdkRGBA fill = self->colors.accent;
  guint i = 0, prev = SLUICE_BOX_NONE, next = SLUICE_BOX_NONE;
  double pos;

  fill.alpha = 0.10;
  gtk_snapshot_append_color (snapshot, &fill, &GRAPHENE_RECT_INIT (c->x, c->y, c->width, c->height));
  sluice_canvas_append_outline (snapshot, c->x, c->y, c->width, c->height, 10, 2 / self->vp.zoom, &self->colors.accent);

  for (guint b = c->first_child; b != SLUICE_BOX_NONE; b = sluice_layout_get_box (layout, b)->next_sibling, i++)
    {
      if (i + 1 == self->drop_position)
        prev = b;
      if (i == self->drop_position)
        next = b;
    }

  if (next != SLUICE_BOX_NONE)
    pos = sluice_layout_get_box (layout, next)->y - (horizontal ? 24 : 14);
  else if (prev != SLUICE_BOX_NONE)
    {
      const SluiceLayoutBox *p = sluice_layout_get_box (layout, prev);
      pos = p->y + p->height + (horizontal ? 24 : 14);
    }
  else
    pos = c->y + c->header + 20;
  gtk_snapshot_append_color (snapshot, &self->colors.accent,
                             &GRAPHENE_RECT_INIT (c->x + 8, pos - 2, c->width - 16, 4));
}

static void
snapshot_overlay (SluiceCanvas *self,
                  GtkSnapshot  *snapshot,
                  SluiceLayout *layout,
                  double        vx,
                  double        vy,
                  double        vw,
                  double        vh)
{
  double line = 2.0 / self->vp.zoom;
  GHashTableIter iter;
  gpointer key, value;

  /* Problem marks: a coloured ring and a dot with "!". */
  g_hash_table_iter_init (&iter, self->marks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint i = sluice_layout_find_node (layout, key);
      const SluiceLayoutBox *b;
      const GdkRGBA *color;
      GskRoundedRect dot;
      double r = 9 / MAX (self->vp.zoom, 0.5);

      if (i == SLUICE_BOX_NONE)
        continue;
      b = sluice_layout_get_box (layout, i);
      if (!sluice_rect_intersects (b->x, b->y, b->width, b->height, vx, vy, vw, vh))
        continue;
      color = GPOINTER_TO_INT (value) - 1 == SLUICE_SEVERITY_ERROR ? &self->colors.error : &self->colors.warning;
      sluice_canvas_append_outline (snapshot, b->x, b->y, b->width,
                                    b->kind == SLUICE_BOX_MODULE ? b->header : b->height,
                                    8, line, color);
      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (b->x + b->width - r, b->y - r, 2 * r, 2 * r), r);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, color, &dot.bounds);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_append_color (snapshot, &self->colors.on_badge,
                                 &GRAPHENE_RECT_INIT (b->x + b->width - r * 0.12, b->y - r * 0.6, r * 0.24, r * 0.75));
      gtk_snapshot_append_color (snapshot, &self->colors.on_badge,
                                 &GRAPHENE_RECT_INIT (b->x + b->width - r * 0.12, b->y + r * 0.3, r * 0.24, r * 0.24));
    }

  /* Every match of find, under the selection's glow. */
  for (guint h = 0; h < self->highlights->len; h++)
    {
      guint i = sluice_layout_find_node (layout, self->highlights->pdata[h]);
      const SluiceLayoutBox *b;
      GdkRGBA tint = self->colors.warning;

      if (i == SLUICE_BOX_NONE)
        continue;
      b = sluice_layout_get_box (layout, i);
      if (!sluice_rect_intersects (b->x - 4, b->y - 4, b->width + 8, b->height + 8, vx, vy, vw, vh))
        continue;
      tint.alpha = 0.25;
      gtk_snapshot_append_color (snapshot, &tint, &GRAPHENE_RECT_INIT (b->x, b->y, b->width,
                                                                      b->kind == SLUICE_BOX_MODULE ? b->header : b->height));
      tint.alpha = 0.9;
      sluice_canvas_append_outline (snapshot, b->x - 2, b->y - 2, b->width + 4,
                                    (b->kind == SLUICE_BOX_MODULE ? b->header : b->height) + 4, 9, line, &tint);
    }

  if (self->hover != SLUICE_BOX_NONE && self->hover < sluice_layout_get_n_boxes (layout))
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, self->hover);
      GdkRGBA hover = self->colors.accent;

      hover.alpha = 0.45;
      sluice_canvas_append_outline (snapshot, b->x, b->y, b->width, b->height, 8, line / 2 + 0.5, &hover);
    }

  for (guint s = 0; s < self->selection->len; s++)
    {
      guint i = sluice_layout_find_node (layout, self->selection->pdata[s]);
      const SluiceLayoutBox *b;
      GdkRGBA glow = self->colors.accent;

      if (i == SLUICE_BOX_NONE)
        continue;
      b = sluice_layout_get_box (layout, i);
      if (!sluice_rect_intersects (b->x - 8, b->y - 8, b->width + 16, b->height + 16, vx, vy, vw, vh))
        continue;
      glow.alpha = 0.25;
      sluice_canvas_append_outline (snapshot, b->x - line, b->y - line, b->width + 2 * line,
                                    b->height + 2 * line, 10, line * 1.5, &glow);
      sluice_canvas_append_outline (snapshot, b->x, b->y, b->width, b->height, 8, line, &self->colors.accent);
    }

  if ((self->drag_mode == DRAG_NODE || self->drop_kind != NULL) && self->drop_ok &&
      self->drop_container < sluice_layout_get_n_boxes (layout))
    snapshot_drop_indicator (self, snapshot, layout);

  if (self->drag_mode == DRAG_NODE || self->drag_mode == DRAG_CONTROLLER)
    {
      guint index = sluice_layout_find_node (layout, self->drag_node);
      const SluiceLayoutBox *b = index != SLUICE_BOX_NONE ? sluice_layout_get_box (layout, index) : NULL;
      GdkRGBA ghost = self->colors.accent;
      double dx = self->drag_dx / self->vp.zoom, dy = self->drag_dy / self->vp.zoom;

      if (b == NULL)
        return;
      ghost.alpha = 0.18;
      gtk_snapshot_append_color (snapshot, &ghost,
                                 &GRAPHENE_RECT_INIT (b->x + dx, b->y + dy, b->width, MIN (b->height, 400)));
      sluice_canvas_append_outline (snapshot, b->x + dx, b->y + dy, b->width, MIN (b->height, 400), 8, line,
                                    &self->colors.accent);
    }
}

/* Zoomed out too far for the scene's own text, each controller still
 * says its name and mode, at a size that reads (semantic zoom): the
 * shape of a large pipeline is never a field of blank boxes. */
static void
snapshot_overview (SluiceCanvas *self,
                   GtkSnapshot  *snapshot,
                   SluiceLayout *layout,
                   gboolean      with_text,
                   double        vx,
                   double        vy,
                   double        vw,
                   double        vh)
{
  g_autoptr(PangoLayout) text = NULL;

  self->overview_labels = 0;
  if (with_text)
    return;
  text = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_ellipsize (text, PANGO_ELLIPSIZE_END);
  for (guint i = 0; i < sluice_layout_get_n_boxes (layout); i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, i);
      SluiceMode mode;
      g_autofree char *label = NULL;
      GdkRGBA color, back;
      double x, y, w, h;
      gboolean vertical;
      int tw, th;

      if (b->kind != SLUICE_BOX_CONTROLLER ||
          !sluice_rect_intersects (b->x, b->y, b->width, b->height, vx, vy, vw, vh))
        continue;
      sluice_viewport_to_widget (&self->vp, b->x, b->y, &x, &y);
      w = b->width * self->vp.zoom;
      h = b->height * self->vp.zoom;
      /* A narrow column (many controllers side by side) is named along
       * its length instead. */
      vertical = w < 80 && h > w;
      if ((vertical ? h : w) < 40 || (vertical && w < 12))
        continue;
      mode = sluice_controller_get_mode (SLUICE_CONTROLLER (b->node));
      sluice_mode_color (mode, &color);
      label = g_strdup_printf ("%s %s", sluice_mode_symbol (mode), sluice_node_get_label (b->node));
      pango_layout_set_text (text, label, -1);
      pango_layout_set_width (text, (int) (MIN ((vertical ? h : w) - 12, 480) * PANGO_SCALE));
      pango_layout_get_pixel_size (text, &tw, &th);
      back = self->colors.background;
      back.alpha = 0.85;
      gtk_snapshot_save (snapshot);
      if (vertical)
        {
          /* Reads top to bottom, centred on the column. */
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + (w + th) / 2 + 2, y + 2));
          gtk_snapshot_rotate (snapshot, 90);
        }
      else
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 2, y + 2));
      gtk_snapshot_append_color (snapshot, &back, &GRAPHENE_RECT_INIT (0, 0, tw + 8, th + 4));
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (0, 0, 3, th + 4));
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (5, 2));
      gtk_snapshot_append_layout (snapshot, text, &self->colors.text);
      gtk_snapshot_restore (snapshot);
      self->overview_labels++;
    }
}

void
sluice_canvas_set_highlights (SluiceCanvas *self,
                              GPtrArray    *nodes)
{
  g_return_if_fail (SLUICE_IS_CANVAS (self));

  g_ptr_array_set_size (self->highlights, 0);
  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    g_ptr_array_add (self->highlights, g_object_ref (nodes->pdata[i]));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GPtrArray *
sluice_canvas_get_highlights (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);
  return self->highlights;
}

guint
sluice_canvas_get_overview_labels (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), 0);
  return self->overview_labels;
}

static void
sluice_canvas_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  SluiceLayout *layout;
  gboolean with_text;
  double vx, vy, vw, vh;

  gtk_snapshot_append_color (snapshot, &self->colors.background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = sluice_canvas_get_layout (self);
  if (layout == NULL)
    return;
  if (!self->placed)
    place_initially (self);

  /* A dot grid that moves with the scene, as a repeat node. */
  if (self->show_grid && self->vp.zoom >= 0.25)
    {
      double step = 24 * self->vp.zoom;
      double ox = fmod (-self->vp.x * self->vp.zoom, step), oy = fmod (-self->vp.y * self->vp.zoom, step);

      if (ox > 0) ox -= step;
      if (oy > 0) oy -= step;
      gtk_snapshot_push_repeat (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height),
                                &GRAPHENE_RECT_INIT (ox, oy, step, step));
      gtk_snapshot_append_color (snapshot, &self->colors.grid, &GRAPHENE_RECT_INIT (ox, oy, 1.5, 1.5));
      gtk_snapshot_pop (snapshot);
    }

  with_text = self->vp.zoom >= SLUICE_CANVAS_TEXT_MIN_ZOOM;
  if (with_text != self->tiles_with_text)
    {
      clear_tile_nodes (self);
      self->tiles_with_text = with_text;
    }

  sluice_viewport_visible (&self->vp, width, height, &vx, &vy, &vw, &vh);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_scale (snapshot, self->vp.zoom, self->vp.zoom);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-self->vp.x, -self->vp.y));

  /* Only the tiles in view, each from its cached node. */
  for (guint t = 0; t < self->tiles->len; t++)
    {
      SluiceCanvasTile *tile = self->tiles->pdata[t];

      if (!sluice_rect_intersects (tile->x, tile->y, tile->width, tile->height, vx, vy, vw, vh))
        continue;
      if (tile->node == NULL)
        tile->node = sluice_canvas_build_tile (widget, &self->colors, layout, tile, with_text);
      gtk_snapshot_append_node (snapshot, tile->node);
    }

  snapshot_overlay (self, snapshot, layout, vx, vy, vw, vh);
  gtk_snapshot_restore (snapshot);
  snapshot_overview (self, snapshot, layout, with_text, vx, vy, vw, vh);

  if (self->drag_mode == DRAG_RUBBER)
    {
      GdkRGBA fill = self->colors.accent;
      double x = self->drag_x + MIN (self->drag_dx, 0), y = self->drag_y + MIN (self->drag_dy, 0);
      double w = fabs (self->drag_dx), h = fabs (self->drag_dy);

      fill.alpha = 0.15;
      gtk_snapshot_append_color (snapshot, &fill, &GRAPHENE_RECT_INIT (x, y, w, h));
      sluice_canvas_append_outline (snapshot, x, y, w, h, 0, 1, &self->colors.accent);
    }
}

/* Input ------------------------------------------------------------------------------ */

static guint
hit (SluiceCanvas *self,
     double        wx,
     double        wy)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  double mx, my;

  if (layout == NULL)
    return SLUICE_BOX_NONE;
  sluice_viewport_to_model (&self->vp, wx, wy, &mx, &my);
  return sluice_layout_hit_test (layout, mx, my);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SluiceCanvas             *self)
{
  guint h;

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->drag_mode != DRAG_NONE)
    return;
  h = hit (self, x, y);
  if (h != self->hover)
    {
      self->hover = h;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
leave_cb (GtkEventControllerMotion *controller,
          SluiceCanvas             *self)
{
  self->pointer_x = self->pointer_y = -1;
  if (self->hover != SLUICE_BOX_NONE)
    {
      self->hover = SLUICE_BOX_NONE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SluiceCanvas             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  stop_animation (self);
  if (state & GDK_CONTROL_MASK)
    {
      sluice_viewport_zoom_at (&self->vp, pow (wheel ? 1.15 : 1.01, -dy), self->pointer_x, self->pointer_y);
      viewport_changed (self);
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  sluice_viewport_pan (&self->vp, -dx * (wheel ? 48 : 1), -dy * (wheel ? 48 : 1));
  viewport_changed (self);
  return TRUE;
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               SluiceCanvas     *self)
{
  stop_animation (self);
  self->pinch_start_zoom = self->vp.zoom;
}

static void
zoom_scale_changed_cb (GtkGestureZoom *gesture,
                       double          scale,
                       SluiceCanvas   *self)
{
  double cx, cy;

  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  sluice_viewport_zoom_at (&self->vp, self->pinch_start_zoom * scale / self->vp.zoom, cx, cy);
  viewport_changed (self);
}

gboolean
sluice_canvas_pointer_press (SluiceCanvas *self,
                             guint         button,
                             double        x,
                             double        y)
{
  stop_animation (self);
  self->drag_button = button;
  self->drag_x = x;
  self->drag_y = y;
  self->drag_dx = self->drag_dy = 0;
  self->drop_ok = FALSE;
  self->drag_box = hit (self, x, y);
  self->drag_node = self->drag_box != SLUICE_BOX_NONE ?
                    sluice_layout_get_box (self->layout, self->drag_box)->node : NULL;

  if (button == GDK_BUTTON_MIDDLE || (button == GDK_BUTTON_PRIMARY && self->space_down))
    self->drag_mode = DRAG_PAN;
  else if (button == GDK_BUTTON_PRIMARY)
    self->drag_mode = DRAG_PENDING;
  else
    {
      self->drag_mode = DRAG_NONE;
      return FALSE;
    }
  return TRUE;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               SluiceCanvas   *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!sluice_canvas_pointer_press (self, button, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
update_drop_target (SluiceCanvas *self,
                    GType         type,
                    SluiceNode   *dragged,
                    double        wx,
                    double        wy)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  double mx, my;

  sluice_viewport_to_model (&self->vp, wx, wy, &mx, &my);
  self->drop_ok = sluice_layout_drop_target (layout, type, dragged, mx, my,
                                             &self->drop_container, &self->drop_position);
}

gboolean
sluice_canvas_pointer_drag (SluiceCanvas *self,
                            double        dx,
                            double        dy)
{
  double prev_dx = self->drag_dx, prev_dy = self->drag_dy;
  gboolean started = FALSE;

  self->drag_dx = dx;
  self->drag_dy = dy;

  if (self->drag_mode == DRAG_PENDING)
    {
      if (hypot (dx, dy) < DRAG_THRESHOLD)
        return FALSE;
      started = TRUE;
      if (self->drag_node == NULL)
        self->drag_mode = DRAG_RUBBER;
      else if (SLUICE_IS_CONTROLLER (self->drag_node))
        self->drag_mode = DRAG_CONTROLLER;
      else
        self->drag_mode = DRAG_NODE;
      if (self->drag_mode != DRAG_RUBBER && !g_ptr_array_find (self->selection, self->drag_node, NULL))
        sluice_canvas_select (self, self->drag_node, FALSE);
    }

  switch (self->drag_mode)
    {
    case DRAG_PAN:
      sluice_viewport_pan (&self->vp, dx - prev_dx, dy - prev_dy);
      viewport_changed (self);
      break;

    case DRAG_NODE:
      update_drop_target (self, G_OBJECT_TYPE (self->drag_node), self->drag_node,
                          self->drag_x + dx, self->drag_y + dy);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_RUBBER:
    case DRAG_CONTROLLER:
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;

    case DRAG_PENDING:
    case DRAG_NONE:
    default:
      break;
    }
  return started;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                SluiceCanvas   *self)
{
  if (sluice_canvas_pointer_drag (self, dx, dy))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
finish_rubber_band (SluiceCanvas *self,
                    gboolean      extend)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  g_autoptr(GArray) boxes = NULL;
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  double x1, y1, x2, y2;
  gboolean any_module = FALSE;

  sluice_viewport_to_model (&self->vp, self->drag_x, self->drag_y, &x1, &y1);
  sluice_viewport_to_model (&self->vp, self->drag_x + self->drag_dx, self->drag_y + self->drag_dy, &x2, &y2);
  boxes = sluice_layout_boxes_in_rect (layout, x1, y1, x2 - x1, y2 - y1);

  /* A band over modules selects the modules, not their phase. */
  for (guint i = 0; i < boxes->len; i++)
    any_module |= sluice_layout_get_box (layout, g_array_index (boxes, guint, i))->kind == SLUICE_BOX_MODULE;
  if (extend)
    for (guint i = 0; i < self->selection->len; i++)
      g_ptr_array_add (nodes, self->selection->pdata[i]);
  for (guint i = 0; i < boxes->len; i++)
    {
      const SluiceLayoutBox *b = sluice_layout_get_box (layout, g_array_index (boxes, guint, i));

      if ((b->kind == SLUICE_BOX_MODULE) == any_module && !g_ptr_array_find (nodes, b->node, NULL))
        g_ptr_array_add (nodes, b->node);
    }
  sluice_canvas_select_nodes (self, nodes);
}

static void
finish_controller_drag (SluiceCanvas *self)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  guint index = sluice_layout_find_node (layout, self->drag_node);
  const SluiceLayoutBox *b;
  g_autoptr(SluiceViewState) state = sluice_view_state_copy (sluice_document_get_view_state (self->document));
  const char *id = sluice_node_get_id (self->drag_node);

  if (id == NULL || index == SLUICE_BOX_NONE)
    return;
  b = sluice_layout_get_box (layout, index);
  /* One command for the whole drag. */
  sluice_view_state_set_position (state, id,
                                  round (b->x + self->drag_dx / self->vp.zoom),
                                  round (b->y + self->drag_dy / self->vp.zoom));
  sluice_document_push_view_state (self->document, state, _("Move"));
}

static void
finish_node_drag (SluiceCanvas *self)
{
  const SluiceLayoutBox *c;
  SluiceNode *node = self->drag_node;

  /* Where the pointer is now, in the current layout. */
  if (!node_in_pipeline (self, node))
    return;
  update_drop_target (self, G_OBJECT_TYPE (node), node,
                      self->drag_x + self->drag_dx, self->drag_y + self->drag_dy);
  if (!self->drop_ok)
    return;
  c = sluice_layout_get_box (self->layout, self->drop_container);
  sluice_edit_move (self->document, node, c->owner, c->list, self->drop_position);
}

void
sluice_canvas_pointer_release (SluiceCanvas    *self,
                               double           dx,
                               double           dy,
                               GdkModifierType  state)
{
  gboolean extend = (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK)) != 0;
  DragMode mode;

  sluice_canvas_pointer_drag (self, dx, dy);
  mode = self->drag_mode;
  self->drag_mode = DRAG_NONE;
  switch (mode)
    {
    case DRAG_PENDING:
      /* A click. */
      sluice_canvas_select (self, self->drag_node, extend);
      break;
    case DRAG_RUBBER:
      finish_rubber_band (self, extend);
      break;
    case DRAG_CONTROLLER:
      finish_controller_drag (self);
      break;
    case DRAG_NODE:
      finish_node_drag (self);
      break;
    case DRAG_PAN:
    case DRAG_NONE:
    default:
      break;
    }
  self->drop_ok = FALSE;
  self->drag_node = NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             SluiceCanvas   *self)
{
  sluice_canvas_pointer_release (self, dx, dy,
                                 gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture)));
}

static void
click_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  SluiceCanvas    *self)
{
  guint h;

  if (n_press != 2)
    return;
  h = hit (self, x, y);
  if (h != SLUICE_BOX_NONE && SLUICE_IS_COMBINATION (sluice_layout_get_box (self->layout, h)->node))
    sluice_canvas_toggle_collapsed (self, sluice_layout_get_box (self->layout, h)->node);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SluiceCanvas          *self)
{
  if (keyval == GDK_KEY_space)
    {
      self->space_down = TRUE;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grab");
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape && self->selection->len > 0)
    {
      sluice_canvas_unselect_all (self);
      return TRUE;
    }
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) == 0)
    {
      int step = 0;
      gboolean by_controller = FALSE;

      switch (keyval)
        {
        case GDK_KEY_Down: case GDK_KEY_KP_Down: step = 1; break;
        case GDK_KEY_Up: case GDK_KEY_KP_Up: step = -1; break;
        case GDK_KEY_Right: case GDK_KEY_KP_Right: step = 1; by_controller = TRUE; break;
        case GDK_KEY_Left: case GDK_KEY_KP_Left: step = -1; by_controller = TRUE; break;
        default: break;
        }
      if (step != 0)
        {
          sluice_canvas_select_neighbour (self, step, by_controller);
          return TRUE;
        }
    }
  return FALSE;
}

static void
key_released_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 SluiceCanvas          *self)
{
  if (keyval == GDK_KEY_space)
    {
      self->space_down = FALSE;
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
    }
}

/* Palette drops ------------------------------------------------------------------- */

static GdkDragAction
drop_motion_cb (GtkDropTarget *target,
                double         x,
                double         y,
                SluiceCanvas  *self)
{
  const GValue *value = gtk_drop_target_get_value (target);
  const char *kind = value && G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL;
  GType type;

  if (kind == NULL || (type = sluice_edit_kind_type (kind)) == G_TYPE_INVALID)
    return 0;
  g_free (self->drop_kind);
  self->drop_kind = g_strdup (kind);
  update_drop_target (self, type, NULL, x, y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               SluiceCanvas  *self)
{
  g_clear_pointer (&self->drop_kind, g_free);
  self->drop_ok = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
sluice_canvas_drop_kind (SluiceCanvas *self,
                         const char   *kind,
                         double        x,
                         double        y)
{
  g_autoptr(SluiceNode) node = NULL;
  SluiceNode *owner;
  GListModel *list;
  guint position;
  GType type;

  g_clear_pointer (&self->drop_kind, g_free);
  if (kind == NULL || (type = sluice_edit_kind_type (kind)) == G_TYPE_INVALID)
    return FALSE;
  update_drop_target (self, type, NULL, x, y);
  node = sluice_edit_create_node (self->document, kind);
  if (node == NULL)
    return FALSE;

  if (self->drop_ok)
    {
      const SluiceLayoutBox *c = sluice_layout_get_box (self->layout, self->drop_container);

      owner = c->owner;
      list = c->list;
      position = self->drop_position;
    }
  else if (!sluice_edit_insertion_point (self->document, self->focus, type, &owner, &list, &position))
    return FALSE;

  self->drop_ok = FALSE;
  sluice_edit_insert (self->document, node, owner, list, position);
  sluice_canvas_select (self, node, FALSE);
  /* A new controller goes after the others, maybe out of sight: follow
   * it, as inserting from the keyboard does. */
  sluice_canvas_reveal (self, node);
  g_signal_emit (self, signals[NODE_DROPPED], 0, node);
  return TRUE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SluiceCanvas  *self)
{
  return sluice_canvas_drop_kind (self, G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL, x, y);
}

/* GObject ------------------------------------------------------------------------ */

static void
sluice_canvas_dispose (GObject *object)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  g_clear_handle_id (&self->prune_source, g_source_remove);
  stop_animation (self);
  /* No signals from here on: the window around us is going away too. */
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
      g_clear_object (&self->document);
    }
  g_ptr_array_set_size (self->selection, 0);
  g_ptr_array_set_size (self->highlights, 0);
  self->focus = NULL;
  G_OBJECT_CLASS (sluice_canvas_parent_class)->dispose (object);
}

static void
sluice_canvas_finalize (GObject *object)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  g_ptr_array_unref (self->selection);
  g_ptr_array_unref (self->highlights);
  g_hash_table_unref (self->marks);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  sluice_canvas_colors_clear (&self->colors);
  g_clear_pointer (&self->layout, sluice_layout_unref);
  g_free (self->drop_kind);
  G_OBJECT_CLASS (sluice_canvas_parent_class)->finalize (object);
}

static void
sluice_canvas_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_SHOW_GRID:
      g_value_set_boolean (value, self->show_grid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_canvas_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      sluice_canvas_set_document (self, g_value_get_object (value));
      break;
    case PROP_SHOW_GRID:
      if (self->show_grid != g_value_get_boolean (value))
        {
          self->show_grid = g_value_get_boolean (value);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

gboolean
sluice_canvas_get_tip_area (SluiceCanvas *self,
                            double        x,
                            double        y,
                            GdkRectangle *area)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  guint index = hit (self, x, y);
  const SluiceLayoutBox *b;
  double mx, my, x0, y0, x1, y1, wx0, wy0, wx1, wy1;

  g_return_val_if_fail (SLUICE_IS_CANVAS (self), FALSE);

  if (index == SLUICE_BOX_NONE)
    return FALSE;
  b = sluice_layout_get_box (layout, index);
  sluice_viewport_to_model (&self->vp, x, y, &mx, &my);
  x0 = b->x, y0 = b->y, x1 = b->x + b->width, y1 = b->y + b->height;
  /* The point is in none of the children: cut each one off on the side
   * the point is, keeping as much of the box as possible. */
  for (guint i = b->first_child; i != SLUICE_BOX_NONE; i = sluice_layout_get_box (layout, i)->next_sibling)
    {
      const SluiceLayoutBox *c = sluice_layout_get_box (layout, i);
      double cx0 = c->x, cy0 = c->y, cx1 = c->x + c->width, cy1 = c->y + c->height;
      double best = -1, nx0 = x0, ny0 = y0, nx1 = x1, ny1 = y1;

      if (cx1 <= x0 || cx0 >= x1 || cy1 <= y0 || cy0 >= y1)
        continue;
      if (mx <= cx0 && (cx0 - x0) * (y1 - y0) > best)
        best = (cx0 - x0) * (y1 - y0), nx0 = x0, ny0 = y0, nx1 = cx0, ny1 = y1;
      if (mx >= cx1 && (x1 - cx1) * (y1 - y0) > best)
        best = (x1 - cx1) * (y1 - y0), nx0 = cx1, ny0 = y0, nx1 = x1, ny1 = y1;
      if (my <= cy0 && (x1 - x0) * (cy0 - y0) > best)
        best = (x1 - x0) * (cy0 - y0), nx0 = x0, ny0 = y0, nx1 = x1, ny1 = cy0;
      if (my >= cy1 && (x1 - x0) * (y1 - cy1) > best)
        best = (x1 - x0) * (y1 - cy1), nx0 = x0, ny0 = cy1, nx1 = x1, ny1 = y1;
      x0 = nx0, y0 = ny0, x1 = nx1, y1 = ny1;
    }
  sluice_viewport_to_widget (&self->vp, x0, y0, &wx0, &wy0);
  sluice_viewport_to_widget (&self->vp, x1, y1, &wx1, &wy1);
  area->x = ceil (wx0);
  area->y = ceil (wy0);
  area->width = MAX (1, (int) floor (wx1) - area->x);
  area->height = MAX (1, (int) floor (wy1) - area->y);
  return TRUE;
}

/* The node under the pointer: what it is, and what the validator says.
 * The tip area is where the node is (without its children): leaving it
 * hides the tooltip, so that the next one appears at the pointer. */
static gboolean
sluice_canvas_query_tooltip (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard,
                             GtkTooltip *tooltip)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);
  guint index = keyboard ? SLUICE_BOX_NONE : hit (self, x, y);
  SluiceNode *node;
  GListModel *problems;
  g_autoptr(GString) text = NULL;
  g_autofree char *label = NULL;
  GdkRectangle area;

  if (index == SLUICE_BOX_NONE)
    return FALSE;
  node = sluice_layout_get_box (self->layout, index)->node;
  label = g_markup_escape_text (sluice_node_get_label (node), -1);
  text = g_string_new (NULL);
  g_string_append_printf (text, "<b>%s</b> · %s", label, sluice_node_get_element_name (node));
  problems = sluice_document_get_problems (self->document);
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) p = g_list_model_get_item (problems, i);
      g_autofree char *message = NULL;

      if (g_strcmp0 (sluice_problem_get_node_id (p), sluice_node_get_id (node)) != 0)
        continue;
      message = g_markup_escape_text (sluice_problem_get_message (p), -1);
      g_string_append_printf (text, "\n%s %s",
                              sluice_problem_get_severity (p) == SLUICE_SEVERITY_ERROR ? "⛔" : "⚠", message);
    }
  gtk_tooltip_set_markup (tooltip, text->str);
  if (sluice_canvas_get_tip_area (self, x, y, &area))
    gtk_tooltip_set_tip_area (tooltip, &area);
  return TRUE;
}

static void
sluice_canvas_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);

  if (!self->placed && width > 1 && height > 1)
    place_initially (self);
}

static void
sluice_canvas_class_init (SluiceCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sluice_canvas_dispose;
  object_class->finalize = sluice_canvas_finalize;
  object_class->get_property = sluice_canvas_get_property;
  object_class->set_property = sluice_canvas_set_property;
  widget_class->snapshot = sluice_canvas_snapshot;
  widget_class->size_allocate = sluice_canvas_size_allocate;
  widget_class->query_tooltip = sluice_canvas_query_tooltip;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, SLUICE_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_GRID] =
    g_param_spec_boolean ("show-grid", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[VIEWPORT_CHANGED] =
    g_signal_new ("viewport-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A palette entry was dropped and became this (selected) node. */
  signals[NODE_DROPPED] =
    g_signal_new ("node-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_NODE);

  gtk_widget_class_set_css_name (widget_class, "sluicecanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sluice_canvas_init (SluiceCanvas *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  GtkDropTarget *drop;

  self->vp.zoom = 1.0;
  self->show_grid = TRUE;
  self->hover = SLUICE_BOX_NONE;
  self->pointer_x = self->pointer_y = -1;
  self->selection = g_ptr_array_new_with_free_func (g_object_unref);
  self->marks = g_hash_table_new (NULL, NULL);
  self->highlights = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pipeline"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Arrow keys select nodes; the inspector edits the selected one"),
                                  -1);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);
  gtk_drop_target_set_preload (drop, TRUE);
  g_signal_connect (drop, "motion", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (drop_leave_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
  sluice_canvas_colors_init (&self->colors, adw_style_manager_get_dark (adw_style_manager_get_default ()));
}

GtkWidget *
sluice_canvas_new (void)
{
  return g_object_new (SLUICE_TYPE_CANVAS, NULL);
}
