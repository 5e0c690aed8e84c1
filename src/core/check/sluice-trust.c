/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sluice-condition.h"
#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-trust.h"

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

char *
sluice_trust_hash_runnables (GPtrArray *list)
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

  return sluice_trust_hash_runnables (list);
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

/* Summaries ------------------------------------------------------------------------------ */

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

gboolean
sluice_trust_kind_reaches_out (const char *kind)
{
  return kind_rank (kind) <= 1;
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
