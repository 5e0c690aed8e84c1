/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-picture-bin.h"
#include "sluice-edits.h"

/* Drawing: the cached scene tiles in view, then what changes every
 * frame (hover, selection, rubber band, drop target) and, zoomed far out,
 * the overview of controller names. */

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

  _sluice_canvas_snapshot_test_marks (self, snapshot, layout, vx, vy, vw, vh);

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
      SluiceOverviewRect bounds;
      int tw, th;

      if (b->kind != SLUICE_BOX_CONTROLLER ||
          !sluice_rect_intersects (b->x, b->y, b->width, b->height, vx, vy, vw, vh))
        continue;
      sluice_viewport_to_widget (&self->vp, b->x, b->y, &x, &y);
      w = b->width * self->vp.zoom;
      h = b->height * self->vp.zoom;
      /* A narrow column (many controllers side by side) is named along
       * its length instead. Too small a box is not named (whatever its
       * name: known before laying it out). */
      vertical = sluice_overview_is_vertical (w, h);
      if (!sluice_overview_name_rect (x, y, w, h, 0, 0, &bounds))
        continue;
      mode = sluice_controller_get_mode (SLUICE_CONTROLLER (b->node));
      sluice_mode_color (mode, &color);
      label = g_strdup_printf ("%s %s", sluice_mode_symbol (mode), sluice_node_get_label (b->node));
      pango_layout_set_text (text, label, -1);
      pango_layout_set_width (text, (int) (MIN ((vertical ? h : w) - 12, 480) * PANGO_SCALE));
      pango_layout_get_pixel_size (text, &tw, &th);
      sluice_overview_name_rect (x, y, w, h, tw, th, &bounds);
      back = self->colors.background;
      back.alpha = 0.85;
      gtk_snapshot_save (snapshot);
      if (vertical)
        {
          /* Reads top to bottom along the column's right side (a run's
           * stage words go along its left side). */
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bounds.x + bounds.width, bounds.y));
          gtk_snapshot_rotate (snapshot, 90);
        }
      else
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bounds.x, bounds.y));
      gtk_snapshot_append_color (snapshot, &back, &GRAPHENE_RECT_INIT (0, 0, tw + 8, th + 4));
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (0, 0, 3, th + 4));
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (5, 2));
      gtk_snapshot_append_layout (snapshot, text, &self->colors.text);
      gtk_snapshot_restore (snapshot);
      self->overview_labels++;
    }
}

void
sluice_canvas_snapshot_overview (SluiceCanvas *self,
                                 GtkSnapshot  *snapshot)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  double vx, vy, vw, vh;

  if (layout == NULL)
    return;
  sluice_viewport_visible (&self->vp, gtk_widget_get_width (GTK_WIDGET (self)),
                           gtk_widget_get_height (GTK_WIDGET (self)), &vx, &vy, &vw, &vh);
  snapshot_overview (self, snapshot, layout, self->vp.zoom >= SLUICE_CANVAS_TEXT_MIN_ZOOM, vx, vy, vw, vh);
}

guint
sluice_canvas_get_overview_labels (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), 0);
  return self->overview_labels;
}

static void
snapshot_scene (SluiceCanvas *self,
                GtkSnapshot  *snapshot,
                int           width,
                int           height)
{
  GtkWidget *widget = GTK_WIDGET (self);
  SluiceLayout *layout;
  gboolean with_text;
  double vx, vy, vw, vh;

  self->n_scene_draws++;
  gtk_snapshot_append_color (snapshot, &self->colors.background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  layout = sluice_canvas_get_layout (self);
  if (layout == NULL)
    return;
  if (!self->placed)
    _sluice_canvas_place_initially (self);

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
      _sluice_canvas_clear_tile_nodes (self);
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

/* The scene as one texture: every later frame draws one textured
 * rectangle instead of the scene's thousands of nodes, until the canvas
 * changes and GTK asks again. */
static void
draw_scene (GtkWidget   *widget,
            GtkSnapshot *snapshot,
            gpointer     unused)
{
  snapshot_scene (SLUICE_CANVAS (widget), snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
}

void
_sluice_canvas_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (self->keep_picture && width > 0 && height > 0)
    {
      g_autoptr(GdkTexture) picture = sluice_render_picture (widget, width, height, draw_scene, NULL);

      if (picture != NULL)
        {
          gtk_snapshot_append_texture (snapshot, picture, &GRAPHENE_RECT_INIT (0, 0, width, height));
          return;
        }
    }
  snapshot_scene (self, snapshot, width, height);
}

void
sluice_canvas_set_keep_picture (SluiceCanvas *self,
                                gboolean      keep)
{
  g_return_if_fail (SLUICE_IS_CANVAS (self));

  if (self->keep_picture == !!keep)
    return;
  self->keep_picture = !!keep;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
sluice_canvas_get_n_scene_draws (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), 0);
  return self->n_scene_draws;
}
