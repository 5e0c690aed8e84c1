/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-picture-bin.h"

struct _SluicePictureBin
{
  AdwBin     parent_instance;

  GtkWidget *watched;     /* borrowed: the child whose sensitivity we follow */
  guint      n_pictures;
};

G_DEFINE_FINAL_TYPE (SluicePictureBin, sluice_picture_bin, ADW_TYPE_BIN)

GdkTexture *
sluice_render_picture (GtkWidget             *widget,
                       int                    width,
                       int                    height,
                       SluicePictureDrawFunc  draw,
                       gpointer               data)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  int scale = gtk_widget_get_scale_factor (widget);
  GtkSnapshot *inner;
  g_autoptr(GskRenderNode) node = NULL;

  if (renderer == NULL || !gsk_renderer_is_realized (renderer))
    return NULL;
  inner = gtk_snapshot_new ();
  gtk_snapshot_scale (inner, scale, scale);
  draw (widget, inner, data);
  node = gtk_snapshot_free_to_node (inner);
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width * scale, height * scale));
}

static void
draw_child (GtkWidget   *widget,
            GtkSnapshot *snapshot,
            gpointer     child)
{
  gtk_widget_snapshot_child (widget, child, snapshot);
}

static void
sluice_picture_bin_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  SluicePictureBin *self = SLUICE_PICTURE_BIN (widget);
  GtkWidget *child = adw_bin_get_child (ADW_BIN (self));
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (child == NULL)
    return;
  if (!gtk_widget_get_sensitive (child) && gtk_widget_get_visible (child) && width > 0 && height > 0)
    {
      g_autoptr(GdkTexture) picture = sluice_render_picture (widget, width, height, draw_child, child);

      if (picture != NULL)
        {
          self->n_pictures++;
          gtk_snapshot_append_texture (snapshot, picture, &GRAPHENE_RECT_INIT (0, 0, width, height));
          return;
        }
    }
  gtk_widget_snapshot_child (widget, child, snapshot);
}

static void
sensitive_changed_cb (SluicePictureBin *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Follows the child's sensitivity: a picture while it is off. */
static void
watch_child (SluicePictureBin *self)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (self));

  if (child == self->watched)
    return;
  if (self->watched != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->watched, sensitive_changed_cb, self);
      g_object_remove_weak_pointer (G_OBJECT (self->watched), (gpointer *) &self->watched);
    }
  self->watched = child;
  if (child != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (child), (gpointer *) &self->watched);
      g_signal_connect_swapped (child, "notify::sensitive", G_CALLBACK (sensitive_changed_cb), self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
sluice_picture_bin_dispose (GObject *object)
{
  SluicePictureBin *self = SLUICE_PICTURE_BIN (object);

  if (self->watched != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->watched, sensitive_changed_cb, self);
      g_object_remove_weak_pointer (G_OBJECT (self->watched), (gpointer *) &self->watched);
      self->watched = NULL;
    }
  G_OBJECT_CLASS (sluice_picture_bin_parent_class)->dispose (object);
}

static void
sluice_picture_bin_class_init (SluicePictureBinClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sluice_picture_bin_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = sluice_picture_bin_snapshot;
}

static void
sluice_picture_bin_init (SluicePictureBin *self)
{
  g_signal_connect (self, "notify::child", G_CALLBACK (watch_child), NULL);
}

GtkWidget *
sluice_picture_bin_new (void)
{
  return g_object_new (SLUICE_TYPE_PICTURE_BIN, NULL);
}

guint
sluice_picture_bin_get_n_pictures (SluicePictureBin *self)
{
  g_return_val_if_fail (SLUICE_IS_PICTURE_BIN (self), 0);
  return self->n_pictures;
}
