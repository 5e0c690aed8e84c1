/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "sluice-canvas-private.h"
#include "sluice-commands.h"
#include "sluice-inspector.h"
#include "sluice-inspector-multi.h"
#include "sluice-lua-check.h"

struct _SluiceInspector
{
  GtkBox              parent_instance;
  SluiceDocument     *document;        /* owned */
  SluiceNode         *node;            /* owned, may be NULL */
  GtkWidget          *scrolled;        /* borrowed child */
  GtkWidget          *content;         /* borrowed: box of groups, rebuilt */
  AdwPreferencesGroup *problems_group; /* borrowed, inside content */
  GPtrArray          *problem_rows;    /* borrowed rows in problems_group */
  GHashTable         *rows;            /* key → borrowed row */
  gboolean            updating;        /* our own edit is being applied */
  guint               rebuild_source;
  char               *focus_key;       /* owned: the row to focus once rebuilt, or NULL */
  GPtrArray          *selection;       /* owned refs: several selected nodes, or empty */
};

G_DEFINE_FINAL_TYPE (SluiceInspector, sluice_inspector, GTK_TYPE_BOX)

static void rebuild     (SluiceInspector *self);
static void apply_focus (SluiceInspector *self);

/* Pushes an edit without rebuilding the panel under the user's fingers. */
static void
push (SluiceInspector *self,
      SluiceCommand   *command)
{
  self->updating = TRUE;
  sluice_document_push (self->document, command);
  self->updating = FALSE;
}

static GObject *
row_target (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "target");
}

static const char *
row_property (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), "property");
}

static void
bind_row (SluiceInspector *self,
          GtkWidget       *row,
          GObject         *target,
          const char      *property,
          const char      *key)
{
  g_object_set_data_full (G_OBJECT (row), "target", g_object_ref (target), g_object_unref);
  g_object_set_data_full (G_OBJECT (row), "property", g_strdup (property), g_free);
  if (key != NULL)
    g_hash_table_replace (self->rows, g_strdup (key), row);
}

static AdwPreferencesGroup *
add_group (SluiceInspector *self,
           const char      *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->content), group);
  return ADW_PREFERENCES_GROUP (group);
}

/* Text properties ---------------------------------------------------------------- */

static void
string_changed_cb (GtkEditable     *row,
                   SluiceInspector *self)
{
  const char *text = gtk_editable_get_text (row);

  push (self, sluice_set_string_command_new (row_target (GTK_WIDGET (row)), row_property (GTK_WIDGET (row)),
                                             *text ? text : NULL));
}

static GtkWidget *
add_string_row (SluiceInspector     *self,
                AdwPreferencesGroup *group,
                GObject             *target,
                const char          *property,
                const char          *title,
                const char          *key)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *value = NULL;

  g_object_get (target, property, &value, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
  bind_row (self, row, target, property, key);
  g_signal_connect (row, "changed", G_CALLBACK (string_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static void
timeout_changed_cb (GtkEditable     *row,
                    SluiceInspector *self)
{
  const char *text = gtk_editable_get_text (row);
  gint64 ms = 0;

  if (*text != '\0' && !sluice_duration_parse (text, &ms))
    {
      /* Said at once, before anything reaches the model. */
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (row), _("Write a duration such as 250ms, 30s or 5m"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), NULL);
  {
    g_auto(GValue) value = G_VALUE_INIT;

    g_value_init (&value, G_TYPE_INT64);
    g_value_set_int64 (&value, ms);
    push (self, sluice_set_property_command_new (row_target (GTK_WIDGET (row)), "timeout-ms", &value));
  }
}

/* Numbers and choices ------------------------------------------------------------------ */

static void
spin_changed_cb (GtkSpinButton   *spin,
                 SluiceInspector *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (spin), "row");
  GObject *target = row_target (row);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), row_property (row));
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, gtk_spin_button_get_value (spin));
  if (pspec->value_type == G_TYPE_UINT)
    {
      g_auto(GValue) uvalue = G_VALUE_INIT;

      g_value_init (&uvalue, G_TYPE_UINT);
      g_value_set_uint (&uvalue, (guint) gtk_spin_button_get_value_as_int (spin));
      push (self, sluice_set_property_command_new (target, row_property (row), &uvalue));
      return;
    }
  push (self, sluice_set_property_command_new (target, row_property (row), &value));
}

