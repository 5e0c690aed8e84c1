/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "sluice-canvas-private.h"
#include "sluice-edits.h"

enum {
  PROP_0,
  PROP_DOCUMENT,
  PROP_SHOW_GRID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint _sluice_canvas_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceCanvas, sluice_canvas, GTK_TYPE_WIDGET)

/* Scene cache ----------------------------------------------------------------- */

void
_sluice_canvas_clear_tile_nodes (SluiceCanvas *self)
{
  for (guint i = 0; self->tiles != NULL && i < self->tiles->len; i++)
    g_clear_pointer (&((SluiceCanvasTile *) self->tiles->pdata[i])->node, gsk_render_node_unref);
}

static void
invalidate_layout (SluiceCanvas *self)
{
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  g_clear_pointer (&self->layout, sluice_layout_unref);
  self->hover = SLUICE_BOX_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

SluiceLayout *
sluice_canvas_get_layout (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);

  if (self->layout == NULL && self->document != NULL)
    {
      self->layout = sluice_layout_compute (sluice_document_get_pipeline (self->document),
                                            sluice_document_get_view_state (self->document));
      self->tiles = sluice_canvas_split_tiles (self->layout);
      _sluice_canvas_prune_selection (self);
    }
  return self->layout;
}

const SluiceCanvasColors *
sluice_canvas_get_colors (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);
  return &self->colors;
}

static void
style_changed_cb (SluiceCanvas *self)
{
  sluice_canvas_colors_init (&self->colors, adw_style_manager_get_dark (adw_style_manager_get_default ()));
  _sluice_canvas_clear_tile_nodes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Viewport -------------------------------------------------------------------- */

/* Selection -------------------------------------------------------------------- */

/* Document ----------------------------------------------------------------------- */

static void
pipeline_changed_cb (SluiceCanvas *self)
{
  if (sluice_document_is_storing_view (self->document))
    return;
  invalidate_layout (self);
  /* Not at once: a move takes a node out and puts it back. */
  if (self->prune_source == 0)
    self->prune_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, _sluice_canvas_prune_idle_cb, self, NULL);
}

static void
problems_changed_cb (SluiceCanvas *self)
{
  _sluice_canvas_update_marks (self);
}

static void
document_pipeline_swapped (SluiceCanvas *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);

  g_signal_handlers_disconnect_by_func (pipeline, pipeline_changed_cb, self);
  g_signal_connect_object (pipeline, "changed", G_CALLBACK (pipeline_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
view_changed_cb (SluiceCanvas *self)
{
  /* A new pipeline may have been loaded into the document. */
  document_pipeline_swapped (self);
  invalidate_layout (self);
  _sluice_canvas_prune_selection (self);
}

SluiceDocument *
sluice_canvas_get_document (SluiceCanvas *self)
{
  return self->document;
}

void
sluice_canvas_set_document (SluiceCanvas   *self,
                            SluiceDocument *document)
{
  const SluiceViewState *view;

  g_return_if_fail (SLUICE_IS_CANVAS (self));

  if (self->document == document)
    return;
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
    }
  g_set_object (&self->document, document);
  g_ptr_array_set_size (self->selection, 0);
  g_ptr_array_set_size (self->highlights, 0);
  g_hash_table_remove_all (self->test_failures);
  self->focus = NULL;
  invalidate_layout (self);

  if (document != NULL)
    {
      g_signal_connect_object (document, "view-changed", G_CALLBACK (view_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_problems (document), "items-changed",
                               G_CALLBACK (problems_changed_cb), self, G_CONNECT_SWAPPED);
      document_pipeline_swapped (self);
      _sluice_canvas_update_marks (self);

      view = sluice_document_get_view_state (document);
      self->placed = FALSE;
      if (sluice_document_has_stored_view (document))
        {
          self->vp.zoom = view->zoom;
          self->vp.x = view->x;
          self->vp.y = view->y;
          self->placed = TRUE;
        }
      /* Whoever shows the zoom (the window's label) learns the stored
       * one now, not at the next change. */
      g_signal_emit (self, _sluice_canvas_signals[VIEWPORT_CHANGED], 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOCUMENT]);
  _sluice_canvas_selection_changed (self);
}

/* Drawing ---------------------------------------------------------------------- */

/* Input ------------------------------------------------------------------------------ */

/* Palette drops ------------------------------------------------------------------- */

/* GObject ------------------------------------------------------------------------ */

static void
sluice_canvas_dispose (GObject *object)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  g_clear_handle_id (&self->prune_source, g_source_remove);
  g_clear_handle_id (&self->viewport_notify, g_source_remove);
  _sluice_canvas_stop_animation (self);
  /* No signals from here on: the window around us is going away too. */
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
      g_clear_object (&self->document);
    }
  g_ptr_array_set_size (self->selection, 0);
  g_ptr_array_set_size (self->highlights, 0);
  self->focus = NULL;
  G_OBJECT_CLASS (sluice_canvas_parent_class)->dispose (object);
}

