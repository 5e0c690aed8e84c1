/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "sluice-canvas-private.h"
#include "sluice-commands.h"
#include "sluice-inspector.h"
#include "sluice-inspector-private.h"
#include "sluice-inspector-multi.h"
#include "sluice-lua-check.h"

G_DEFINE_FINAL_TYPE (SluiceInspector, sluice_inspector, GTK_TYPE_BOX)

static void apply_focus (SluiceInspector *self);

/* Nodes ------------------------------------------------------------------------------------- */

static void
build_module (SluiceInspector *self,
              SluiceModule    *module)
{
  AdwPreferencesGroup *group;
  const char *on_error[] = { _("Fail the run"), _("Drop the item"), _("Continue with the item"), NULL };
  g_autofree char *timeout = NULL;
  GtkWidget *row;

  if (SLUICE_IS_EXECUTION (module))
    _sluice_inspector_build_execution (self, SLUICE_EXECUTION (module));
  else if (SLUICE_IS_CONDITION (module))
    {
      group = _sluice_inspector_add_group (self, _("Condition"));
      adw_preferences_group_set_description (group, _("When (Lua expression): items for which it is true take the first branch"));
      _sluice_inspector_add_expression_editor (self, group, SLUICE_CONDITION (module));
    }
  else if (SLUICE_IS_EXTERNAL (module))
    {
      group = _sluice_inspector_add_group (self, _("External"));
      _sluice_inspector_add_string_row (self, group, G_OBJECT (module), "service", _("Service"), "service");
    }
  else if (SLUICE_IS_GATE (module))
    _sluice_inspector_build_gate (self, SLUICE_GATE (module));
  else if (SLUICE_IS_FAIL (module))
    {
      group = _sluice_inspector_add_group (self, _("Fail"));
      _sluice_inspector_add_string_row (self, group, G_OBJECT (module), "reason", _("Reason"), "reason");
    }

  group = _sluice_inspector_add_group (self, _("Errors and Time"));
  row = adw_entry_row_new ();
  timeout = sluice_module_get_timeout_ms (module) ? sluice_duration_format (sluice_module_get_timeout_ms (module)) : NULL;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Time-out (e.g. 30s, empty for none)"));
  gtk_editable_set_text (GTK_EDITABLE (row), timeout ? timeout : "");
  _sluice_inspector_bind_row (self, row, G_OBJECT (module), "timeout-ms", "timeout");
  g_signal_connect (row, "changed", G_CALLBACK (_sluice_inspector_timeout_changed_cb), self);
  adw_preferences_group_add (group, row);
  _sluice_inspector_add_spin_row (self, group, G_OBJECT (module), "retries", _("Retries"), NULL, 0, 100, 1, 0, "retries");
  _sluice_inspector_add_spin_row (self, group, G_OBJECT (module), "backoff", _("Back-off factor"),
                _("Retry n waits 100 ms × factor^n"), 1, 10, 0.5, 1, "backoff");
  _sluice_inspector_add_enum_row (self, group, G_OBJECT (module), "on-error", _("On error"), on_error, "on-error");
}

static void
build_node (SluiceInspector *self,
            SluiceNode      *node)
{
  AdwPreferencesGroup *group;
  const char *title = _("Module");

  if (SLUICE_IS_CONTROLLER (node))
    title = _("Controller");
  else if (SLUICE_IS_PHASE (node))
    title = _("Phase");
  group = _sluice_inspector_add_group (self, title);
  _sluice_inspector_add_string_row (self, group, G_OBJECT (node), "id", _("Id"), "id");
  _sluice_inspector_add_string_row (self, group, G_OBJECT (node), "name", _("Name"), "name");

  if (SLUICE_IS_CONTROLLER (node))
    {
      const char *modes[] = {
        sluice_mode_label (SLUICE_MODE_NOT_PARALLEL), sluice_mode_label (SLUICE_MODE_NO_ORDER),
        sluice_mode_label (SLUICE_MODE_ORDER_BY_SEQUENCE), sluice_mode_label (SLUICE_MODE_FIRST_WINS), NULL
      };

      _sluice_inspector_add_enum_row (self, group, G_OBJECT (node), "mode", _("Mode"), modes, "mode");
      _sluice_inspector_add_spin_row (self, group, G_OBJECT (node), "workers", _("Workers"),
                    _("Items in flight at once; 0 uses the number of CPUs"), 0, 1024, 1, 0, "workers");
    }
  else if (SLUICE_IS_MODULE (node))
    build_module (self, SLUICE_MODULE (node));
}

/* Problems ------------------------------------------------------------------------------------ */