static GtkWidget *
add_spin_row (SluiceInspector     *self,
              AdwPreferencesGroup *group,
              GObject             *target,
              const char          *property,
              const char          *title,
              const char          *subtitle,
              double               min,
              double               max,
              double               step,
              guint                digits,
              const char          *key)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), property);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (target, property, &value);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), pspec->value_type == G_TYPE_UINT ?
                             (double) g_value_get_uint (&value) : g_value_get_double (&value));
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  bind_row (self, row, target, property, key);
  g_object_set_data (G_OBJECT (spin), "row", row);
  g_signal_connect (spin, "value-changed", G_CALLBACK (spin_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

static void
enum_changed_cb (AdwComboRow     *row,
                 GParamSpec      *pspec,
                 SluiceInspector *self)
{
  g_auto(GValue) value = G_VALUE_INIT;
  GObject *target = row_target (GTK_WIDGET (row));
  GParamSpec *prop = g_object_class_find_property (G_OBJECT_GET_CLASS (target), row_property (GTK_WIDGET (row)));

  g_value_init (&value, prop->value_type);
  g_value_set_enum (&value, adw_combo_row_get_selected (row));
  push (self, sluice_set_property_command_new (target, row_property (GTK_WIDGET (row)), &value));
}

static GtkWidget *
add_enum_row (SluiceInspector     *self,
              AdwPreferencesGroup *group,
              GObject             *target,
              const char          *property,
              const char          *title,
              const char * const  *labels,
              const char          *key)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);
  int current;

  g_object_get (target, property, &current, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), current);
  bind_row (self, row, target, property, key);
  g_signal_connect (row, "notify::selected", G_CALLBACK (enum_changed_cb), self);
  adw_preferences_group_add (group, row);
  return row;
}

/* Execution bodies ---------------------------------------------------------------------- */

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
  push (self, sluice_body_command_new (execution, sluice_execution_get_body_kind (execution), text));
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
  push (self, sluice_set_string_command_new (G_OBJECT (self->node), "expression", *text ? text : NULL));
}

/* A condition's `when` is Lua too: edited as code, on as many lines as
 * it needs, not cut off in a one-line entry. */
static void
add_expression_editor (SluiceInspector     *self,
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

  push (self, sluice_tool_param_command_new (SLUICE_EXECUTION (self->node),
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

static void
build_execution (SluiceInspector *self,
                 SluiceExecution *execution)
{
  AdwPreferencesGroup *group = add_group (self, _("Body"));
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

      group = add_group (self, _("Tool Parameters"));
      for (guint i = 0; info != NULL && info->params != NULL && info->params[i].name != NULL; i++)
        add_tool_param_row (self, group, info->params[i].name, info->params[i].description, info->params[i].required);
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

/* Pipeline: parameters and services ------------------------------------------------------- */

static void
remove_item_cb (GtkButton       *button,
                SluiceInspector *self)
{
  GListStore *store = g_object_get_data (G_OBJECT (button), "store");
  GObject *item = g_object_get_data (G_OBJECT (button), "item");

  sluice_document_push (self->document, sluice_store_remove_command_new (store, item));
}

static void
endpoints_changed_cb (GtkEditable     *row,
                      SluiceInspector *self)
{
  g_auto(GStrv) urls = g_strsplit_set (gtk_editable_get_text (row), " ,\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) clean = NULL;
  g_auto(GValue) value = G_VALUE_INIT;

  for (guint i = 0; urls[i] != NULL; i++)
    if (*urls[i] != '\0')
      g_strv_builder_add (builder, urls[i]);
  clean = g_strv_builder_end (builder);
  g_value_init (&value, G_TYPE_STRV);
  g_value_set_boxed (&value, clean);
  push (self, sluice_set_property_command_new (row_target (GTK_WIDGET (row)), "endpoints", &value));
}

static void
balance_changed_cb (AdwComboRow     *row,
                    GParamSpec      *pspec,
                    SluiceInspector *self)
{
  push (self, sluice_set_string_command_new (row_target (GTK_WIDGET (row)), "balance",
                                             adw_combo_row_get_selected (row) == 1 ? "round-robin" : NULL));
}

static GtkWidget *
add_expander (AdwPreferencesGroup *group,
              const char          *title,
              GListStore          *store,
              GObject             *item,
              SluiceInspector     *self)
{
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  g_object_set_data_full (G_OBJECT (remove), "store", g_object_ref (store), g_object_unref);
  g_object_set_data_full (G_OBJECT (remove), "item", g_object_ref (item), g_object_unref);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_item_cb), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), remove);
  adw_preferences_group_add (group, expander);
  return expander;
}

static GtkWidget *
expander_entry (SluiceInspector *self,
                GtkWidget       *expander,
                GObject         *target,
                const char      *property,
                const char      *title,
                const char      *key)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *value = NULL;

  g_object_get (target, property, &value, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), value ? value : "");
  bind_row (self, row, target, property, key);
  g_signal_connect (row, "changed", G_CALLBACK (string_changed_cb), self);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
  return row;
}

