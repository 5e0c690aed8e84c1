/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A plug-in built for another ABI: it must be refused unloaded (its
 * register function would abort the test if called). */
#include <glib.h>
#include <gmodule.h>
#include <stdlib.h>

G_MODULE_EXPORT const guint32 sluice_plugin_abi = 999;

G_MODULE_EXPORT gboolean sluice_plugin_register (GError **error);

G_MODULE_EXPORT gboolean
sluice_plugin_register (GError **error)
{
  abort ();
}
