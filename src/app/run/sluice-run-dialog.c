/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sluice-run-dialog.h"

SluiceRunChoice *
sluice_run_choice_new (void)
{
  SluiceRunChoice *choice = g_new0 (SluiceRunChoice, 1);

  choice->defines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return choice;
}

void
sluice_run_choice_free (SluiceRunChoice *choice)
{
  g_free (choice->input_path);
  g_free (choice->typed);
  g_hash_table_unref (choice->defines);
  g_free (choice);
}

static char *
store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "sluice", "runs.ini", NULL);
}

static GKeyFile *
load_store (void)
{
  g_autofree char *path = store_path ();
  GKeyFile *keys = g_key_file_new ();

  g_key_file_load_from_file (keys, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  return keys;
}

SluiceRunChoice *
sluice_run_choice_load (GFile *file)
{
  SluiceRunChoice *choice = sluice_run_choice_new ();
  g_autoptr(GKeyFile) keys = NULL;
  g_autofree char *group = file ? g_file_get_uri (file) : NULL;
  g_auto(GStrv) names = NULL;

  if (group == NULL)
    return choice;
  keys = load_store ();
  if (!g_key_file_has_group (keys, group))
    return choice;
  choice->input = CLAMP (g_key_file_get_integer (keys, group, "input", NULL), 0, SLUICE_RUN_INPUT_TYPED);
  choice->input_path = g_key_file_get_string (keys, group, "input-path", NULL);
  choice->typed = g_key_file_get_string (keys, group, "typed", NULL);
  choice->pinned = g_key_file_get_boolean (keys, group, "pinned", NULL);
  names = g_key_file_get_keys (keys, group, NULL, NULL);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], "define."))
      g_hash_table_insert (choice->defines, g_strdup (names[i] + 7),
                           g_key_file_get_string (keys, group, names[i], NULL));
  return choice;
}

void
sluice_run_choice_save (SluiceRunChoice *choice,
                        GFile           *file)
{
  g_autoptr(GKeyFile) keys = NULL;
  g_autofree char *group = file ? g_file_get_uri (file) : NULL;
  g_autofree char *path = store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer name, value;

  if (group == NULL)
    return;
  keys = load_store ();
  g_key_file_remove_group (keys, group, NULL);
  g_key_file_set_integer (keys, group, "input", choice->input);
  g_key_file_set_boolean (keys, group, "pinned", choice->pinned);
  if (choice->input_path != NULL)
    g_key_file_set_string (keys, group, "input-path", choice->input_path);
  if (choice->typed != NULL)
    g_key_file_set_string (keys, group, "typed", choice->typed);
  g_hash_table_iter_init (&iter, choice->defines);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      g_autofree char *key = g_strconcat ("define.", name, NULL);
      g_key_file_set_string (keys, group, key, value);
    }
  g_mkdir_with_parents (dir, 0700);
  if (!g_key_file_save_to_file (keys, path, &error))
    g_warning ("%s: %s", path, error->message);
}

SluiceRunChoice *
sluice_run_choice_load_for_run (GFile *file)
{
  SluiceRunChoice *choice = sluice_run_choice_load (file);

  if (choice->pinned)
    return choice;
  sluice_run_choice_free (choice);
  return sluice_run_choice_new ();
}

char *
sluice_run_choice_describe (SluiceRunChoice *choice)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (choice->defines), (GCompareFunc) g_strcmp0);

  switch (choice->input)
    {
    case SLUICE_RUN_INPUT_FILE:
      {
        g_autofree char *name = choice->input_path ? g_path_get_basename (choice->input_path) : NULL;

        g_string_append (s, name ? name : _("no input file"));
      }
      break;
    case SLUICE_RUN_INPUT_TYPED:
      {
        guint n = 0;
        g_auto(GStrv) lines = g_strsplit (choice->typed ? choice->typed : "", "\n", -1);

        for (guint i = 0; lines[i] != NULL; i++)
          n += *g_strstrip (lines[i]) != '\0';
        g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u typed item", "%u typed items", n), n);
      }
      break;
    case SLUICE_RUN_INPUT_TRIGGER:
    default:
      g_string_append (s, _("one empty item"));
      break;
    }
  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (s, " · %s=%s", (char *) l->data, (char *) g_hash_table_lookup (choice->defines, l->data));
  return g_string_free (s, FALSE);
}

GInputStream *
sluice_run_choice_open_input (SluiceRunChoice  *choice,
                              GError          **error)
{
  switch (choice->input)
    {
    case SLUICE_RUN_INPUT_FILE:
      {
        g_autoptr(GFile) file = NULL;

        if (choice->input_path == NULL || *choice->input_path == '\0')
          {
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("No input file chosen"));
            return NULL;
          }
        file = g_file_new_for_path (choice->input_path);
        return G_INPUT_STREAM (g_file_read (file, NULL, error));
      }
    case SLUICE_RUN_INPUT_TYPED:
      {
        const char *text = choice->typed ? choice->typed : "";
        return g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);
      }
    case SLUICE_RUN_INPUT_TRIGGER:
    default:
      return NULL;
    }
}

