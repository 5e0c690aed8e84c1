/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-execution.h"
#include "sluice-external.h"
#include "sluice-run-state.h"
#include "sluice-step-command.h"
#include "sluice-step-delay.h"
#include "sluice-step-external.h"
#include "sluice-step-lua.h"
#include "sluice-step-registry.h"
#include "sluice-tool-columns.h"
#include "sluice-tool-console.h"
#include "sluice-tool-convert.h"
#include "sluice-tool-file-extract.h"
#include "sluice-tool-file-load.h"
#include "sluice-tool-sql-extract.h"
#include "sluice-tool-sql-load.h"
#include "sluice-tool-clickhouse.h"
#include "sluice-tool-http.h"

typedef struct
{
  char           *name;
  GType           type;
  SluiceStepKind  kind;
  char           *origin;  /* "built-in", or where a plug-in came from */
} Entry;

/* A process-wide table, never freed. Registration happens on the main
 * thread; lookups may come from any thread (the validator, the palette),
 * so the table is behind a lock. */
static GPtrArray *entries;  /* of Entry* */
G_LOCK_DEFINE_STATIC (entries);
/* Where the steps registered now come from (a plug-in being loaded). */
static char *registering_origin;

static gboolean add_entry (const char *name, GType type, SluiceStepKind kind, const char *origin);

static void
register_builtins (void)
{
  /* Adding a built-in step: its file, and one line here. */
  add_entry ("lua", SLUICE_TYPE_STEP_LUA, SLUICE_STEP_BODY, "built-in");
  add_entry ("command", SLUICE_TYPE_STEP_COMMAND, SLUICE_STEP_BODY, "built-in");
  add_entry ("delay", SLUICE_TYPE_STEP_DELAY, SLUICE_STEP_TOOL, "built-in");
  add_entry ("external", SLUICE_TYPE_STEP_EXTERNAL, SLUICE_STEP_BODY, "built-in");
  add_entry ("file-extract", SLUICE_TYPE_TOOL_FILE_EXTRACT, SLUICE_STEP_TOOL, "built-in");
  add_entry ("convert", SLUICE_TYPE_TOOL_CONVERT, SLUICE_STEP_TOOL, "built-in");
  add_entry ("columns", SLUICE_TYPE_TOOL_COLUMNS, SLUICE_STEP_TOOL, "built-in");
  add_entry ("file-load", SLUICE_TYPE_TOOL_FILE_LOAD, SLUICE_STEP_TOOL, "built-in");
  add_entry ("console", SLUICE_TYPE_TOOL_CONSOLE, SLUICE_STEP_TOOL, "built-in");
  add_entry ("sql-extract", SLUICE_TYPE_TOOL_SQL_EXTRACT, SLUICE_STEP_TOOL, "built-in");
  add_entry ("sql-load", SLUICE_TYPE_TOOL_SQL_LOAD, SLUICE_STEP_TOOL, "built-in");
  /* The remote tools. */
  add_entry ("http", SLUICE_TYPE_TOOL_HTTP, SLUICE_STEP_TOOL, "built-in");
  add_entry ("clickhouse", SLUICE_TYPE_TOOL_CLICKHOUSE, SLUICE_STEP_TOOL, "built-in");
}

/* Call with the lock held. */
static void
ensure_entries (void)
{
  if (entries != NULL)
    return;

  entries = g_ptr_array_new ();
  register_builtins ();
}

/* Call with the lock held. */
static Entry *
find_entry (const char *name)
{
  ensure_entries ();

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->name, name))
        return entry;
    }

  return NULL;
}

/* Call with the lock held. */
static gboolean
add_entry (const char     *name,
           GType           type,
           SluiceStepKind  kind,
           const char     *origin)
{
  Entry *entry;

  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (((Entry *) g_ptr_array_index (entries, i))->name, name))
      return FALSE;

  entry = g_new0 (Entry, 1);
  entry->name = g_strdup (name);
  entry->type = type;
  entry->kind = kind;
  entry->origin = g_strdup (origin);
  /* Classes stay alive: tool descriptions are borrowed from them. */
  g_type_class_ref (type);
  g_ptr_array_add (entries, entry);

  return TRUE;
}

gboolean
sluice_step_registry_register (const char     *name,
                               GType           type,
                               SluiceStepKind  kind)
{
  return sluice_step_registry_register_from (name, type, kind, "registered at run time");
}

