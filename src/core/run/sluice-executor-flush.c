/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-private.h"

/* End of stream (SluiceStepClass.flush): a step that holds items back (a
 * loader's batch) hears once per run that no further item can reach it.
 *
 * That is known when its controller has taken its last input item (the
 * controllers before it have finished) and has no item in flight. The
 * controller's steps with a flush then flush one after the other, in
 * program order: each flush is a job of its own, so what it emits goes on
 * through the rest of the controller, and a later step flushes only once
 * those items are through. A flush is a call like any other: the
 * module's time-out, retries (the step still holds its batch) and
 * on-error apply; a step inside a group flushes inside that group. */

static gboolean
wants_flush (SluiceModuleRun *info)
{
  return info->step != NULL && !info->flushed &&
         SLUICE_STEP_GET_CLASS (info->step)->flush != NULL;
}

/* The first step of @prog (groups included) still to flush: @path gets
 * the pcs of the groups that lead to it, then its own. */
static gboolean
find_next_flush (SluiceExecutor *self,
                 SluiceProgram  *prog,
                 GArray         *path)
{
  for (guint pc = 0; pc < prog->ops->len; pc++)
    {
      SluiceOp *op = program_op (prog, pc);

      g_array_append_val (path, pc);
      if (op->kind == SLUICE_OP_STEP && wants_flush (module_run (self, op->mod)))
        return TRUE;
      if (op->kind == SLUICE_OP_GROUP && find_next_flush (self, op->sub, path))
        return TRUE;
      g_array_set_size (path, path->len - 1);
    }

  return FALSE;
}

gboolean
_sluice_executor_start_flush (SluiceExecutor *self,
                              SluiceStage    *ctl)
{
  g_autoptr(GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
  SluiceProgram *prog = ctl->prog;
  SluiceOrigin *origin;
  SluiceToken *token;
  SluiceJob *job;
  gboolean collect;
  guint pc;

  if (!find_next_flush (self, prog, path))
    return FALSE;

  /* Not an input item: its outputs go on like any, but no sink waits
   * for it to be done. */
  origin = g_new0 (SluiceOrigin, 1);
  origin->live = 1;
  origin->end_of_stream = TRUE;

  collect = ctl->mode == SLUICE_MODE_ORDER_BY_SEQUENCE || ctl->mode == SLUICE_MODE_FIRST_WINS;
  job = _sluice_job_new (self, ctl, prog, ctl->next_seq++, collect);
  job->origin = origin;
  job->pending = 1;
  ctl->in_flight++;

  /* Into the groups around the step, as start_group() does for an item. */
  for (guint i = 0; i + 1 < path->len; i++)
    {
      SluiceOp *group = program_op (prog, g_array_index (path, guint, i));
      SluiceJob *sub = _sluice_job_new (self, ctl, group->sub, job->seq, TRUE);

      sub->parent = job;
      sub->origin = origin;
      sub->parent_pc = g_array_index (path, guint, i);
      sub->pending = 1;
      module_run (self, group->mod)->stats->active++;   /* the group's end takes it back */
      job = sub;
      prog = group->sub;
    }

  pc = g_array_index (path, guint, path->len - 1);
  module_run (self, program_op (prog, pc)->mod)->flushed = TRUE;
  token = _sluice_token_new (NULL, job, pc);
  token->flush = TRUE;
  token->child = 0;
  token->parent = 0;
  g_queue_push_tail (&self->ready, token);
  _sluice_executor_schedule (self);

  return TRUE;
}
