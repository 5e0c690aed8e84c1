/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "sluice-inspector-private.h"
#include "sluice-test-case-command.h"

/* A test case in the inspector: its last result (the readable diff of
 * expected and actual items), and every part of it as rows. Each edit
 * makes an edited copy of the case and pushes one SluiceTestCaseCommand
 * (sluice_test_case_assign()), so that it is undone like any edit of the
 * pipeline; typing in one row merges into one step. Rows are named by
 * key for tests ("test-input", "test-stub-0-module", …). */

typedef void (*EditFunc) (SluiceTestCase *edited,
                          guint           index,
                          const char     *text);

static void
push_edit (SluiceInspector *self,
           GtkWidget       *widget,
           const char      *text)
{
  EditFunc func = g_object_get_data (G_OBJECT (widget), "edit-func");
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "edit-index"));
  const char *key = g_object_get_data (G_OBJECT (widget), "edit-key");
  gboolean reshapes = g_object_get_data (G_OBJECT (widget), "edit-reshapes") != NULL;
  g_autoptr(SluiceTestCase) edited = NULL;

  if (self->test_case == NULL || self->building)
    return;
  edited = sluice_test_case_copy (self->test_case);
  func (edited, index, text);
  _sluice_inspector_push (self, sluice_test_case_command_new (self->test_case, edited, reshapes ? NULL : key));
  if (reshapes)
    _sluice_inspector_queue_rebuild (self);
}

static void
bind_edit (SluiceInspector *self,
           GtkWidget       *widget,
           const char      *key,
           EditFunc         func,
           guint            index)
{
  g_object_set_data (G_OBJECT (widget), "edit-func", func);
  g_object_set_data (G_OBJECT (widget), "edit-index", GUINT_TO_POINTER (index));
  g_object_set_data_full (G_OBJECT (widget), "edit-key", g_strdup (key), g_free);
  g_hash_table_replace (self->rows, g_strdup (key), widget);
}

static void
entry_changed_cb (GtkEditable     *editable,
                  SluiceInspector *self)
{
  push_edit (self, GTK_WIDGET (editable), gtk_editable_get_text (editable));
}

static void
buffer_changed_cb (GtkTextBuffer   *buffer,
                   SluiceInspector *self)
{
  GtkWidget *view = g_object_get_data (G_OBJECT (buffer), "view");
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  push_edit (self, view, text);
}

static void
combo_changed_cb (AdwComboRow     *row,
                  GParamSpec      *pspec,
                  SluiceInspector *self)
{
  g_autofree char *text = g_strdup_printf ("%u", adw_combo_row_get_selected (row));

  push_edit (self, GTK_WIDGET (row), text);
}

static void
switch_changed_cb (GtkSwitch       *toggle,
                   GParamSpec      *pspec,
                   SluiceInspector *self)
{
  push_edit (self, GTK_WIDGET (toggle), gtk_switch_get_active (toggle) ? "1" : "0");
}

static void
button_clicked_cb (GtkButton       *button,
                   SluiceInspector *self)
{
  push_edit (self, GTK_WIDGET (button), g_object_get_data (G_OBJECT (button), "edit-text"));
}

static GtkWidget *
add_entry (SluiceInspector     *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char          *value,
           const char          *key,
           EditFunc             func,
           guint                index)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  bind_edit (self, row, key, func, index);
  g_signal_connect (row, "changed", G_CALLBACK (entry_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static GtkWidget *
add_text (SluiceInspector     *self,
          GtkWidget           *parent,
          const char          *value,
          const char          *key,
          EditFunc             func,
          guint                index)
{
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));

  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_buffer_set_text (buffer, value != NULL ? value : "", -1);
  /* A view of its own, at most a screenful: in the inspector's scrolled
   * panel a text view grows to its whole text, and a megabyte of pasted
   * items was then laid out and drawn in full at every change. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 64);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);
  g_object_set_data (G_OBJECT (buffer), "view", view);
  bind_edit (self, view, key, func, index);
  g_signal_connect (buffer, "changed", G_CALLBACK (buffer_changed_cb), self);
  if (ADW_IS_PREFERENCES_GROUP (parent))
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (parent), frame);
  else
    gtk_box_append (GTK_BOX (parent), frame);
  return view;
}

static GtkWidget *
add_combo (SluiceInspector     *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char * const  *labels,
           guint                selected,
           const char          *key,
           EditFunc             func,
           guint                index)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  bind_edit (self, row, key, func, index);
  g_signal_connect (row, "notify::selected", G_CALLBACK (combo_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static GtkWidget *
add_button (SluiceInspector *self,
            const char      *label,
            const char      *key,
            EditFunc         func,
            guint            index)
{
  GtkWidget *button = label != NULL ? gtk_button_new_with_label (label) : gtk_button_new ();

  gtk_widget_add_css_class (button, "flat");
  bind_edit (self, button, key, func, index);
  g_object_set_data (G_OBJECT (button), "edit-reshapes", GINT_TO_POINTER (1));
  g_signal_connect (button, "clicked", G_CALLBACK (button_clicked_cb), self);
  return button;
}

/* Edits of the copy ---------------------------------------------------------------------------- */

/* The parts of a stub are plain fields of the copy being edited. */
static void
replace_string (char       **member,
                const char  *value)
{
  g_free (*member);
  *member = g_strdup (value);
}

static char *
nonempty (const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));

  return *stripped != '\0' ? g_strdup (text) : NULL;
}

