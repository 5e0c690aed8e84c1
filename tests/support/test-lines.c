/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "test-lines.h"

guint
test_count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

guint
test_count_file_lines (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return test_count_lines (text);
}
