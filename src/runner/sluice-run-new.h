/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `sluice-run new …`: @argv starts with "new". Returns the exit status. */
int sluice_run_new_pipeline (int    argc,
                             char **argv);

G_END_DECLS
