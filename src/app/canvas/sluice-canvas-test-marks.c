/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-canvas-private.h"

/* The marks of failed test cases: the module (or controller) each
 * failure is about gets a thick error frame and a tag naming the cases
 * that failed there, until the next run of the tests (or a new file). */

void
sluice_canvas_set_test_failures (SluiceCanvas *self,
                                 GHashTable   *failures)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (SLUICE_IS_CANVAS (self));

  g_hash_table_remove_all (self->test_failures);
  if (failures != NULL)
    {
      g_hash_table_iter_init (&iter, failures);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (self->test_failures, g_strdup (key), g_strdup (value));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
sluice_canvas_get_test_failure (SluiceCanvas *self,
                                SluiceNode   *node)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);

  if (node == NULL || sluice_node_get_id (node) == NULL)
    return NULL;
  return g_hash_table_lookup (self->test_failures, sluice_node_get_id (node));
}

static void
draw_tag (SluiceCanvas  *self,
          GtkSnapshot   *snapshot,
          const char    *text,
          double         x,
          double         y)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GskRoundedRect rect;
  int w, h;

  pango_layout_set_width (layout, 320 * PANGO_SCALE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &w, &h);
  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y - h - 6, w + 14, h + 4), (h + 4) / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, &self->colors.error_badge, &rect.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 7, y - h - 4));
  gtk_snapshot_append_layout (snapshot, layout, &self->colors.on_badge);
  gtk_snapshot_restore (snapshot);
}

void
_sluice_canvas_snapshot_test_marks (SluiceCanvas *self,
                                    GtkSnapshot  *snapshot,
                                    SluiceLayout *layout,
                                    double        vx,
                                    double        vy,
                                    double        vw,
                                    double        vh)
{
  SluicePipeline *pipeline;
  GHashTableIter iter;
  gpointer key, value;
  double line = 3.0 / MIN (self->vp.zoom, 1.0);

  if (self->document == NULL || g_hash_table_size (self->test_failures) == 0)
    return;
  pipeline = sluice_document_get_pipeline (self->document);
  g_hash_table_iter_init (&iter, self->test_failures);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SluiceNode *node = sluice_pipeline_find_node (pipeline, key);
      guint i = node != NULL ? sluice_layout_find_node (layout, node) : SLUICE_BOX_NONE;
      const SluiceLayoutBox *b;
      g_autofree char *tag = NULL;

      if (i == SLUICE_BOX_NONE)
        continue;
      b = sluice_layout_get_box (layout, i);
      if (!sluice_rect_intersects (b->x - 8, b->y - 40, b->width + 16, b->height + 48, vx, vy, vw, vh))
        continue;
      sluice_canvas_append_outline (snapshot, b->x - line, b->y - line, b->width + 2 * line,
                                    b->height + 2 * line, 10, line, &self->colors.error);
      /* Readable at any zoom the scene has text at; far out the frame
       * alone says it. */
      if (self->vp.zoom >= SLUICE_CANVAS_TEXT_MIN_ZOOM)
        {
          tag = g_strdup_printf (_("✗ test failed: %s"), (const char *) value);
          draw_tag (self, snapshot, tag, b->x + 4, b->y - line);
        }
    }
}
