/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sluice-application.h"
#include "sluice-canvas.h"
#include "sluice-edits.h"
#include "sluice-inspector.h"
#include "sluice-palette.h"
#include "sluice-window.h"
#include "test-app-common.h"
#include "test-app-generate.h"

/* Tests of the designer under a display (xvfb-run in the test suite).
 * They drive windows through their actions, as a user or a script does,
 * and check the model. */

static SluiceApplication *app;
static char *tmp_dir;

static SluiceWindow *
open_window (const char *path)
{
  return test_app_open_window (app, path);
}

static void
close_window (SluiceWindow *window)
{
  SluiceDocument *document = sluice_window_get_document (window);

  /* Tests leave windows modified on purpose: throw the changes away. */
  sluice_document_discard_draft (document);
  g_object_add_weak_pointer (G_OBJECT (document), (gpointer *) &document);
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (50);
  /* Nothing keeps a closed document alive (no reference cycles). */
  g_assert_null (document);
}

static void
activate (SluiceWindow *window,
          const char   *action,
          GVariant     *param)
{
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), action));
  g_action_group_activate_action (G_ACTION_GROUP (window), action, param);
}

static SluicePipeline *
pipeline_of (SluiceWindow *window)
{
  return sluice_document_get_pipeline (sluice_window_get_document (window));
}

static SluiceNode *
find (SluiceWindow *window,
      const char   *id)
{
  return sluice_pipeline_find_node (pipeline_of (window), id);
}

static char *
canonical (SluicePipeline *pipeline)
{
  gsize length;

  return sluice_save_to_data (pipeline, &length);
}

/* Saves through the action, loads the file again and compares. */
static void
assert_save_reload (SluiceWindow *window,
                    const char   *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) reloaded = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *again = NULL;

  activate (window, "save-to", g_variant_new_string (path));
  g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
  reloaded = sluice_load_file (path, problems);
  g_assert_nonnull (reloaded);
  g_assert_false (sluice_problems_have_errors (problems));
  saved = canonical (pipeline_of (window));
  again = canonical (reloaded);
  g_assert_cmpstr (saved, ==, again);
}

static guint
count_modules_cb_n;

static gboolean
count_cb (SluiceNode *node,
          gpointer    user_data)
{
  if (SLUICE_IS_MODULE (node))
    count_modules_cb_n++;
  return TRUE;
}

static guint
count_modules (SluiceWindow *window)
{
  count_modules_cb_n = 0;
  sluice_pipeline_foreach_node (pipeline_of (window), count_cb, NULL);
  return count_modules_cb_n;
}

/* The first widget of @type in the window, breadth first. */
static GtkWidget *
find_widget (SluiceWindow *window,
             GType         type)
{
  GQueue queue = G_QUEUE_INIT;
  GtkWidget *found = NULL;

  g_queue_push_tail (&queue, window);
  while (!g_queue_is_empty (&queue) && found == NULL)
    {
      GtkWidget *w = g_queue_pop_head (&queue);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        found = w;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
        g_queue_push_tail (&queue, c);
    }
  g_queue_clear (&queue);
  return found;
}

/* The first widget of @type with a CSS class, breadth first. */
static GtkWidget *
find_widget_with_class (SluiceWindow *window,
                        GType         type,
                        const char   *css_class)
{
  GQueue queue = G_QUEUE_INIT;
  GtkWidget *found = NULL;

  g_queue_push_tail (&queue, window);
  while (!g_queue_is_empty (&queue) && found == NULL)
    {
      GtkWidget *w = g_queue_pop_head (&queue);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_has_css_class (w, css_class))
        found = w;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
        g_queue_push_tail (&queue, c);
    }
  g_queue_clear (&queue);
  return found;
}

static gint
position_of (SluiceNode *node)
{
  guint position;

  g_assert_true (sluice_node_get_container (node, NULL, NULL, &position));
  return position;
}

/* Each example opens without problems, renders, and saves to the same
 * model. */
static void
test_open_examples (void)
{
  g_autofree char *dir_path = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "data", "examples", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *saved_name = NULL;
      SluiceWindow *window;
      SluiceLayout *layout;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      window = open_window (path);
      g_assert_true (strstr (gtk_window_get_title (GTK_WINDOW (window)), name) != NULL);
      g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
      layout = sluice_canvas_get_layout (sluice_window_get_canvas (window));
      g_assert_cmpuint (sluice_layout_get_n_boxes (layout), >, 0);
      saved_name = g_strdup_printf ("saved-%s", name);
      assert_save_reload (window, saved_name);
      close_window (window);
      n++;
    }
  g_assert_cmpuint (n, >=, 1);

  /* A broken file is refused with the loader's message, naming the file
   * and line, and the window keeps what it had. */
  {
    g_autofree char *bad = g_build_filename (g_getenv ("SLUICE_SOURCE_ROOT"), "tests", "data", "hostile",
                                             "truncated.xml", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (bad);
    SluiceWindow *window = sluice_window_new (app);

    gtk_window_present (GTK_WINDOW (window));
    g_assert_false (sluice_window_load (window, file));
    g_assert_nonnull (strstr (sluice_window_get_last_message (window), "truncated.xml:"));
    g_assert_null (sluice_document_get_file (sluice_window_get_document (window)));
    test_app_spin (50);
    close_window (window);
  }
}

