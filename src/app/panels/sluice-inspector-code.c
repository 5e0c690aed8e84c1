/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include "sluice-commands.h"
#include "sluice-inspector-private.h"
#include "sluice-lua-check.h"

/* What an execution does: its body (Lua, a command, a tool and its
 * parameters) and a condition's When, edited as code with the line of
 * a Lua error marked. */

/* A Lua body that does not compile: its line is marked in the editor,
 * and the label under it says the line both in the body (what the editor
 * numbers) and in the file (what the validator and the runner say). */
static void
mark_lua_error (SluiceInspector *self,
                GtkTextBuffer   *buffer)
{
  SluiceExecution *execution = SLUICE_EXECUTION (self->node);
  GtkWidget *label = g_hash_table_lookup (self->rows, "code-error");
  g_autoptr(SluiceLuaCheck) check = NULL;
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;
  g_autofree char *shown = NULL;
  GtkTextIter start, end;
  guint line = 0, code_line;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "lua-error", &start, &end);
  gtk_source_buffer_remove_source_marks (GTK_SOURCE_BUFFER (buffer), &start, &end, "lua-error");
  if (label == NULL)
    return;
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  stripped = g_strstrip (g_strdup (text));
  check = sluice_lua_check_new ();
  if (stripped[0] == '\0' || sluice_lua_check_chunk (check, text, &line, &message))
    {
      gtk_widget_set_visible (label, FALSE);
      return;
    }

  code_line = sluice_execution_get_code_line (execution);
  if (line > 0)
    {
      gtk_text_buffer_get_iter_at_line (buffer, &start, line - 1);
      end = start;
      if (!gtk_text_iter_ends_line (&end))
        gtk_text_iter_forward_to_line_end (&end);
      gtk_text_buffer_apply_tag_by_name (buffer, "lua-error", &start, &end);
      gtk_source_buffer_create_source_mark (GTK_SOURCE_BUFFER (buffer), NULL, "lua-error", &start);
    }
  if (line > 0 && code_line > 0)
    /* TRANSLATORS: where a Lua error is: "line 3 of the body, line 5 of the file" */
    where = g_strdup_printf (_("line %u of the body, line %u of the file"), line, code_line + line - 1);
  else if (line > 0)
    where = g_strdup_printf (_("line %u of the body"), line);
  /* TRANSLATORS: "Does not compile (line 3 of the body, …): unexpected symbol near '='" */
  shown = where ? g_strdup_printf (_("Does not compile (%s): %s"), where, message)
                : g_strdup_printf (_("Does not compile: %s"), message);
  gtk_label_set_text (GTK_LABEL (label), shown);
  gtk_widget_set_visible (label, TRUE);
}

static void
code_changed_cb (GtkTextBuffer   *buffer,
                 SluiceInspector *self)
{
  SluiceExecution *execution = SLUICE_EXECUTION (self->node);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  _sluice_inspector_push (self, sluice_body_command_new (execution, sluice_execution_get_body_kind (execution), text));
  if (sluice_execution_get_body_kind (execution) == SLUICE_BODY_LUA)
    mark_lua_error (self, buffer);
}

/* A source view of @text in @language, framed, @height tall at least. */
static GtkWidget *
source_view_new (const char  *text,
                 const char  *language,
                 int          height,
                 GtkWidget  **frame_out)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  g_autoptr(GtkSourceBuffer) buffer = gtk_source_buffer_new (NULL);
  GtkWidget *view = gtk_source_view_new_with_buffer (buffer);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, dark ? "Adwaita-dark" : "Adwaita");

  gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, language));
  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), text ? text : "", -1);
  gtk_source_view_set_show_line_numbers (GTK_SOURCE_VIEW (view), TRUE);
  gtk_source_view_set_highlight_current_line (GTK_SOURCE_VIEW (view), TRUE);
  gtk_source_view_set_tab_width (GTK_SOURCE_VIEW (view), 2);
  gtk_source_view_set_auto_indent (GTK_SOURCE_VIEW (view), TRUE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), height);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);
  gtk_widget_add_css_class (frame, "code-editor");
  *frame_out = frame;
  return view;
}

