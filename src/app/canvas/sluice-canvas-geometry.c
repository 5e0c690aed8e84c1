/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-canvas-geometry.h"

void
sluice_viewport_to_model (const SluiceViewport *vp,
                          double                wx,
                          double                wy,
                          double               *mx,
                          double               *my)
{
  *mx = vp->x + wx / vp->zoom;
  *my = vp->y + wy / vp->zoom;
}

void
sluice_viewport_to_widget (const SluiceViewport *vp,
                           double                mx,
                           double                my,
                           double               *wx,
                           double               *wy)
{
  *wx = (mx - vp->x) * vp->zoom;
  *wy = (my - vp->y) * vp->zoom;
}

void
sluice_viewport_zoom_at (SluiceViewport *vp,
                         double          factor,
                         double          wx,
                         double          wy)
{
  double mx, my;

  sluice_viewport_to_model (vp, wx, wy, &mx, &my);
  vp->zoom = CLAMP (vp->zoom * factor, SLUICE_ZOOM_MIN, SLUICE_ZOOM_MAX);
  /* Keep (mx, my) under (wx, wy). */
  vp->x = mx - wx / vp->zoom;
  vp->y = my - wy / vp->zoom;
}

void
sluice_viewport_pan (SluiceViewport *vp,
                     double          dx,
                     double          dy)
{
  vp->x -= dx / vp->zoom;
  vp->y -= dy / vp->zoom;
}

void
sluice_viewport_fit (SluiceViewport *vp,
                     double          bx,
                     double          by,
                     double          bwidth,
                     double          bheight,
                     double          width,
                     double          height,
                     double          margin)
{
  double aw = MAX (width - 2 * margin, 1), ah = MAX (height - 2 * margin, 1);
  double zoom = 1.0;

  if (bwidth > 0 && bheight > 0)
    zoom = MIN (aw / bwidth, ah / bheight);
  vp->zoom = CLAMP (MIN (zoom, 1.0), SLUICE_ZOOM_MIN, SLUICE_ZOOM_MAX);
  vp->x = bx + bwidth / 2 - width / 2 / vp->zoom;
  vp->y = by + bheight / 2 - height / 2 / vp->zoom;
  /* A tall or wide pipeline starts at its beginning, not its middle. */
  if (bheight * vp->zoom > ah)
    vp->y = by - margin / vp->zoom;
  if (bwidth * vp->zoom > aw)
    vp->x = bx - margin / vp->zoom;
}

void
sluice_viewport_visible (const SluiceViewport *vp,
                         double                width,
                         double                height,
                         double               *x,
                         double               *y,
                         double               *w,
                         double               *h)
{
  *x = vp->x;
  *y = vp->y;
  *w = width / vp->zoom;
  *h = height / vp->zoom;
}

void
sluice_viewport_reveal (SluiceViewport *vp,
                        double          rx,
                        double          ry,
                        double          rw,
                        double          rh,
                        double          width,
                        double          height,
                        double          margin)
{
  double vx, vy, vw, vh, m = margin / vp->zoom;

  sluice_viewport_visible (vp, width, height, &vx, &vy, &vw, &vh);
  if (rw + 2 * m > vw || rx - m < vx)
    vp->x = rx - m;
  else if (rx + rw + m > vx + vw)
    vp->x = rx + rw + m - vw;
  if (rh + 2 * m > vh || ry - m < vy)
    vp->y = ry - m;
  else if (ry + rh + m > vy + vh)
    vp->y = ry + rh + m - vh;
}

gboolean
sluice_rect_intersects (double ax, double ay, double aw, double ah,
                        double bx, double by, double bw, double bh)
{
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

gboolean
sluice_overview_is_vertical (double w,
                             double h)
{
  return w < 80 && h > w;
}

gboolean
sluice_overview_name_rect (double              x,
                           double              y,
                           double              w,
                           double              h,
                           double              tw,
                           double              th,
                           SluiceOverviewRect *bounds)
{
  gboolean vertical = sluice_overview_is_vertical (w, h);

  if ((vertical ? h : w) < 40 || (vertical && w < 12))
    return FALSE;
  /* The text and its padding, with the mode's colour bar at its start;
   * centred on a column narrower than that. */
  if (vertical)
    *bounds = (SluiceOverviewRect) { w < th + 8 ? x + (w - th) / 2 - 2 : x + w - 2 - (th + 4), y + 2, th + 4, tw + 8 };
  else
    *bounds = (SluiceOverviewRect) { x + 2, y + 2, tw + 8, th + 4 };
  return TRUE;
}

gboolean
sluice_overview_words_rect (double              x,
                            double              y,
                            double              w,
                            double              h,
                            double              tw,
                            double              th,
                            double              line_h,
                            SluiceOverviewRect *bounds)
{
  if (!sluice_overview_is_vertical (w, h))
    {
      if (w < 40)
        return FALSE;
      /* Under the name's one line and its padding. */
      *bounds = (SluiceOverviewRect) { x + 2, y + line_h + 8, tw + 12, th + 2 };
      return TRUE;
    }
  /* Beside the name, which takes a line and its padding along the
   * column's right side, with a gap between them. */
  if (w < 40 || h < 60 || w < 2 + (th + 2) + 2 + (line_h + 4) + 2)
    return FALSE;
  *bounds = (SluiceOverviewRect) { x + 2, y + 4, th + 2, tw + 12 };
  return TRUE;
}
