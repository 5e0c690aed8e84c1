/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sluice-trust.h"
#include "sluice-trust-summary.h"

/* A kind expanded shows at most this many groups, then says how many
 * more there are: thousands of rows would freeze the dialog. */
#define MAX_GROUPS_SHOWN 100
/* Places named in a group's row. */
#define MAX_PLACES_SHOWN 6

static const char * const kind_order[] = { "command", "endpoint", "tool", "external", "lua" };

void
sluice_trust_group_free (SluiceTrustGroup *group)
{
  g_free (group->kind);
  g_free (group->text);
  g_ptr_array_unref (group->places);
  g_free (group);
}

static guint
kind_rank (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_order); i++)
    if (g_strcmp0 (kind, kind_order[i]) == 0)
      return i;
  return G_N_ELEMENTS (kind_order);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const SluiceTrustGroup *ga = *(SluiceTrustGroup * const *) a;
  const SluiceTrustGroup *gb = *(SluiceTrustGroup * const *) b;
  guint ra = kind_rank (ga->kind), rb = kind_rank (gb->kind);

  if (ra != rb)
    return ra < rb ? -1 : 1;
  if (ga->count != gb->count)
    return ga->count > gb->count ? -1 : 1;
  return g_strcmp0 (ga->text, gb->text);
}

GPtrArray *
sluice_trust_summarise (GPtrArray *list)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_trust_group_free);
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < list->len; i++)
    {
      SluiceRunnable *r = g_ptr_array_index (list, i);
      /* Kind and text, which a NUL cannot be part of in either. */
      g_autofree char *key = g_strconcat (r->kind, "\x1f", r->text, NULL);
      SluiceTrustGroup *group = g_hash_table_lookup (index, key);

      if (group == NULL)
        {
          group = g_new0 (SluiceTrustGroup, 1);
          group->kind = g_strdup (r->kind);
          group->text = g_strdup (r->text);
          group->places = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (groups, group);
          g_hash_table_insert (index, g_steal_pointer (&key), group);
        }
      group->count++;
      g_ptr_array_add (group->places, g_strdup (r->place));
    }
  g_ptr_array_sort (groups, compare_groups);
  return groups;
}

typedef struct
{
  SluiceTrustSummaryFunc func;
  gpointer               user_data;
} Pending;

static void
summarise_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_task_return_pointer (task, sluice_trust_summarise (task_data), (GDestroyNotify) g_ptr_array_unref);
}

static void
summarised_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Pending *pending = user_data;
  GPtrArray *groups = g_task_propagate_pointer (G_TASK (result), NULL);

  pending->func (groups, pending->user_data);
  g_free (pending);
}

void
sluice_trust_summarise_async (GPtrArray              *list,
                              SluiceTrustSummaryFunc  func,
                              gpointer                user_data)
{
  Pending *pending = g_new0 (Pending, 1);
  g_autoptr(GTask) task = NULL;

  pending->func = func;
  pending->user_data = user_data;
  task = g_task_new (NULL, NULL, summarised_cb, pending);
  g_task_set_source_tag (task, sluice_trust_summarise_async);
  g_task_set_task_data (task, g_ptr_array_ref (list), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, summarise_thread);
}

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
      if (kind_rank (group->kind) <= 1 && rows->n <= 20)
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (expander), TRUE);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 520);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  return scrolled;
}
