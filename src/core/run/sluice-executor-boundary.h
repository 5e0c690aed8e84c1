/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <jansson.h>

#include "sluice-executor.h"

G_BEGIN_DECLS

/* Controller boundaries: where an item leaves one controller for the
 * next. A journal listens there to keep each item's progress, so that a
 * resumed run starts an item (or one of the many it fanned out into)
 * from the last controller it passed instead of from the beginning.
 *
 * Every item that enters controller k > 0 gets a mark (non-zero,
 * increasing in the order items enter) from @entered; the item of the
 * first controller is the input item itself, mark 0. When an item's job
 * in a controller is over and everything it gave is on its way
 * (order-by-sequence: delivered in turn; first-wins: delivered or
 * superseded), @passed says so with the number of items it sent on.
 * An output of the last controller "enters" controller N (the number of
 * controllers) just before the sink has it: a resumed run can write it
 * again rather than run its item again. Whoever listens should leave a
 * pipeline of one controller alone: every item would be an output.
 *
 * Both are called on the main thread, in the order things happen, and
 * only for input items with a tag (not for flushes). */
typedef struct
{
  guint64 (*entered) (gpointer  user_data,
                      gpointer  tag,
                      guint     controller,   /* the one entered, ≥ 1; N: the output */
                      guint64   parent,       /* mark of the item it came from */
                      json_t   *item);
  void    (*passed)  (gpointer  user_data,
                      gpointer  tag,
                      guint     controller,
                      guint64   mark,
                      guint     sent_on);
} SluiceBoundaryFuncs;

/* Call before start; @funcs must outlive the run. */
void              sluice_executor_set_boundary_funcs (SluiceExecutor            *self,
                                                      const SluiceBoundaryFuncs *funcs,
                                                      gpointer                   user_data);
/* Resuming a run: @item (consumed) enters controller @controller
 * directly, as part of the input item @tag, with the @mark it had. Call
 * before start, for every such item in the order they first entered,
 * then sluice_executor_inject_end(). All the items of one tag make one
 * input item: the sink hears it is done when the last of them is. */
void              sluice_executor_inject             (SluiceExecutor            *self,
                                                      gpointer                   tag,
                                                      guint                      controller,
                                                      json_t                    *item,
                                                      guint64                    mark);
void              sluice_executor_inject_end         (SluiceExecutor            *self);

G_END_DECLS
