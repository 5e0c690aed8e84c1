/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "sluice-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SluiceApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* Items are data, not text for people: Lua's tostring() and number
   * parsing must not turn 0.5 into "0,5" under the user's locale. */
  setlocale (LC_NUMERIC, "C");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Sluice"));
  app = sluice_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
