/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "sluice-core.h"
#include "sluice-run-plugins.h"

void
sluice_run_load_plugins (const char * const *pipeline_files,
                         gboolean            quiet)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_object_unref);

  sluice_plugins_load_installed (problems);
  for (guint i = 0; pipeline_files != NULL && pipeline_files[i] != NULL; i++)
    {
      g_autofree char *dir = g_path_get_dirname (pipeline_files[i]);

      sluice_plugins_load_beside (dir, problems);
    }
  for (guint i = 0; !quiet && i < problems->len; i++)
    {
      g_autofree char *line = sluice_problem_to_string (problems->pdata[i]);

      fprintf (stderr, "sluice-run: %s\n", line);
    }
}