static void
test_edit_actions (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceDocument *document = sluice_window_get_document (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  guint modules = count_modules (window);
  SluiceNode *focus, *added, *owner;
  GListModel *list;
  guint position;
  g_autofree char *before = canonical (pipeline_of (window));

  /* Select the first module of the second phase, add a Lua module after it. */
  {
    GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
    g_autoptr(SluiceController) c = g_list_model_get_item (controllers, 0);
    g_autoptr(SluicePhase) p = g_list_model_get_item (sluice_controller_get_phases (c), 0);
    g_autoptr(SluiceNode) m = g_list_model_get_item (sluice_phase_get_modules (p), 0);

    activate (window, "select", g_variant_new_string (sluice_node_get_id (m)));
    g_assert_true (sluice_canvas_get_focus_node (canvas) == m);
  }
  focus = sluice_canvas_get_focus_node (canvas);
  activate (window, "insert", g_variant_new_string ("lua"));
  g_assert_cmpuint (count_modules (window), ==, modules + 1);
  added = sluice_canvas_get_focus_node (canvas);
  g_assert_true (SLUICE_IS_EXECUTION (added));
  g_assert_true (sluice_node_get_parent (added) == sluice_node_get_parent (focus));
  g_assert_cmpint (position_of (added), ==, position_of (focus) + 1);
  g_assert_true (sluice_document_get_modified (document));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• "));

  /* Reorder: up, then down again. */
  activate (window, "move-up", NULL);
  g_assert_cmpint (position_of (added), ==, position_of (focus) - 1);
  activate (window, "move-down", NULL);
  g_assert_cmpint (position_of (added), ==, position_of (focus) + 1);

  /* Move into another controller's phase, at its start (what a drag
   * does), then undo the move. */
  {
    GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
    g_autoptr(SluiceController) c = g_list_model_get_item (controllers, 1);
    g_autoptr(SluicePhase) p = g_list_model_get_item (sluice_controller_get_phases (c), 0);

    activate (window, "move-to", g_variant_new ("(sssu)", sluice_node_get_id (added),
                                                sluice_node_get_id (SLUICE_NODE (p)), "", 0));
    g_assert_true (sluice_node_get_parent (added) == SLUICE_NODE (p));
    g_assert_cmpint (position_of (added), ==, 0);
    activate (window, "undo", NULL);
    g_assert_true (sluice_node_get_parent (added) == sluice_node_get_parent (focus));
    activate (window, "redo", NULL);
    g_assert_true (sluice_node_get_parent (added) == SLUICE_NODE (p));
  }

  /* Delete, undo, redo. */
  g_assert_true (sluice_node_get_container (added, &owner, &list, &position));
  activate (window, "select", g_variant_new_string (sluice_node_get_id (added)));
  activate (window, "delete", NULL);
  g_assert_null (sluice_node_get_parent (added));
  g_assert_cmpuint (count_modules (window), ==, modules);
  activate (window, "undo", NULL);
  g_assert_true (sluice_node_get_parent (added) == owner);
  g_assert_cmpint (position_of (added), ==, position);
  activate (window, "redo", NULL);
  g_assert_cmpuint (count_modules (window), ==, modules);

  /* Undo everything: back to the file, and not modified. */
  while (sluice_command_stack_get_can_undo (sluice_document_get_history (document)))
    activate (window, "undo", NULL);
  {
    g_autofree char *undone = canonical (pipeline_of (window));
    g_assert_cmpstr (undone, ==, before);
  }
  g_assert_false (sluice_document_get_modified (document));

  /* Paste XML after the first module; ids that are taken get renamed. */
  activate (window, "select", g_variant_new_string (sluice_node_get_id (focus)));
  activate (window, "paste-xml", g_variant_new_string (
              "<execution id=\"pasted\" name=\"Pasted\"><lua>item.pasted = true</lua></execution>"
              "<execution id=\"pasted\"><command>cat</command></execution>"));
  g_assert_nonnull (find (window, "pasted"));
  g_assert_nonnull (find (window, "pasted-2"));
  g_assert_cmpint (position_of (find (window, "pasted")), ==, position_of (focus) + 1);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, 2);

  /* Duplicate the pasted pair. */
  activate (window, "duplicate", NULL);
  g_assert_nonnull (find (window, "pasted-3"));
  g_assert_nonnull (find (window, "pasted-4"));
  g_assert_cmpuint (count_modules (window), ==, modules + 4);

  /* Garbage on the clipboard is refused with a message. */
  activate (window, "paste-xml", g_variant_new_string ("this is not XML <"));
  g_assert_cmpuint (count_modules (window), ==, modules + 4);
  g_assert_nonnull (sluice_window_get_last_message (window));

  assert_save_reload (window, "edited.xml");
  close_window (window);
}

