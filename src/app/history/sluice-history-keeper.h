/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-run-session.h"

G_BEGIN_DECLS

/* Journals a designer run into the state directory (NULL: the default,
 * ~/.local/share/sluice/runs, as sluice-run's), so that the pipeline's
 * history holds the designer's runs beside sluice-run's: its states,
 * every event and the stages' progress, with a copy of the pipeline as it
 * ran (the file's bytes when @file_is_current, else the pipeline saved
 * afresh: what ran is what the copy and its hash say).
 *
 * Call before sluice_run_session_start(); the journal is made when the
 * run starts and lives as long as the session. A run of a pipeline never
 * saved (@path NULL) has no history. A journal that cannot be made does
 * not stop the run: it is told through @warn_func. */
typedef void (*SluiceHistoryWarnFunc) (const char *message,
                                       gpointer    user_data);

void        sluice_history_keep_run          (SluiceRunSession      *session,
                                              const char            *state_dir,
                                              const char            *path,
                                              gboolean               file_is_current,
                                              GHashTable            *defines,
                                              SluiceHistoryWarnFunc  warn_func,
                                              gpointer               user_data);
/* The run directory of the session's journal, or NULL. */
const char *sluice_history_get_run_directory (SluiceRunSession      *session);

G_END_DECLS
