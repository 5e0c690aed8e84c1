/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "sluice-check-file.h"
#include "sluice-loader.h"
#include "sluice-validator.h"

gboolean
sluice_check_file (const char *path,
                   GPtrArray  *problems)
{
  g_autoptr(SluicePipeline) pipeline = NULL;
  guint first = problems->len;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (problems != NULL, FALSE);

  first = problems->len;
  pipeline = sluice_load_file (path, problems);
  if (pipeline != NULL)
    sluice_validate (pipeline, path, problems);

  if (pipeline == NULL && problems->len == first)
    {
      /* A loader that fails must say why; make sure the caller sees one. */
      g_ptr_array_add (problems,
                       sluice_problem_new (SLUICE_SEVERITY_ERROR, path, 0, NULL,
                                           _("the file could not be loaded")));
    }

  for (guint i = first; i < problems->len; i++)
    if (sluice_problem_get_severity (g_ptr_array_index (problems, i)) == SLUICE_SEVERITY_ERROR)
      return FALSE;

  return TRUE;
}

