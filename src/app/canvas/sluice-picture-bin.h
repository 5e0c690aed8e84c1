/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_PICTURE_BIN (sluice_picture_bin_get_type ())
G_DECLARE_FINAL_TYPE (SluicePictureBin, sluice_picture_bin, SLUICE, PICTURE_BIN, AdwBin)

/* A bin that, while its child is insensitive (the palette and the
 * inspector during a run), gives the renderer a picture of the child,
 * one texture, instead of the child's nodes. GTK asks the bin again
 * whenever anything in the child changes, so the picture is always what
 * the child shows; a software renderer (Xvfb's llvmpipe), which renders
 * every node of the window on every frame, then renders one rectangle
 * for the child on the run's frames. */
GtkWidget *sluice_picture_bin_new            (void);

typedef void (*SluicePictureDrawFunc) (GtkWidget   *widget,
                                       GtkSnapshot *snapshot,
                                       gpointer     data);
/* What @draw snapshots for @widget, rendered once into a texture of
 * @width × @height in device pixels by the window's own renderer (a GL
 * texture stays on the GPU); NULL before the window is realized. */
GdkTexture *sluice_render_picture (GtkWidget             *widget,
                                   int                    width,
                                   int                    height,
                                   SluicePictureDrawFunc  draw,
                                   gpointer               data);
/* How many pictures the bin has rendered (for tests). */
guint      sluice_picture_bin_get_n_pictures (SluicePictureBin *self);

G_END_DECLS
