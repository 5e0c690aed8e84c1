/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sluice-node.h"
#include "sluice-parameter.h"
#include "sluice-schedule.h"
#include "sluice-service.h"
#include "sluice-test-case.h"

G_BEGIN_DECLS

/* The file format this program reads and writes (SPEC section 3). */
#define SLUICE_FORMAT_VERSION 1

#define SLUICE_TYPE_PIPELINE (sluice_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (SluicePipeline, sluice_pipeline, SLUICE, PIPELINE, SluiceNode)

/* The root of a pipeline file: an ordered list of controllers, plus the
 * parameters and services they refer to, and the designer's <view> data,
 * which the core keeps verbatim but never interprets.
 *
 * Any change anywhere in the tree is reported by the "changed" signal
 * (emitted after the node's own notify), which is what the designer uses to
 * mark the document modified and to re-validate. */
SluicePipeline *sluice_pipeline_new              (void);

guint           sluice_pipeline_get_format       (SluicePipeline *self);
/* The lua-memory-limit attribute: bytes each Lua state of a run may use,
 * 0 when the file does not say (SLUICE_LUA_DEFAULT_MEMORY_LIMIT). */
guint64         sluice_pipeline_get_lua_memory_limit (SluicePipeline *self);
void            sluice_pipeline_set_lua_memory_limit (SluicePipeline *self,
                                                      guint64         bytes);
void            sluice_pipeline_set_format       (SluicePipeline *self,
                                                  guint           format);
const char     *sluice_pipeline_get_description  (SluicePipeline *self);
void            sluice_pipeline_set_description  (SluicePipeline *self,
                                                  const char     *description);

/* Lists of SluiceController, SluiceParameter and SluiceService. Borrowed.
 * Controllers are mutated with sluice_node_list_*(); parameters and
 * services are plain GListStores. */
GListModel     *sluice_pipeline_get_controllers  (SluicePipeline *self);
GListStore     *sluice_pipeline_get_parameters   (SluicePipeline *self);
GListStore     *sluice_pipeline_get_services     (SluicePipeline *self);

SluiceParameter *sluice_pipeline_find_parameter  (SluicePipeline *self,
                                                  const char     *name);
SluiceService  *sluice_pipeline_find_service     (SluicePipeline *self,
                                                  const char     *name);

/* The <schedule> (borrowed), or NULL for a pipeline that only runs when
 * started. Its edits are reported through "changed" too. */
SluiceSchedule *sluice_pipeline_get_schedule     (SluicePipeline *self);
void            sluice_pipeline_set_schedule     (SluicePipeline *self,
                                                  SluiceSchedule *schedule);
/* The test cases of the file's <tests>, in order: a plain GListStore of
 * SluiceTestCase. Borrowed. */
GListStore     *sluice_pipeline_get_tests        (SluicePipeline *self);
/* The first case named @name, or NULL. Borrowed. */
SluiceTestCase *sluice_pipeline_find_test        (SluicePipeline *self,
                                                  const char     *name);

/* The serialised <view> element (including its tags), or NULL. */
const char     *sluice_pipeline_get_view_xml     (SluicePipeline *self);
void            sluice_pipeline_set_view_xml     (SluicePipeline *self,
                                                  const char     *view_xml);

/* Calls @func for every node below the pipeline in document order:
 * controllers, phases, modules (and modules nested in conditions and
 * combinations). Stop by returning FALSE. */
typedef gboolean (*SluiceNodeFunc) (SluiceNode *node,
                                    gpointer    user_data);
void            sluice_pipeline_foreach_node     (SluicePipeline *self,
                                                  SluiceNodeFunc  func,
                                                  gpointer        user_data);
/* First node with @id in document order, or NULL. Borrowed. */
SluiceNode     *sluice_pipeline_find_node        (SluicePipeline *self,
                                                  const char     *id);

/* Emits "changed"; called by every node setter of the tree. */
void            sluice_pipeline_emit_changed     (SluicePipeline *self);

G_END_DECLS