static void
update_problems (SluiceInspector *self)
{
  GListModel *problems;
  const char *id;

  if (self->problems_group == NULL || self->document == NULL)
    return;
  for (guint i = 0; i < self->problem_rows->len; i++)
    adw_preferences_group_remove (self->problems_group, self->problem_rows->pdata[i]);
  g_ptr_array_set_size (self->problem_rows, 0);

  problems = sluice_document_get_problems (self->document);
  id = self->node ? sluice_node_get_id (self->node) : sluice_node_get_id (SLUICE_NODE (sluice_document_get_pipeline (self->document)));
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) p = g_list_model_get_item (problems, i);
      GtkWidget *row, *icon;
      g_autofree char *escaped = NULL;

      if (g_strcmp0 (sluice_problem_get_node_id (p), id) != 0 || id == NULL)
        continue;
      escaped = g_markup_escape_text (sluice_problem_get_message (p), -1);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      icon = gtk_image_new_from_icon_name (sluice_problem_get_severity (p) == SLUICE_SEVERITY_ERROR ?
                                           "dialog-error-symbolic" : "dialog-warning-symbolic");
      gtk_widget_add_css_class (icon, sluice_problem_get_severity (p) == SLUICE_SEVERITY_ERROR ? "error" : "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      adw_preferences_group_add (self->problems_group, row);
      g_ptr_array_add (self->problem_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), self->problem_rows->len > 0);
}

guint
sluice_inspector_count_problems (SluiceInspector *self)
{
  return self->problem_rows->len;
}

void
_sluice_inspector_rebuild (SluiceInspector *self)
{
  GtkWidget *child;

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  while ((child = gtk_widget_get_first_child (self->content)) != NULL)
    gtk_box_remove (GTK_BOX (self->content), child);
  g_hash_table_remove_all (self->rows);
  g_ptr_array_set_size (self->problem_rows, 0);
  self->problems_group = NULL;
  if (self->document == NULL)
    return;

  self->problems_group = _sluice_inspector_add_group (self, _("Problems"));
  gtk_widget_add_css_class (GTK_WIDGET (self->problems_group), "inspector-problems");
  /* Several nodes: what they are and what can be done to them together,
   * not the last one's properties as if it were alone. */
  if (self->test_case != NULL &&
      !g_list_store_find (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)),
                          self->test_case, NULL))
    g_clear_object (&self->test_case);   /* removed, e.g. its adding undone */
  if (self->test_case != NULL)
    _sluice_inspector_build_test_case (self, self->test_case);
  else if (self->selection->len > 1)
    gtk_box_append (GTK_BOX (self->content), sluice_inspector_multi_new (self->selection));
  else if (self->node != NULL)
    build_node (self, self->node);
  else
    _sluice_inspector_build_pipeline (self, sluice_document_get_pipeline (self->document));
  update_problems (self);
  apply_focus (self);
}

static void
apply_focus (SluiceInspector *self)
{
  if (self->focus_key != NULL)
    {
      GtkWidget *row = g_hash_table_lookup (self->rows, self->focus_key);
      GtkWidget *expander = row ? gtk_widget_get_ancestor (row, ADW_TYPE_EXPANDER_ROW) : NULL;

      if (expander != NULL)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
      if (row != NULL)
        {
          gtk_widget_grab_focus (row);
          gtk_editable_select_region (GTK_EDITABLE (row), 0, -1);
        }
      g_clear_pointer (&self->focus_key, g_free);
    }
}

static gboolean
rebuild_idle_cb (gpointer data)
{
  SluiceInspector *self = data;

  self->rebuild_source = 0;
  _sluice_inspector_rebuild (self);
  return G_SOURCE_REMOVE;
}

void
_sluice_inspector_queue_rebuild (SluiceInspector *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add (rebuild_idle_cb, self);
}

static void
pipeline_changed_cb (SluiceInspector *self)
{
  /* Our own edits are already on screen; others (undo, the canvas) are
   * shown once the burst of changes is over. */
  if (self->updating || self->rebuild_source != 0 ||
      sluice_document_is_storing_view (self->document))
    return;
  self->rebuild_source = g_idle_add (rebuild_idle_cb, self);
}

static void
view_changed_cb (SluiceInspector *self)
{
  /* A new pipeline may have been loaded. */
  g_signal_handlers_disconnect_by_func (sluice_document_get_pipeline (self->document), pipeline_changed_cb, self);
  g_signal_connect_object (sluice_document_get_pipeline (self->document), "changed",
                           G_CALLBACK (pipeline_changed_cb), self, G_CONNECT_SWAPPED);
  pipeline_changed_cb (self);
}

