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
 * slower, so each direction of each module has a rate limit: bursts of
 * 16 items (or the depth), then PREVIEW_RATE items a second. A module
 * that sees fewer items than that keeps exactly its last ones; a faster
 * one keeps recent samples, which is all a human can read anyway.
 *
 * A designer's run asks a thousand modules a million times whether an
 * item is due: the limit is a theoretical arrival time (the "generic
 * cell rate algorithm", a token bucket kept as one number) read and
 * advanced with atomics, and the texts are kept in a ring of buffers
 * that are reused, so that neither asking nor recording allocates or
 * takes a lock but to store a text. Workers record concurrently, hence
 * that lock. */

#define PREVIEW_RATE        20
#define PREVIEW_INTERVAL_US (G_USEC_PER_SEC / PREVIEW_RATE)
#define PREVIEW_BURST(depth) MAX ((depth), 16)

typedef struct
{
  char  *text;      /* malloc()ed, or NULL */
  gsize  length;
  gsize  size;      /* allocated */
} Slot;

typedef struct
{
  Slot  *slots;     /* depth of them */
  guint  head;      /* the oldest */
  guint  length;
} Texts;

struct _SluicePreview
{
  GMutex  lock;
  guint   depth;
  gint64  slack;      /* how far ahead of now an arrival may be: (burst − 1) intervals */
  gint64  arrival[2]; /* atomic: inputs, outputs: the theoretical arrival time of the next item */
  Texts   texts[2];   /* under @lock */
};

SluicePreview *
sluice_preview_new (guint depth)
{
  SluicePreview *preview = g_new0 (SluicePreview, 1);

  g_mutex_init (&preview->lock);
  preview->depth = depth;
  preview->slack = (gint64) (PREVIEW_BURST (depth) - 1) * PREVIEW_INTERVAL_US;
  for (guint i = 0; i < 2; i++)
    preview->texts[i].slots = g_new0 (Slot, MAX (depth, 1));
  return preview;
}

void
sluice_preview_free (SluicePreview *preview)
{
  if (preview == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    {
      for (guint s = 0; s < MAX (preview->depth, 1); s++)
        free (preview->texts[i].slots[s].text);
      g_free (preview->texts[i].slots);
    }
  g_mutex_clear (&preview->lock);
  g_free (preview);
}

/* An item arriving at @now conforms when the next theoretical arrival is
 * at most the burst's slack ahead of it. */
static inline gboolean
conforms (SluicePreview *preview,
          gint64         arrival,
          gint64         now)
{
  return arrival - now <= preview->slack;
}

gboolean
sluice_preview_due (SluicePreview *preview,
                    gboolean       outputs,
                    gint64         now)
{
  gint64 *arrival;
  gint64 seen;

  if (preview == NULL)
    return FALSE;
  arrival = &preview->arrival[outputs != 0];
  seen = __atomic_load_n (arrival, __ATOMIC_RELAXED);
  do
    {
      if (!conforms (preview, seen, now))
        return FALSE;
    }
  while (!__atomic_compare_exchange_n (arrival, &seen, MAX (seen, now) + PREVIEW_INTERVAL_US,
                                       TRUE, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return TRUE;
}

gboolean
sluice_preview_wanted (SluicePreview *preview,
                       gint64         now)
{
  if (preview == NULL)
    return FALSE;
  for (guint dir = 0; dir < 2; dir++)
    if (conforms (preview, __atomic_load_n (&preview->arrival[dir], __ATOMIC_RELAXED), now))
      return TRUE;
  return FALSE;
}

/* The slot the next text goes to: a free one, or the oldest's. */
static Slot *
next_slot (SluicePreview *preview,
           Texts         *texts)
{
  guint index = texts->head + texts->length;

  if (texts->length == preview->depth)
    {
      index = texts->head;
      texts->head = texts->head + 1 == preview->depth ? 0 : texts->head + 1;
    }
  else
    texts->length++;
  if (index >= preview->depth)
    index -= preview->depth;
  return &texts->slots[index];
}

/* Takes @text (allocated with malloc()) in place of the oldest. */
static void
keep_text (SluicePreview *preview,
           gboolean       outputs,
           char          *text)
{
  Slot *slot;
  char *old;

  if (preview->depth == 0)
    {
      free (text);
      return;
    }
  g_mutex_lock (&preview->lock);
  slot = next_slot (preview, &preview->texts[outputs != 0]);
  old = slot->text;
  slot->text = text;
  slot->length = slot->size = strlen (text);
  g_mutex_unlock (&preview->lock);
  free (old);
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
    keep_text (preview, outputs, text);
}

void
sluice_preview_record_text (SluicePreview *preview,
                            gboolean       outputs,
                            const char    *text,
                            gsize          length)
{
  Slot *slot;

  if (preview == NULL || preview->depth == 0)
    return;
  g_mutex_lock (&preview->lock);
  slot = next_slot (preview, &preview->texts[outputs != 0]);
  /* The oldest's buffer is reused when it is large enough (mostly: the
   * items of one module look alike); malloc(), as sluice_json_dumps()
   * gives. */
  if (slot->text == NULL || slot->size < length)
    {
      char *bigger = realloc (slot->text, length + 1);

      if (bigger == NULL)
        {
          /* Out of memory: this sample is not kept (the slot is empty). */
          free (slot->text);
          slot->text = NULL;
          slot->length = slot->size = 0;
          g_mutex_unlock (&preview->lock);
          return;
        }
      slot->text = bigger;
      slot->size = length;
    }
  memcpy (slot->text, text, length);
  slot->text[length] = '\0';
  slot->length = length;
  g_mutex_unlock (&preview->lock);
}

char **
sluice_preview_dup (SluicePreview *preview,
                    gboolean       outputs)
{
  GPtrArray *array = g_ptr_array_new ();

  if (preview != NULL && preview->depth > 0)
    {
      Texts *texts = &preview->texts[outputs != 0];

      g_mutex_lock (&preview->lock);
      for (guint i = texts->length; i > 0; i--)
        {
          guint index = texts->head + i - 1;
          Slot *slot;

          if (index >= preview->depth)
            index -= preview->depth;
          slot = &texts->slots[index];
          /* A slot emptied by a failed allocation is no item. */
          if (slot->text != NULL)
            g_ptr_array_add (array, g_strndup (slot->text, slot->length));
        }
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
