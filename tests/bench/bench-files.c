/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-files.h"

void
bench_remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", "--", path, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_warning ("cannot remove %s: %s", path, error->message);
}