static void
edit_timeout (SluiceTestCase *t, guint i, const char *text)
{
  gint64 ms = 0;

  if (text != NULL && *text != '\0' && !sluice_duration_parse (text, &ms))
    return;
  sluice_test_case_set_timeout_ms (t, ms);
}

static void
edit_input (SluiceTestCase *t, guint i, const char *text)
{
  g_autofree char *items = nonempty (text);
  const SluiceTestItems *input = sluice_test_case_get_input (t);

  sluice_test_case_set_input (t, items, NULL, input != NULL ? input->line : 0);
}

static void
edit_expected (SluiceTestCase *t, guint i, const char *text)
{
  g_autofree char *items = nonempty (text);
  SluiceTestOrder order;
  SluiceTestCompare compare;
  const SluiceTestItems *expected = sluice_test_case_get_expected (t, &order, &compare);

  sluice_test_case_set_expected (t, items, NULL, expected != NULL ? expected->line : 0, order, compare);
}

static void
edit_order (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestCompare compare;
  const SluiceTestItems *expected = sluice_test_case_get_expected (t, NULL, &compare);
  g_autofree char *items = expected != NULL ? g_strdup (expected->text) : NULL;
  g_autofree char *file = expected != NULL ? g_strdup (expected->file) : NULL;

  sluice_test_case_set_expected (t, items, file, expected != NULL ? expected->line : 0,
                                 (SluiceTestOrder) atoi (text), compare);
}

static void
edit_compare (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestOrder order;
  const SluiceTestItems *expected = sluice_test_case_get_expected (t, &order, NULL);
  g_autofree char *items = expected != NULL ? g_strdup (expected->text) : NULL;
  g_autofree char *file = expected != NULL ? g_strdup (expected->file) : NULL;

  sluice_test_case_set_expected (t, items, file, expected != NULL ? expected->line : 0, order,
                                 atoi (text) == 1 ? SLUICE_TEST_COMPARE_SUBSET : SLUICE_TEST_COMPARE_EXACT);
}

static void
edit_count (SluiceTestCase *t, guint i, const char *text)
{
  guint64 count = 0;

  if (text == NULL || *text == '\0')
    sluice_test_case_set_expected_count (t, -1, 0);
  else if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &count, NULL))
    sluice_test_case_set_expected_count (t, (gint64) count, 0);
}

/* @i says which part: 0 the switch ("1" or "0"), 1 the module, 2 the
 * message. */
static void
edit_fails (SluiceTestCase *t, guint i, const char *text)
{
  const char *module, *message;
  gboolean fails = sluice_test_case_get_expected_failure (t, &module, &message, NULL);
  g_autofree char *m = g_strdup (module), *msg = g_strdup (message);

  sluice_test_case_set_expected_failure (t, i == 0 ? g_str_equal (text, "1") : fails,
                                         i == 1 ? text : m, i == 2 ? text : msg, 0);
}

static void
edit_fail_module (SluiceTestCase *t, guint i, const char *text)
{
  g_autofree char *value = nonempty (text);

  edit_fails (t, 1, value);
}

static void
edit_fail_message (SluiceTestCase *t, guint i, const char *text)
{
  g_autofree char *value = nonempty (text);

  edit_fails (t, 2, value);
}

