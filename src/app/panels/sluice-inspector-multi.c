/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "sluice-core.h"
#include "sluice-inspector-multi.h"

/* Nodes named in the description; the rest are counted. */
#define MAX_NAMED 5

static GtkWidget *
action_row (const char *title,
            const char *subtitle,
            const char *action)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), action);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

GtkWidget *
sluice_inspector_multi_new (GPtrArray *nodes)
{
  GtkWidget *group = adw_preferences_group_new ();
  GString *names = g_string_new (NULL);
  g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u selected", "%u selected", nodes->len),
                                            nodes->len);
  g_autofree char *escaped = NULL;

  for (guint i = 0; i < MIN (nodes->len, MAX_NAMED); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", sluice_node_get_label (nodes->pdata[i]));
  if (nodes->len > MAX_NAMED)
    {
      guint rest = nodes->len - MAX_NAMED;

      g_string_append_printf (names, g_dngettext (GETTEXT_PACKAGE, " and %u more", " and %u more", rest), rest);
    }
  escaped = g_markup_escape_text (names->str, -1);
  g_string_free (names, TRUE);

  gtk_widget_set_name (group, "multi-selection");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), escaped);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             action_row (_("_Duplicate"), _("Copies placed after the selection (Ctrl+D)"), "win.duplicate"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             action_row (_("_Copy"), _("As pipeline XML, to paste here or in another file (Ctrl+C)"),
                                         "win.copy"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             action_row (_("Move _Up"), _("Each one place up in its list (Alt+Up)"), "win.move-up"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             action_row (_("Move Do_wn"), _("Each one place down in its list (Alt+Down)"), "win.move-down"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             action_row (_("De_lete"), _("Undo brings them back (Delete)"), "win.delete"));
  return group;
}
