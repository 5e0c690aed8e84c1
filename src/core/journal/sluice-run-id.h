/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Run ids and run directories. A journaled run lives in
 * STATE-DIR/RUN-ID/ (STATE-DIR is ~/.local/share/sluice/runs unless a
 * front end says otherwise): the journal, a copy of the pipeline and a
 * lock file. A run id is a file name of its own, never a path: letters,
 * digits, '.', '_' and '-', at most 64, not starting with '.', so that
 * "../x" or "a/b" can never name a directory elsewhere. */

#define SLUICE_RUN_ID_MAX 64

/* A new id: UTC time and 8 random hex digits, 20261127T132628Z-3f9a2c1b. */
char     *sluice_run_id_generate        (void);
/* FALSE with a message saying what is wrong with @run_id. */
gboolean  sluice_run_id_check           (const char  *run_id,
                                         GError     **error);
/* ~/.local/share/sluice/runs (XDG_DATA_HOME respected). */
char     *sluice_run_id_default_state_dir (void);
/* STATE-DIR/RUN-ID, after checking the id; NULL with @error. */
char     *sluice_run_id_directory       (const char  *state_dir,
                                         const char  *run_id,
                                         GError     **error);

G_END_DECLS
