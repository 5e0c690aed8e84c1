/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sluice-executor-boundary.h"
#include "sluice-executor-private.h"

/* Controller boundaries (see sluice-executor-boundary.h): the hooks the
 * flow calls, and putting the items of a resumed run back where they
 * were. */

void
sluice_executor_set_boundary_funcs (SluiceExecutor            *self,
                                    const SluiceBoundaryFuncs *funcs,
                                    gpointer                   user_data)
{
  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);

  self->boundary = funcs;
  self->boundary_data = user_data;
}

/* @item leaves @job's controller for the next one, or for the output
 * after the last: its mark there. */
guint64
_sluice_boundary_entered (SluiceExecutor *self,
                          SluiceJob      *job,
                          json_t         *item)
{
  if (self->boundary == NULL || job->origin->tag == NULL || job->origin->end_of_stream)
    return 0;
  return self->boundary->entered (self->boundary_data, job->origin->tag, job->ctl->index + 1,
                                  job->mark, item);
}

void
_sluice_boundary_passed (SluiceExecutor *self,
                         SluiceJob      *job,
                         guint           sent_on)
{
  SluiceOrigin *origin = job->origin;

  if (self->boundary == NULL || self->stopped || origin == NULL ||
      origin->tag == NULL || origin->end_of_stream || origin->error != NULL)
    return;
  self->boundary->passed (self->boundary_data, origin->tag, job->ctl->index, job->mark, sent_on);
}

void
sluice_executor_inject (SluiceExecutor *self,
                        gpointer        tag,
                        guint           controller,
                        json_t         *item,
                        guint64         mark)
{
  SluiceStage *ctl;
  SluiceOrigin *origin;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));
  g_return_if_fail (self->state == SLUICE_RUN_PENDING);
  g_return_if_fail (controller < self->ctls->len);

  if (self->injecting == NULL)
    self->injecting = g_hash_table_new (NULL, NULL);
  origin = g_hash_table_lookup (self->injecting, tag);
  if (origin == NULL)
    {
      /* Its first reference is the injection's, dropped at the end. */
      origin = _sluice_origin_new (self, tag);
      self->items_in++;
      g_hash_table_insert (self->injecting, tag, origin);
    }
  ctl = g_ptr_array_index (self->ctls, controller);
  ctl->started = TRUE;
  g_queue_push_tail (&ctl->input, item);
  g_queue_push_tail (&ctl->origins, origin);
  if (self->boundary != NULL)
    g_queue_push_tail (&ctl->marks, GSIZE_TO_POINTER (mark));
  origin->live++;
}

void
sluice_executor_inject_end (SluiceExecutor *self)
{
  GHashTableIter iter;
  gpointer origin;

  g_return_if_fail (SLUICE_IS_EXECUTOR (self));

  if (self->injecting == NULL)
    return;
  g_hash_table_iter_init (&iter, self->injecting);
  while (g_hash_table_iter_next (&iter, NULL, &origin))
    _sluice_origin_unref (self, origin);
  g_clear_pointer (&self->injecting, g_hash_table_unref);
}
