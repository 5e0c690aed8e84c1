/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-commands.h"
#include "sluice-core.h"
#include "sluice-tests-panel.h"

struct _SluiceTestsPanel
{
  GtkWidget       parent_instance;

  GtkWidget      *box;          /* the one child: header and list */
  GtkLabel       *summary;
  GtkListBox     *list;
  GtkWidget      *button;       /* Run Tests */
  SluiceDocument *document;     /* owned */
  GHashTable     *results;      /* case name → SluiceTestResult*, owned */
  GCancellable   *cancellable;  /* of the run in progress, or NULL */
  guint           passed;
  guint           failed;
  char           *shown;        /* the names of the cases the list shows, joined */
  char           *selected;     /* the name of the selected case, or NULL */
};

enum {
  CASE_SELECTED,
  RESULTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SluiceTestsPanel, sluice_tests_panel, GTK_TYPE_WIDGET)

/* What a run in the worker thread needs: its own copy of the file. */
typedef struct
{
  char      *data;      /* the pipeline, saved */
  char      *path;      /* its file, or NULL */
  gboolean   trusted;   /* the user trusts its commands: real="true" stubs may run */
  GPtrArray *results;   /* of SluiceTestResult*, filled by the thread */
} RunData;

static void
run_data_free (RunData *run)
{
  g_free (run->data);
  g_free (run->path);
  g_ptr_array_unref (run->results);
  g_free (run);
}

/* A case being renamed has no name for a moment. */
static const char *
case_name (SluiceTestCase *test)
{
  const char *name = sluice_test_case_get_name (test);

  return name != NULL ? name : "";
}

static GtkWidget *
make_row (SluiceTestCase   *test,
          SluiceTestResult *result)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon;
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (case_name (test));

  if (result == NULL)
    icon = gtk_image_new_from_icon_name ("content-loading-symbolic");
  else if (result->passed)
    icon = gtk_image_new_from_icon_name ("emblem-ok-symbolic");
  else
    icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  gtk_widget_add_css_class (icon, result == NULL ? "dim-label" : result->passed ? "success" : "error");
  gtk_widget_add_css_class (row, result == NULL ? "test-not-run" : result->passed ? "test-passed" : "test-failed");

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (texts), name);
  if (result != NULL && !result->passed && result->message != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (result->message, "\n", 2);
      GtkWidget *why = gtk_label_new (lines[0]);

      gtk_label_set_xalign (GTK_LABEL (why), 0);
      gtk_label_set_ellipsize (GTK_LABEL (why), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (why, "caption");
      gtk_widget_add_css_class (why, "error");
      gtk_box_append (GTK_BOX (texts), why);
      /* The whole diff, with the line of the case. */
      {
        g_autofree char *tooltip = g_strdup_printf (_("Line %u: %s"), result->line, result->message);
        gtk_widget_set_tooltip_text (row, tooltip);
      }
    }
  gtk_widget_set_hexpand (texts, TRUE);
  /* On the line of the icon and the button, which the row centres: at
   * its top, the name sat lower than them. */
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (row), icon);
  gtk_box_append (GTK_BOX (row), texts);
  {
    GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

    gtk_widget_add_css_class (remove, "flat");
    gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
    gtk_widget_set_tooltip_text (remove, _("Remove the test case"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "tests.remove");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", case_name (test));
    gtk_box_append (GTK_BOX (row), remove);
  }
  g_object_set_data_full (G_OBJECT (row), "test-case", g_object_ref (test), g_object_unref);
  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_margin_top (row, 3);
  gtk_widget_set_margin_bottom (row, 3);
  return row;
}

static char *case_names (SluiceTestsPanel *self);

