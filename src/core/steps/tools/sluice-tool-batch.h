/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include <glib/gi18n-lib.h>

#include "sluice-step.h"

G_BEGIN_DECLS

/* Batching for loaders: items are collected and written together, every
 * `batch-size` items, every `batch-interval`, and at the end of the
 * stream (the step's flush). One batch is written at a time.
 *
 * What the calls see:
 *
 *  - an item that does not complete a batch finishes at once;
 *  - the item that completes a batch waits for that batch's write and
 *    finishes or fails with it, so a slow server makes the module wait
 *    (the controller's workers bound how many such items wait);
 *  - a failed write keeps the batch: the failing call's retry (the
 *    executor's retries) resends the same batch instead of adding its
 *    item again. A batch written on the interval has no call: when its
 *    write fails, the next call (or the flush) resends it and answers
 *    with the outcome;
 *  - after a failed write nothing more is written until the next call
 *    (so a failure that stops the run writes nothing after it);
 *  - flush writes what is left and finishes once everything is written.
 *    A batch whose call gave up (on-error drop or continue) is not
 *    written; that is logged with its size, never silent.
 *
 * The writer gets a batch and answers sluice_tool_batch_write_done() once,
 * then or later, on the run's main context. */

typedef struct _SluiceToolBatch SluiceToolBatch;

/* Write @items (json_t*, borrowed until write_done). */
typedef void (*SluiceToolBatchWriteFunc) (SluiceToolBatch *batch,
                                          GPtrArray       *items,
                                          gpointer         user_data);

/* The parameters every batching tool declares (an initializer list for
 * a SluiceToolParamInfo array). */
#define SLUICE_TOOL_BATCH_PARAMS \
  { "batch-size", N_("Items written together (one transaction or write)"), FALSE, \
    SLUICE_TOOL_PARAM_INT, "1000", NULL }, \
  { "batch-interval", N_("Longest wait before a partial batch is written"), FALSE, \
    SLUICE_TOOL_PARAM_DURATION, "1s", NULL }

SluiceToolBatch *sluice_tool_batch_new        (SluiceStepContext         *context,
                                               const char                *module_id,
                                               guint                      size,
                                               gint64                     interval_us,
                                               SluiceToolBatchWriteFunc   write,
                                               gpointer                   user_data);
void             sluice_tool_batch_free       (SluiceToolBatch           *batch);

/* For the step's process(): adds call->item. */
void             sluice_tool_batch_add        (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call);
/* For the step's flush(). */
void             sluice_tool_batch_flush      (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call);
/* For the step's cancel(): a call waiting for a write fails at once with
 * @reason; its batch is still written. */
void             sluice_tool_batch_cancel     (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call,
                                               const char                *reason);
/* The writer's answer: @error NULL when every item of the batch is
 * written, else the server's message (nothing of it is written). */
void             sluice_tool_batch_write_done (SluiceToolBatch           *batch,
                                               const char                *error);
gboolean         sluice_tool_batch_is_writing (SluiceToolBatch           *batch);

/* Reads batch-size and batch-interval (substituted values), with the
 * module's id in errors. */
gboolean         sluice_tool_batch_read_params (const char               *module_id,
                                                const char               *size_text,
                                                const char               *interval_text,
                                                guint                    *size,
                                                gint64                   *interval_us,
                                                GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SluiceToolBatch, sluice_tool_batch_free)

G_END_DECLS
