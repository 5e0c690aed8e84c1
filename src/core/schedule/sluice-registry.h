/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sluice-registry-entry.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_REGISTRY (sluice_registry_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRegistry, sluice_registry, SLUICE, REGISTRY, GObject)

/* A folder of pipeline files (and its subfolders) as a set of pipelines.
 *
 * Every `*.xml` file is an entry, valid or not: a broken file is listed
 * with its problems (file and line) and never stops the others. Names
 * starting with "." are skipped (editors' temporary files, .git), and
 * so is the state folder when it lies inside. Symbolic links are
 * followed, each folder once (a link loop is reported, not walked
 * forever), at most SLUICE_REGISTRY_MAX_DEPTH deep and
 * SLUICE_REGISTRY_MAX_FILES files.
 *
 * With a state folder, each version of each file is kept there as
 * versions/ID/HASH.xml (ID with "/" as "%2F") with a history, so a
 * changed file's previous versions stay available.
 *
 * sluice_registry_watch() follows the folder with GFileMonitor: a new,
 * changed or removed file is picked up (after a short quiet time, so a
 * file being written is read once it is complete) and reported by the
 * "added", "changed" and "removed" signals. */

#define SLUICE_REGISTRY_MAX_FILES 20000
#define SLUICE_REGISTRY_MAX_DEPTH 32

SluiceRegistry      *sluice_registry_new       (const char      *folder,
                                                const char      *state_folder);
const char          *sluice_registry_get_folder (SluiceRegistry *self);

/* Scans the folder; FALSE with @error only when the folder itself cannot
 * be read. Emits the signals for what changed since the last scan. */
gboolean             sluice_registry_scan      (SluiceRegistry  *self,
                                                GError         **error);
gboolean             sluice_registry_watch     (SluiceRegistry  *self,
                                                GError         **error);

/* Entries sorted by id (a new array of references). */
GPtrArray           *sluice_registry_list      (SluiceRegistry  *self);
SluiceRegistryEntry *sluice_registry_lookup    (SluiceRegistry  *self,
                                                const char      *id);
/* Problems of the folder itself (link loops, unreadable folders, too
 * many files). Borrowed. */
GPtrArray           *sluice_registry_get_problems (SluiceRegistry *self);

/* The versions kept of @id, oldest first: "HASH SEEN-AT" lines (NULL
 * without a state folder). */
GStrv                sluice_registry_get_versions (SluiceRegistry *self,
                                                   const char     *id);
/* The path of the kept copy of @id at @hash, or NULL. */
char                *sluice_registry_get_version_path (SluiceRegistry *self,
                                                       const char     *id,
                                                       const char     *hash);

G_END_DECLS
