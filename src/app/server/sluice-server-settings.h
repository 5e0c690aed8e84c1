/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the Server view remembers: the URL in GSettings ("server-url"),
 * the token of each URL in $XDG_CONFIG_HOME/sluice/server-tokens, a key
 * file only the user can read or write (0600, replaced atomically).
 *
 * Not libsecret: it needs a Secret Service (gnome-keyring) on the session
 * bus, which headless machines, CI and `dbus-run-session` do not have;
 * a 0600 file is what `sluice-run runs --token-file` reads too. */
char     *sluice_server_settings_get_url   (GSettings   *settings);
void      sluice_server_settings_set_url   (GSettings   *settings,
                                            const char  *url);
/* The token kept for @url, or NULL. */
char     *sluice_server_token_lookup       (const char  *url);
/* Keeps @token for @url (an empty or NULL token forgets it). */
gboolean  sluice_server_token_store        (const char  *url,
                                            const char  *token,
                                            GError     **error);
/* The file the tokens are kept in (owned). */
char     *sluice_server_token_file         (void);

G_END_DECLS