static gboolean
has_error_for (SluiceDocument *document,
               const char     *id)
{
  GListModel *problems = sluice_document_get_problems (document);

  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_autoptr(SluiceProblem) p = g_list_model_get_item (problems, i);

      if (sluice_problem_get_severity (p) == SLUICE_SEVERITY_ERROR &&
          g_strcmp0 (sluice_problem_get_node_id (p), id) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  SluiceDocument *document;
  const char     *id;
} ProblemWait;

static gboolean
problem_appeared (gpointer data)
{
  ProblemWait *w = data;

  return has_error_for (w->document, w->id);
}

static gboolean
problem_gone (gpointer data)
{
  return !problem_appeared (data);
}

static void
test_problems (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceDocument *document = sluice_window_get_document (window);
  SluiceInspector *inspector;
  ProblemWait wait = { document, "broken" };
  GtkWidget *row;

  /* Lua that does not compile: the validator reports it after its
   * debounce delay, without being asked. */
  activate (window, "paste-xml", g_variant_new_string (
              "<execution id=\"broken\"><lua>item.x = = 1</lua></execution>"));
  g_assert_false (has_error_for (document, "broken"));
  g_assert_true (test_app_wait_for (problem_appeared, &wait, 3000));

  /* Activating the problem in the list selects its node. */
  activate (window, "select", g_variant_new_string (""));
  {
    GtkWidget *list = find_widget_with_class (window, GTK_TYPE_LIST_BOX, "problems-list");
    GtkWidget *problem_row = NULL;

    g_assert_nonnull (list);
    for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL && problem_row == NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_LIST_BOX_ROW (c) && g_strcmp0 (g_object_get_data (G_OBJECT (c), "node-id"), "broken") == 0)
        problem_row = c;
    g_assert_nonnull (problem_row);
    g_signal_emit_by_name (list, "row-activated", problem_row);
    g_assert_true (sluice_canvas_get_focus_node (sluice_window_get_canvas (window)) == find (window, "broken"));
  }

  /* The inspector of the node shows the validator's message. */
  activate (window, "select", g_variant_new_string ("broken"));
  inspector = SLUICE_INSPECTOR (find_widget (window, SLUICE_TYPE_INSPECTOR));
  g_assert_nonnull (inspector);
  g_assert_true (sluice_inspector_get_node (inspector) == find (window, "broken"));
  g_assert_cmpuint (sluice_inspector_count_problems (inspector), >=, 1);

  /* Fixing the code through the inspector's editor removes the problem. */
  row = sluice_inspector_get_row (inspector, "code");
  g_assert_nonnull (row);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (row)), "item.x = 1", -1);
  g_assert_cmpstr (sluice_execution_get_code (SLUICE_EXECUTION (find (window, "broken"))), ==, "item.x = 1");
  g_assert_true (test_app_wait_for (problem_gone, &wait, 3000));

  /* Renaming through the inspector is one undoable step per burst. */
  row = sluice_inspector_get_row (inspector, "name");
  gtk_editable_set_text (GTK_EDITABLE (row), "F");
  gtk_editable_set_text (GTK_EDITABLE (row), "Fixed");
  g_assert_cmpstr (sluice_node_get_name (find (window, "broken")), ==, "Fixed");
  activate (window, "undo", NULL);
  g_assert_null (sluice_node_get_name (find (window, "broken")));

  /* Writing a draft copies the view into the model: no edit, so the
   * inspector is not rebuilt under the user's fingers. */
  row = sluice_inspector_get_row (inspector, "name");
  g_assert_true (sluice_document_write_draft (document, NULL));
  test_app_spin (50);
  g_assert_true (sluice_inspector_get_row (inspector, "name") == row);

  /* A bad duration is refused at once and never reaches the model. */
  row = sluice_inspector_get_row (inspector, "timeout");
  gtk_editable_set_text (GTK_EDITABLE (row), "5 parsecs");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpint (sluice_module_get_timeout_ms (SLUICE_MODULE (find (window, "broken"))), ==, 0);
  gtk_editable_set_text (GTK_EDITABLE (row), "30s");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_cmpint (sluice_module_get_timeout_ms (SLUICE_MODULE (find (window, "broken"))), ==, 30000);

  /* A duplicate id is reported on the node. */
  wait.id = "broken";
  activate (window, "paste-xml", g_variant_new_string ("<fail id=\"x\">stop</fail>"));
  sluice_node_set_id (find (window, "x"), "broken");
  sluice_document_validate_now (document);
  g_assert_true (has_error_for (document, "broken"));
  close_window (window);
}

static void
test_view_and_collapse (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceDocument *document = sluice_window_get_document (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  g_autoptr(SluiceViewState) state = sluice_view_state_copy (sluice_document_get_view_state (document));
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
  g_autoptr(SluiceNode) first = g_list_model_get_item (controllers, 0);
  const SluiceLayoutBox *box;
  double zoom;

  /* Placing a controller (the end of a drag) is one undoable command and
   * is kept in <view>. */
  sluice_view_state_set_position (state, sluice_node_get_id (first), 50, 900);
  sluice_document_push_view_state (document, state, "Move");
  box = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                               sluice_layout_find_node (sluice_canvas_get_layout (canvas), first));
  g_assert_cmpfloat (box->y, ==, 900);
  assert_save_reload (window, "moved.xml");
  g_assert_nonnull (strstr (sluice_pipeline_get_view_xml (pipeline_of (window)), "y=\"900\""));
  activate (window, "undo", NULL);
  box = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                               sluice_layout_find_node (sluice_canvas_get_layout (canvas), first));
  g_assert_cmpfloat (box->y, ==, 0);
  activate (window, "redo", NULL);
  activate (window, "relayout", NULL);
  g_assert_cmpuint (g_hash_table_size (sluice_document_get_view_state (document)->positions), ==, 0);

  /* Zoom actions. */
  activate (window, "zoom-reset", NULL);
  zoom = sluice_canvas_get_viewport (canvas)->zoom;
  g_assert_cmpfloat_with_epsilon (zoom, 1.0, 1e-9);
  activate (window, "zoom-in", NULL);
  g_assert_cmpfloat (sluice_canvas_get_viewport (canvas)->zoom, >, zoom);
  activate (window, "zoom-out", NULL);
  activate (window, "zoom-out", NULL);
  g_assert_cmpfloat (sluice_canvas_get_viewport (canvas)->zoom, <, zoom);
  activate (window, "zoom-fit", NULL);

  /* With animations on, the zoom buttons glide there over a few frames. */
  activate (window, "zoom-reset", NULL);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);
  activate (window, "zoom-in", NULL);
  g_assert_cmpfloat (sluice_canvas_get_viewport (canvas)->zoom, ==, 1.0);
  test_app_spin (600);
  g_assert_cmpfloat_with_epsilon (sluice_canvas_get_viewport (canvas)->zoom, 1.25, 1e-9);
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  /* Keyboard navigation walks the document order. */
  activate (window, "select", g_variant_new_string (""));
  sluice_canvas_select_neighbour (canvas, 1, FALSE);
  g_assert_true (sluice_canvas_get_focus_node (canvas) == first);
  sluice_canvas_select_neighbour (canvas, 1, FALSE);
  g_assert_true (sluice_node_get_parent (sluice_canvas_get_focus_node (canvas)) == first);
  sluice_canvas_select_neighbour (canvas, -1, FALSE);
  g_assert_true (sluice_canvas_get_focus_node (canvas) == first);
  sluice_canvas_select_neighbour (canvas, 1, TRUE);
  {
    g_autoptr(SluiceNode) second = g_list_model_get_item (controllers, 1);
    g_assert_true (sluice_canvas_get_focus_node (canvas) == second);
  }

  /* Select all and find. */
  activate (window, "select-all", NULL);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, count_modules (window));
  close_window (window);
}

