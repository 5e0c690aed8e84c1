/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Plug-in tools: found in `~/.local/share/sluice/tools/`, in
 * `sluice/tools/` under each folder of XDG_DATA_DIRS, and in a `tools/`
 * folder beside a pipeline. A `.so` file is a plug-in written in C
 * (sluice-plugin.h), a `.lua` file one written in Lua
 * (sluice-step-lua-tool.h). A broken one (not loadable, a missing symbol,
 * another ABI, a syntax error, a name taken) is reported with its path in
 * @problems (SluiceProblem) and skipped; the others load. Each file is
 * loaded once per process, so calling these again is cheap. Main thread
 * only. */

/* The user's and the system's tools folders. */
void     sluice_plugins_load_installed (GPtrArray  *problems);
/* The `tools/` folder beside a pipeline (@pipeline_dir/tools). Loading a
 * shared object runs its code: for a pipeline from disk, only after the
 * user trusted it. */
void     sluice_plugins_load_beside    (const char *pipeline_dir,
                                        GPtrArray  *problems);
/* The plug-in files in @pipeline_dir/tools that would be loaded (for the
 * trust question), sorted; NULL-terminated. */
GStrv    sluice_plugins_list_beside    (const char *pipeline_dir);

G_END_DECLS
