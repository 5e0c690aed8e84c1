/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sluice-pipeline.h"

G_BEGIN_DECLS

#define SLUICE_TYPE_REGISTRY_ENTRY (sluice_registry_entry_get_type ())
G_DECLARE_FINAL_TYPE (SluiceRegistryEntry, sluice_registry_entry, SLUICE, REGISTRY_ENTRY, GObject)

/* One pipeline file of a registry, as loaded and validated at one moment.
 * An entry never changes: when its file does, the registry makes a new
 * entry, so a run started from the old one keeps its pipeline. */

/* The file's path relative to the registry folder, without ".xml"
 * ("etl/hourly-events"): unique within a registry, whatever the file's
 * own pipeline id says. */
const char     *sluice_registry_entry_get_id        (SluiceRegistryEntry *self);
const char     *sluice_registry_entry_get_path      (SluiceRegistryEntry *self);
/* SHA-256 of the file's bytes, in hex; NULL when it could not be read. */
const char     *sluice_registry_entry_get_hash      (SluiceRegistryEntry *self);
/* The loaded pipeline (NULL when it does not load). Borrowed. */
SluicePipeline *sluice_registry_entry_get_pipeline  (SluiceRegistryEntry *self);
/* Every problem of loading and validating, sorted. Borrowed. */
GPtrArray      *sluice_registry_entry_get_problems  (SluiceRegistryEntry *self);
/* Loaded without errors (warnings allowed): it can run. */
gboolean        sluice_registry_entry_is_valid      (SluiceRegistryEntry *self);

/* Reads, loads and validates @path. */
SluiceRegistryEntry *sluice_registry_entry_load     (const char          *id,
                                                     const char          *path);
/* What stat() said when it was read: an unchanged signature means an
 * unchanged file, without reading it. */
gboolean        sluice_registry_entry_same_file     (SluiceRegistryEntry *self,
                                                     const char          *path);
/* The bytes it was loaded from (NULL when unread or released: the
 * registry releases them once their version is kept, so that a folder of
 * large files is not held twice in memory). */
GBytes         *sluice_registry_entry_get_bytes     (SluiceRegistryEntry *self);
void            sluice_registry_entry_release_bytes (SluiceRegistryEntry *self);

G_END_DECLS
