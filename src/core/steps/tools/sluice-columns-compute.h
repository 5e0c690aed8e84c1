/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-step.h"

G_BEGIN_DECLS

/* The computed fields of a columns tool, evaluated in a sandboxed Lua
 * state of the step's own (compiled once), with only the fields the
 * expressions read pushed into Lua and only the computed values
 * converted back. Built only when sluice_lua_field_scan() could tell
 * those fields for every expression; otherwise the tool stays a Lua
 * chunk run by the executor. Used on the run's main thread only. */
typedef struct _SluiceColumnsCompute SluiceColumnsCompute;

/* @names and @expressions: the computed fields in order; NULL when an
 * expression reads the item in a way the scan cannot follow. */
SluiceColumnsCompute *sluice_columns_compute_new  (const char          *module_id,
                                                   guint                line,
                                                   char               **names,
                                                   char               **expressions,
                                                   SluiceStepContext   *context,
                                                   guint64              memory_limit,
                                                   GError             **error);
void                  sluice_columns_compute_free (SluiceColumnsCompute *self);

/* Sets the computed fields of @item (owned by the caller alone at the
 * top level); a field whose expression gives nil is removed. FALSE with
 * @error (the Lua error, without the module) otherwise, and then @item
 * is as it was. @deadline:
 * monotonic µs, 0 for none. */
gboolean              sluice_columns_compute_apply (SluiceColumnsCompute *self,
                                                    json_t               *item,
                                                    gint64                deadline,
                                                    GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceColumnsCompute, sluice_columns_compute_free)

G_END_DECLS
