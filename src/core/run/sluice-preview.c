/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sluice-preview.h"
#include "sluice-json.h"

/* The data preview: the last items that went into and came out of each
 * module, as compact JSON, for a viewer that lets the user peek at a
 * module's data. It is off unless sluice_executor_set_preview() asked
 * for it. Serialising every item would make a fast module several times
 * slower, so each direction of each module has a token bucket: bursts of
 * 16 items (or the depth), then PREVIEW_RATE items a second. A module that sees
 * fewer items than that keeps exactly its last ones; a faster one keeps
 * recent samples, which is all a human can read anyway. Workers record
 * concurrently, hence the lock. */

#define PREVIEW_RATE  20.0
#define PREVIEW_BURST(preview) MAX ((preview)->depth, 16)

struct _SluicePreview
{
  GMutex  lock;
  guint   depth;
  GQueue  items[2];      /* char* from sluice_json_dumps, oldest first: inputs, outputs */
  double  tokens[2];
  gint64  refilled[2];   /* monotonic time of the last refill */
  gboolean empty[2];     /* tokens < 1, for the unlocked check */
};

SluicePreview *
sluice_preview_new (guint depth)
{
  SluicePreview *preview = g_new0 (SluicePreview, 1);

  g_mutex_init (&preview->lock);
  preview->depth = depth;
  for (guint i = 0; i < 2; i++)
    preview->tokens[i] = PREVIEW_BURST (preview);
  return preview;
}

void
sluice_preview_free (SluicePreview *preview)
{
  if (preview == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    g_queue_clear_full (&preview->items[i], free);
  g_mutex_clear (&preview->lock);
  g_free (preview);
}

gboolean
sluice_preview_due (SluicePreview *preview,
                    gboolean       outputs,
                    gint64         now)
{
  guint dir = outputs != 0;
  gboolean due;

  if (preview == NULL)
    return FALSE;
  /* The common case, unlocked: no token and too soon for a new one (racy
   * reads at worst give one sample more or less). */
  if (__atomic_load_n (&preview->empty[dir], __ATOMIC_RELAXED) &&
      now - __atomic_load_n (&preview->refilled[dir], __ATOMIC_RELAXED) < G_USEC_PER_SEC / PREVIEW_RATE)
    return FALSE;

  g_mutex_lock (&preview->lock);
  if (preview->refilled[dir] != 0)
    preview->tokens[dir] = MIN (PREVIEW_BURST (preview), preview->tokens[dir] +
                                (now - preview->refilled[dir]) * PREVIEW_RATE / G_USEC_PER_SEC);
  preview->refilled[dir] = now;
  due = preview->tokens[dir] >= 1.0;
  if (due)
    preview->tokens[dir] -= 1.0;
  __atomic_store_n (&preview->empty[dir], preview->tokens[dir] < 1.0, __ATOMIC_RELAXED);
  g_mutex_unlock (&preview->lock);
  return due;
}

gboolean
sluice_preview_wanted (SluicePreview *preview,
                       gint64         now)
{
  if (preview == NULL)
    return FALSE;
  for (guint dir = 0; dir < 2; dir++)
    if (!__atomic_load_n (&preview->empty[dir], __ATOMIC_RELAXED) ||
        now - __atomic_load_n (&preview->refilled[dir], __ATOMIC_RELAXED) >= G_USEC_PER_SEC / PREVIEW_RATE)
      return TRUE;
  return FALSE;
}

/* Takes @text (allocated with malloc()). */
static void
push_text (SluicePreview *preview,
           gboolean       outputs,
           char          *text)
{
  GQueue *queue;

  g_mutex_lock (&preview->lock);
  queue = &preview->items[outputs != 0];
  g_queue_push_tail (queue, text);
  while (queue->length > preview->depth)
    free (g_queue_pop_head (queue));
  g_mutex_unlock (&preview->lock);
}

void
sluice_preview_record (SluicePreview *preview,
                       gboolean       outputs,
                       json_t        *item,
                       gint64         now)
{
  char *text;

  if (preview == NULL || item == NULL)
    return;
  text = sluice_json_dumps (item, JSON_COMPACT);
  if (text != NULL)
    push_text (preview, outputs, text);
}

void
sluice_preview_record_text (SluicePreview *preview,
                            gboolean       outputs,
                            const char    *text,
                            gsize          length)
{
  char *copy;

  if (preview == NULL)
    return;
  /* malloc(), as sluice_json_dumps() gives: the queues free() them. */
  copy = malloc (length + 1);
  if (copy == NULL)
    return;
  memcpy (copy, text, length);
  copy[length] = '\0';
  push_text (preview, outputs, copy);
}

char **
sluice_preview_dup (SluicePreview *preview,
                    gboolean       outputs)
{
  GPtrArray *array = g_ptr_array_new ();

  if (preview != NULL)
    {
      g_mutex_lock (&preview->lock);
      for (GList *l = preview->items[outputs != 0].tail; l != NULL; l = l->prev)
        g_ptr_array_add (array, g_strdup (l->data));
      g_mutex_unlock (&preview->lock);
    }
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

void
sluice_preview_record_items (SluicePreview  *preview,
                             gboolean        outputs,
                             json_t        **items,
                             guint           n)
{
  gint64 now = g_get_monotonic_time ();

  if (!sluice_preview_due (preview, outputs, now))
    return;
  for (guint i = 0; i < n; i++)
    sluice_preview_record (preview, outputs, items[i], now);
}