static void
expression_changed_cb (GtkTextBuffer   *buffer,
                       SluiceInspector *self)
{
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  _sluice_inspector_push (self, sluice_set_string_command_new (G_OBJECT (self->node), "expression", *text ? text : NULL));
}

/* A condition's `when` is Lua too: edited as code, on as many lines as
 * it needs, not cut off in a one-line entry. */
void
_sluice_inspector_add_expression_editor (SluiceInspector     *self,
                                         AdwPreferencesGroup *group,
                                         SluiceCondition     *condition)
{
  GtkWidget *frame;
  GtkWidget *view = source_view_new (sluice_condition_get_expression (condition), "lua", 72, &frame);

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("When (Lua expression)"), -1);
  g_hash_table_replace (self->rows, g_strdup ("expression"), view);
  adw_preferences_group_add (group, frame);
  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                    G_CALLBACK (expression_changed_cb), self);
}

static void
add_code_editor (SluiceInspector     *self,
                 AdwPreferencesGroup *group,
                 const char          *text,
                 const char          *language)
{
  GtkWidget *frame;
  GtkWidget *view = source_view_new (text, language, 180, &frame);
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));

  g_hash_table_replace (self->rows, g_strdup ("code"), view);
  adw_preferences_group_add (group, frame);
  if (g_strcmp0 (language, "lua") == 0)
    {
      GtkSourceMarkAttributes *attributes = gtk_source_mark_attributes_new ();
      GtkWidget *error = gtk_label_new (NULL);
      GdkRGBA tint = { 0.88, 0.11, 0.14, 0.18 };

      gtk_source_mark_attributes_set_icon_name (attributes, "dialog-error-symbolic");
      gtk_source_mark_attributes_set_background (attributes, &tint);
      gtk_source_view_set_mark_attributes (GTK_SOURCE_VIEW (view), "lua-error", attributes, 10);
      gtk_source_view_set_show_line_marks (GTK_SOURCE_VIEW (view), TRUE);
      g_object_unref (attributes);
      gtk_text_buffer_create_tag (GTK_TEXT_BUFFER (buffer), "lua-error",
                                  "underline", PANGO_UNDERLINE_ERROR, NULL);
      gtk_label_set_xalign (GTK_LABEL (error), 0);
      gtk_label_set_wrap (GTK_LABEL (error), TRUE);
      gtk_widget_add_css_class (error, "error");
      gtk_widget_set_margin_top (error, 6);
      gtk_widget_set_visible (error, FALSE);
      g_hash_table_replace (self->rows, g_strdup ("code-error"), error);
      adw_preferences_group_add (group, error);
      mark_lua_error (self, GTK_TEXT_BUFFER (buffer));
    }
  g_signal_connect (buffer, "changed", G_CALLBACK (code_changed_cb), self);
}

static void
body_kind_changed_cb (AdwComboRow     *row,
                      GParamSpec      *pspec,
                      SluiceInspector *self)
{
  SluiceExecution *execution = SLUICE_EXECUTION (self->node);
  guint selected = adw_combo_row_get_selected (row);
  const SluiceToolInfo * const *tools = sluice_tool_list ();
  SluiceBodyKind kind = selected == 0 ? SLUICE_BODY_LUA : selected == 1 ? SLUICE_BODY_COMMAND : SLUICE_BODY_TOOL;

  if (kind == sluice_execution_get_body_kind (execution))
    return;
  sluice_document_push (self->document,
                        sluice_body_command_new (execution, kind,
                                                 kind == SLUICE_BODY_TOOL ? (tools && tools[0] ? tools[0]->name : "") :
                                                 kind == SLUICE_BODY_LUA ? "-- change the item here\n" : "cat"));
}

static void
tool_changed_cb (AdwComboRow     *row,
                 GParamSpec      *pspec,
                 SluiceInspector *self)
{
  const SluiceToolInfo * const *tools = sluice_tool_list ();
  guint selected = adw_combo_row_get_selected (row);

  if (tools == NULL || tools[selected] == NULL)
    return;
  if (g_strcmp0 (tools[selected]->name, sluice_execution_get_tool (SLUICE_EXECUTION (self->node))) == 0)
    return;
  sluice_document_push (self->document, sluice_body_command_new (SLUICE_EXECUTION (self->node),
                                                                 SLUICE_BODY_TOOL, tools[selected]->name));
}