static void
edit_params (SluiceTestCase *t, guint i, const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  GPtrArray *params = sluice_test_case_get_params (t);

  g_ptr_array_set_size (params, 0);
  for (guint l = 0; lines[l] != NULL; l++)
    {
      char *eq = strchr (lines[l], '=');

      if (eq == NULL || eq == lines[l])
        continue;
      *eq = '\0';
      sluice_test_case_add_param (t, g_strstrip (lines[l]), eq + 1);
    }
}

static void
edit_assert (SluiceTestCase *t, guint i, const char *text)
{
  GPtrArray *asserts = sluice_test_case_get_asserts (t);
  SluiceTestAssert *assertion;

  if (i >= asserts->len)
    return;
  assertion = g_ptr_array_index (asserts, i);
  g_free (assertion->code);
  assertion->code = g_strdup (text != NULL ? text : "");
}

static void
edit_add_assert (SluiceTestCase *t, guint i, const char *text)
{
  sluice_test_case_add_assert (t, "#outputs > 0", 0);
}

static void
edit_remove_assert (SluiceTestCase *t, guint i, const char *text)
{
  GPtrArray *asserts = sluice_test_case_get_asserts (t);

  if (i < asserts->len)
    g_ptr_array_remove_index (asserts, i);
}

static SluiceTestStub *
stub_at (SluiceTestCase *t, guint i)
{
  GPtrArray *stubs = sluice_test_case_get_stubs (t);

  return i < stubs->len ? g_ptr_array_index (stubs, i) : NULL;
}

static void
edit_stub_module (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);

  if (stub != NULL)
    replace_string (&stub->module, text != NULL && *text ? text : NULL);
}

/* The kinds the combo offers: answering (or passing on) and the faults,
 * then the real step. */
static void
edit_stub_kind (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);
  guint kind = (guint) atoi (text);

  if (stub == NULL)
    return;
  stub->real = kind == 4;
  stub->fault = kind < 4 ? (SluiceStubFault) kind : SLUICE_STUB_FAULT_NONE;
}

static void
edit_stub_status (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);
  guint64 value = 0;

  if (stub != NULL && (text == NULL || *text == '\0' || g_ascii_string_to_unsigned (text, 10, 0, 999, &value, NULL)))
    stub->status = (guint) value;
}

static void
edit_stub_times (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);
  guint64 value = 0;

  if (stub != NULL && (text == NULL || *text == '\0' || g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL)))
    stub->times = (guint) value;
}

static void
edit_stub_message (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);

  if (stub != NULL)
    replace_string (&stub->message, text != NULL && *text ? text : NULL);
}

/* Answers are indexed stub × 1000 + answer. */
#define ANSWER_INDEX(s, a) ((s) * 1000 + (a))

static SluiceStubAnswer *
answer_at (SluiceTestCase *t, guint index)
{
  SluiceTestStub *stub = stub_at (t, index / 1000);

  return stub != NULL && index % 1000 < stub->answers->len ? g_ptr_array_index (stub->answers, index % 1000) : NULL;
}

static void
edit_answer_match (SluiceTestCase *t, guint i, const char *text)
{
  SluiceStubAnswer *answer = answer_at (t, i);

  if (answer != NULL)
    replace_string (&answer->match, text != NULL && *text ? text : NULL);
}

static void
edit_answer_text (SluiceTestCase *t, guint i, const char *text)
{
  SluiceStubAnswer *answer = answer_at (t, i);

  if (answer != NULL)
    replace_string (&answer->text, text != NULL ? text : "");
}

static void
edit_add_answer (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i);

  if (stub != NULL)
    sluice_test_stub_add_answer (stub, NULL, "{}", 0);
}

static void
edit_remove_answer (SluiceTestCase *t, guint i, const char *text)
{
  SluiceTestStub *stub = stub_at (t, i / 1000);

  if (stub != NULL && i % 1000 < stub->answers->len)
    g_ptr_array_remove_index (stub->answers, i % 1000);
}

static void
edit_add_stub (SluiceTestCase *t, guint i, const char *text)
{
  sluice_test_case_add_stub (t, sluice_test_stub_new (text, 0));
}

typedef struct
{
  SluiceTestCase *test;
  char           *found;
} FirstUnstubbed;

