/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include <glib/gi18n-lib.h>

#include "sluice-step.h"
#include "sluice-tool-params.h"
#include "sluice-tool-writes.h"

G_BEGIN_DECLS

/* Batching for loaders: items are collected and written together, every
 * `batch-size` items, every `batch-interval`, and at the end of the
 * stream (the step's flush). One batch is written at a time, in the
 * background: while it is written, the next one fills.
 *
 * What the calls see:
 *
 *  - an item that does not complete a batch finishes at once;
 *  - the item that completes a batch finishes as soon as its batch's
 *    write has started (a writer that answers at once answers it with
 *    the outcome). Only when the batch before is still being written
 *    does it wait for that write to end, so that at most one batch is
 *    written while the next fills (memory stays at two batches);
 *  - a failed write keeps the batch. When its call still waits, the call
 *    fails with the server's message and its retry (the executor's
 *    retries) resends the same batch instead of adding its item again.
 *    When nobody waits for it any more (its call went on, or it was
 *    written on the interval), the next call that comes (an item, or the
 *    flush) resends it and answers with the outcome: a failure that
 *    persists fails that call with the server's message;
 *  - after a failed write nothing more is written until the next call
 *    (so a failure that stops the run writes nothing after it), or,
 *    when calls already wait for batches behind it (several workers),
 *    until the run's next turn, if the failure did not stop it;
 *  - flush writes what is left, then commits (the worker's commit, if
 *    any), and finishes once all that is done. A batch whose call gave
 *    up (on-error drop or continue) is not written; that is logged with
 *    its size, never silent.
 *
 * Two kinds of writer:
 *
 *  - a worker (sluice_tool_batch_new_worker): a function run on a worker
 *    thread, one batch at a time, that returns NULL or the server's
 *    message; the helper owns the thread, the step's process, flush
 *    and cancel (sluice_tool_batch_process …);
 *  - an asynchronous writer (sluice_tool_batch_new): gets a batch and
 *    answers sluice_tool_batch_write_done() once, then or later, on the
 *    run's main context.
 *
 * When the run stops, only a worker's write in flight is waited for
 * (sluice_tool_writes_stop): a writer that waits on anything outside
 * the process (a server, a file that may block) is a worker; an
 * asynchronous writer answers at once (the console). */

typedef struct _SluiceToolBatch SluiceToolBatch;

/* Write @items (json_t*, borrowed until write_done). */
typedef void (*SluiceToolBatchWriteFunc) (SluiceToolBatch *batch,
                                          GPtrArray       *items,
                                          gpointer         user_data);

/* A worker's write, on a worker thread (never two at once): writes
 * @items (json_t*, read-only) and returns NULL, or the message saying
 * why nothing of them is written (freed by the helper). @cancellable is
 * cancelled when the run stopped and the write is still going after the
 * bound (sluice_tool_writes_stop): a write that can give up (a request
 * to a server) gives up then. */
typedef char *(*SluiceToolBatchWorkFunc) (GPtrArray    *items,
                                          GCancellable *cancellable,
                                          gpointer      user_data);
/* A worker's commit at the end of the stream, on a worker thread, after
 * the last batch: NULL or the message. */
typedef char *(*SluiceToolBatchCommitFunc) (gpointer user_data);

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

/* A batch helper for @step whose writes run on a worker thread: reads
 * the step's batch-size, batch-interval and (when declared) pass from
 * @params. @commit may be NULL. The step is kept alive while a write
 * runs. NULL with @error for a bad parameter. */
SluiceToolBatch *sluice_tool_batch_new_worker (SluiceStep                *step,
                                               SluiceToolParams          *params,
                                               SluiceToolBatchWorkFunc    work,
                                               SluiceToolBatchCommitFunc  commit,
                                               gpointer                   user_data,
                                               GError                   **error);
/* The same with an asynchronous writer. */
SluiceToolBatch *sluice_tool_batch_new_for_params (SluiceStep              *step,
                                                   SluiceToolParams        *params,
                                                   SluiceToolBatchWriteFunc write,
                                                   gpointer                 user_data,
                                                   GError                 **error);

/* What is kept of an item until its batch is written, made on the run's
 * main thread when the item is added: a new reference (the item itself,
 * or a smaller form such as its text as a JSON string), or NULL with
 * @error to fail the item. */
typedef json_t *(*SluiceToolBatchEncodeFunc) (json_t   *item,
                                              gpointer  user_data,
                                              GError  **error);

/* Where the batches go, as messages name it: a path, a server's URL
 * and table, a database (never a password). The run's stop names it
 * when a write there does not end in time. */
void             sluice_tool_batch_set_target (SluiceToolBatch           *batch,
                                               const char                *target);

/* Items are kept as @encode makes them (by default, as they are), so
 * that the work the writer needs of each item is done, and the item is
 * freed, on the thread that made it while it is still in the cache,
 * rather than by the worker thread a batch later. */
void             sluice_tool_batch_set_encode (SluiceToolBatch           *batch,
                                               SluiceToolBatchEncodeFunc  encode,
                                               gpointer                   user_data);

/* The step's process(): passes the item on when `pass` is set, then
 * adds it. */
void             sluice_tool_batch_process    (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call);

/* For the step's process(): adds call->item. */
void             sluice_tool_batch_add        (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call);
/* For the step's flush(). */
void             sluice_tool_batch_flush      (SluiceToolBatch           *batch,
                                               SluiceStepCall            *call);
/* For the step's cancel(): a call waiting for a write (or the flush)
 * fails at once with @reason; its batch is still written. */
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