char *
sluice_run_choice_command_line (SluiceRunChoice *choice,
                                const char      *pipeline_path)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GList) names = g_list_sort (g_hash_table_get_keys (choice->defines), (GCompareFunc) g_strcmp0);
  g_autofree char *quoted_path = g_shell_quote (pipeline_path);

  if (choice->input == SLUICE_RUN_INPUT_TYPED)
    {
      g_auto(GStrv) lines = g_strsplit (choice->typed ? choice->typed : "", "\n", -1);

      g_string_append (s, "printf '%s\\n'");
      for (guint i = 0; lines[i] != NULL; i++)
        if (*g_strstrip (lines[i]) != '\0')
          {
            g_autofree char *q = g_shell_quote (lines[i]);
            g_string_append_printf (s, " %s", q);
          }
      g_string_append (s, " | ");
    }
  g_string_append (s, "sluice-run");
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *pair = g_strdup_printf ("%s=%s", (char *) l->data,
                                               (char *) g_hash_table_lookup (choice->defines, l->data));
      g_autofree char *q = g_shell_quote (pair);
      g_string_append_printf (s, " -D %s", q);
    }
  if (choice->input == SLUICE_RUN_INPUT_FILE && choice->input_path != NULL)
    {
      g_autofree char *q = g_shell_quote (choice->input_path);
      g_string_append_printf (s, " -i %s", q);
    }
  else if (choice->input == SLUICE_RUN_INPUT_TYPED)
    g_string_append (s, " -i -");
  g_string_append_printf (s, " %s", quoted_path);
  return g_string_free (s, FALSE);
}

/* The dialog --------------------------------------------------------------------------- */

typedef struct
{
  SluiceRunChoice     *choice;
  GFile               *file;
  SluicePipeline      *pipeline;
  SluiceRunDialogFunc  func;
  gpointer             user_data;
  GtkDropDown         *input;
  GtkEntry            *input_path;
  GtkTextView         *typed;
  GtkWidget           *typed_box;   /* the typed items with their label */
  GHashTable          *entries;     /* parameter name → GtkEntry */
  GtkLabel            *command;
  GtkCheckButton      *pin;
} Dialog;

static void
dialog_free (Dialog *d)
{
  sluice_run_choice_free (d->choice);
  g_clear_object (&d->file);
  g_clear_object (&d->pipeline);
  g_hash_table_unref (d->entries);
  g_free (d);
}

static void
read_back (Dialog *d)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (d->typed);
  GtkTextIter start, end;
  GHashTableIter iter;
  gpointer name, entry;

  d->choice->input = gtk_drop_down_get_selected (d->input);
  g_free (d->choice->input_path);
  d->choice->input_path = g_strdup (gtk_editable_get_text (GTK_EDITABLE (d->input_path)));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  g_free (d->choice->typed);
  d->choice->typed = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  d->choice->pinned = gtk_check_button_get_active (d->pin);
  g_hash_table_remove_all (d->choice->defines);
  g_hash_table_iter_init (&iter, d->entries);
  while (g_hash_table_iter_next (&iter, &name, &entry))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
      if (*text != '\0')
        g_hash_table_insert (d->choice->defines, g_strdup (name), g_strdup (text));
    }
  /* Only what the chosen input needs is shown. */
  gtk_widget_set_visible (GTK_WIDGET (d->input_path), d->choice->input == SLUICE_RUN_INPUT_FILE);
  gtk_widget_set_visible (d->typed_box, d->choice->input == SLUICE_RUN_INPUT_TYPED);
}

static void
changed_cb (Dialog *d)
{
  g_autofree char *path = d->file ? g_file_get_path (d->file) : g_strdup (_("PIPELINE.xml"));
  g_autofree char *line = NULL;

  read_back (d);
  line = sluice_run_choice_command_line (d->choice, path);
  gtk_label_set_text (d->command, line);
}

static void
copy_cb (GtkButton *button,
         Dialog    *d)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), gtk_label_get_text (d->command));
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Dialog           *d)
{
  if (g_strcmp0 (response, "run") == 0)
    {
      read_back (d);
      sluice_run_choice_save (d->choice, d->file);
      d->func (d->choice, d->user_data);
    }
}

static GtkWidget *
labelled (const char *text,
          GtkWidget  *child)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), child);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

