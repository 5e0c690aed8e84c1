/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Time zones of schedules: IANA names from the system's zoneinfo
 * (/usr/share/zoneinfo), like "Europe/Berlin", or "UTC". A name is only
 * looked up when it is a plain relative name (letters, digits, `_`, `+`,
 * `-`, components separated by `/`, none of them `.` or `..`): a file
 * name like "../../etc/passwd" or "/tmp/zone" is refused before any file
 * is opened, and so are POSIX TZ rule strings ("CET-1CEST,M3.5.0,…"). */

#define SLUICE_TIME_ZONE_ERROR (sluice_time_zone_error_quark ())
GQuark     sluice_time_zone_error_quark (void);

/* The zone for @name (NULL or "" = UTC), or NULL with @error. */
GTimeZone *sluice_time_zone_load        (const char  *name,
                                         GError     **error);

G_END_DECLS