static void
tool_param_changed_cb (GtkEditable     *row,
                       SluiceInspector *self)
{
  const char *text = gtk_editable_get_text (row);

  _sluice_inspector_push (self, sluice_tool_param_command_new (SLUICE_EXECUTION (self->node),
                                             g_object_get_data (G_OBJECT (row), "param"),
                                             *text ? text : NULL));
}

static void
add_tool_param_row (SluiceInspector     *self,
                    AdwPreferencesGroup *group,
                    const char          *name,
                    const char          *description,
                    gboolean             required)
{
  GtkWidget *row = adw_entry_row_new ();
  const char *value = sluice_execution_lookup_tool_param (SLUICE_EXECUTION (self->node), name);
  g_autofree char *title = required ? g_strdup_printf ("%s *", name) : g_strdup (name);
  g_autofree char *key = g_strdup_printf ("param:%s", name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
  if (description != NULL)
    gtk_widget_set_tooltip_text (row, description);
  g_object_set_data_full (G_OBJECT (row), "param", g_strdup (name), g_free);
  g_signal_connect (row, "changed", G_CALLBACK (tool_param_changed_cb), self);
  g_hash_table_replace (self->rows, g_steal_pointer (&key), row);
  adw_preferences_group_add (group, row);
}

void
_sluice_inspector_build_execution (SluiceInspector *self,
                                   SluiceExecution *execution)
{
  AdwPreferencesGroup *group = _sluice_inspector_add_group (self, _("Body"));
  const char *kinds[] = { _("Lua"), _("Command"), _("Tool"), NULL };
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (kinds);
  SluiceBodyKind kind = sluice_execution_get_body_kind (execution);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Runs"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), kind == SLUICE_BODY_COMMAND ? 1 : kind == SLUICE_BODY_TOOL ? 2 : 0);
  g_signal_connect (row, "notify::selected", G_CALLBACK (body_kind_changed_cb), self);
  g_hash_table_replace (self->rows, g_strdup ("body-kind"), row);
  adw_preferences_group_add (group, row);

  if (kind == SLUICE_BODY_TOOL)
    {
      const SluiceToolInfo * const *tools = sluice_tool_list ();
      const SluiceToolInfo *info = sluice_tool_lookup (sluice_execution_get_tool (execution));
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
      GtkWidget *tool_row = adw_combo_row_new ();
      GPtrArray *params = sluice_execution_get_tool_params (execution);
      guint current = 0;

      for (guint i = 0; tools != NULL && tools[i] != NULL; i++)
        {
          gtk_string_list_append (names, tools[i]->title ? tools[i]->title : tools[i]->name);
          if (info == tools[i])
            current = i;
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (tool_row), _("Tool"));
      adw_combo_row_set_model (ADW_COMBO_ROW (tool_row), G_LIST_MODEL (names));
      adw_combo_row_set_selected (ADW_COMBO_ROW (tool_row), current);
      g_signal_connect (tool_row, "notify::selected", G_CALLBACK (tool_changed_cb), self);
      g_hash_table_replace (self->rows, g_strdup ("tool"), tool_row);
      adw_preferences_group_add (group, tool_row);

      group = _sluice_inspector_add_group (self, _("Tool Parameters"));
      for (guint i = 0; info != NULL && info->params != NULL && info->params[i].name != NULL; i++)
        _sluice_inspector_add_tool_param_row (self, group, &info->params[i]);
      /* Parameters in the file that the tool does not declare. */
      for (guint i = 0; i < params->len; i++)
        {
          SluiceToolParam *p = params->pdata[i];
          g_autofree char *key = g_strdup_printf ("param:%s", p->name);

          if (!g_hash_table_contains (self->rows, key))
            add_tool_param_row (self, group, p->name, NULL, FALSE);
        }
    }
  else
    add_code_editor (self, group, sluice_execution_get_code (execution),
                     kind == SLUICE_BODY_COMMAND ? "sh" : "lua");
}
