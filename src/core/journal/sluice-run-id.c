/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "sluice-run-id.h"

char *
sluice_run_id_generate (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%08x", stamp, g_random_int ());
}

gboolean
sluice_run_id_check (const char  *run_id,
                     GError     **error)
{
  gsize length = run_id != NULL ? strlen (run_id) : 0;

  if (length == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "a run id cannot be empty");
      return FALSE;
    }
  if (length > SLUICE_RUN_ID_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "run id “%.32s…” is longer than %d characters", run_id, SLUICE_RUN_ID_MAX);
      return FALSE;
    }
  if (run_id[0] == '.' || run_id[0] == '-')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "run id “%s” cannot start with “%c”", run_id, run_id[0]);
      return FALSE;
    }
  for (gsize i = 0; i < length; i++)
    {
      char c = run_id[i];

      if (!g_ascii_isalnum (c) && c != '.' && c != '_' && c != '-')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "run id “%s” may only hold letters, digits, “.”, “_” and “-” (not a path)",
                       run_id);
          return FALSE;
        }
    }
  return TRUE;
}

char *
sluice_run_id_default_state_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "sluice", "runs", NULL);
}

char *
sluice_run_id_directory (const char  *state_dir,
                         const char  *run_id,
                         GError     **error)
{
  g_autofree char *fallback = NULL;

  if (!sluice_run_id_check (run_id, error))
    return NULL;
  if (state_dir == NULL)
    state_dir = fallback = sluice_run_id_default_state_dir ();
  return g_build_filename (state_dir, run_id, NULL);
}