GtkWidget *
sluice_run_dialog_present (GtkWindow           *parent,
                           SluicePipeline      *pipeline,
                           GFile               *file,
                           SluiceRunDialogFunc  func,
                           gpointer             user_data)
{
  const char *inputs[] = { N_("None: one empty item"), N_("A JSON-lines file"), N_("Items typed here"), NULL };
  const char *translated[4];
  Dialog *d = g_new0 (Dialog, 1);
  GtkWidget *dialog, *box, *grid, *scrolled, *copy, *command_box;
  GListModel *parameters = G_LIST_MODEL (sluice_pipeline_get_parameters (pipeline));

  for (guint i = 0; i < 4; i++)
    translated[i] = inputs[i] ? _(inputs[i]) : NULL;
  d->choice = sluice_run_choice_load (file);
  d->file = file ? g_object_ref (file) : NULL;
  d->pipeline = g_object_ref (pipeline);
  d->func = func;
  d->user_data = user_data;
  d->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  d->input = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (translated));
  gtk_drop_down_set_selected (d->input, d->choice->input);
  gtk_box_append (GTK_BOX (box), labelled (_("_Input"), GTK_WIDGET (d->input)));
  d->input_path = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_name (GTK_WIDGET (d->input_path), "input-path");
  gtk_entry_set_placeholder_text (d->input_path, _("Path of a JSON-lines file"));
  gtk_editable_set_text (GTK_EDITABLE (d->input_path), d->choice->input_path ? d->choice->input_path : "");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->input_path));
  d->typed = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_widget_set_name (GTK_WIDGET (d->typed), "typed-items");
  gtk_text_view_set_monospace (d->typed, TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (d->typed), d->choice->typed ? d->choice->typed : "", -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (d->typed));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 80);
  gtk_widget_add_css_class (scrolled, "card");
  d->typed_box = labelled (_("_Items, one JSON object a line"), scrolled);
  gtk_label_set_mnemonic_widget (GTK_LABEL (gtk_widget_get_first_child (d->typed_box)), GTK_WIDGET (d->typed));
  gtk_box_append (GTK_BOX (box), d->typed_box);

  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  for (guint i = 0; i < g_list_model_get_n_items (parameters); i++)
    {
      g_autoptr(SluiceParameter) parameter = g_list_model_get_item (parameters, i);
      const char *name = sluice_parameter_get_name (parameter);
      const char *value = g_hash_table_lookup (d->choice->defines, name);
      GtkWidget *label = gtk_label_new (name);
      GtkWidget *entry = gtk_entry_new ();

      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), sluice_parameter_get_default_value (parameter));
      gtk_editable_set_text (GTK_EDITABLE (entry), value ? value : "");
      gtk_widget_set_hexpand (entry, TRUE);
      gtk_grid_attach (GTK_GRID (grid), label, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), entry, 1, i, 1, 1);
      g_hash_table_insert (d->entries, g_strdup (name), entry);
      g_signal_connect_swapped (entry, "changed", G_CALLBACK (changed_cb), d);
    }
  if (g_list_model_get_n_items (parameters) > 0)
    {
      scrolled = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), grid);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 260);
      gtk_box_append (GTK_BOX (box), labelled (_("_Parameters (empty: the default)"), scrolled));
    }

  command_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  d->command = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_selectable (d->command, TRUE);
  gtk_label_set_wrap (d->command, TRUE);
  gtk_label_set_wrap_mode (d->command, PANGO_WRAP_CHAR);
  gtk_widget_set_name (GTK_WIDGET (d->command), "command-line");
  /* A command line broken inside a path must not gain hyphens: what is
   * copied or read off the screen is run as it is. */
  {
    PangoAttrList *attributes = pango_attr_list_new ();

    pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
    gtk_label_set_attributes (d->command, attributes);
    pango_attr_list_unref (attributes);
  }
  gtk_label_set_xalign (d->command, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (d->command), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (d->command), "monospace");
  copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_set_tooltip_text (copy, _("Copy the command"));
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_cb), d);
  gtk_box_append (GTK_BOX (command_box), GTK_WIDGET (d->command));
  gtk_box_append (GTK_BOX (command_box), copy);
  gtk_box_append (GTK_BOX (box), labelled (_("Export for the runner"), command_box));

  /* Unless pinned, this choice is for this run: F5 stays the plain run. */
  d->pin = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("Use these for _every run (F5)")));
  gtk_widget_set_name (GTK_WIDGET (d->pin), "pin-choice");
  gtk_check_button_set_active (d->pin, d->choice->pinned);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->pin));

  g_signal_connect_swapped (d->input, "notify::selected", G_CALLBACK (changed_cb), d);
  g_signal_connect_swapped (d->input_path, "changed", G_CALLBACK (changed_cb), d);
  g_signal_connect_swapped (gtk_text_view_get_buffer (d->typed), "changed", G_CALLBACK (changed_cb), d);
  changed_cb (d);

  dialog = adw_message_dialog_new (parent, _("Run Pipeline"), NULL);
  gtk_widget_set_size_request (dialog, 560, -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "run", _("_Run"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "run", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "run");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), d);
  g_object_set_data_full (G_OBJECT (dialog), "sluice-run-dialog", d, (GDestroyNotify) dialog_free);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
