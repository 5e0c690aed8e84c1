/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gmodule.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sluice-plugin.h"
#include "sluice-plugins.h"
#include "sluice-problem.h"
#include "sluice-step-lua-tool.h"
#include "sluice-text.h"

/* A Lua tool bigger than this is not a tool. */
#define MAX_LUA_TOOL_SIZE (1024 * 1024)

/* Files already tried (loaded or reported), by real path: a folder seen
 * twice (a link, XDG_DATA_DIRS naming it twice) loads nothing twice. */
static GHashTable *tried;

static void
report (GPtrArray  *problems,
        const char *path,
        const char *message)
{
  if (problems != NULL)
    g_ptr_array_add (problems, sluice_problem_new_printf (SLUICE_SEVERITY_WARNING, path, 0, NULL,
                                                          _("plug-in skipped: %s"), message));
}

static gboolean
load_shared_object (const char  *path,
                    GError     **error)
{
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  const guint32 *abi = NULL;
  SluicePluginRegisterFunc register_func = NULL;
  gboolean registered;

  if (module == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", g_module_error ());
      return FALSE;
    }
  if (!g_module_symbol (module, "sluice_plugin_abi", (gpointer *) &abi) || abi == NULL ||
      !g_module_symbol (module, "sluice_plugin_register", (gpointer *) &register_func) || register_func == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("it does not export sluice_plugin_abi and sluice_plugin_register"));
      g_module_close (module);
      return FALSE;
    }
  if (*abi != SLUICE_PLUGIN_ABI)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("it was built for plug-in ABI %u, this Sluice has %u"), *abi, SLUICE_PLUGIN_ABI);
      g_module_close (module);
      return FALSE;
    }
  sluice_step_registry_set_origin (path);
  registered = register_func (error);
  sluice_step_registry_set_origin (NULL);
  if (!registered && error != NULL && *error == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("its sluice_plugin_register() failed"));
  /* Its types may be registered even when it failed half-way: a GType
   * cannot be unloaded, so neither can the module. */
  g_module_make_resident (module);
  return registered;
}

static gboolean
load_lua_tool (const char  *path,
               GError     **error)
{
  g_autofree char *source = NULL;
  gboolean registered;
  GStatBuf st;

  /* A regular file (never a FIFO, which would block) of sane size. */
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > MAX_LUA_TOOL_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("not a regular file of at most %d bytes"), MAX_LUA_TOOL_SIZE);
      return FALSE;
    }
  if (!g_file_get_contents (path, &source, NULL, error))
    return FALSE;
  if (!g_utf8_validate (source, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not UTF-8 text"));
      return FALSE;
    }
  sluice_step_registry_set_origin (path);
  registered = sluice_step_lua_tool_register (path, source, error);
  sluice_step_registry_set_origin (NULL);
  return registered;
}

static gboolean
is_plugin_file (const char *name)
{
  return name[0] != '.' && (g_str_has_suffix (name, ".so") || g_str_has_suffix (name, ".lua"));
}

static void
load_file (const char *path,
           GPtrArray  *problems)
{
  g_autofree char *real = g_canonicalize_filename (path, NULL);
  g_autoptr(GError) error = NULL;
  gboolean loaded;

  if (tried == NULL)
    tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!g_hash_table_add (tried, g_strdup (real)))
    return;
  if (g_str_has_suffix (path, ".so"))
    loaded = load_shared_object (path, &error);
  else
    loaded = load_lua_tool (path, &error);
  if (!loaded)
    report (problems, path, error->message);
}

static GPtrArray *
plugin_files (const char *folder)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  /* No folder is the normal case. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (is_plugin_file (name))
      g_ptr_array_add (files, g_build_filename (folder, name, NULL));
  /* In name order: which of two plug-ins of one name wins is stable. */
  sluice_sort_strings (files);
  return files;
}

static void
load_folder (const char *folder,
             GPtrArray  *problems)
{
  g_autoptr(GPtrArray) files = plugin_files (folder);

  for (guint i = 0; i < files->len; i++)
    load_file (files->pdata[i], problems);
}

void
sluice_plugins_load_installed (GPtrArray *problems)
{
  g_autofree char *user = g_build_filename (g_get_user_data_dir (), "sluice", "tools", NULL);
  const char * const *system = g_get_system_data_dirs ();

  load_folder (user, problems);
  for (guint i = 0; system[i] != NULL; i++)
    {
      g_autofree char *folder = g_build_filename (system[i], "sluice", "tools", NULL);

      load_folder (folder, problems);
    }
}

void
sluice_plugins_load_beside (const char *pipeline_dir,
                            GPtrArray  *problems)
{
  g_autofree char *folder = g_build_filename (pipeline_dir, "tools", NULL);

  g_return_if_fail (pipeline_dir != NULL);
  load_folder (folder, problems);
}

GStrv
sluice_plugins_list_beside (const char *pipeline_dir)
{
  g_autofree char *folder = g_build_filename (pipeline_dir, "tools", NULL);
  g_autoptr(GPtrArray) files = plugin_files (folder);

  g_ptr_array_add (files, NULL);
  return (GStrv) g_ptr_array_steal (files, NULL);
}