static gboolean
first_unstubbed_cb (SluiceNode *node,
                    gpointer    user_data)
{
  FirstUnstubbed *first = user_data;
  const char *id = sluice_node_get_id (node);

  if (first->found != NULL || id == NULL || sluice_test_case_find_stub (first->test, id) != NULL)
    return first->found == NULL;
  if (SLUICE_IS_EXTERNAL (node) ||
      (SLUICE_IS_EXECUTION (node) && sluice_execution_get_body_kind (SLUICE_EXECUTION (node)) != SLUICE_BODY_LUA))
    first->found = g_strdup (id);
  return first->found == NULL;
}

/* What a new stub stands in for at first: the first command, tool or
 * external module the case does not stub yet (the user changes it). */
static char *
first_unstubbed (SluiceInspector *self,
                 SluiceTestCase  *test)
{
  FirstUnstubbed first = { test, NULL };

  sluice_pipeline_foreach_node (sluice_document_get_pipeline (self->document), first_unstubbed_cb, &first);
  return first.found;
}

static void
edit_remove_stub (SluiceTestCase *t, guint i, const char *text)
{
  if (i < sluice_test_case_get_stubs (t)->len)
    sluice_test_case_remove_stub (t, i);
}

/* The page ------------------------------------------------------------------------------------- */

/* The result's text with the diff's lines coloured: "-" expected, "+"
 * actual, as the runner prints them. */
static char *
result_markup (const char *message)
{
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);
  GString *markup = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (lines[i], -1);
      const char *trimmed = lines[i] + strspn (lines[i], " ");

      if (i > 0)
        g_string_append_c (markup, '\n');
      if (g_str_has_prefix (trimmed, "- "))
        g_string_append_printf (markup, "<span foreground=\"#e01b24\">%s</span>", escaped);
      else if (g_str_has_prefix (trimmed, "+ "))
        g_string_append_printf (markup, "<span foreground=\"#26a269\">%s</span>", escaped);
      else
        g_string_append (markup, escaped);
    }
  return g_string_free (markup, FALSE);
}

static void
build_result (SluiceInspector *self)
{
  AdwPreferencesGroup *group;
  GtkWidget *label;

  if (!self->test_has_result)
    return;
  group = _sluice_inspector_add_group (self, self->test_passed ? _("Last Run: Passed") : _("Last Run: Failed"));
  gtk_widget_add_css_class (GTK_WIDGET (group), self->test_passed ? "test-result-passed" : "test-result-failed");
  if (self->test_passed || self->test_message == NULL)
    return;
  {
    g_autofree char *markup = result_markup (self->test_message);

    label = gtk_label_new (NULL);
    gtk_label_set_markup (GTK_LABEL (label), markup);
  }
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "card");
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_name (label, "test-diff");
  g_hash_table_replace (self->rows, g_strdup ("test-result"), label);
  adw_preferences_group_add (group, label);
}

