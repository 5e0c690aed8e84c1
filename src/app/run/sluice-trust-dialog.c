/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sluice-trust-dialog.h"

/* The trust dialog: what a file from disk runs, summarised (the summary
 * is made on a worker thread by the core), and the user's answer. */

/* A kind expanded shows at most this many groups, then says how many
 * more there are: thousands of rows would freeze the dialog. */
#define MAX_GROUPS_SHOWN 100
/* Places named in a group's row. */
#define MAX_PLACES_SHOWN 6

/* The view ------------------------------------------------------------------------------ */

static char *
kind_title (const char *kind,
            guint       n)
{
  if (g_strcmp0 (kind, "command") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u command", "%u commands", n), n);
  if (g_strcmp0 (kind, "endpoint") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u endpoint", "%u endpoints", n), n);
  if (g_strcmp0 (kind, "tool") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u tool use", "%u tool uses", n), n);
  if (g_strcmp0 (kind, "external") == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u call of a service", "%u calls of services", n), n);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Lua body", "%u Lua bodies", n), n);
}

static GtkWidget *
group_row (SluiceTrustGroup *group)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *first_line = g_strndup (group->text, strcspn (group->text, "\n"));
  g_autofree char *title = g_markup_escape_text (first_line, -1);
  GString *places = g_string_new (NULL);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  for (guint i = 0; i < MIN (group->places->len, MAX_PLACES_SHOWN); i++)
    g_string_append_printf (places, "%s%s", i ? ", " : "", (char *) group->places->pdata[i]);
  if (group->places->len > MAX_PLACES_SHOWN)
    g_string_append (places, ", …");
  /* TRANSLATORS: "×286 · m6, m13, m20, …": how many times, and where */
  subtitle = g_strdup_printf (_("×%u · %s"), group->count, places->str);
  g_string_free (places, TRUE);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  gtk_widget_add_css_class (row, "monospace");
  gtk_widget_set_tooltip_text (row, group->text);
  return row;
}

typedef struct
{
  GPtrArray *groups;   /* owned ref: all of them */
  guint      first;    /* this kind's groups: [first, first + n) */
  guint      n;
  gboolean   filled;
} KindRows;

static void
kind_rows_free (KindRows *rows)
{
  g_ptr_array_unref (rows->groups);
  g_free (rows);
}

/* Rows are made when the kind is first expanded. */
static void
expanded_cb (AdwExpanderRow *expander,
             GParamSpec     *pspec,
             KindRows       *rows)
{
  if (rows->filled || !adw_expander_row_get_expanded (expander))
    return;
  rows->filled = TRUE;
  for (guint i = 0; i < MIN (rows->n, MAX_GROUPS_SHOWN); i++)
    adw_expander_row_add_row (expander, group_row (rows->groups->pdata[rows->first + i]));
  if (rows->n > MAX_GROUPS_SHOWN)
    {
      GtkWidget *more = adw_action_row_new ();
      guint rest = rows->n - MAX_GROUPS_SHOWN;
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %u more different one",
                                                             "and %u more different ones", rest), rest);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (more), title);
      adw_expander_row_add_row (expander, more);
    }
}

GtkWidget *
sluice_trust_summary_view_new (GPtrArray *groups)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_set_name (list, "trust-summary");
  for (guint i = 0; i < groups->len;)
    {
      SluiceTrustGroup *group = groups->pdata[i];
      GtkWidget *expander = adw_expander_row_new ();
      KindRows *rows = g_new0 (KindRows, 1);
      guint total = 0;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;

      rows->groups = g_ptr_array_ref (groups);
      rows->first = i;
      while (i < groups->len && g_strcmp0 (((SluiceTrustGroup *) groups->pdata[i])->kind, group->kind) == 0)
        total += ((SluiceTrustGroup *) groups->pdata[i++])->count;
      rows->n = i - rows->first;
      title = kind_title (group->kind, total);
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u different", "%u different", rows->n), rows->n);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
      g_object_set_data_full (G_OBJECT (expander), "kind", g_strdup (group->kind), g_free);
      g_signal_connect_data (expander, "notify::expanded", G_CALLBACK (expanded_cb), rows,
                             (GClosureNotify) (void (*) (void)) kind_rows_free, 0);
      gtk_list_box_append (GTK_LIST_BOX (list), expander);
      /* What reaches out of the process is shown at once. */
      if (sluice_trust_kind_reaches_out (group->kind) && rows->n <= 20)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 520);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return scrolled;
}

