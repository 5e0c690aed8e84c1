/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <jansson.h>

G_BEGIN_DECLS

#define SLUICE_TYPE_STUB_RECORDER (sluice_stub_recorder_get_type ())
G_DECLARE_FINAL_TYPE (SluiceStubRecorder, sluice_stub_recorder, SLUICE, STUB_RECORDER, GObject)

/* What the stubs of one run were sent: for each module, the items in the
 * order they came, and what the real step would have done with each (the
 * command line, the request). Tests read it in assertions (`recorded`);
 * a dry run prints it as it happens. */
SluiceStubRecorder *sluice_stub_recorder_new       (void);

/* Called with each record as it is added. */
typedef void (*SluiceStubRecordFunc) (const char *module_id,
                                      const char *action,
                                      json_t     *item,
                                      gpointer    user_data);
void                sluice_stub_recorder_set_func  (SluiceStubRecorder   *self,
                                                    SluiceStubRecordFunc  func,
                                                    gpointer              user_data);

/* @item is borrowed (a reference is kept). */
void                sluice_stub_recorder_add       (SluiceStubRecorder *self,
                                                    const char         *module_id,
                                                    const char         *action,
                                                    json_t             *item);
/* Gives @module_id an empty list of records, so that a stub that got
 * no items reads as `#recorded.ID == 0` rather than a nil. */
void                sluice_stub_recorder_declare   (SluiceStubRecorder *self,
                                                    const char         *module_id);
/* { "MODULE": [item, …], … }, borrowed. */
json_t             *sluice_stub_recorder_get_items (SluiceStubRecorder *self);
guint               sluice_stub_recorder_get_count (SluiceStubRecorder *self,
                                                    const char         *module_id);

G_END_DECLS