static void
build_stub (SluiceInspector     *self,
            AdwPreferencesGroup *group,
            SluiceTestStub      *stub,
            guint                s)
{
  const char *kinds[] = { _("Answer, or pass the item on"), _("Fail: exit status"), _("Fail: HTTP status"),
                          _("Fail: time-out"), _("Run the real step"), NULL };
  AdwPreferencesGroup *stub_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *title = g_strdup_printf (_("Stub of “%s”"), stub->module != NULL ? stub->module : "?");
  g_autofree char *key = NULL;
  g_autofree char *status = stub->status > 0 ? g_strdup_printf ("%u", stub->status) : NULL;
  g_autofree char *times = stub->times > 0 ? g_strdup_printf ("%u", stub->times) : NULL;
  GtkWidget *remove;

  adw_preferences_group_set_title (stub_group, title);
  adw_preferences_group_set_description (stub_group, stub->answers->len == 0 && !stub->real && stub->fault == SLUICE_STUB_FAULT_NONE
                                         ? _("Records what it is sent (recorded.ID) and passes items on")
                                         : NULL);
  key = g_strdup_printf ("test-stub-%u-remove", s);
  remove = add_button (self, _("Remove"), key, edit_remove_stub, s);
  adw_preferences_group_set_header_suffix (stub_group, remove);
  gtk_box_append (GTK_BOX (self->content), GTK_WIDGET (stub_group));

  g_free (key), key = g_strdup_printf ("test-stub-%u-module", s);
  add_entry (self, stub_group, _("Module"), stub->module, key, edit_stub_module, s);
  g_free (key), key = g_strdup_printf ("test-stub-%u-kind", s);
  add_combo (self, stub_group, _("Does"), kinds, stub->real ? 4 : (guint) stub->fault, key, edit_stub_kind, s);
  if (stub->fault == SLUICE_STUB_FAULT_EXIT || stub->fault == SLUICE_STUB_FAULT_HTTP)
    {
      g_free (key), key = g_strdup_printf ("test-stub-%u-status", s);
      add_entry (self, stub_group, stub->fault == SLUICE_STUB_FAULT_EXIT ? _("Exit status") : _("HTTP status"),
                 status, key, edit_stub_status, s);
    }
  if (stub->fault != SLUICE_STUB_FAULT_NONE)
    {
      g_free (key), key = g_strdup_printf ("test-stub-%u-times", s);
      add_entry (self, stub_group, _("For the first N calls (empty: every call)"), times, key, edit_stub_times, s);
      g_free (key), key = g_strdup_printf ("test-stub-%u-message", s);
      add_entry (self, stub_group, _("Message"), stub->message, key, edit_stub_message, s);
    }
  for (guint a = 0; a < stub->answers->len && !stub->real; a++)
    {
      SluiceStubAnswer *answer = g_ptr_array_index (stub->answers, a);
      GtkWidget *label = gtk_label_new (_("Outputs (JSON lines; empty drops the item)"));

      g_free (key), key = g_strdup_printf ("test-stub-%u-answer-%u-match", s, a);
      add_entry (self, stub_group, _("Answer when the item has (JSON object; empty: any)"), answer->match,
                 key, edit_answer_match, ANSWER_INDEX (s, a));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_set_margin_top (label, 6);
      adw_preferences_group_add (stub_group, label);
      g_free (key), key = g_strdup_printf ("test-stub-%u-answer-%u", s, a);
      add_text (self, GTK_WIDGET (stub_group), answer->text, key, edit_answer_text, ANSWER_INDEX (s, a));
      g_free (key), key = g_strdup_printf ("test-stub-%u-answer-%u-remove", s, a);
      adw_preferences_group_add (stub_group, add_button (self, _("Remove Answer"), key, edit_remove_answer,
                                                         ANSWER_INDEX (s, a)));
    }
  if (!stub->real)
    {
      g_free (key), key = g_strdup_printf ("test-stub-%u-add-answer", s);
      adw_preferences_group_add (stub_group, add_button (self, _("Add Answer"), key, edit_add_answer, s));
    }
}

