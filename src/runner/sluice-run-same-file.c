/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include "sluice-run-same-file.h"

gboolean
sluice_run_same_file (const char *input_path,
                      const char *output_path)
{
  struct stat in, out;

  if (input_path == NULL || output_path == NULL ||
      g_str_equal (input_path, "-") || g_str_equal (output_path, "-"))
    return FALSE;
  if (stat (input_path, &in) != 0 || stat (output_path, &out) != 0)
    return FALSE;
  return S_ISREG (in.st_mode) && in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}