void
sluice_inspector_set_document (SluiceInspector *self,
                               SluiceDocument  *document)
{
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->document, self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_problems (self->document), self);
    }
  g_set_object (&self->document, document);
  g_clear_object (&self->node);
  g_clear_object (&self->test_case);
  if (document != NULL)
    {
      g_signal_connect_object (document, "view-changed", G_CALLBACK (view_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_pipeline (document), "changed",
                               G_CALLBACK (pipeline_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_problems (document), "items-changed",
                               G_CALLBACK (update_problems), self, G_CONNECT_SWAPPED);
    }
  _sluice_inspector_rebuild (self);
}

void
sluice_inspector_set_node (SluiceInspector *self,
                           SluiceNode      *node)
{
  /* The same node again (the canvas tells its selection after every
   * model change): a test case shown stays. */
  if (self->node == node && (self->test_case != NULL ||
                             (self->rebuild_source == 0 && gtk_widget_get_first_child (self->content) != NULL)))
    return;
  g_clear_object (&self->test_case);
  g_set_object (&self->node, node);
  if (self->document != NULL)
    sluice_command_stack_seal (sluice_document_get_history (self->document));
  _sluice_inspector_rebuild (self);
}

void
sluice_inspector_focus_row (SluiceInspector *self,
                            const char      *key)
{
  g_return_if_fail (SLUICE_IS_INSPECTOR (self));

  g_free (self->focus_key);
  self->focus_key = g_strdup (key);
  /* Rows are rebuilt on idle after a change: focus once they are. */
  if (self->rebuild_source == 0)
    apply_focus (self);
}

void
sluice_inspector_set_selection (SluiceInspector *self,
                                GPtrArray       *nodes,
                                SluiceNode      *focus)
{
  guint before = self->selection->len;

  g_return_if_fail (SLUICE_IS_INSPECTOR (self));

  g_ptr_array_set_size (self->selection, 0);
  for (guint i = 0; nodes != NULL && nodes->len > 1 && i < nodes->len; i++)
    g_ptr_array_add (self->selection, g_object_ref (nodes->pdata[i]));
  if (before > 1 || self->selection->len > 1)
    g_clear_object (&self->node);
  sluice_inspector_set_node (self, focus);
}

void
sluice_inspector_set_test_case (SluiceInspector *self,
                                SluiceTestCase  *test,
                                gboolean         has_result,
                                gboolean         passed,
                                const char      *message)
{
  g_return_if_fail (SLUICE_IS_INSPECTOR (self));

  g_set_object (&self->test_case, test);
  self->test_has_result = has_result;
  self->test_passed = passed;
  g_free (self->test_message);
  self->test_message = g_strdup (message);
  if (self->document != NULL)
    sluice_command_stack_seal (sluice_document_get_history (self->document));
  _sluice_inspector_rebuild (self);
}

SluiceTestCase *
sluice_inspector_get_test_case (SluiceInspector *self)
{
  g_return_val_if_fail (SLUICE_IS_INSPECTOR (self), NULL);
  return self->test_case;
}

SluiceNode *
sluice_inspector_get_node (SluiceInspector *self)
{
  return self->node;
}

GtkWidget *
sluice_inspector_get_row (SluiceInspector *self,
                          const char      *key)
{
  if (self->rebuild_source != 0)
    _sluice_inspector_rebuild (self);
  return g_hash_table_lookup (self->rows, key);
}

static void
sluice_inspector_dispose (GObject *object)
{
  SluiceInspector *self = SLUICE_INSPECTOR (object);

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_object (&self->node);
  g_clear_object (&self->test_case);
  g_clear_pointer (&self->test_message, g_free);
  g_clear_object (&self->document);
  g_clear_pointer (&self->focus_key, g_free);
  if (self->selection != NULL)
    g_ptr_array_set_size (self->selection, 0);
  G_OBJECT_CLASS (sluice_inspector_parent_class)->dispose (object);
}

static void
sluice_inspector_finalize (GObject *object)
{
  SluiceInspector *self = SLUICE_INSPECTOR (object);

  g_hash_table_unref (self->rows);
  g_ptr_array_unref (self->problem_rows);
  g_ptr_array_unref (self->selection);
  G_OBJECT_CLASS (sluice_inspector_parent_class)->finalize (object);
}

static void
sluice_inspector_class_init (SluiceInspectorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sluice_inspector_dispose;
  G_OBJECT_CLASS (klass)->finalize = sluice_inspector_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "sluiceinspector");
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
}

static void
sluice_inspector_init (SluiceInspector *self)
{
  GtkWidget *clamp = adw_clamp_new ();

  /* Keeps the panel's natural width small; the canvas gets the rest. */
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 360);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), 300);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->problem_rows = g_ptr_array_new ();
  self->selection = g_ptr_array_new_with_free_func (g_object_unref);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (self->scrolled, TRUE);
  self->content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_start (self->content, 12);
  gtk_widget_set_margin_end (self->content, 12);
  gtk_widget_set_margin_top (self->content, 12);
  gtk_widget_set_margin_bottom (self->content, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), clamp);
  gtk_box_append (GTK_BOX (self), self->scrolled);
}

GtkWidget *
sluice_inspector_new (void)
{
  return g_object_new (SLUICE_TYPE_INSPECTOR, NULL);
}
