/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-canvas.h"
#include "sluice-run-session.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_CANVAS_RUN_OVERLAY (sluice_canvas_run_overlay_get_type ())
G_DECLARE_FINAL_TYPE (SluiceCanvasRunOverlay, sluice_canvas_run_overlay, SLUICE, CANVAS_RUN_OVERLAY, GtkWidget)

/* Drawn over the canvas (in a GtkOverlay, never taking input): the live
 * state of each node of a run, its counters, the queue of each stage and
 * the flow along the arrows. It follows the canvas's viewport and layout,
 * and animates with a tick callback that exists only while something
 * moves. A failed module's error is the canvas's tooltip there. */
GtkWidget *sluice_canvas_run_overlay_new         (SluiceCanvas           *canvas);
void       sluice_canvas_run_overlay_set_session (SluiceCanvasRunOverlay *self,
                                                  SluiceRunSession       *session);
/* The badge drawn over @node (a module's state, a controller's state,
 * queue and items in flight), or NULL when none is drawn. */
char      *sluice_canvas_run_overlay_dup_label   (SluiceCanvasRunOverlay *self,
                                                  SluiceNode             *node);
/* The label drawn over a condition's then (or else) branch: which way
 * and how many items took it, or NULL. */
char      *sluice_canvas_run_overlay_dup_branch_label (SluiceCanvasRunOverlay *self,
                                                       SluiceNode             *condition,
                                                       gboolean                is_else);
/* The result drawn on a gate's check @index after it saw items: "✓ +0.81"
 * or "✗ −1.19" (its margin), or NULL. */
char      *sluice_canvas_run_overlay_dup_check_label (SluiceCanvasRunOverlay *self,
                                                      SluiceNode             *gate,
                                                      guint                   index);
/* A stage's state in words, as drawn beside its name when zoomed far
 * out: "running", "done", "failed at gate-historical"; NULL before the
 * run reaches it. */
char      *sluice_canvas_run_overlay_dup_stage_words (SluiceCanvasRunOverlay *self,
                                                      SluiceNode             *controller);
/* How many stages the last frame named in words (for tests). */
guint      sluice_canvas_run_overlay_get_stage_words_drawn (SluiceCanvasRunOverlay *self);
/* Whether the tick callback is installed (for tests). */
gboolean   sluice_canvas_run_overlay_get_ticking (SluiceCanvasRunOverlay *self);
/* The tooltip text at a canvas point, or NULL. */
char      *sluice_canvas_run_overlay_dup_tooltip (SluiceCanvasRunOverlay *self,
                                                  double                  x,
                                                  double                  y);
/* The longest time spent drawing the overlay since the last call, in ms
 * (for benchmarks). */
double     sluice_canvas_run_overlay_take_max_frame_ms (SluiceCanvasRunOverlay *self);

/* The frames of the window while the overlay watched them (from layout
 * to the end of painting, as the frame clock runs them), since the last
 * call. */
void       sluice_canvas_run_overlay_take_frame_stats (SluiceCanvasRunOverlay *self,
                                                       double                 *avg_ms,
                                                       double                 *max_ms,
                                                       guint                  *count);
/* What the last cycle of drawing cost the process in CPU besides the
 * run's thread, in µs (see after_paint_cb()); 0 before the second frame
 * of a run. For tests. */
gint64     sluice_canvas_run_overlay_get_frame_cost (SluiceCanvasRunOverlay *self);
/* How many labels the overlay drew since it was made, and how many of
 * them it had to lay out (the others came from the frame before). For
 * tests: a frame lays out only the labels whose text changed. */
void       sluice_canvas_run_overlay_get_label_counts (SluiceCanvasRunOverlay *self,
                                                       guint                  *drawn,
                                                       guint                  *made);

G_END_DECLS
