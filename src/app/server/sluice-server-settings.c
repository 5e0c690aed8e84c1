/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sluice-server-settings.h"

#define TOKEN_KEY "token"

char *
sluice_server_settings_get_url (GSettings *settings)
{
  g_autofree char *url = settings != NULL ? g_settings_get_string (settings, "server-url") : NULL;

  return url != NULL && *url != '\0' ? g_steal_pointer (&url) : NULL;
}

void
sluice_server_settings_set_url (GSettings  *settings,
                                const char *url)
{
  if (settings != NULL)
    g_settings_set_string (settings, "server-url", url != NULL ? url : "");
}

char *
sluice_server_token_file (void)
{
  return g_build_filename (g_get_user_config_dir (), "sluice", "server-tokens", NULL);
}

static GKeyFile *
load_tokens (void)
{
  g_autofree char *path = sluice_server_token_file ();
  GKeyFile *file = g_key_file_new ();

  /* A missing or damaged file holds no token: the user types it again. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  return file;
}

char *
sluice_server_token_lookup (const char *url)
{
  g_autoptr(GKeyFile) file = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  file = load_tokens ();
  return g_key_file_get_string (file, url, TOKEN_KEY, NULL);
}

gboolean
sluice_server_token_store (const char  *url,
                           const char  *token,
                           GError     **error)
{
  g_autoptr(GKeyFile) file = NULL;
  g_autofree char *path = sluice_server_token_file ();
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (url != NULL, FALSE);
  file = load_tokens ();
  if (token == NULL || *token == '\0')
    g_key_file_remove_group (file, url, NULL);
  else
    g_key_file_set_string (file, url, TOKEN_KEY, token);
  data = g_key_file_to_data (file, &length, NULL);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", folder, g_strerror (saved));
      return FALSE;
    }
  /* Written to a new file made 0600 and renamed over the old one: the
   * token is never readable by others, not even for a moment. */
  return g_file_set_contents_full (path, data, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