void
_sluice_inspector_build_test_case (SluiceInspector *self,
                                   SluiceTestCase  *test)
{
  const char *orders[] = { _("As the controllers keep it"), _("In this order"), _("In any order"), NULL };
  const char *compares[] = { _("Whole items"), _("The fields given"), NULL };
  AdwPreferencesGroup *group;
  const SluiceTestItems *input, *expected;
  SluiceTestOrder order;
  SluiceTestCompare compare;
  const char *fail_module, *fail_message;
  gboolean fails;
  GPtrArray *asserts = sluice_test_case_get_asserts (test);
  GPtrArray *stubs = sluice_test_case_get_stubs (test);
  gint64 count = sluice_test_case_get_expected_count (test, NULL);
  g_autofree char *timeout = NULL;
  g_autofree char *count_text = count >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, count) : NULL;
  GString *params = g_string_new (NULL);
  GtkWidget *row, *toggle;

  self->building = TRUE;
  build_result (self);

  group = _sluice_inspector_add_group (self, _("Test Case"));
  _sluice_inspector_add_string_row (self, group, G_OBJECT (test), "name", _("Name"), "test-name");
  row = _sluice_inspector_add_string_row (self, group, G_OBJECT (test), "target",
                                          _("Target (controller or module id; empty: the pipeline)"), "test-target");
  timeout = sluice_test_case_get_timeout_ms (test) > 0 ? sluice_duration_format (sluice_test_case_get_timeout_ms (test)) : NULL;
  add_entry (self, group, _("Time-out (wall clock; empty: 60 s)"), timeout, "test-timeout", edit_timeout, 0);

  group = _sluice_inspector_add_group (self, _("Input Items"));
  input = sluice_test_case_get_input (test);
  if (input != NULL && input->file != NULL)
    adw_preferences_group_set_description (group, input->file);
  else
    {
      adw_preferences_group_set_description (group, _("JSON lines, one item a line; empty: one {} item"));
      add_text (self, GTK_WIDGET (group), input != NULL ? input->text : NULL, "test-input", edit_input, 0);
    }

  for (guint i = 0; i < sluice_test_case_get_params (test)->len; i++)
    {
      SluiceTestParam *param = g_ptr_array_index (sluice_test_case_get_params (test), i);

      g_string_append_printf (params, "%s%s=%s", i > 0 ? "\n" : "", param->name, param->value);
    }
  group = _sluice_inspector_add_group (self, _("Parameters"));
  adw_preferences_group_set_description (group, _("NAME=VALUE, one a line"));
  add_text (self, GTK_WIDGET (group), params->str, "test-params", edit_params, 0);
  g_string_free (params, TRUE);

  group = _sluice_inspector_add_group (self, _("Expected Outputs"));
  expected = sluice_test_case_get_expected (test, &order, &compare);
  if (expected != NULL && expected->file != NULL)
    adw_preferences_group_set_description (group, expected->file);
  else
    {
      adw_preferences_group_set_description (group, _("JSON lines; empty: the items are not compared"));
      add_text (self, GTK_WIDGET (group), expected != NULL ? expected->text : NULL, "test-expected", edit_expected, 0);
    }
  add_combo (self, group, _("Order"), orders, order, "test-order", edit_order, 0);
  add_combo (self, group, _("Compare"), compares, compare, "test-compare", edit_compare, 0);
  add_entry (self, group, _("Number of outputs (empty: any)"), count_text, "test-count", edit_count, 0);

  group = _sluice_inspector_add_group (self, _("Assertions"));
  adw_preferences_group_set_description (group, _("Lua over outputs, recorded and failure, e.g. #outputs == 3"));
  adw_preferences_group_set_header_suffix (group, add_button (self, _("Add"), "test-add-assert", edit_add_assert, 0));
  for (guint i = 0; i < asserts->len; i++)
    {
      SluiceTestAssert *assertion = g_ptr_array_index (asserts, i);
      g_autofree char *key = g_strdup_printf ("test-assert-%u", i);
      g_autofree char *remove_key = g_strdup_printf ("test-assert-%u-remove", i);
      g_autofree char *code = g_strstrip (g_strdup (assertion->code));
      GtkWidget *remove;

      row = add_entry (self, group, _("Assertion"), code, key, edit_assert, i);
      remove = add_button (self, NULL, remove_key, edit_remove_assert, i);
      gtk_button_set_icon_name (GTK_BUTTON (remove), "user-trash-symbolic");
      gtk_widget_set_tooltip_text (remove, _("Remove the assertion"));
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
    }

  group = _sluice_inspector_add_group (self, _("Expected Failure"));
  fails = sluice_test_case_get_expected_failure (test, &fail_module, &fail_message, NULL);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("The run must fail"));
  toggle = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (toggle), fails);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  bind_edit (self, toggle, "test-fails", edit_fails, 0);
  g_signal_connect (toggle, "notify::active", G_CALLBACK (switch_changed_cb), self);
  g_object_set_data (G_OBJECT (toggle), "edit-reshapes", GINT_TO_POINTER (1));
  adw_preferences_group_add (group, row);
  if (fails)
    {
      add_entry (self, group, _("In module (empty: any)"), fail_module, "test-fail-module", edit_fail_module, 0);
      add_entry (self, group, _("With a message containing"), fail_message, "test-fail-message", edit_fail_message, 0);
    }

  group = _sluice_inspector_add_group (self, _("Stubs"));
  adw_preferences_group_set_description (group, _("Steps with side effects never run in a test: each is stubbed, "
                                                  "or its items fail"));
  row = add_button (self, _("Add"), "test-add-stub", edit_add_stub, 0);
  g_object_set_data_full (G_OBJECT (row), "edit-text", first_unstubbed (self, test), g_free);
  adw_preferences_group_set_header_suffix (group, row);
  for (guint s = 0; s < stubs->len; s++)
    build_stub (self, group, g_ptr_array_index (stubs, s), s);
  self->building = FALSE;
}