static void
test_collapse_combination (void)
{
  SluiceWindow *window = sluice_window_new (app);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceNode *combination, *inner;
  SluiceLayout *layout;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (30);
  activate (window, "insert", g_variant_new_string ("combination"));
  combination = sluice_canvas_get_focus_node (canvas);
  g_assert_true (SLUICE_IS_COMBINATION (combination));
  /* Adding with a combination selected puts the module inside it. */
  activate (window, "insert", g_variant_new_string ("command"));
  inner = sluice_canvas_get_focus_node (canvas);
  g_assert_true (sluice_node_get_parent (inner) == combination);

  activate (window, "select", g_variant_new_string (sluice_node_get_id (combination)));
  activate (window, "toggle-collapse", NULL);
  layout = sluice_canvas_get_layout (canvas);
  g_assert_true (sluice_layout_get_box (layout, sluice_layout_find_node (layout, combination))->collapsed);
  g_assert_cmpuint (sluice_layout_find_node (layout, inner), ==, SLUICE_BOX_NONE);
  activate (window, "undo", NULL);
  layout = sluice_canvas_get_layout (canvas);
  g_assert_cmpuint (sluice_layout_find_node (layout, inner), !=, SLUICE_BOX_NONE);
  close_window (window);
}

typedef struct
{
  GdkClipboard *clipboard;
  char         *text;
  gboolean      done;
} ClipboardRead;

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  ClipboardRead *read = data;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  read->done = TRUE;
}

static gboolean
clipboard_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static gboolean
modules_grew (gpointer data)
{
  gpointer *args = data;

  return count_modules (args[0]) > GPOINTER_TO_UINT (args[1]);
}

static void
test_clipboard (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  ClipboardRead read = { clipboard, NULL, FALSE };
  guint modules = count_modules (window);
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
  g_autoptr(SluiceController) c = g_list_model_get_item (controllers, 0);
  g_autoptr(SluicePhase) p = g_list_model_get_item (sluice_controller_get_phases (c), 0);
  g_autoptr(SluiceNode) m = g_list_model_get_item (sluice_phase_get_modules (p), 0);
  gpointer args[2] = { window, GUINT_TO_POINTER (modules) };

  activate (window, "select", g_variant_new_string (sluice_node_get_id (m)));
  activate (window, "copy", NULL);
  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_read_cb, &read);
  g_assert_true (test_app_wait_for (clipboard_done, &read, 3000));
  /* Plain pipeline XML a text editor can take. */
  g_assert_nonnull (read.text);
  g_assert_true (g_str_has_prefix (read.text, "<?xml"));
  g_assert_nonnull (strstr (read.text, sluice_node_get_id (m)));
  g_free (read.text);

  activate (window, "paste", NULL);
  g_assert_true (test_app_wait_for (modules_grew, args, 3000));
  g_assert_cmpuint (count_modules (window), ==, modules + 1);

  /* Cut removes and keeps it on the clipboard. */
  activate (window, "cut", NULL);
  g_assert_cmpuint (count_modules (window), ==, modules);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, 0);
  close_window (window);
}

static void
test_new_and_title (void)
{
  SluiceWindow *window = sluice_window_new (app);
  SluiceDocument *document = sluice_window_get_document (window);
  g_autofree char *path = g_build_filename (tmp_dir, "new.xml", NULL);
  g_autofree char *command = NULL;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (30);
  g_assert_true (sluice_window_is_pristine (window));
  g_assert_nonnull (strstr (gtk_window_get_title (GTK_WINDOW (window)), "Untitled"));
  activate (window, "insert", g_variant_new_string ("controller:first-wins"));
  g_assert_true (SLUICE_IS_CONTROLLER (sluice_canvas_get_focus_node (sluice_window_get_canvas (window))));
  g_assert_cmpint (sluice_controller_get_mode (SLUICE_CONTROLLER (sluice_canvas_get_focus_node (sluice_window_get_canvas (window)))),
                   ==, SLUICE_MODE_FIRST_WINS);
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• Untitled"));

  activate (window, "save-to", g_variant_new_string (path));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "new.xml"));
  g_assert_false (sluice_document_get_modified (document));

  /* Export for the runner: saved, and the exact command shown. */
  activate (window, "export-runner", NULL);
  test_app_spin (50);
  command = g_strdup_printf ("sluice-run '%s'", path);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, command);
  g_free (command);

  /* A parameter without a default has to be given on the command line. */
  {
    g_autoptr(SluiceParameter) parameter = sluice_parameter_new ("symbol", NULL);

    g_list_store_append (sluice_pipeline_get_parameters (pipeline_of (window)), parameter);
  }
  activate (window, "export-runner", NULL);
  test_app_spin (50);
  command = g_strdup_printf ("sluice-run '%s' -D symbol=VALUE", path);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, command);
  g_free (command);

  /* Serve this pipeline: the same file and parameters for `serve`. */
  activate (window, "serve-command", NULL);
  test_app_spin (50);
  command = g_strdup_printf ("sluice-run serve '%s' -D symbol=VALUE --listen 127.0.0.1:8080 --token-file TOKEN-FILE", path);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, command);
  close_window (window);
}

