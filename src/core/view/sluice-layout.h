/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-pipeline.h"
#include "sluice-view-state.h"

G_BEGIN_DECLS

/* The geometry of a pipeline as the designer draws it, in model units
 * (pixels at zoom 1). Controllers are columns from left to right in
 * chain order (or where the user put them), their phases stacked inside
 * them top to bottom, and each phase's modules in a column, since a phase
 * is a chain. Conditions hold their true and false branches as two lanes;
 * combinations hold their modules unless collapsed.
 *
 * A layout is a plain snapshot: it borrows the nodes of the pipeline and
 * must be recomputed after any change of the tree. Everything here is a
 * pure function, so that hit testing is unit tested without a display.
 *
 * Why not graphviz here: the pipeline is a tree of chains (controllers of
 * phases of modules, branches and groups nested in them), so the boxes
 * follow from their sizes in one pass, O(n): about 10 ms for 5,000
 * modules, where dot on the whole graph takes some 38 s and per-phase dot
 * would only rediscover the chains. Graphviz draws what it is good at,
 * the exports (sluice-export.h), with controllers and phases as
 * clusters. */

typedef enum
{
  SLUICE_BOX_CONTROLLER,
  SLUICE_BOX_PHASE,
  SLUICE_BOX_MODULE,
  SLUICE_BOX_LANE,      /* the then/else branch of a condition */
} SluiceBoxKind;

#define SLUICE_BOX_NONE G_MAXUINT

typedef struct
{
  SluiceBoxKind  kind;
  SluiceNode    *node;       /* borrowed; for a lane, its condition */
  guint          parent;     /* index of the enclosing box, or SLUICE_BOX_NONE */
  guint          depth;
  /* For boxes that hold children (controller, phase, lane, expanded
   * combination): the list they come from and the node owning it. */
  GListModel    *list;       /* borrowed, may be NULL */
  SluiceNode    *owner;      /* borrowed, may be NULL */
  guint          index;      /* position of the node in its parent list */
  guint          first_child;  /* SLUICE_BOX_NONE when there is none */
  guint          next_sibling; /* SLUICE_BOX_NONE for the last child */
  guint          is_else : 1;
  guint          collapsed : 1;
  double         x, y, width, height;
  double         header;     /* height of the title strip */
} SluiceLayoutBox;

typedef enum
{
  SLUICE_EDGE_FLOW,         /* module to module inside a phase or lane */
  SLUICE_EDGE_PHASE,        /* phase to phase */
  SLUICE_EDGE_STAGE,        /* controller to controller */
  SLUICE_EDGE_TRUE,         /* condition into its then lane */
  SLUICE_EDGE_FALSE,        /* condition into its else lane */
  SLUICE_EDGE_MERGE,        /* lane back to the end of its condition */
} SluiceEdgeKind;

#define SLUICE_EDGE_MAX_POINTS 4

typedef struct
{
  SluiceEdgeKind kind;
  guint          n_points;
  double         x[SLUICE_EDGE_MAX_POINTS];
  double         y[SLUICE_EDGE_MAX_POINTS];
  gboolean       arrow;      /* draw an arrow head at the last point */
} SluiceLayoutEdge;

typedef struct _SluiceLayout SluiceLayout;

SluiceLayout    *sluice_layout_compute        (SluicePipeline        *pipeline,
                                               const SluiceViewState *view);
SluiceLayout    *sluice_layout_ref            (SluiceLayout *self);
void             sluice_layout_unref          (SluiceLayout *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceLayout, sluice_layout_unref)

guint                   sluice_layout_get_n_boxes (SluiceLayout *self);
/* Boxes are in document order (pre-order): a box comes before its
 * children, so the last box containing a point is the deepest one. */
const SluiceLayoutBox  *sluice_layout_get_box     (SluiceLayout *self,
                                                   guint         index);
guint                   sluice_layout_get_n_edges (SluiceLayout *self);
const SluiceLayoutEdge *sluice_layout_get_edge    (SluiceLayout *self,
                                                   guint         index);
/* Index of the box of @node, or SLUICE_BOX_NONE. */
guint            sluice_layout_find_node      (SluiceLayout *self,
                                               SluiceNode   *node);
void             sluice_layout_get_bounds     (SluiceLayout *self,
                                               double       *x,
                                               double       *y,
                                               double       *width,
                                               double       *height);

/* The deepest box under a model point, or SLUICE_BOX_NONE. Lanes are
 * never returned: a point in a lane hits its condition. */
guint            sluice_layout_hit_test       (SluiceLayout *self,
                                               double        x,
                                               double        y);
/* Indexes of the module, phase and controller boxes that lie entirely
 * inside the rectangle (rubber-band selection). Free with g_array_unref. */
GArray          *sluice_layout_boxes_in_rect  (SluiceLayout *self,
                                               double        x,
                                               double        y,
                                               double        width,
                                               double        height);

/* Where a dragged node of @child_type would be dropped at a model point:
 * the container box (phase, lane or expanded combination for modules;
 * controller for phases; by height) and the position in its list. @dragged, if not
 * NULL, is excluded from the candidates (a node cannot go into itself).
 * Returns FALSE when there is no container of the right kind there. */
gboolean         sluice_layout_drop_target    (SluiceLayout *self,
                                               GType         child_type,
                                               SluiceNode   *dragged,
                                               double        x,
                                               double        y,
                                               guint        *container,
                                               guint        *position);

/* Geometry constants shared with the canvas. */
#define SLUICE_LAYOUT_MODULE_WIDTH   200.0
#define SLUICE_LAYOUT_MODULE_HEIGHT   56.0
/* A gate's card grows by one line per check, up to a few lines. */
#define SLUICE_LAYOUT_CHECK_LINE      18.0
#define SLUICE_LAYOUT_MAX_CHECK_LINES  6

G_END_DECLS
