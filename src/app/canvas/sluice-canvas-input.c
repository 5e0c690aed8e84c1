/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-edits.h"

/* Pointer and keys: hit testing, drags (pan, rubber band, moving
 * nodes, placing controllers), drops from the palette, keyboard
 * navigation and tooltips. The gestures call the pointer functions, which
 * tests call directly. */

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

void
_sluice_canvas_motion_cb (GtkEventControllerMotion *controller,
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

void
_sluice_canvas_leave_cb (GtkEventControllerMotion *controller,
                         SluiceCanvas             *self)
{
  self->pointer_x = self->pointer_y = -1;
  if (self->hover != SLUICE_BOX_NONE)
    {
      self->hover = SLUICE_BOX_NONE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

gboolean
_sluice_canvas_scroll_cb (GtkEventControllerScroll *controller,
                          double                    dx,
                          double                    dy,
                          SluiceCanvas             *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  _sluice_canvas_stop_animation (self);
  if (state & GDK_CONTROL_MASK)
    {
      sluice_viewport_zoom_at (&self->vp, pow (wheel ? 1.15 : 1.01, -dy), self->pointer_x, self->pointer_y);
      _sluice_canvas_viewport_changed (self);
      return TRUE;
    }
  if (state & GDK_SHIFT_MASK && dx == 0)
    {
      dx = dy;
      dy = 0;
    }
  sluice_viewport_pan (&self->vp, -dx * (wheel ? 48 : 1), -dy * (wheel ? 48 : 1));
  _sluice_canvas_viewport_changed (self);
  return TRUE;
}

void
_sluice_canvas_zoom_begin_cb (GtkGesture       *gesture,
                              GdkEventSequence *sequence,
                              SluiceCanvas     *self)
{
  _sluice_canvas_stop_animation (self);
  self->pinch_start_zoom = self->vp.zoom;
}

void
_sluice_canvas_zoom_scale_changed_cb (GtkGestureZoom *gesture,
                                      double          scale,
                                      SluiceCanvas   *self)
{
  double cx, cy;

  gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy);
  sluice_viewport_zoom_at (&self->vp, self->pinch_start_zoom * scale / self->vp.zoom, cx, cy);
  _sluice_canvas_viewport_changed (self);
}

gboolean
sluice_canvas_pointer_press (SluiceCanvas *self,
                             guint         button,
                             double        x,
                             double        y)
{
  _sluice_canvas_stop_animation (self);
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

void
_sluice_canvas_drag_begin_cb (GtkGestureDrag *gesture,
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
      _sluice_canvas_viewport_changed (self);
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

void
_sluice_canvas_drag_update_cb (GtkGestureDrag *gesture,
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
  if (!_sluice_canvas_node_in_pipeline (self, node))
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
  SluiceCanvasDragMode mode;

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

void
_sluice_canvas_drag_end_cb (GtkGestureDrag *gesture,
                            double          dx,
                            double          dy,
                            SluiceCanvas   *self)
{
  sluice_canvas_pointer_release (self, dx, dy,
                                 gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture)));
}

void
_sluice_canvas_click_pressed_cb (GtkGestureClick *gesture,
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

gboolean
_sluice_canvas_key_pressed_cb (GtkEventControllerKey *controller,
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

void
_sluice_canvas_key_released_cb (GtkEventControllerKey *controller,
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

GdkDragAction
_sluice_canvas_drop_motion_cb (GtkDropTarget *target,
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

void
_sluice_canvas_drop_leave_cb (GtkDropTarget *target,
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
  g_signal_emit (self, _sluice_canvas_signals[NODE_DROPPED], 0, node);
  return TRUE;
}

gboolean
_sluice_canvas_drop_cb (GtkDropTarget *target,
                        const GValue  *value,
                        double         x,
                        double         y,
                        SluiceCanvas  *self)
{
  return sluice_canvas_drop_kind (self, G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL, x, y);
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
gboolean
_sluice_canvas_query_tooltip (GtkWidget  *widget,
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
