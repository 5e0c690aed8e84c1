/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sluice-canvas-geometry.h"
#include "sluice-document.h"
#include "sluice-layout.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_CANVAS (sluice_canvas_get_type ())
G_DECLARE_FINAL_TYPE (SluiceCanvas, sluice_canvas, SLUICE, CANVAS, GtkWidget)

/* The one widget that draws a whole pipeline: controllers, phases,
 * modules, branches and arrows, from a layout, with zoom and pan as a
 * transform over a cached scene and selection and hover as an overlay. */
GtkWidget      *sluice_canvas_new               (void);
SluiceDocument *sluice_canvas_get_document      (SluiceCanvas   *self);
void            sluice_canvas_set_document      (SluiceCanvas   *self,
                                                 SluiceDocument *document);

/* The selected nodes in document order (borrowed array). */
GPtrArray      *sluice_canvas_get_selection     (SluiceCanvas   *self);
/* The node the inspector shows: the last one selected, or NULL. */
SluiceNode     *sluice_canvas_get_focus_node    (SluiceCanvas   *self);
void            sluice_canvas_select            (SluiceCanvas   *self,
                                                 SluiceNode     *node,
                                                 gboolean        extend);
void            sluice_canvas_select_nodes      (SluiceCanvas   *self,
                                                 GPtrArray      *nodes);
void            sluice_canvas_select_all        (SluiceCanvas   *self);
void            sluice_canvas_unselect_all      (SluiceCanvas   *self);
/* Scrolls the node into view. */
void            sluice_canvas_reveal            (SluiceCanvas   *self,
                                                 SluiceNode     *node);

void            sluice_canvas_zoom              (SluiceCanvas   *self,
                                                 double          factor);
void            sluice_canvas_zoom_reset        (SluiceCanvas   *self);
void            sluice_canvas_zoom_to_fit       (SluiceCanvas   *self);
const SluiceViewport *sluice_canvas_get_viewport (SluiceCanvas  *self);
void            sluice_canvas_set_viewport      (SluiceCanvas   *self,
                                                 const SluiceViewport *viewport);
/* The current layout, recomputed first if the model changed. */
SluiceLayout   *sluice_canvas_get_layout        (SluiceCanvas   *self);
/* Keyboard navigation: selects the next (@step 1) or previous (-1) node
 * in document order, or controller with @by_controller. */
void            sluice_canvas_select_neighbour  (SluiceCanvas   *self,
                                                 int             step,
                                                 gboolean        by_controller);
/* The pointer gestures, in widget coordinates, as the canvas's own
 * gesture handlers call them (and tests and scripts can): a press with a
 * button, drags by an offset from the press, the release. A press on a
 * node and a drag moves it (controllers are placed, modules and phases
 * reordered at the drop target), a press elsewhere draws a rubber band,
 * the middle button (or space held) pans; a release without a drag is a
 * click. press returns FALSE for a button the canvas ignores; drag
 * returns TRUE when the press just became a drag. */
gboolean        sluice_canvas_pointer_press     (SluiceCanvas   *self,
                                                 guint           button,
                                                 double          x,
                                                 double          y);
gboolean        sluice_canvas_pointer_drag      (SluiceCanvas   *self,
                                                 double          dx,
                                                 double          dy);
void            sluice_canvas_pointer_release   (SluiceCanvas   *self,
                                                 double          dx,
                                                 double          dy,
                                                 GdkModifierType state);
/* Drops a palette entry (its kind) at a widget point: into the container
 * there, or after the selection. */
gboolean        sluice_canvas_drop_kind         (SluiceCanvas   *self,
                                                 const char     *kind,
                                                 double          x,
                                                 double          y);
void            sluice_canvas_toggle_collapsed  (SluiceCanvas   *self,
                                                 SluiceNode     *node);
/* The problem mark drawn on @node: the worst SluiceSeverity of the
 * validator's messages about it, or -1 for none. */
int             sluice_canvas_get_mark          (SluiceCanvas   *self,
                                                 SluiceNode     *node);
/* Nodes drawn highlighted (find's matches); NULL or empty for none. */
void            sluice_canvas_set_highlights    (SluiceCanvas   *self,
                                                 GPtrArray      *nodes);
GPtrArray      *sluice_canvas_get_highlights    (SluiceCanvas   *self);
/* Marks failed test cases on the canvas: @failures maps a node id to the
 * names of the cases that failed there (copied; NULL clears). */
void            sluice_canvas_set_test_failures (SluiceCanvas   *self,
                                                 GHashTable     *failures);
/* The names of the failed cases marked on @node, or NULL. */
const char     *sluice_canvas_get_test_failure  (SluiceCanvas   *self,
                                                 SluiceNode     *node);
/* How many controllers the last frame named in the overview drawn when
 * zoomed out past the scene's own text (for tests). */
guint           sluice_canvas_get_overview_labels (SluiceCanvas *self);
/* While a run is shown the scene under it stands still and only the
 * run's overlay changes: the canvas then keeps its picture as a texture,
 * rendered once each time the canvas itself changes, so that a frame of
 * the run does not render the whole scene again (a software renderer
 * renders every node of the window on every frame). */
void            sluice_canvas_set_keep_picture  (SluiceCanvas   *self,
                                                 gboolean        keep);
/* How many times the canvas drew its scene (for tests: a run's frames
 * must not draw it again). */
guint           sluice_canvas_get_n_scene_draws (SluiceCanvas   *self);
/* The tooltip's area at a widget point: the node there, without its
 * children (widget coordinates). FALSE over no node. */
gboolean        sluice_canvas_get_tip_area      (SluiceCanvas   *self,
                                                 double          x,
                                                 double          y,
                                                 GdkRectangle   *area);

G_END_DECLS
