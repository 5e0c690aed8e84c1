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
} SluiceCanvasColors;

/* Below this zoom the scene is drawn without text: it would be a blur of
 * a few pixels, and thousands of text nodes are the costliest part. */
#define SLUICE_CANVAS_TEXT_MIN_ZOOM 0.4

void           sluice_canvas_colors_init     (SluiceCanvasColors *colors,
                                              gboolean            dark);
/* The cached picture of one controller (frame, phases, modules and the
 * arrows that start inside it), in model coordinates. */
GskRenderNode *sluice_canvas_build_tile      (GtkWidget                *widget,
                                              const SluiceCanvasColors *colors,
                                              SluiceLayout             *layout,
                                              guint                     controller_box,
                                              gboolean                  with_text);
/* The arrows from one controller to the next. */
GskRenderNode *sluice_canvas_build_stage_edges (const SluiceCanvasColors *colors,
                                                SluiceLayout             *layout);
/* Arrows of edges, shared with the overlay. */
void           sluice_canvas_append_line     (GtkSnapshot    *snapshot,
                                              double          x1,
                                              double          y1,
                                              double          x2,
                                              double          y2,
                                              double          width,
                                              const GdkRGBA  *color);
void           sluice_canvas_append_arrow_head (GtkSnapshot   *snapshot,
                                                double         x,
                                                double         y,
                                                double         dx,
                                                double         dy,
                                                double         size,
                                                const GdkRGBA *color);
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