static void
refresh (SluiceTestsPanel *self)
{
  GtkWidget *child;
  GListModel *tests;
  guint n;
  g_autofree char *summary = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (self->document == NULL)
    return;
  g_free (self->shown);
  self->shown = case_names (self);
  tests = G_LIST_MODEL (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)));
  n = g_list_model_get_n_items (tests);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);
      SluiceTestResult *result = g_hash_table_lookup (self->results, case_name (test));

      gtk_list_box_append (self->list, make_row (test, result));
      if (g_strcmp0 (self->selected, case_name (test)) == 0)
        gtk_list_box_select_row (self->list, gtk_list_box_get_row_at_index (self->list, (int) i));
    }

  if (self->cancellable != NULL)
    summary = g_strdup (_("Tests — running…"));
  else if (self->passed + self->failed > 0)
    summary = g_strdup_printf (_("Tests — %u passed, %u failed"), self->passed, self->failed);
  else
    summary = g_strdup_printf (g_dngettext (NULL, "Tests — %u case", "Tests — %u cases", n), n);
  gtk_label_set_label (self->summary, summary);
  /* The button, not the action: disabling a widget action here also
   * disturbed the window's own actions (GTK 4.8) during runs. */
  gtk_widget_set_sensitive (self->button, self->cancellable == NULL && n > 0);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *run = task_data;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SluicePipeline) pipeline = sluice_load_data (run->data, strlen (run->data),
                                                         run->path != NULL ? run->path : "untitled",
                                                         problems);
  GListModel *tests;

  if (pipeline == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The pipeline does not load: fix its problems first"));
      return;
    }
  tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  for (guint i = 0; i < g_list_model_get_n_items (tests) && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      g_ptr_array_add (run->results,
                       sluice_test_run_case_full (pipeline, run->path, test,
                                                  run->trusted ? SLUICE_TEST_RUN_DEFAULT
                                                               : SLUICE_TEST_RUN_NO_REAL_STEPS));
    }
  g_task_return_boolean (task, TRUE);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (source);
  RunData *run = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->cancellable);
  g_hash_table_remove_all (self->results);
  self->passed = self->failed = 0;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    for (guint i = 0; i < run->results->len; i++)
      {
        SluiceTestResult *test_result = g_ptr_array_index (run->results, i);

        if (test_result->passed)
          self->passed++;
        else
          self->failed++;
        g_hash_table_replace (self->results, g_strdup (test_result->name),
                              g_ptr_array_steal_index (run->results, i--));
      }
  refresh (self);
  if (error != NULL)
    gtk_label_set_label (self->summary, error->message);
  g_signal_emit (self, signals[RESULTS_CHANGED], 0);
}

static void
run_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (widget);
  g_autoptr(GTask) task = NULL;
  GFile *file;
  RunData *run;

  if (self->document == NULL || self->cancellable != NULL)
    return;

  run = g_new0 (RunData, 1);
  run->data = sluice_save_to_data (sluice_document_get_pipeline (self->document), NULL);
  file = sluice_document_get_file (self->document);
  run->path = file != NULL ? g_file_get_path (file) : NULL;
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_test_result_free);
  {
    g_autofree char *hash = sluice_trust_hash (sluice_document_get_pipeline (self->document));

    /* Stubs keep tests away from the world; a real step is the file's
     * own code, run only once the user has trusted it (as a run asks). */
    run->trusted = sluice_trust_is_trusted (hash);
  }

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, run_done_cb, NULL);
  g_task_set_source_tag (task, run_action_cb);
  g_task_set_task_data (task, run, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
  refresh (self);
}

static void
sluice_tests_panel_dispose (GObject *object)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)),
                                            self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
    }
  g_clear_object (&self->document);

  G_OBJECT_CLASS (sluice_tests_panel_parent_class)->dispose (object);
}

static void
sluice_tests_panel_finalize (GObject *object)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (object);

  g_hash_table_unref (self->results);
  g_clear_object (&self->cancellable);
  g_free (self->shown);
  g_free (self->selected);

  G_OBJECT_CLASS (sluice_tests_panel_parent_class)->finalize (object);
}

static SluiceTestCase *
find_case (SluiceTestsPanel *self,
           const char       *name,
           guint            *position)
{
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)));

  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      if (g_strcmp0 (case_name (test), name) == 0)
        {
          if (position != NULL)
            *position = i;
          return test;   /* the store keeps it alive */
        }
    }
  return NULL;
}

/* A name no case has yet: @base, then "@base 2", "@base 3", … */
char *
sluice_tests_panel_new_case_name (SluiceTestsPanel *self,
                                  const char       *base)
{
  char *name = g_strdup (base);

  g_return_val_if_fail (SLUICE_IS_TESTS_PANEL (self), name);
  for (guint n = 2; self->document != NULL && find_case (self, name, NULL) != NULL; n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s %u", base, n);
    }
  return name;
}

void
sluice_tests_panel_add_case (SluiceTestsPanel *self,
                             SluiceTestCase   *test)
{
  GListStore *tests;

  g_return_if_fail (SLUICE_IS_TESTS_PANEL (self));
  g_return_if_fail (SLUICE_IS_TEST_CASE (test));

  if (self->document == NULL)
    return;
  tests = sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document));
  sluice_document_push (self->document,
                        sluice_store_insert_command_new (tests, g_list_model_get_n_items (G_LIST_MODEL (tests)),
                                                         G_OBJECT (test)));
  sluice_tests_panel_select_case (self, case_name (test));
}