typedef struct
{
  const char *path;
} FileWait;

static gboolean
file_exists (gpointer data)
{
  return g_file_test (((FileWait *) data)->path, G_FILE_TEST_EXISTS);
}

static void
test_export (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  g_autofree char *svg = g_build_filename (tmp_dir, "strategy.svg", NULL);
  g_autofree char *dot = g_build_filename (tmp_dir, "strategy.dot", NULL);
  g_autofree char *png = g_build_filename (tmp_dir, "strategy.png", NULL);
  FileWait wait_svg = { svg }, wait_png = { png };
  g_autofree char *contents = NULL;

  activate (window, "export-to", g_variant_new_string (dot));
  g_assert_true (g_file_get_contents (dot, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "digraph"));
  activate (window, "export-to", g_variant_new_string (svg));
  activate (window, "export-to", g_variant_new_string (png));
  g_assert_true (test_app_wait_for (file_exists, &wait_svg, 20000));
  g_assert_true (test_app_wait_for (file_exists, &wait_png, 20000));
  activate (window, "export-to", g_variant_new_string ("nowhere.doc"));
  g_assert_nonnull (strstr (sluice_window_get_last_message (window), ".svg"));
  close_window (window);
}

static void
test_drafts_and_disk_changes (void)
{
  g_autofree char *source = test_app_example_path ("modes.xml");
  g_autofree char *path = g_build_filename (tmp_dir, "draft-me.xml", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  SluiceWindow *window, *restored;
  SluiceDocument *document;
  const char *draft;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  window = open_window (path);
  document = sluice_window_get_document (window);
  activate (window, "insert", g_variant_new_string ("fail"));
  g_assert_true (sluice_document_write_draft (document, &error));
  g_assert_no_error (error);
  draft = sluice_document_get_draft_path (document);
  g_assert_true (g_file_test (draft, G_FILE_TEST_EXISTS));

  /* Restoring gives the unsaved work, still modified, aimed at the file. */
  restored = sluice_window_new (app);
  g_assert_true (sluice_window_load_draft (restored, draft, file));
  g_assert_true (sluice_document_get_modified (sluice_window_get_document (restored)));
  g_assert_cmpuint (count_modules (restored), ==, count_modules (window));
  close_window (restored);

  /* Saving removes the draft. */
  activate (window, "save", NULL);
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));

  /* Another program changes the file: the window says so. */
  g_usleep (20000);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  test_app_spin (1500);
  g_assert_cmpstr (sluice_window_get_last_message (window), ==, "The file was changed by another program");
  activate (window, "reload", NULL);
  g_assert_false (sluice_document_get_modified (sluice_window_get_document (window)));
  close_window (window);
}

static void
test_palette (void)
{
  SluiceWindow *window = sluice_window_new (app);
  SluicePalette *palette = SLUICE_PALETTE (find_widget (window, SLUICE_TYPE_PALETTE));
  guint all;

  g_assert_nonnull (palette);
  all = sluice_palette_count_visible (palette);
  /* Four controllers, three structures, four modules and the tools. */
  g_assert_cmpuint (all, >=, 11);
  sluice_palette_set_search (palette, "newest");
  g_assert_cmpuint (sluice_palette_count_visible (palette), ==, 1);
  sluice_palette_set_search (palette, "zzzz-nothing");
  g_assert_cmpuint (sluice_palette_count_visible (palette), ==, 0);
  sluice_palette_set_search (palette, "");
  g_assert_cmpuint (sluice_palette_count_visible (palette), ==, all);

  /* Activating an entry (double-click, Enter) adds it after the selection. */
  {
    GtkWidget *list = find_widget_with_class (window, GTK_TYPE_LIST_BOX, "navigation-sidebar");
    guint before = count_modules (window);
    GtkWidget *lua = NULL;

    gtk_window_present (GTK_WINDOW (window));
    test_app_spin (30);
    for (GtkWidget *c = gtk_widget_get_first_child (list); c != NULL && lua == NULL; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_LIST_BOX_ROW (c) && g_strcmp0 (g_object_get_data (G_OBJECT (c), "kind"), "lua") == 0)
        lua = c;
    g_assert_nonnull (lua);
    gtk_widget_activate (lua);
    g_assert_cmpuint (count_modules (window), ==, before + 1);
  }
  close_window (window);
}