static void
sluice_canvas_finalize (GObject *object)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  g_ptr_array_unref (self->selection);
  g_ptr_array_unref (self->highlights);
  g_hash_table_unref (self->marks);
  g_hash_table_unref (self->test_failures);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  sluice_canvas_colors_clear (&self->colors);
  g_clear_pointer (&self->layout, sluice_layout_unref);
  g_free (self->drop_kind);
  G_OBJECT_CLASS (sluice_canvas_parent_class)->finalize (object);
}

static void
sluice_canvas_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      g_value_set_object (value, self->document);
      break;
    case PROP_SHOW_GRID:
      g_value_set_boolean (value, self->show_grid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_canvas_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SluiceCanvas *self = SLUICE_CANVAS (object);

  switch (prop_id)
    {
    case PROP_DOCUMENT:
      sluice_canvas_set_document (self, g_value_get_object (value));
      break;
    case PROP_SHOW_GRID:
      if (self->show_grid != g_value_get_boolean (value))
        {
          self->show_grid = g_value_get_boolean (value);
          gtk_widget_queue_draw (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sluice_canvas_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  SluiceCanvas *self = SLUICE_CANVAS (widget);

  if (!self->placed && width > 1 && height > 1)
    _sluice_canvas_place_initially (self);
}

static void
sluice_canvas_class_init (SluiceCanvasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sluice_canvas_dispose;
  object_class->finalize = sluice_canvas_finalize;
  object_class->get_property = sluice_canvas_get_property;
  object_class->set_property = sluice_canvas_set_property;
  widget_class->snapshot = _sluice_canvas_snapshot;
  widget_class->size_allocate = sluice_canvas_size_allocate;
  widget_class->query_tooltip = _sluice_canvas_query_tooltip;

  properties[PROP_DOCUMENT] =
    g_param_spec_object ("document", NULL, NULL, SLUICE_TYPE_DOCUMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_GRID] =
    g_param_spec_boolean ("show-grid", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  _sluice_canvas_signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  _sluice_canvas_signals[VIEWPORT_CHANGED] =
    g_signal_new ("viewport-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A palette entry was dropped and became this (selected) node. */
  _sluice_canvas_signals[NODE_DROPPED] =
    g_signal_new ("node-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SLUICE_TYPE_NODE);

  gtk_widget_class_set_css_name (widget_class, "sluicecanvas");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sluice_canvas_init (SluiceCanvas *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  GtkDropTarget *drop;

  self->vp.zoom = 1.0;
  self->show_grid = TRUE;
  self->hover = SLUICE_BOX_NONE;
  self->pointer_x = self->pointer_y = -1;
  self->selection = g_ptr_array_new_with_free_func (g_object_unref);
  self->marks = g_hash_table_new (NULL, NULL);
  self->test_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->highlights = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pipeline"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Arrow keys select nodes; the inspector edits the selected one"),
                                  -1);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (_sluice_canvas_motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (_sluice_canvas_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (_sluice_canvas_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (_sluice_canvas_zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (_sluice_canvas_zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), 0);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (_sluice_canvas_drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (_sluice_canvas_drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (_sluice_canvas_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (_sluice_canvas_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (_sluice_canvas_key_pressed_cb), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (_sluice_canvas_key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drop = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_COPY);
  gtk_drop_target_set_preload (drop, TRUE);
  g_signal_connect (drop, "motion", G_CALLBACK (_sluice_canvas_drop_motion_cb), self);
  g_signal_connect (drop, "leave", G_CALLBACK (_sluice_canvas_drop_leave_cb), self);
  g_signal_connect (drop, "drop", G_CALLBACK (_sluice_canvas_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
  sluice_canvas_colors_init (&self->colors, adw_style_manager_get_dark (adw_style_manager_get_default ()));
}

GtkWidget *
sluice_canvas_new (void)
{
  return g_object_new (SLUICE_TYPE_CANVAS, NULL);
}
