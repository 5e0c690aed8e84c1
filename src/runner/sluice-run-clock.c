/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-core.h"
#include "sluice-run-serve.h"

SluiceWallClock *
sluice_run_make_clock (GError **error)
{
  const char *test_clock = g_getenv ("SLUICE_TEST_CLOCK");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GDateTime) start = NULL;
  double speed = 1;

  if (test_clock == NULL || *test_clock == '\0')
    return sluice_wall_clock_new_system ();

  parts = g_strsplit (test_clock, " ", 2);
  start = g_date_time_new_from_iso8601 (parts[0], NULL);
  if (parts[1] != NULL)
    speed = g_ascii_strtod (parts[1][0] == 'x' ? parts[1] + 1 : parts[1], NULL);
  if (start == NULL || !(speed > 0 && speed <= 1e6))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "SLUICE_TEST_CLOCK expects “ISO-TIME xSPEED”, not “%s”", test_clock);
      return NULL;
    }
  return sluice_wall_clock_new_scaled (g_date_time_to_unix (start), speed);
}
