/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether -i and -o name one regular file: opening the output would
 * empty the input before it is read. A device (/dev/null), a FIFO or a
 * terminal given as both is no such file. */
gboolean sluice_run_same_file (const char *input_path,
                               const char *output_path);

G_END_DECLS