typedef struct
{
  SluiceTrustFunc func;
  gpointer        user_data;
  char           *hash;
  GtkWindow      *parent;     /* owned until the dialog is up */
  char           *file_name;
  guint           n_runnables;
} Check;

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             Check            *check)
{
  gboolean trusted = g_strcmp0 (response, "trust") == 0;

  if (trusted)
    {
      g_autoptr(GError) error = NULL;

      if (!sluice_trust_remember (check->hash, &error))
        g_warning ("%s", error->message);
    }
  g_object_set_data (G_OBJECT (gtk_window_get_transient_for (GTK_WINDOW (dialog))), "sluice-trust-dialog", NULL);
  check->func (trusted, check->user_data);
  g_free (check->hash);
  g_free (check);
}

static void
summarised_cb (GPtrArray *groups,
               gpointer   user_data)
{
  Check *check = user_data;
  g_autoptr(GPtrArray) owned = groups;
  g_autoptr(GtkWindow) parent = g_steal_pointer (&check->parent);
  g_autofree char *file_name = g_steal_pointer (&check->file_name);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  /* The window went while the list was being made: nothing runs. */
  if (gtk_widget_in_destruction (GTK_WIDGET (parent)) || !gtk_widget_get_realized (GTK_WIDGET (parent)))
    {
      g_object_set_data (G_OBJECT (parent), "sluice-trust-pending", NULL);
      check->func (FALSE, check->user_data);
      g_free (check->hash);
      g_free (check);
      return;
    }
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "“%s” was opened from disk. Running it runs the command, Lua body "
                                       "or endpoint below on this computer with your permissions. Run it "
                                       "only if you trust where it comes from.",
                                       "“%s” was opened from disk. Running it runs the %u commands, Lua "
                                       "bodies and endpoints below on this computer with your permissions. "
                                       "Run it only if you trust where it comes from.", check->n_runnables),
                          file_name, check->n_runnables);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("Trust This Pipeline?"), body));
  adw_message_dialog_set_extra_child (dialog, sluice_trust_summary_view_new (groups));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust and Run"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), check);
  g_object_set_data (G_OBJECT (parent), "sluice-trust-pending", NULL);
  g_object_set_data (G_OBJECT (parent), "sluice-trust-dialog", dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
sluice_trust_check (GtkWindow      *parent,
                    SluicePipeline *pipeline,
                    const char     *file_name,
                    SluiceTrustFunc func,
                    gpointer        user_data)
{
  g_autoptr(GPtrArray) list = sluice_trust_collect (pipeline);
  g_autofree char *hash = sluice_trust_hash_runnables (list);
  Check *check;

  if (list->len == 0 || sluice_trust_is_trusted (hash))
    {
      func (TRUE, user_data);
      return;
    }

  /* Thousands of modules are summarised away from the window (grouped
   * by kind and text), so that the dialog comes at once and stays
   * short. */
  check = g_new0 (Check, 1);
  check->func = func;
  check->user_data = user_data;
  check->hash = g_steal_pointer (&hash);
  check->parent = g_object_ref (parent);
  check->file_name = g_strdup (file_name);
  check->n_runnables = list->len;
  g_object_set_data (G_OBJECT (parent), "sluice-trust-pending", GINT_TO_POINTER (TRUE));
  sluice_trust_summarise_async (list, summarised_cb, check);
}

gboolean
sluice_trust_get_pending (GtkWindow *parent)
{
  return g_object_get_data (G_OBJECT (parent), "sluice-trust-pending") != NULL ||
         g_object_get_data (G_OBJECT (parent), "sluice-trust-dialog") != NULL;
}

GtkWidget *
sluice_trust_get_dialog (GtkWindow *parent)
{
  return g_object_get_data (G_OBJECT (parent), "sluice-trust-dialog");
}