static void
add_action_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (widget);
  g_autofree char *name = sluice_tests_panel_new_case_name (self, _("new case"));
  g_autoptr(SluiceTestCase) test = sluice_test_case_new (name);

  sluice_test_case_set_expected_count (test, 1, 0);
  sluice_tests_panel_add_case (self, test);
}

static void
remove_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SluiceTestsPanel *self = SLUICE_TESTS_PANEL (widget);
  SluiceTestCase *test;
  GListStore *tests;

  if (self->document == NULL || (test = find_case (self, g_variant_get_string (parameter, NULL), NULL)) == NULL)
    return;
  tests = sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document));
  sluice_document_push (self->document, sluice_store_remove_command_new (tests, G_OBJECT (test)));
}

/* Shown on activation (a click, Enter), not on selection: the list is
 * rebuilt as cases change, and GTK selects whichever row takes the focus
 * of a row that went; that must not change what the inspector shows. */
static void
row_activated_cb (GtkListBox       *list,
                  GtkListBoxRow    *row,
                  SluiceTestsPanel *self)
{
  SluiceTestCase *test = g_object_get_data (G_OBJECT (gtk_list_box_row_get_child (row)), "test-case");

  g_free (self->selected);
  self->selected = g_strdup (case_name (test));
  g_signal_emit (self, signals[CASE_SELECTED], 0, test);
}

static void
sluice_tests_panel_class_init (SluiceTestsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sluice_tests_panel_dispose;
  object_class->finalize = sluice_tests_panel_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "testspanel");
  gtk_widget_class_install_action (widget_class, "tests.run", NULL, run_action_cb);
  gtk_widget_class_install_action (widget_class, "tests.add", NULL, add_action_cb);
  gtk_widget_class_install_action (widget_class, "tests.remove", "s", remove_action_cb);

  /* A case was selected in the list (NULL: none is). */
  signals[CASE_SELECTED] =
    g_signal_new ("case-selected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SLUICE_TYPE_TEST_CASE);
  /* A run of the cases ended: results and failures changed. */
  signals[RESULTS_CHANGED] =
    g_signal_new ("results-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
sluice_tests_panel_init (SluiceTestsPanel *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Run Tests"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  self->results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) sluice_test_result_free);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->summary), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary), "heading");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "tests.run");
  self->button = button;
  gtk_widget_set_tooltip_text (button, _("Run the file's test cases, with their stubs"));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->summary));
  {
    GtkWidget *add = gtk_button_new_from_icon_name ("list-add-symbolic");
    GtkWidget *from_run = gtk_button_new_with_mnemonic (_("Add From _Run"));

    gtk_widget_set_tooltip_text (add, _("Add a test case"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (add), "tests.add");
    gtk_widget_add_css_class (add, "flat");
    /* The window's: it knows the last run (and the selected module). */
    gtk_widget_set_tooltip_text (from_run, _("Add a test case from the last run: its input and the outputs seen "
                                             "(of the selected module, or of the pipeline)"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (from_run), "win.add-test-from-run");
    gtk_widget_set_name (from_run, "add-test-from-run");
    gtk_box_append (GTK_BOX (header), add);
    gtk_box_append (GTK_BOX (header), from_run);
  }
  gtk_box_append (GTK_BOX (header), button);
  gtk_widget_set_margin_start (header, 6);
  gtk_widget_set_margin_end (header, 6);
  gtk_widget_set_margin_top (header, 6);
  gtk_box_append (GTK_BOX (self->box), header);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_SINGLE);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_list_box_set_placeholder (self->list, gtk_label_new (_("This file has no test cases")));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  /* Room for four cases, with the failure line of one. */
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 140);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);
}

SluiceTestsPanel *
sluice_tests_panel_new (void)
{
  return g_object_new (SLUICE_TYPE_TESTS_PANEL, NULL);
}

static char *
case_names (SluiceTestsPanel *self)
{
  GListModel *tests = G_LIST_MODEL (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)));
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);

      g_string_append_printf (names, "%s\n", case_name (test));
    }
  return g_string_free (names, FALSE);
}

/* "changed" comes for every edit of the pipeline, and also while it
 * runs (the view data): the list is rebuilt only when the cases it shows
 * changed, so that a run is never slowed by it. */
static void
pipeline_changed_cb (SluiceTestsPanel *self)
{
  g_autofree char *names = case_names (self);

  if (self->cancellable != NULL || g_strcmp0 (names, self->shown) == 0)
    return;
  refresh (self);
}