static gboolean
matches_sharpe (SluiceNode *node)
{
  g_autofree char *id = g_ascii_strdown (sluice_node_get_id (node), -1);
  g_autofree char *name = g_ascii_strdown (sluice_node_get_name (node) ? sluice_node_get_name (node) : "", -1);

  if (strstr (id, "sharpe") != NULL || strstr (name, "sharpe") != NULL)
    return TRUE;
  /* Gates are found by their checks too. */
  for (guint i = 0; SLUICE_IS_GATE (node) && i < sluice_gate_get_n_checks (SLUICE_GATE (node)); i++)
    if (g_strcmp0 (sluice_gate_get_check (SLUICE_GATE (node), i)->name, "Sharpe") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_focus_node (gpointer data)
{
  return sluice_canvas_get_focus_node (data) != NULL;
}

static gboolean
draft_written (gpointer data)
{
  return g_file_test (sluice_document_get_draft_path (data), G_FILE_TEST_EXISTS);
}

static void
test_find_and_pipeline_inspector (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceDocument *document = sluice_window_get_document (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  SluiceInspector *inspector = SLUICE_INSPECTOR (find_widget (window, SLUICE_TYPE_INSPECTOR));
  GtkWidget *entry;
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline_of (window)));
  guint n_parameters = g_list_model_get_n_items (parameters);
  GSettings *settings = sluice_application_get_settings (app);
  g_auto(GStrv) recent = NULL;
  g_autofree char *uri = NULL;
  GtkWidget *button;

  /* Find: by name, case-insensitive, as the user types; Enter goes to
   * the next match. */
  activate (window, "find", NULL);
  entry = gtk_widget_get_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (entry);
  activate (window, "select", g_variant_new_string (""));
  gtk_editable_set_text (GTK_EDITABLE (entry), "SHARPE");
  g_assert_true (test_app_wait_for (has_focus_node, canvas, 3000));
  g_assert_true (matches_sharpe (sluice_canvas_get_focus_node (canvas)));
  {
    SluiceNode *first = sluice_canvas_get_focus_node (canvas);

    g_signal_emit_by_name (entry, "activate");
    g_assert_true (sluice_canvas_get_focus_node (canvas) != first);
    g_assert_true (matches_sharpe (sluice_canvas_get_focus_node (canvas)));
  }

  /* With nothing selected, the inspector edits the pipeline: adding a
   * parameter is undoable. */
  activate (window, "select", g_variant_new_string (""));
  g_assert_null (sluice_inspector_get_node (inspector));
  button = sluice_inspector_get_row (inspector, "add-parameter");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (g_list_model_get_n_items (parameters), ==, n_parameters + 1);
  activate (window, "undo", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (parameters), ==, n_parameters);
  gtk_editable_set_text (GTK_EDITABLE (sluice_inspector_get_row (inspector, "name")), "Renamed pipeline");
  g_assert_cmpstr (sluice_node_get_name (SLUICE_NODE (pipeline_of (window))), ==, "Renamed pipeline");

  /* The file is first in the recent files. */
  g_assert_nonnull (settings);
  recent = g_settings_get_strv (settings, "recent-files");
  uri = g_file_get_uri (sluice_document_get_file (document));
  g_assert_cmpstr (recent[0], ==, uri);

  /* Unsaved work reaches a draft on its own. */
  sluice_document_set_draft_interval (document, 1);
  activate (window, "insert", g_variant_new_string ("lua"));
  g_assert_true (test_app_wait_for (draft_written, document, 8000));

  /* Every command is an action; the shortcuts window is one too. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  close_window (window);
}

static void
test_preferences (void)
{
  SluiceWindow *window = sluice_window_new (app);
  GSettings *settings = sluice_application_get_settings (app);
  gboolean grid;
  GtkWindow *preferences = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (30);
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  test_app_spin (50);
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_PREFERENCES_WINDOW (w))
        preferences = w;
    }
  g_assert_nonnull (preferences);

  /* The canvas follows the setting. */
  g_settings_set_boolean (settings, "show-grid", FALSE);
  g_object_get (sluice_window_get_canvas (window), "show-grid", &grid, NULL);
  g_assert_false (grid);
  g_settings_set_boolean (settings, "show-grid", TRUE);
  g_object_get (sluice_window_get_canvas (window), "show-grid", &grid, NULL);
  g_assert_true (grid);
  gtk_window_destroy (preferences);
  close_window (window);
}

/* The middle of a node's box (or its title strip) in widget coordinates. */
static void
widget_point (SluiceCanvas *canvas,
              SluiceNode   *node,
              gboolean      title,
              double       *wx,
              double       *wy)
{
  SluiceLayout *layout = sluice_canvas_get_layout (canvas);
  guint index = sluice_layout_find_node (layout, node);
  const SluiceLayoutBox *b;

  g_assert_cmpuint (index, !=, SLUICE_BOX_NONE);
  b = sluice_layout_get_box (layout, index);
  sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), b->x + b->width / 2,
                             title ? b->y + 8 : b->y + b->height / 2, wx, wy);
}

