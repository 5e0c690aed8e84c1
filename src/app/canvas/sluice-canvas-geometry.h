/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The mapping between the canvas widget and model coordinates: a zoom
 * factor and the model point shown at the widget's top-left corner.
 * Pure arithmetic, unit tested without a display. */
typedef struct
{
  double zoom;
  double x, y;
} SluiceViewport;

#define SLUICE_ZOOM_MIN 0.05
#define SLUICE_ZOOM_MAX 4.0

void     sluice_viewport_to_model    (const SluiceViewport *vp,
                                      double                wx,
                                      double                wy,
                                      double               *mx,
                                      double               *my);
void     sluice_viewport_to_widget   (const SluiceViewport *vp,
                                      double                mx,
                                      double                my,
                                      double               *wx,
                                      double               *wy);
/* Multiplies the zoom by @factor (clamped) keeping the model point under
 * the widget point (@wx, @wy) where it is, as a map does. */
void     sluice_viewport_zoom_at     (SluiceViewport       *vp,
                                      double                factor,
                                      double                wx,
                                      double                wy);
/* Pans by a widget-space distance. */
void     sluice_viewport_pan         (SluiceViewport       *vp,
                                      double                dx,
                                      double                dy);
/* Zoom and offset that show the model rectangle centred in a widget of
 * @width × @height with @margin pixels around it, never zooming in
 * beyond 1. */
void     sluice_viewport_fit         (SluiceViewport       *vp,
                                      double                bx,
                                      double                by,
                                      double                bwidth,
                                      double                bheight,
                                      double                width,
                                      double                height,
                                      double                margin);
/* The model rectangle visible in a widget of @width × @height. */
void     sluice_viewport_visible     (const SluiceViewport *vp,
                                      double                width,
                                      double                height,
                                      double               *x,
                                      double               *y,
                                      double               *w,
                                      double               *h);
/* Pans the least distance that brings the model rectangle into view. */
void     sluice_viewport_reveal      (SluiceViewport       *vp,
                                      double                rx,
                                      double                ry,
                                      double                rw,
                                      double                rh,
                                      double                width,
                                      double                height,
                                      double                margin);
gboolean sluice_rect_intersects      (double ax, double ay, double aw, double ah,
                                      double bx, double by, double bw, double bh);

/* Zoomed far out, the canvas names each controller, shown at (@x, @y) as
 * @w × @h pixels, in a label around its name's text (@tw × @th), and a
 * run writes each stage's state in words in a pill around their text
 * (@tw × @th, lines of @line_h). A narrow column (many controllers side
 * by side) has both along its length, reading top to bottom: the name
 * along its right side, the words along its left, when there is room
 * for both; otherwise the name is in the top-left corner and the words
 * under it. The bounds are in widget coordinates (a vertical one is
 * drawn rotated by 90° about its top-right corner). FALSE where the
 * box is too small to hold it. Shared by both drawings: the words never
 * cover the name. */
typedef struct
{
  double x, y, width, height;
} SluiceOverviewRect;

gboolean sluice_overview_is_vertical (double                w,
                                      double                h);
gboolean sluice_overview_name_rect   (double                x,
                                      double                y,
                                      double                w,
                                      double                h,
                                      double                tw,
                                      double                th,
                                      SluiceOverviewRect   *bounds);
gboolean sluice_overview_words_rect  (double                x,
                                      double                y,
                                      double                w,
                                      double                h,
                                      double                tw,
                                      double                th,
                                      double                line_h,
                                      SluiceOverviewRect   *bounds);

G_END_DECLS