void
sluice_tests_panel_set_document (SluiceTestsPanel *self,
                                 SluiceDocument   *document)
{
  g_return_if_fail (SLUICE_IS_TESTS_PANEL (self));

  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_data (sluice_pipeline_get_tests (sluice_document_get_pipeline (self->document)),
                                            self);
      g_signal_handlers_disconnect_by_data (sluice_document_get_pipeline (self->document), self);
    }
  g_set_object (&self->document, document);
  g_hash_table_remove_all (self->results);
  self->passed = self->failed = 0;
  /* The list of cases, not the pipeline's "changed": that one comes
   * for every edit and while a run goes. */
  if (document != NULL)
    {
      g_signal_connect_object (sluice_pipeline_get_tests (sluice_document_get_pipeline (document)),
                               "items-changed", G_CALLBACK (pipeline_changed_cb), self, G_CONNECT_SWAPPED);
      /* A case renamed: its row shows the new name. */
      g_signal_connect_object (sluice_document_get_pipeline (document), "changed",
                               G_CALLBACK (pipeline_changed_cb), self, G_CONNECT_SWAPPED);
    }
  g_clear_pointer (&self->selected, g_free);
  refresh (self);
  g_signal_emit (self, signals[RESULTS_CHANGED], 0);
}

gboolean
sluice_tests_panel_is_running (SluiceTestsPanel *self)
{
  g_return_val_if_fail (SLUICE_IS_TESTS_PANEL (self), FALSE);
  return self->cancellable != NULL;
}

void
sluice_tests_panel_get_counts (SluiceTestsPanel *self,
                               guint            *passed,
                               guint            *failed)
{
  g_return_if_fail (SLUICE_IS_TESTS_PANEL (self));
  if (passed != NULL)
    *passed = self->passed;
  if (failed != NULL)
    *failed = self->failed;
}

const SluiceTestResult *
sluice_tests_panel_get_result (SluiceTestsPanel *self,
                               const char       *name)
{
  g_return_val_if_fail (SLUICE_IS_TESTS_PANEL (self), NULL);
  return name != NULL ? g_hash_table_lookup (self->results, name) : NULL;
}

/* Where a failure is marked: the module it names (one that failed, or
 * was expected to), else the case's target, else the last controller,
 * whose outputs were compared. */
static SluiceNode *
failure_node (SluicePipeline   *pipeline,
              SluiceTestCase   *test,
              SluiceTestResult *result)
{
  SluiceNode *node = NULL;
  GListModel *controllers = sluice_pipeline_get_controllers (pipeline);
  guint n = g_list_model_get_n_items (controllers);

  if (result->module != NULL)
    node = sluice_pipeline_find_node (pipeline, result->module);
  if (node == NULL && sluice_test_case_get_target (test) != NULL)
    node = sluice_pipeline_find_node (pipeline, sluice_test_case_get_target (test));
  if (node == NULL && n > 0)
    {
      g_autoptr(SluiceNode) last = g_list_model_get_item (controllers, n - 1);

      node = last;   /* the pipeline keeps it */
    }
  return node;
}

GHashTable *
sluice_tests_panel_dup_failures (SluiceTestsPanel *self)
{
  GHashTable *failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SluicePipeline *pipeline;
  GListModel *tests;

  g_return_val_if_fail (SLUICE_IS_TESTS_PANEL (self), failures);
  if (self->document == NULL)
    return failures;
  pipeline = sluice_document_get_pipeline (self->document);
  tests = G_LIST_MODEL (sluice_pipeline_get_tests (pipeline));
  for (guint i = 0; i < g_list_model_get_n_items (tests); i++)
    {
      g_autoptr(SluiceTestCase) test = g_list_model_get_item (tests, i);
      SluiceTestResult *result = g_hash_table_lookup (self->results, case_name (test));
      SluiceNode *node = result != NULL && !result->passed ? failure_node (pipeline, test, result) : NULL;
      const char *id = node != NULL ? sluice_node_get_id (node) : NULL;
      const char *before;

      if (id == NULL)
        continue;
      before = g_hash_table_lookup (failures, id);
      g_hash_table_insert (failures, g_strdup (id),
                           before != NULL ? g_strdup_printf ("%s, %s", before, case_name (test))
                                          : g_strdup (case_name (test)));
    }
  return failures;
}

gboolean
sluice_tests_panel_select_case (SluiceTestsPanel *self,
                                const char       *name)
{
  GtkListBoxRow *row;
  guint position;

  g_return_val_if_fail (SLUICE_IS_TESTS_PANEL (self), FALSE);

  if (self->document == NULL || find_case (self, name, &position) == NULL)
    return FALSE;
  /* The row may come with the next rebuild (a case just added). */
  pipeline_changed_cb (self);
  row = gtk_list_box_get_row_at_index (self->list, (int) position);
  if (row == NULL)
    return FALSE;
  gtk_list_box_select_row (self->list, row);
  row_activated_cb (self->list, row, self);
  return TRUE;
}
