/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sluice-canvas-private.h"
#include "sluice-edits.h"

/* Selection, focus, the validator's marks on nodes and find's
 * highlights. */

gboolean
_sluice_canvas_node_in_pipeline (SluiceCanvas *self,
                                 SluiceNode   *node)
{
  return sluice_node_is_inside (node, SLUICE_NODE (sluice_document_get_pipeline (self->document)));
}

void
_sluice_canvas_prune_selection (SluiceCanvas *self)
{
  gboolean changed = FALSE;

  for (guint i = self->selection->len; i > 0; i--)
    if (!_sluice_canvas_node_in_pipeline (self, self->selection->pdata[i - 1]))
      {
        if (self->selection->pdata[i - 1] == self->focus)
          self->focus = NULL;
        g_ptr_array_remove_index (self->selection, i - 1);
        changed = TRUE;
      }
  if (changed)
    {
      if (self->focus == NULL && self->selection->len > 0)
        self->focus = self->selection->pdata[self->selection->len - 1];
      g_signal_emit (self, _sluice_canvas_signals[SELECTION_CHANGED], 0);
    }
}

void
_sluice_canvas_update_marks (SluiceCanvas *self)
{
  GListModel *problems = sluice_document_get_problems (self->document);

  g_hash_table_remove_all (self->marks);
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) problem = g_list_model_get_item (problems, i);
      SluiceNode *node = sluice_document_find_problem_node (self->document, problem);
      gpointer old;

      if (node == NULL)
        continue;
      old = g_hash_table_lookup (self->marks, node);
      /* Errors win over warnings. */
      if (old == NULL || sluice_problem_get_severity (problem) == SLUICE_SEVERITY_ERROR)
        g_hash_table_insert (self->marks, node, GINT_TO_POINTER (sluice_problem_get_severity (problem) + 1));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GPtrArray *
sluice_canvas_get_selection (SluiceCanvas *self)
{
  /* Deleted nodes leave the selection as soon as anyone looks. */
  if (self->document != NULL)
    _sluice_canvas_prune_selection (self);
  return self->selection;
}

int
sluice_canvas_get_mark (SluiceCanvas *self,
                        SluiceNode   *node)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->marks, node)) - 1;
}

SluiceNode *
sluice_canvas_get_focus_node (SluiceCanvas *self)
{
  if (self->document != NULL)
    _sluice_canvas_prune_selection (self);
  return self->focus;
}

void
_sluice_canvas_selection_changed (SluiceCanvas *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, _sluice_canvas_signals[SELECTION_CHANGED], 0);
}

void
sluice_canvas_select (SluiceCanvas *self,
                      SluiceNode   *node,
                      gboolean      extend)
{
  guint index;

  if (!extend)
    g_ptr_array_set_size (self->selection, 0);
  if (node != NULL)
    {
      if (g_ptr_array_find (self->selection, node, &index))
        {
          if (extend)
            {
              g_ptr_array_remove_index (self->selection, index);
              node = self->selection->len ? self->selection->pdata[self->selection->len - 1] : NULL;
            }
        }
      else
        g_ptr_array_add (self->selection, g_object_ref (node));
    }
  self->focus = node;
  _sluice_canvas_selection_changed (self);
}

void
sluice_canvas_select_nodes (SluiceCanvas *self,
                            GPtrArray    *nodes)
{
  g_ptr_array_set_size (self->selection, 0);
  for (guint i = 0; i < nodes->len; i++)
    g_ptr_array_add (self->selection, g_object_ref (nodes->pdata[i]));
  self->focus = nodes->len ? nodes->pdata[nodes->len - 1] : NULL;
  _sluice_canvas_selection_changed (self);
}

static gboolean
select_all_cb (SluiceNode *node,
               gpointer    user_data)
{
  SluiceCanvas *self = user_data;

  if (SLUICE_IS_MODULE (node))
    g_ptr_array_add (self->selection, g_object_ref (node));
  return TRUE;
}

void
sluice_canvas_select_all (SluiceCanvas *self)
{
  g_ptr_array_set_size (self->selection, 0);
  sluice_pipeline_foreach_node (sluice_document_get_pipeline (self->document), select_all_cb, self);
  self->focus = self->selection->len ? self->selection->pdata[self->selection->len - 1] : NULL;
  _sluice_canvas_selection_changed (self);
}

void
sluice_canvas_unselect_all (SluiceCanvas *self)
{
  sluice_canvas_select (self, NULL, FALSE);
}

void
sluice_canvas_select_neighbour (SluiceCanvas *self,
                                int           step,
                                gboolean      by_controller)
{
  SluiceLayout *layout = sluice_canvas_get_layout (self);
  SluiceNode *focus = sluice_canvas_get_focus_node (self);
  guint n, i;

  if (layout == NULL || (n = sluice_layout_get_n_boxes (layout)) == 0)
    return;
  i = focus ? sluice_layout_find_node (layout, focus) : SLUICE_BOX_NONE;
  if (i == SLUICE_BOX_NONE)
    i = step > 0 ? n - 1 : 0;   /* so that the first step lands on an end */

  /* Document order, skipping lanes (or all but controllers). */
  for (guint k = 0; k < n; k++)
    {
      const SluiceLayoutBox *b;

      i = (i + n + step) % n;
      b = sluice_layout_get_box (layout, i);
      if (b->kind == SLUICE_BOX_LANE || (by_controller && b->kind != SLUICE_BOX_CONTROLLER))
        continue;
      sluice_canvas_select (self, b->node, FALSE);
      sluice_canvas_reveal (self, b->node);
      return;
    }
}

void
sluice_canvas_toggle_collapsed (SluiceCanvas *self,
                                SluiceNode   *node)
{
  g_autoptr(SluiceViewState) state = NULL;
  const char *id = sluice_node_get_id (node);

  if (!SLUICE_IS_COMBINATION (node) || id == NULL)
    return;
  state = sluice_view_state_copy (sluice_document_get_view_state (self->document));
  if (!g_hash_table_remove (state->collapsed, id))
    g_hash_table_add (state->collapsed, g_strdup (id));
  sluice_document_push_view_state (self->document, state, _("Collapse"));
}

gboolean
_sluice_canvas_prune_idle_cb (gpointer data)
{
  SluiceCanvas *self = data;

  self->prune_source = 0;
  _sluice_canvas_prune_selection (self);
  return G_SOURCE_REMOVE;
}

void
sluice_canvas_set_highlights (SluiceCanvas *self,
                              GPtrArray    *nodes)
{
  g_return_if_fail (SLUICE_IS_CANVAS (self));

  g_ptr_array_set_size (self->highlights, 0);
  for (guint i = 0; nodes != NULL && i < nodes->len; i++)
    g_ptr_array_add (self->highlights, g_object_ref (nodes->pdata[i]));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GPtrArray *
sluice_canvas_get_highlights (SluiceCanvas *self)
{
  g_return_val_if_fail (SLUICE_IS_CANVAS (self), NULL);
  return self->highlights;
}
