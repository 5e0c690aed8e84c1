/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "sluice-core.h"
#include "sluice-inspector.h"
#include "sluice-window.h"
#include "test-app-common.h"

/* The inspector edits a tool parameter with the widget of its declared
 * type, and what the widget says reaches the model. Under a display. */

#define TEST_TYPE_STEP_TYPED (test_step_typed_get_type ())
G_DECLARE_FINAL_TYPE (TestStepTyped, test_step_typed, TEST, STEP_TYPED, SluiceStep)

struct _TestStepTyped
{
  SluiceStep parent_instance;
};

G_DEFINE_FINAL_TYPE (TestStepTyped, test_step_typed, SLUICE_TYPE_STEP)

static const char * const formats[] = { "csv", "jsonl", "lines", NULL };

static const SluiceToolParamInfo typed_params[] = {
  { "header", "A bool", FALSE, SLUICE_TOOL_PARAM_BOOL, "true", NULL },
  { "count", "An int", FALSE, SLUICE_TOOL_PARAM_INT, "10", NULL },
  { "format", "A choice", FALSE, SLUICE_TOOL_PARAM_CHOICE, "jsonl", formats },
  { "query", "Text", FALSE, SLUICE_TOOL_PARAM_TEXT, NULL, NULL },
  { "path", "A path", TRUE, SLUICE_TOOL_PARAM_PATH, NULL, NULL },
  { "password", "A secret", FALSE, SLUICE_TOOL_PARAM_SECRET, NULL, NULL },
  { "name", "A string", FALSE, SLUICE_TOOL_PARAM_STRING, NULL, NULL },
  { "size", "An int given as ${n}", FALSE, SLUICE_TOOL_PARAM_INT, NULL, NULL },
  { NULL, NULL, FALSE, 0, NULL, NULL },
};

static const SluiceToolInfo typed_info = { "test-typed", "Typed", "Every type of parameter", typed_params, NULL };

static void
test_step_typed_class_init (TestStepTypedClass *klass)
{
  SLUICE_STEP_CLASS (klass)->info = &typed_info;
}

static void
test_step_typed_init (TestStepTyped *self)
{
}

static SluiceApplication *app;
static char *tmp_dir;

static const char *pipeline_xml =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<pipeline format=\"1\" id=\"t\">\n"
  "  <parameters><parameter name=\"n\" default=\"5\"/></parameters>\n"
  "  <controller id=\"c\" mode=\"not-parallel\">\n"
  "    <phase id=\"p\">\n"
  "      <execution id=\"m\"><use tool=\"test-typed\">\n"
  "        <param name=\"path\">data/in.csv</param>\n"
  "        <param name=\"size\">${n}</param>\n"
  "      </use></execution>\n"
  "    </phase>\n"
  "  </controller>\n"
  "</pipeline>\n";

static const char *
param_of (SluiceWindow *window,
          const char   *name)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (sluice_window_get_document (window));

  return sluice_execution_lookup_tool_param (SLUICE_EXECUTION (sluice_pipeline_find_node (pipeline, "m")), name);
}

static GtkWidget *
row_of (SluiceInspector *inspector,
        const char      *name)
{
  g_autofree char *key = g_strdup_printf ("param:%s", name);
  GtkWidget *row = sluice_inspector_get_row (inspector, key);

  g_assert_nonnull (row);
  return row;
}

static void
test_widgets_by_type (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "typed.xml", NULL);
  SluiceWindow *window;
  SluiceInspector *inspector;
  GtkWidget *row;

  g_assert_true (g_file_set_contents (path, pipeline_xml, -1, NULL));
  window = test_app_open_window (app, path);
  g_action_group_activate_action (G_ACTION_GROUP (window), "select", g_variant_new_string ("m"));
  test_app_spin (50);
  inspector = SLUICE_INSPECTOR (test_app_find_widget (GTK_WIDGET (window), SLUICE_TYPE_INSPECTOR));
  g_assert_nonnull (inspector);

  /* bool: a switch showing the default; toggling writes the value. */
  row = row_of (inspector, "header");
  g_assert_true (GTK_IS_SWITCH (row));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (row)));
  gtk_switch_set_active (GTK_SWITCH (row), FALSE);
  g_assert_cmpstr (param_of (window, "header"), ==, "false");

  /* int: a spin button. */
  test_app_spin (50);
  row = row_of (inspector, "count");
  g_assert_true (GTK_IS_SPIN_BUTTON (row));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (row)), ==, 10);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (row), 42);
  g_assert_cmpstr (param_of (window, "count"), ==, "42");

  /* choice: a drop-down of the choices. */
  test_app_spin (50);
  row = row_of (inspector, "format");
  g_assert_true (ADW_IS_COMBO_ROW (row));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 0);
  g_assert_cmpstr (param_of (window, "format"), ==, "csv");

  /* text: several lines. */
  test_app_spin (50);
  row = row_of (inspector, "query");
  g_assert_true (GTK_IS_TEXT_VIEW (row));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (row)), "select 1\nfrom t", -1);
  g_assert_cmpstr (param_of (window, "query"), ==, "select 1\nfrom t");

  /* path: an entry with a button that opens a file chooser. */
  test_app_spin (50);
  row = row_of (inspector, "path");
  g_assert_true (ADW_IS_ENTRY_ROW (row));
  g_assert_true (GTK_IS_BUTTON (g_object_get_data (G_OBJECT (row), "choose")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "data/in.csv");

  /* secret: a password entry. */
  row = row_of (inspector, "password");
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (row));

  /* string: an entry; a ${name} in an int stays editable as text. */
  row = row_of (inspector, "name");
  g_assert_true (ADW_IS_ENTRY_ROW (row));
  row = row_of (inspector, "size");
  g_assert_true (ADW_IS_ENTRY_ROW (row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "${n}");

  sluice_document_discard_draft (sluice_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  test_app_spin (20);
}


int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_app_setup_environment ("test-app-tool-params");
  app = test_app_new ();
  sluice_step_registry_register ("test-typed", TEST_TYPE_STEP_TYPED, SLUICE_STEP_TOOL);
  g_test_add_func ("/sluice/app/tool-params/widgets", test_widgets_by_type);

  return g_test_run ();
}
