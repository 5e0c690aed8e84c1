/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-edits.h"

/* Zoom, pan, fit and reveal: the viewport and its animation, a tick
 * callback that exists only while the view moves. */

static gboolean
viewport_notify_cb (gpointer user_data)
{
  SluiceCanvas *self = user_data;

  self->viewport_notify = 0;
  g_signal_emit (self, _sluice_canvas_signals[VIEWPORT_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

void
_sluice_canvas_viewport_changed (SluiceCanvas *self)
{
  if (self->document != NULL)
    sluice_document_set_viewport (self->document, self->vp.zoom, self->vp.x, self->vp.y);
  /* The first placement happens while GTK allocates or draws the window:
   * other widgets must not change now (the zoom label's new text would
   * be drawn without an allocation). They hear of it after the frame. */
  if (self->placing)
    {
      if (self->viewport_notify == 0)
        self->viewport_notify = g_idle_add_full (G_PRIORITY_HIGH_IDLE, viewport_notify_cb, self, NULL);
    }
  else
    g_signal_emit (self, _sluice_canvas_signals[VIEWPORT_CHANGED], 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const SluiceViewport *
sluice_canvas_get_viewport (SluiceCanvas *self)
{
  return &self->vp;
}

void
_sluice_canvas_stop_animation (SluiceCanvas *self)
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
      _sluice_canvas_viewport_changed (self);
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
  _sluice_canvas_viewport_changed (self);
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
      _sluice_canvas_stop_animation (self);
      self->vp = *target;
      _sluice_canvas_viewport_changed (self);
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
  _sluice_canvas_stop_animation (self);
  self->vp = *viewport;
  self->vp.zoom = CLAMP (self->vp.zoom, SLUICE_ZOOM_MIN, SLUICE_ZOOM_MAX);
  self->placed = TRUE;
  _sluice_canvas_viewport_changed (self);
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
  /* z × (1 / z) is not 1 for every z (a fitted zoom such as the strategy
   * example's with its gates): 100 % is exactly 1. */
  target.zoom = 1.0;
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
      _sluice_canvas_viewport_changed (self);
    }
}

void
sluice_canvas_zoom_to_fit (SluiceCanvas *self)
{
  fit (self, TRUE);
}

/* A newly opened pipeline is shown whole when that leaves it readable,
 * else from its beginning at a readable size. */
void
_sluice_canvas_place_initially (SluiceCanvas *self)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  double x, y, w, h;

  _sluice_canvas_stop_animation (self);
  self->placing = TRUE;
  fit (self, FALSE);
  if (self->placed && layout != NULL && self->vp.zoom < 0.75)
    {
      sluice_layout_get_bounds (layout, &x, &y, &w, &h);
      self->vp.zoom = 0.75;
      self->vp.x = x - 24 / self->vp.zoom;
      self->vp.y = y - 24 / self->vp.zoom;
      _sluice_canvas_viewport_changed (self);
    }
  self->placing = FALSE;
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
