/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "sluice-time-zone.h"

G_DEFINE_QUARK (sluice-time-zone-error-quark, sluice_time_zone_error)

/* The longest IANA name is about 30 bytes. */
#define MAX_NAME_LENGTH 64

static gboolean
is_zone_name (const char *name)
{
  g_auto(GStrv) components = NULL;

  if (strlen (name) > MAX_NAME_LENGTH || name[0] == '/')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '+' && *p != '-' && *p != '/')
      return FALSE;

  components = g_strsplit (name, "/", -1);
  for (guint i = 0; components[i] != NULL; i++)
    if (components[i][0] == '\0')
      return FALSE;
  return TRUE;
}

GTimeZone *
sluice_time_zone_load (const char  *name,
                       GError     **error)
{
  GTimeZone *tz;

  if (name == NULL || *name == '\0')
    return g_time_zone_new_utc ();

  /* GLib accepts offsets and rule strings too, and it opens whatever
   * path it is given: only names of zoneinfo files get that far. */
  if (!is_zone_name (name))
    {
      g_set_error (error, SLUICE_TIME_ZONE_ERROR, 0,
                   _("`%s` is not a time zone name (use a name like Europe/Berlin or UTC)"), name);
      return NULL;
    }

  if (g_str_equal (name, "UTC"))
    return g_time_zone_new_utc ();

  /* GLib would read "ABC5" as a rule string when no file has that name:
   * a zone must be a file of the zoneinfo folder GLib reads. */
  {
    const char *tzdir = g_getenv ("TZDIR");
    g_autofree char *path = g_build_filename (tzdir != NULL ? tzdir : "/usr/share/zoneinfo",
                                              name, NULL);

    tz = g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_time_zone_new_identifier (name) : NULL;
  }
  if (tz == NULL)
    {
      g_set_error (error, SLUICE_TIME_ZONE_ERROR, 0,
                   _("unknown time zone `%s` (not in the system's zoneinfo; use a name like Europe/Berlin or UTC)"),
                   name);
      return NULL;
    }
  return tz;
}