gboolean
sluice_step_registry_register_from (const char     *name,
                                    GType           type,
                                    SluiceStepKind  kind,
                                    const char     *origin)
{
  gboolean added;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (g_type_is_a (type, SLUICE_TYPE_STEP), FALSE);

  G_LOCK (entries);
  ensure_entries ();
  added = add_entry (name, type, kind, registering_origin ? registering_origin : origin);
  G_UNLOCK (entries);

  return added;
}

void
sluice_step_registry_set_origin (const char *origin)
{
  G_LOCK (entries);
  g_free (registering_origin);
  registering_origin = g_strdup (origin);
  G_UNLOCK (entries);
}

GType
sluice_step_registry_lookup (const char *name)
{
  Entry *entry;

  g_return_val_if_fail (name != NULL, G_TYPE_INVALID);

  G_LOCK (entries);
  entry = find_entry (name);
  G_UNLOCK (entries);

  /* Entries are never removed: the pointer stays valid. */
  return entry != NULL ? entry->type : G_TYPE_INVALID;
}

SluiceStepClass *
sluice_step_registry_lookup_class (const char *name)
{
  GType type = sluice_step_registry_lookup (name);

  return type != G_TYPE_INVALID ? g_type_class_peek (type) : NULL;
}

const char *
sluice_step_registry_name_for (SluiceModule *module)
{
  g_return_val_if_fail (SLUICE_IS_MODULE (module), NULL);

  if (SLUICE_IS_EXTERNAL (module))
    return "external";
  if (!SLUICE_IS_EXECUTION (module))
    return NULL;

  switch (sluice_execution_get_body_kind (SLUICE_EXECUTION (module)))
    {
    case SLUICE_BODY_LUA:
      return "lua";
    case SLUICE_BODY_COMMAND:
      return "command";
    case SLUICE_BODY_TOOL:
      return sluice_execution_get_tool (SLUICE_EXECUTION (module));
    case SLUICE_BODY_NONE:
    default:
      return NULL;
    }
}

SluiceStep *
sluice_step_registry_new_step (SluiceModule  *module,
                               GError       **error)
{
  const char *id = sluice_node_get_id (SLUICE_NODE (module));
  const char *name = sluice_step_registry_name_for (module);
  GType type;

  if (name == NULL)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: an execution needs exactly one body", id);
      return NULL;
    }

  type = sluice_step_registry_lookup (name);
  if (type == G_TYPE_INVALID)
    {
      g_set_error (error, SLUICE_EXECUTOR_ERROR, SLUICE_EXECUTOR_ERROR_TOOL,
                   "module “%s”: unknown tool “%s”", id, name);
      return NULL;
    }

  return g_object_new (type, NULL);
}

/* The tools half of the registry, for the validator and the palette
 * (sluice-tool.h). */

const SluiceToolInfo *
sluice_tool_lookup (const char *name)
{
  Entry *entry;

  g_return_val_if_fail (name != NULL, NULL);

  G_LOCK (entries);
  entry = find_entry (name);
  G_UNLOCK (entries);
  if (entry == NULL || entry->kind != SLUICE_STEP_TOOL)
    return NULL;

  return ((SluiceStepClass *) g_type_class_peek (entry->type))->info;
}

const char *
sluice_tool_get_origin (const char *name)
{
  Entry *entry;

  g_return_val_if_fail (name != NULL, NULL);

  G_LOCK (entries);
  entry = find_entry (name);
  G_UNLOCK (entries);

  return entry != NULL ? entry->origin : NULL;
}

static int
compare_tools (gconstpointer a,
               gconstpointer b)
{
  const SluiceToolInfo *ta = *(const SluiceToolInfo **) a;
  const SluiceToolInfo *tb = *(const SluiceToolInfo **) b;

  return g_strcmp0 (ta->name, tb->name);
}

const SluiceToolInfo * const *
sluice_tool_list (void)
{
  /* Rebuilt when a tool was registered since; the old arrays are kept,
   * since callers may still hold them. */
  static GPtrArray *list;
  static guint list_entries;
  const SluiceToolInfo * const *result;

  G_LOCK (entries);
  ensure_entries ();
  if (list == NULL || list_entries != entries->len)
    {
      list_entries = entries->len;
      list = g_ptr_array_new ();
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *entry = g_ptr_array_index (entries, i);

          if (entry->kind == SLUICE_STEP_TOOL)
            g_ptr_array_add (list, (gpointer) ((SluiceStepClass *) g_type_class_peek (entry->type))->info);
        }
      g_ptr_array_sort (list, compare_tools);
      g_ptr_array_add (list, NULL);
    }
  result = (const SluiceToolInfo * const *) list->pdata;
  G_UNLOCK (entries);

  return result;
}