static void
test_pointer (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  SluiceWindow *window = open_window (path);
  SluiceDocument *document = sluice_window_get_document (window);
  SluiceCanvas *canvas = sluice_window_get_canvas (window);
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline_of (window));
  g_autoptr(SluiceController) c0 = g_list_model_get_item (controllers, 0);
  g_autoptr(SluiceController) c1 = g_list_model_get_item (controllers, 1);
  g_autoptr(SluicePhase) p0 = g_list_model_get_item (sluice_controller_get_phases (c0), 0);
  g_autoptr(SluicePhase) p1 = g_list_model_get_item (sluice_controller_get_phases (c1), 0);
  g_autoptr(SluiceNode) m0 = g_list_model_get_item (sluice_phase_get_modules (p0), 0);
  g_autoptr(SluiceNode) m1 = g_list_model_get_item (sluice_phase_get_modules (p1), 0);
  SluiceViewport vp = { 1.0, -20, -20 };
  const SluiceLayoutBox *b;
  double x, y, x2, y2;
  guint n_in_p1 = g_list_model_get_n_items (sluice_phase_get_modules (p1));

  sluice_canvas_set_viewport (canvas, &vp);

  /* Click, shift-click, click on nothing. */
  widget_point (canvas, m0, FALSE, &x, &y);
  g_assert_true (sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y));
  sluice_canvas_pointer_release (canvas, 1, 0, 0);
  g_assert_true (sluice_canvas_get_focus_node (canvas) == m0);
  widget_point (canvas, m1, FALSE, &x, &y);
  sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y);
  sluice_canvas_pointer_release (canvas, 0, 0, GDK_SHIFT_MASK);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, 2);
  sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, 2, 2);
  sluice_canvas_pointer_release (canvas, 0, 0, 0);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==, 0);
  g_assert_false (sluice_canvas_pointer_press (canvas, GDK_BUTTON_SECONDARY, x, y));

  /* Drag the first module of the first controller to the end of the
   * second controller's first phase: one move, undone in one step. */
  widget_point (canvas, m0, FALSE, &x, &y);
  b = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                             sluice_layout_find_node (sluice_canvas_get_layout (canvas), SLUICE_NODE (p1)));
  sluice_viewport_to_widget (&vp, b->x + b->width / 2, b->y + b->height - 6, &x2, &y2);
  g_assert_true (sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y));
  g_assert_false (sluice_canvas_pointer_drag (canvas, 1, 1));
  g_assert_true (sluice_canvas_pointer_drag (canvas, 10, 10));
  for (guint i = 1; i <= 10; i++)
    sluice_canvas_pointer_drag (canvas, (x2 - x) * i / 10, (y2 - y) * i / 10);
  test_app_spin (20);
  sluice_canvas_pointer_release (canvas, x2 - x, y2 - y, 0);
  g_assert_true (sluice_node_get_parent (m0) == SLUICE_NODE (p1));
  g_assert_cmpint (position_of (m0), ==, n_in_p1);
  activate (window, "undo", NULL);
  g_assert_true (sluice_node_get_parent (m0) == SLUICE_NODE (p0));
  g_assert_false (sluice_document_get_modified (document));

  /* Drag a controller by its title: placed where dropped, kept in <view>. */
  b = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                             sluice_layout_find_node (sluice_canvas_get_layout (canvas), SLUICE_NODE (c1)));
  x2 = b->x + 100;
  widget_point (canvas, SLUICE_NODE (c1), TRUE, &x, &y);
  sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y);
  for (guint i = 1; i <= 5; i++)
    sluice_canvas_pointer_drag (canvas, 20 * i, 30 * i);
  sluice_canvas_pointer_release (canvas, 100, 150, 0);
  b = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                             sluice_layout_find_node (sluice_canvas_get_layout (canvas), SLUICE_NODE (c1)));
  g_assert_cmpfloat (b->x, ==, x2);
  g_assert_nonnull (g_hash_table_lookup (sluice_document_get_view_state (document)->positions,
                                         sluice_node_get_id (SLUICE_NODE (c1))));
  activate (window, "undo", NULL);
  g_assert_cmpuint (g_hash_table_size (sluice_document_get_view_state (document)->positions), ==, 0);

  /* A rubber band around the first controller's first phase selects its
   * modules. */
  b = sluice_layout_get_box (sluice_canvas_get_layout (canvas),
                             sluice_layout_find_node (sluice_canvas_get_layout (canvas), SLUICE_NODE (p0)));
  sluice_viewport_to_widget (&vp, b->x + 2, b->y + 30, &x, &y);
  sluice_viewport_to_widget (&vp, b->x + b->width - 2, b->y + b->height - 2, &x2, &y2);
  sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y);
  sluice_canvas_pointer_drag (canvas, x2 - x, y2 - y);
  sluice_canvas_pointer_release (canvas, x2 - x, y2 - y, 0);
  g_assert_cmpuint (sluice_canvas_get_selection (canvas)->len, ==,
                    g_list_model_get_n_items (sluice_phase_get_modules (p0)));

  /* Middle-drag pans. */
  sluice_canvas_pointer_press (canvas, GDK_BUTTON_MIDDLE, 100, 100);
  sluice_canvas_pointer_drag (canvas, 30, 40);
  sluice_canvas_pointer_release (canvas, 50, 60, 0);
  g_assert_cmpfloat_with_epsilon (sluice_canvas_get_viewport (canvas)->x, vp.x - 50, 1e-9);
  g_assert_cmpfloat_with_epsilon (sluice_canvas_get_viewport (canvas)->y, vp.y - 60, 1e-9);
  sluice_canvas_set_viewport (canvas, &vp);

  /* A palette entry dropped on a phase lands in it. */
  widget_point (canvas, SLUICE_NODE (p1), FALSE, &x, &y);
  g_assert_true (sluice_canvas_drop_kind (canvas, "command", x, y));
  g_assert_true (sluice_node_get_parent (sluice_canvas_get_focus_node (canvas)) == SLUICE_NODE (p1));
  g_assert_true (SLUICE_IS_EXECUTION (sluice_canvas_get_focus_node (canvas)));
  g_assert_false (sluice_canvas_drop_kind (canvas, "no-such-kind", x, y));
  close_window (window);
}

