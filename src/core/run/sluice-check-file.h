/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads and validates @path; appends everything to @problems. Returns TRUE
 * when there is no error. The loader and the validator meet here, so that
 * neither has to know the other. */
gboolean sluice_check_file (const char *path,
                            GPtrArray  *problems);

G_END_DECLS
