/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sluice-core.h"
#include "sluice-template-chooser.h"

static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row,
                  GtkWindow     *dialog)
{
  SluiceApplication *application = g_object_get_data (G_OBJECT (dialog), "application");
  const char *name = gtk_widget_get_name (GTK_WIDGET (row));

  sluice_application_new_from_template (application, name);
  gtk_window_destroy (dialog);
}

/* Title, what it is for, and what must be filled in before a run. */
static GtkWidget *
template_row_new (SluiceTemplate *template)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GString) subtitle = g_string_new (template->description);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), template->title);
  if (template->to_fill[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", template->to_fill);

      g_string_append_printf (subtitle, "%s%s %s", subtitle->len > 0 ? "\n" : "", _("To fill in:"), names);
    }
  if (!g_str_equal (template->origin, "built-in"))
    g_string_append_printf (subtitle, "\n%s %s", _("From:"), template->origin);
  /* Escaped: a plug-in's description is not markup. */
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle->str, -1);

    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_name (row, template->name);
  return row;
}

GtkWidget *
sluice_template_chooser_present (GtkWindow         *parent,
                                 SluiceApplication *application)
{
  g_autoptr(GPtrArray) templates = sluice_templates_list (NULL);
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_window_set_title (GTK_WINDOW (dialog), _("New From Template"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, 560);
  g_object_set_data_full (G_OBJECT (dialog), "application", g_object_ref (application), g_object_unref);

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_set_name (list, "templates");
  gtk_widget_set_valign (list, GTK_ALIGN_START);
  for (guint i = 0; i < templates->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (list), template_row_new (templates->pdata[i]));
  g_signal_connect (list, "row-activated", G_CALLBACK (row_activated_cb), dialog);

  gtk_widget_set_margin_top (clamp, 12);
  gtk_widget_set_margin_bottom (clamp, 12);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), list);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (dialog), box);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
