/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "sluice-trust.h"
#include "sluice-trust-summary.h"

/* A file opened from disk may come from anyone: before its first run the
 * user sees every command, Lua body and endpoint it runs, and says yes.
 * The answer is remembered per content hash, so that a file changed
 * behind the user's back (new command, new endpoint) asks again. */

void
sluice_runnable_free (SluiceRunnable *runnable)
{
  g_free (runnable->kind);
  g_free (runnable->place);
  g_free (runnable->text);
  g_free (runnable);
}

static void
add (GPtrArray  *list,
     const char *kind,
     const char *place,
     const char *text)
{
  SluiceRunnable *runnable = g_new0 (SluiceRunnable, 1);

  runnable->kind = g_strdup (kind);
  runnable->place = g_strdup (place ? place : "");
  runnable->text = g_strdup (text ? text : "");
  g_ptr_array_add (list, runnable);
}

static gboolean
collect_cb (SluiceNode *node,
            gpointer    user_data)
{
  GPtrArray *list = user_data;
  const char *id = sluice_node_get_id (node);

  if (SLUICE_IS_EXECUTION (node))
    {
      SluiceExecution *execution = SLUICE_EXECUTION (node);

      switch (sluice_execution_get_body_kind (execution))
        {
        case SLUICE_BODY_LUA:
          add (list, "lua", id, sluice_execution_get_code (execution));
          break;
        case SLUICE_BODY_COMMAND:
          add (list, "command", id, sluice_execution_get_code (execution));
          break;
        case SLUICE_BODY_TOOL:
          {
            GPtrArray *params = sluice_execution_get_tool_params (execution);
            GString *text = g_string_new (sluice_execution_get_tool (execution));

            for (guint i = 0; params != NULL && i < params->len; i++)
              {
                SluiceToolParam *param = g_ptr_array_index (params, i);
                g_string_append_printf (text, "\n%s=%s", param->name, param->value ? param->value : "");
              }
            add (list, "tool", id, text->str);
            g_string_free (text, TRUE);
          }
          break;
        case SLUICE_BODY_NONE:
        default:
          break;
        }
    }
  else if (SLUICE_IS_CONDITION (node))
    add (list, "lua", id, sluice_condition_get_expression (SLUICE_CONDITION (node)));
  else if (SLUICE_IS_EXTERNAL (node))
    add (list, "external", id, sluice_external_get_service (SLUICE_EXTERNAL (node)));
  return TRUE;
}

GPtrArray *
sluice_trust_collect (SluicePipeline *pipeline)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) sluice_runnable_free);
  GListModel *services = G_LIST_MODEL (sluice_pipeline_get_services (pipeline));

  sluice_pipeline_foreach_node (pipeline, collect_cb, list);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(SluiceService) service = g_list_model_get_item (services, i);
      const char * const *endpoints = sluice_service_get_endpoints (service);

      for (guint j = 0; endpoints != NULL && endpoints[j] != NULL; j++)
        add (list, "endpoint", sluice_service_get_name (service), endpoints[j]);
    }
  return list;
}

static char *
hash_list (GPtrArray *list)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < list->len; i++)
    {
      SluiceRunnable *r = g_ptr_array_index (list, i);
      const char *parts[] = { r->kind, r->place, r->text };

      for (guint j = 0; j < G_N_ELEMENTS (parts); j++)
        {
          g_autofree char *length = g_strdup_printf ("%zu:", strlen (parts[j]));

          g_checksum_update (checksum, (const guchar *) length, -1);
          g_checksum_update (checksum, (const guchar *) parts[j], -1);
        }
    }
  return g_strdup (g_checksum_get_string (checksum));
}

char *
sluice_trust_hash (SluicePipeline *pipeline)
{
  g_autoptr(GPtrArray) list = sluice_trust_collect (pipeline);

  return hash_list (list);
}

static char *
store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "sluice", "trusted", NULL);
}

gboolean
sluice_trust_is_trusted (const char *hash)
{
  g_autofree char *path = store_path ();
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  return g_strv_contains ((const char * const *) lines, hash);
}

gboolean
sluice_trust_remember (const char  *hash,
                       GError     **error)
{
  g_autofree char *path = store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *contents = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GError) local_error = NULL;

  if (sluice_trust_is_trusted (hash))
    return TRUE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Cannot create %s"), dir);
      return FALSE;
    }
  /* Appending to a store we could not read would drop the hashes it
   * holds; only a store that does not exist yet starts empty. */
  if (!g_file_get_contents (path, &contents, NULL, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  updated = g_strconcat (contents ? contents : "", hash, "\n", NULL);
  return g_file_set_contents_full (path, updated, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
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
  g_autofree char *hash = hash_list (list);
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
