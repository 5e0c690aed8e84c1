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
  GdkRGBA error_badge;  /* the error's fill under on_badge text */
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
/* The colours the canvas draws with now, in the style manager's style:
 * for what is drawn over it. */
const SluiceCanvasColors *sluice_canvas_get_colors (SluiceCanvas *self);
/* Zoomed out past the scene's text, the controllers' names as the
 * canvas draws them over its scene (nothing closer): for what is drawn
 * over the canvas to draw them again on top. */
void           sluice_canvas_snapshot_overview (SluiceCanvas *self,
                                                GtkSnapshot  *snapshot);
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

/* A gate's check lines: the scene writes what each asks, the run overlay
 * its result in the last this many pixels of the line. */
#define SLUICE_CANVAS_CHECK_RESULT_WIDTH 66.0
char          *sluice_canvas_check_summary   (const SluiceGateCheck *check,
                                              GHashTable            *values);
/* The line the card of @gate shows for its check @index: thresholds
 * resolved with the pipeline's parameter defaults ("Sharpe ≥ 1.0"). */
char          *sluice_canvas_dup_check_line  (SluiceGate            *gate,
                                              guint                  index);

/* Mode presentation: symbol, label and colour for each of the four. */
const char    *sluice_mode_symbol            (SluiceMode mode);
const char    *sluice_mode_label             (SluiceMode mode);
void           sluice_mode_color             (SluiceMode mode,
                                              GdkRGBA   *color);
/* The fill of the mode's badge under white text (colors->on_badge): the
 * mode's colour, one step darker where white reads at less than 4.5:1
 * on it. */
void           sluice_mode_badge_color       (SluiceMode mode,
                                              GdkRGBA   *color);


/* The widget's state, shared by its files by concern:
 *   sluice-canvas.c            the object, its document and the scene cache
 *   sluice-canvas-viewport.c   zoom, pan, fit, reveal and their animation
 *   sluice-canvas-selection.c  selection, focus, marks and find's highlights
 *   sluice-canvas-draw.c       snapshot: scene, overlay, overview, drop target
 *   sluice-canvas-input.c      pointer, keys, drag and drop, tooltips
 * Functions one file offers the others are named _sluice_canvas_*. */

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
} SluiceCanvasDragMode;

struct _SluiceCanvas
{
  GtkWidget           parent_instance;

  SluiceDocument     *document;     /* owned */
  SluiceLayout       *layout;       /* owned; NULL when the model changed */
  SluiceViewport      vp;
  gboolean            placed;       /* the viewport was set (fit or stored) */
  gboolean            placing;      /* in the first placement: tell others after the frame */
  guint               viewport_notify; /* idle that tells them */
  SluiceCanvasColors  colors;

  GPtrArray          *selection;    /* owned refs, in selection order */
  SluiceNode         *focus;        /* borrowed from selection */
  guint               hover;        /* box index */
  guint               overview_labels; /* drawn by the last snapshot, for tests */
  GPtrArray          *highlights;   /* owned refs: find's matches */
  GHashTable         *marks;        /* borrowed node → severity + 1 */
  GHashTable         *test_failures; /* owned id → names of the failed cases */

  /* The static scene: one render node per controller, built on demand in
   * model coordinates for the level of detail in use. */
  GPtrArray          *tiles;        /* owned SluiceCanvasTiles; NULL when stale */
  gboolean            tiles_with_text;

  SluiceCanvasDragMode            drag_mode;
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
  gboolean            keep_picture;  /* draw the scene once into a texture (a run is shown) */
  guint               n_scene_draws; /* for tests */

  /* A viewport animation, while one runs (zoom buttons, fit, reveal). */
  guint               tick_id;
  gint64              anim_start;
  SluiceViewport      anim_from;
  SluiceViewport      anim_to;
};

#define ANIMATION_USEC 220000


enum {
  SELECTION_CHANGED,
  VIEWPORT_CHANGED,
  NODE_DROPPED,
  N_SIGNALS
};

extern guint _sluice_canvas_signals[N_SIGNALS];

void
_sluice_canvas_clear_tile_nodes (SluiceCanvas *self);

gboolean
_sluice_canvas_node_in_pipeline (SluiceCanvas *self,
                                 SluiceNode   *node);

void
_sluice_canvas_prune_selection (SluiceCanvas *self);

void
_sluice_canvas_update_marks (SluiceCanvas *self);

/* sluice-canvas-test-marks.c: failed test cases' frames and tags. */
void
_sluice_canvas_snapshot_test_marks (SluiceCanvas *self,
                                    GtkSnapshot  *snapshot,
                                    SluiceLayout *layout,
                                    double        vx,
                                    double        vy,
                                    double        vw,
                                    double        vh);

void
_sluice_canvas_viewport_changed (SluiceCanvas *self);

void
_sluice_canvas_stop_animation (SluiceCanvas *self);

void
_sluice_canvas_selection_changed (SluiceCanvas *self);

gboolean
_sluice_canvas_prune_idle_cb (gpointer data);

void
_sluice_canvas_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot);

void
_sluice_canvas_motion_cb (GtkEventControllerMotion *controller,
                          double                    x,
                          double                    y,
                          SluiceCanvas             *self);

void
_sluice_canvas_leave_cb (GtkEventControllerMotion *controller,
                         SluiceCanvas             *self);

gboolean
_sluice_canvas_scroll_cb (GtkEventControllerScroll *controller,
                          double                    dx,
                          double                    dy,
                          SluiceCanvas             *self);

void
_sluice_canvas_zoom_begin_cb (GtkGesture       *gesture,
                              GdkEventSequence *sequence,
                              SluiceCanvas     *self);

void
_sluice_canvas_zoom_scale_changed_cb (GtkGestureZoom *gesture,
                                      double          scale,
                                      SluiceCanvas   *self);

void
_sluice_canvas_drag_begin_cb (GtkGestureDrag *gesture,
                              double          x,
                              double          y,
                              SluiceCanvas   *self);

void
_sluice_canvas_drag_update_cb (GtkGestureDrag *gesture,
                               double          dx,
                               double          dy,
                               SluiceCanvas   *self);

void
_sluice_canvas_drag_end_cb (GtkGestureDrag *gesture,
                            double          dx,
                            double          dy,
                            SluiceCanvas   *self);

void
_sluice_canvas_click_pressed_cb (GtkGestureClick *gesture,
                                 int              n_press,
                                 double           x,
                                 double           y,
                                 SluiceCanvas    *self);

gboolean
_sluice_canvas_key_pressed_cb (GtkEventControllerKey *controller,
                               guint                  keyval,
                               guint                  keycode,
                               GdkModifierType        state,
                               SluiceCanvas          *self);

void
_sluice_canvas_key_released_cb (GtkEventControllerKey *controller,
                                guint                  keyval,
                                guint                  keycode,
                                GdkModifierType        state,
                                SluiceCanvas          *self);

GdkDragAction
_sluice_canvas_drop_motion_cb (GtkDropTarget *target,
                               double         x,
                               double         y,
                               SluiceCanvas  *self);

void
_sluice_canvas_drop_leave_cb (GtkDropTarget *target,
                              SluiceCanvas  *self);

gboolean
_sluice_canvas_drop_cb (GtkDropTarget *target,
                        const GValue  *value,
                        double         x,
                        double         y,
                        SluiceCanvas  *self);

void _sluice_canvas_place_initially (SluiceCanvas *self);

gboolean _sluice_canvas_query_tooltip (GtkWidget  *widget,
                                       int         x,
                                       int         y,
                                       gboolean    keyboard_mode,
                                       GtkTooltip *tooltip);

G_END_DECLS
