/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads the installed plug-in tools and those in a `tools/` folder beside
 * each of @pipeline_files (running a pipeline trusts its folder, as it
 * trusts its commands), and warns on standard error of the broken ones
 * unless @quiet. */
void sluice_run_load_plugins (const char * const *pipeline_files,
                              gboolean            quiet);

G_END_DECLS