static void
add_parameter_cb (GtkButton       *button,
                  SluiceInspector *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);
  GListStore *store = sluice_pipeline_get_parameters (pipeline);
  g_autofree char *name = g_strdup ("parameter");
  g_autoptr(SluiceParameter) parameter = NULL;

  for (guint i = 2; sluice_pipeline_find_parameter (pipeline, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("parameter%u", i);
    }
  parameter = sluice_parameter_new (name, "");
  /* The button goes with the rebuild: focus the new name rather than
   * letting focus fall on the first field (the pipeline's id). */
  g_free (self->focus_key);
  self->focus_key = g_strdup_printf ("parameter:%s:name", name);
  sluice_document_push (self->document,
                        sluice_store_insert_command_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)),
                                                         G_OBJECT (parameter)));
}

static void
add_service_cb (GtkButton       *button,
                SluiceInspector *self)
{
  SluicePipeline *pipeline = sluice_document_get_pipeline (self->document);
  GListStore *store = sluice_pipeline_get_services (pipeline);
  g_autofree char *name = g_strdup ("service");
  g_autoptr(SluiceService) service = NULL;
  const char *urls[] = { "http://127.0.0.1:8080/", NULL };

  for (guint i = 2; sluice_pipeline_find_service (pipeline, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf ("service%u", i);
    }
  service = sluice_service_new (name);
  sluice_service_set_endpoints (service, urls);
  g_free (self->focus_key);
  self->focus_key = g_strdup_printf ("service:%s:name", name);
  sluice_document_push (self->document,
                        sluice_store_insert_command_new (store, g_list_model_get_n_items (G_LIST_MODEL (store)),
                                                         G_OBJECT (service)));
}

static GtkWidget *
add_button (const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("list-add-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static void
build_pipeline (SluiceInspector *self,
                SluicePipeline  *pipeline)
{
  AdwPreferencesGroup *group = add_group (self, _("Pipeline"));
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline));
  GListModel *services = G_LIST_MODEL (sluice_pipeline_get_services (pipeline));
  GtkWidget *button;

  add_string_row (self, group, G_OBJECT (pipeline), "id", _("Id"), "id");
  add_string_row (self, group, G_OBJECT (pipeline), "name", _("Name"), "name");
  add_string_row (self, group, G_OBJECT (pipeline), "description", _("Description"), "description");

  group = add_group (self, _("Parameters"));
  adw_preferences_group_set_description (group, _("Used as ${name} in commands and as params.name in Lua"));
  button = add_button (_("Add a parameter"));
  g_signal_connect (button, "clicked", G_CALLBACK (add_parameter_cb), self);
  adw_preferences_group_set_header_suffix (group, button);
  g_hash_table_replace (self->rows, g_strdup ("add-parameter"), button);
  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) p = g_list_model_get_item (parameters, i);
      GtkWidget *expander = add_expander (group, sluice_parameter_get_name (p),
                                          G_LIST_STORE (parameters), G_OBJECT (p), self);
      g_autofree char *key = g_strdup_printf ("parameter:%s:name", sluice_parameter_get_name (p));

      expander_entry (self, expander, G_OBJECT (p), "name", _("Name"), key);
      expander_entry (self, expander, G_OBJECT (p), "default-value", _("Default"), NULL);
      expander_entry (self, expander, G_OBJECT (p), "description", _("Description"), NULL);
    }

  group = add_group (self, _("Services"));
  adw_preferences_group_set_description (group, _("Servers that external modules call"));
  button = add_button (_("Add a service"));
  g_signal_connect (button, "clicked", G_CALLBACK (add_service_cb), self);
  adw_preferences_group_set_header_suffix (group, button);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(SluiceService) s = g_list_model_get_item (services, i);
      GtkWidget *expander = add_expander (group, sluice_service_get_name (s),
                                          G_LIST_STORE (services), G_OBJECT (s), self);
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *balance = adw_combo_row_new ();
      const char *balances[] = { "least-loaded", "round-robin", NULL };
      g_autoptr(GtkStringList) model = gtk_string_list_new (balances);
      g_autofree char *urls = g_strjoinv (" ", (char **) sluice_service_get_endpoints (s));

      g_autofree char *key = g_strdup_printf ("service:%s:name", sluice_service_get_name (s));

      expander_entry (self, expander, G_OBJECT (s), "name", _("Name"), key);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (balance), _("Balance"));
      adw_combo_row_set_model (ADW_COMBO_ROW (balance), G_LIST_MODEL (model));
      adw_combo_row_set_selected (ADW_COMBO_ROW (balance),
                                  g_strcmp0 (sluice_service_get_balance (s), "round-robin") == 0);
      bind_row (self, balance, G_OBJECT (s), "balance", NULL);
      g_signal_connect (balance, "notify::selected", G_CALLBACK (balance_changed_cb), self);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), balance);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Endpoints (separated by spaces)"));
      gtk_editable_set_text (GTK_EDITABLE (row), urls);
      bind_row (self, row, G_OBJECT (s), "endpoints", NULL);
      g_signal_connect (row, "changed", G_CALLBACK (endpoints_changed_cb), self);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
    }
}

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
    build_execution (self, SLUICE_EXECUTION (module));
  else if (SLUICE_IS_CONDITION (module))
    {
      group = add_group (self, _("Condition"));
      adw_preferences_group_set_description (group, _("When (Lua expression): items for which it is true take the first branch"));
      add_expression_editor (self, group, SLUICE_CONDITION (module));
    }
  else if (SLUICE_IS_EXTERNAL (module))
    {
      group = add_group (self, _("External"));
      add_string_row (self, group, G_OBJECT (module), "service", _("Service"), "service");
    }
  else if (SLUICE_IS_FAIL (module))
    {
      group = add_group (self, _("Fail"));
      add_string_row (self, group, G_OBJECT (module), "reason", _("Reason"), "reason");
    }

  group = add_group (self, _("Errors and Time"));
  row = adw_entry_row_new ();
  timeout = sluice_module_get_timeout_ms (module) ? sluice_duration_format (sluice_module_get_timeout_ms (module)) : NULL;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Time-out (e.g. 30s, empty for none)"));
  gtk_editable_set_text (GTK_EDITABLE (row), timeout ? timeout : "");
  bind_row (self, row, G_OBJECT (module), "timeout-ms", "timeout");
  g_signal_connect (row, "changed", G_CALLBACK (timeout_changed_cb), self);
  adw_preferences_group_add (group, row);
  add_spin_row (self, group, G_OBJECT (module), "retries", _("Retries"), NULL, 0, 100, 1, 0, "retries");
  add_spin_row (self, group, G_OBJECT (module), "backoff", _("Back-off factor"),
                _("Retry n waits 100 ms × factor^n"), 1, 10, 0.5, 1, "backoff");
  add_enum_row (self, group, G_OBJECT (module), "on-error", _("On error"), on_error, "on-error");
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
  group = add_group (self, title);
  add_string_row (self, group, G_OBJECT (node), "id", _("Id"), "id");
  add_string_row (self, group, G_OBJECT (node), "name", _("Name"), "name");

  if (SLUICE_IS_CONTROLLER (node))
    {
      const char *modes[] = {
        sluice_mode_label (SLUICE_MODE_NOT_PARALLEL), sluice_mode_label (SLUICE_MODE_NO_ORDER),
        sluice_mode_label (SLUICE_MODE_ORDER_BY_SEQUENCE), sluice_mode_label (SLUICE_MODE_FIRST_WINS), NULL
      };

      add_enum_row (self, group, G_OBJECT (node), "mode", _("Mode"), modes, "mode");
      add_spin_row (self, group, G_OBJECT (node), "workers", _("Workers"),
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

static void
rebuild (SluiceInspector *self)
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

  self->problems_group = add_group (self, _("Problems"));
  gtk_widget_add_css_class (GTK_WIDGET (self->problems_group), "inspector-problems");
  /* Several nodes: what they are and what can be done to them together,
   * not the last one's properties as if it were alone. */
  if (self->selection->len > 1)
    gtk_box_append (GTK_BOX (self->content), sluice_inspector_multi_new (self->selection));
  else if (self->node != NULL)
    build_node (self, self->node);
  else
    build_pipeline (self, sluice_document_get_pipeline (self->document));
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
  rebuild (self);
  return G_SOURCE_REMOVE;
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
  if (document != NULL)
    {
      g_signal_connect_object (document, "view-changed", G_CALLBACK (view_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_pipeline (document), "changed",
                               G_CALLBACK (pipeline_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sluice_document_get_problems (document), "items-changed",
                               G_CALLBACK (update_problems), self, G_CONNECT_SWAPPED);
    }
  rebuild (self);
}

void
sluice_inspector_set_node (SluiceInspector *self,
                           SluiceNode      *node)
{
  if (self->node == node && self->rebuild_source == 0 && gtk_widget_get_first_child (self->content) != NULL)
    return;
  g_set_object (&self->node, node);
  if (self->document != NULL)
    sluice_command_stack_seal (sluice_document_get_history (self->document));
  rebuild (self);
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
    rebuild (self);
  return g_hash_table_lookup (self->rows, key);
}

static void
sluice_inspector_dispose (GObject *object)
{
  SluiceInspector *self = SLUICE_INSPECTOR (object);

  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  g_clear_object (&self->node);
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
