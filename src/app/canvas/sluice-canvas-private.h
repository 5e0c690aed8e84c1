/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-canvas.h"

G_BEGIN_DECLS

/* Colours of the scene, for the light or the dark style. */
typedef struct
{
  GdkRGBA background;
  GdkRGBA grid;
  GdkRGBA controller_fill;
  GdkRGBA controller_border;
  GdkRGBA phase_fill;
  GdkRGBA phase_border;
  GdkRGBA card;
  GdkRGBA card_border;
  GdkRGBA lane_fill;
  GdkRGBA text;
  GdkRGBA dim_text;
  GdkRGBA edge;
  GdkRGBA accent;
  GdkRGBA error;
  GdkRGBA warning;
  GdkRGBA on_badge;
  /* Arrow heads as textures: a rotated clip would cost an offscreen pass
   * per arrow in the GL renderer. Owned. */
  GdkTexture *arrow_down;
  GdkTexture *arrow_right;
} SluiceCanvasColors;

/* A piece of the static scene: the boxes of one controller whose top lies
 * in one band of SLUICE_CANVAS_TILE_HEIGHT, and the arrows starting there.
 * Drawn only when its bounds (the union of its content) are in view. */
typedef struct
{
  double         x, y, width, height;
  GArray        *boxes;   /* guint box indexes, in document order */
  GArray        *edges;   /* guint edge indexes */
  GskRenderNode *node;    /* owned, built on demand; NULL until then */
} SluiceCanvasTile;

#define SLUICE_CANVAS_TILE_HEIGHT 1024.0

/* Below this zoom the scene is drawn without text: it would be a blur of
 * a few pixels, and thousands of text nodes are the costliest part. */
#define SLUICE_CANVAS_TEXT_MIN_ZOOM 0.4

void           sluice_canvas_colors_init     (SluiceCanvasColors *colors,
                                              gboolean            dark);
void           sluice_canvas_colors_clear    (SluiceCanvasColors *colors);
/* Splits the scene into tiles, in drawing order. Pure: tested without a
 * display. Returns a GPtrArray of SluiceCanvasTile that frees them. */
GPtrArray     *sluice_canvas_split_tiles     (SluiceLayout             *layout);
/* The cached picture of one tile, in model coordinates. Without text,
 * the level of detail for far-out zoom: plain shapes only. */
GskRenderNode *sluice_canvas_build_tile      (GtkWidget                *widget,
                                              const SluiceCanvasColors *colors,
                                              SluiceLayout             *layout,
                                              const SluiceCanvasTile   *tile,
                                              gboolean                  with_text);
/* Arrows of edges, shared with the overlay. */
void           sluice_canvas_append_line     (GtkSnapshot    *snapshot,
                                              double          x1,
                                              double          y1,
                                              double          x2,
                                              double          y2,
                                              double          width,
                                              const GdkRGBA  *color);
void           sluice_canvas_append_arrow_head (GtkSnapshot              *snapshot,
                                                const SluiceCanvasColors *colors,
                                                double                    x,
                                                double                    y,
                                                double                    dx,
                                                double                    dy,
                                                double                    size);
void           sluice_canvas_append_outline  (GtkSnapshot    *snapshot,
                                              double          x,
                                              double          y,
                                              double          width,
                                              double          height,
                                              double          radius,
                                              double          line,
                                              const GdkRGBA  *color);

/* Mode presentation: symbol, label and colour for each of the four. */
const char    *sluice_mode_symbol            (SluiceMode mode);
const char    *sluice_mode_label             (SluiceMode mode);
void           sluice_mode_color             (SluiceMode mode,
                                              GdkRGBA   *color);

G_END_DECLS