/* Screenshots --------------------------------------------------------------- */

static void
save_screenshot (SluiceWindow *window,
                 const char   *name)
{
  test_app_save_screenshot (window, tmp_dir, name);
}

static void
test_screenshots (void)
{
  g_autofree char *path = test_app_example_path ("strategy.xml");
  g_autofree char *big = sluice_test_generate_pipeline (10000);
  g_autofree char *big_path = g_build_filename (tmp_dir, "generated-10000.xml", NULL);
  SluiceWindow *window = open_window (path);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  test_app_spin (300);
  /* A module selected, so that the inspector shows something. */
  activate (window, "select", g_variant_new_string ("gate-historical"));
  test_app_spin (300);
  save_screenshot (window, "designer-strategy.png");
  activate (window, "select", g_variant_new_string ("run-optimiser"));
  test_app_spin (300);
  save_screenshot (window, "designer-lua-inspector.png");
  activate (window, "select", g_variant_new_string ("gate-historical"));

  /* In the middle of a drag: the ghost and the highlighted drop target. */
  {
    SluiceCanvas *canvas = sluice_window_get_canvas (window);
    SluiceNode *node = find (window, "gate-historical");
    SluiceLayout *layout = sluice_canvas_get_layout (canvas);
    const SluiceLayoutBox *b = sluice_layout_get_box (layout, sluice_layout_find_node (layout, node));
    double x, y, x2, y2;

    sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), b->x + 20, b->y + 20, &x, &y);
    sluice_viewport_to_widget (sluice_canvas_get_viewport (canvas), b->x + 40, b->y + b->height + 30, &x2, &y2);
    sluice_canvas_pointer_press (canvas, GDK_BUTTON_PRIMARY, x, y);
    sluice_canvas_pointer_drag (canvas, 10, -10);
    sluice_canvas_pointer_drag (canvas, x2 - x, y2 - y);
    test_app_spin (300);
    save_screenshot (window, "designer-drag.png");
    sluice_canvas_pointer_release (canvas, x2 - x, y2 - y, 0);
  }
  close_window (window);

  g_assert_true (g_file_set_contents (big_path, big, -1, NULL));
  window = open_window (big_path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 860);
  activate (window, "zoom-fit", NULL);
  test_app_spin (300);
  save_screenshot (window, "designer-generated-10000.png");
  activate (window, "zoom-reset", NULL);
  test_app_spin (300);
  save_screenshot (window, "designer-generated-10000-zoomed.png");
  close_window (window);
}


static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* New From Template…: the dialog lists the templates; choosing one gives
 * an unsaved pipeline in the empty window, trusted like one drawn there. */
static void
test_new_from_template (void)
{
  SluiceWindow *window = sluice_window_new (app);
  g_autoptr(GList) toplevels = NULL;
  GtkWidget *dialog = NULL;
  GtkWidget *list, *row;
  SluiceDocument *document;

  gtk_window_present (GTK_WINDOW (window));
  test_app_spin (30);
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-from-template", NULL);
  test_app_spin (500);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (find_named (l->data, "templates") != NULL)
      dialog = l->data;
  g_assert_nonnull (dialog);
  list = find_named (dialog, "templates");
  row = find_named (list, "conditional");
  g_assert_nonnull (row);
  g_assert_nonnull (find_named (list, "retry"));
  /* Any window will do for a screenshot: it only uses GtkWidget API. */
  test_app_save_screenshot ((SluiceWindow *) dialog, tmp_dir, "new-from-template.png");

  g_signal_emit_by_name (list, "row-activated", row);
  test_app_spin (100);
  /* The empty window took it; the dialog is gone. */
  document = sluice_window_get_document (window);
  g_assert_cmpstr (sluice_node_get_id (SLUICE_NODE (sluice_document_get_pipeline (document))), ==, "conditional");
  g_assert_null (sluice_document_get_file (document));
  g_assert_true (sluice_document_get_modified (document));
  g_assert_nonnull (sluice_pipeline_find_node (sluice_document_get_pipeline (document), "is-large"));
  g_assert_cmpuint (g_list_model_get_n_items (sluice_document_get_problems (document)), ==, 1);
  g_list_free (toplevels);
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    g_assert_null (find_named (l->data, "templates"));
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app");
  app = test_app_new ();
  /* Viewport changes land at once (no animation), so they can be checked. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/sluice/app/open-examples", test_open_examples);
  g_test_add_func ("/sluice/app/edit-actions", test_edit_actions);
  g_test_add_func ("/sluice/app/problems", test_problems);
  g_test_add_func ("/sluice/app/view-and-undo", test_view_and_collapse);
  g_test_add_func ("/sluice/app/collapse", test_collapse_combination);
  g_test_add_func ("/sluice/app/clipboard", test_clipboard);
  g_test_add_func ("/sluice/app/new-and-title", test_new_and_title);
  g_test_add_func ("/sluice/app/new-from-template", test_new_from_template);
  g_test_add_func ("/sluice/app/export", test_export);
  g_test_add_func ("/sluice/app/drafts-and-disk", test_drafts_and_disk_changes);
  g_test_add_func ("/sluice/app/palette", test_palette);
  g_test_add_func ("/sluice/app/find-and-pipeline", test_find_and_pipeline_inspector);
  g_test_add_func ("/sluice/app/pointer", test_pointer);
  g_test_add_func ("/sluice/app/preferences", test_preferences);
  g_test_add_func ("/sluice/app/screenshots", test_screenshots);

  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
